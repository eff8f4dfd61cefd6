/* The observed remote state: constructors and look-ups (see remote.h). */
#include "core/remote.h"
#include "util/jsonx.h"

#include <string.h>

void remote_state_init(struct remote_state *rs)
{
	rs->blocks = json_array();
	rs->tools = json_array();
	rs->folders = json_array();
	rs->mcp_servers = json_array();
	rs->identities = json_array();
	rs->agents = json_array();
}

void remote_state_release(struct remote_state *rs)
{
	if (!rs)
		return;
	json_decref(rs->blocks);
	json_decref(rs->tools);
	json_decref(rs->folders);
	json_decref(rs->mcp_servers);
	json_decref(rs->identities);
	json_decref(rs->agents);
	rs->blocks = rs->tools = rs->folders = rs->mcp_servers = rs->identities = rs->agents =
		NULL;
}

const json_t *remote_find_id(const json_t *list, const char *id)
{
	size_t i;
	const json_t *v;

	if (!id)
		return NULL;
	json_array_foreach(list, i, v)
	{
		const char *vid = jsonx_get_str(v, "id");

		if (vid && !strcmp(vid, id))
			return v;
	}
	return NULL;
}
