/* The kind table (see kinds.h). */
#include "core/kinds/kinds.h"
#include "util/xalloc.h"

#include <string.h>

#define LIST(m) offsetof(struct remote_state, m)
/* A tool may be an MCP server's: tools and MCP servers are read together. */
#define TOOLS (1u << TARGET_TOOL | 1u << TARGET_MCP_SERVER)

/* In enum res_kind's order. Agents keep their planner (core/plan_agents.c). */
const struct kind_ops kind_table[KIND__COUNT] = {
	[KIND_BLOCK] = {
		.kind = KIND_BLOCK,
		.name = "Block",
		.file = "blocks.yaml",
		.shared = 1,
		.section = SECTION_MEMORY_BLOCKS,
		.target = TARGET_BLOCK,
		.list = LIST(blocks),
		.key = "label",
		.reads = 1u << TARGET_BLOCK,
	},
	[KIND_TOOL] = {
		.kind = KIND_TOOL,
		.name = "Tool",
		.file = "tools.yaml",
		.shared = 1,
		.section = SECTION_TOOLS,
		.target = TARGET_TOOL,
		.list = LIST(tools),
		.key = "name",
		.reads = TOOLS,
	},
	[KIND_MCP_SERVER] = {
		.kind = KIND_MCP_SERVER,
		.name = "MCPServer",
		.file = "mcp-servers.yaml",
		.shared = 1,
		.section = SECTION_MCP_SERVERS,
		.target = TARGET_MCP_SERVER,
		.list = LIST(mcp_servers),
		.key = "server_name",
		.reads = TOOLS,
	},
	[KIND_TEMPLATE] = {
		.kind = KIND_TEMPLATE,
		.name = "Template",
		.file = "templates.yaml",
		.shared = 0,
		.section = -1,
		.target = TARGET__COUNT,
		.list = KIND_NO_LIST,
		.key = NULL,
		.reads = KIND_READS_ALL,
	},
	[KIND_FOLDER] = {
		.kind = KIND_FOLDER,
		.name = "Folder",
		.file = "folders.yaml",
		.shared = 1,
		.section = SECTION_FOLDERS,
		.target = TARGET_FOLDER,
		.list = LIST(folders),
		.key = "name",
		.reads = 1u << TARGET_FOLDER,
	},
	[KIND_IDENTITY] = {
		.kind = KIND_IDENTITY,
		.name = "Identity",
		.file = "identities.yaml",
		.shared = 1,
		.section = SECTION_IDENTITIES,
		.target = TARGET_IDENTITY,
		.list = LIST(identities),
		.key = "identifier_key",
		.reads = 1u << TARGET_IDENTITY,
	},
	[KIND_AGENT_POLICY] = {
		.kind = KIND_AGENT_POLICY,
		.name = "AgentPolicy",
		.file = NULL,
		.shared = 0,
		.section = -1,
		.target = TARGET__COUNT,
		.list = KIND_NO_LIST,
		.key = NULL,
		.reads = KIND_READS_ALL,
	},
	[KIND_AGENT] = {
		.kind = KIND_AGENT,
		.name = "Agent",
		.file = "agents.yaml",
		.shared = 0,
		.section = -1,
		.target = TARGET_AGENT,
		.list = LIST(agents),
		.key = NULL,
		.reads = KIND_READS_ALL,
	},
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

/* model.h's names for kinds are the table's. */
const char *res_kind_name(enum res_kind kind)
{
	return kind_name(kind);
}

int res_kind_parse(const char *name)
{
	return kind_parse(name);
}

const struct kind_ops *kind_of_target(enum plan_target target)
{
	for (int i = 0; i < KIND__COUNT; i++)
		if (kind_table[i].target == target)
			return &kind_table[i];
	return NULL;
}

json_t **kind_remote_slot(struct remote_state *rs, enum res_kind k)
{
	const struct kind_ops *o = kind_ops(k);

	return o->list == KIND_NO_LIST ? NULL : (json_t **)(void *)((char *)rs + o->list);
}

json_t *kind_remote_list(const struct remote_state *rs, enum res_kind k)
{
	json_t **slot = kind_remote_slot((struct remote_state *)rs, k);

	return slot ? *slot : NULL;
}
