/* The kind table (see kinds.h). */
#include "core/kinds/kinds.h"
#include "util/xalloc.h"

#include <string.h>

#define LIST(m) offsetof(struct remote_state, m)

/* In enum res_kind's order. */
const struct kind_ops kind_table[KIND__COUNT] = {
	[KIND_BLOCK] = { KIND_BLOCK, "Block", "blocks.yaml", 1, SECTION_MEMORY_BLOCKS, TARGET_BLOCK,
			 LIST(blocks), "label" },
	[KIND_TOOL] = { KIND_TOOL, "Tool", "tools.yaml", 1, SECTION_TOOLS, TARGET_TOOL, LIST(tools),
			"name" },
	[KIND_MCP_SERVER] = { KIND_MCP_SERVER, "MCPServer", "mcp-servers.yaml", 1,
			      SECTION_MCP_SERVERS, TARGET_MCP_SERVER, LIST(mcp_servers),
			      "server_name" },
	[KIND_TEMPLATE] = { KIND_TEMPLATE, "Template", "templates.yaml", 0, -1, TARGET__COUNT,
			    KIND_NO_LIST, NULL },
	[KIND_FOLDER] = { KIND_FOLDER, "Folder", "folders.yaml", 1, SECTION_FOLDERS, TARGET_FOLDER,
			  LIST(folders), "name" },
	[KIND_IDENTITY] = { KIND_IDENTITY, "Identity", "identities.yaml", 1, SECTION_IDENTITIES,
			    TARGET_IDENTITY, LIST(identities), "identifier_key" },
	[KIND_AGENT_POLICY] = { KIND_AGENT_POLICY, "AgentPolicy", NULL, 0, -1, TARGET__COUNT,
				KIND_NO_LIST, NULL },
	[KIND_AGENT] = { KIND_AGENT, "Agent", "agents.yaml", 0, -1, TARGET_AGENT, LIST(agents),
			 "name" },
};

const struct kind_ops *kind_ops(enum res_kind k)
{
	if ((unsigned)k >= KIND__COUNT)
		BUG("unknown kind %d", (int)k);
	return &kind_table[k];
}

const char *kind_name(enum res_kind k)
{
	return (unsigned)k < KIND__COUNT ? kind_table[k].name : "?";
}

int kind_parse(const char *name)
{
	for (int i = 0; name && i < KIND__COUNT; i++)
		if (!strcmp(name, kind_table[i].name))
			return i;
	return -1;
}

const struct kind_ops *kind_of_target(enum plan_target target)
{
	for (int i = 0; i < KIND__COUNT; i++)
		if (kind_table[i].target == target)
			return &kind_table[i];
	return NULL;
}

json_t *kind_remote_list(const struct remote_state *rs, enum res_kind k)
{
	const struct kind_ops *o = kind_ops(k);

	if (o->list == KIND_NO_LIST)
		return NULL;
	return *(json_t *const *)((const char *)rs + o->list);
}
