#ifndef LS_SIM_SERVER_H
#define LS_SIM_SERVER_H

#include <pthread.h>

struct MHD_Daemon;

/* The one lock over g_store, the counters and the fault knobs. */
extern pthread_mutex_t g_lock;

/*
 * Binds 127.0.0.1:port (0 = any free port); *bound_port gets the real one. With cert_pem and
 * key_pem (PEM text), it speaks HTTPS only (MHD over GnuTLS). NULL on failure.
 */
struct MHD_Daemon *server_start(int port, const char *cert_pem, const char *key_pem,
				int *bound_port);
void server_stop(struct MHD_Daemon *d);

/* Routes of part 2 (folders, identities, MCP servers), spliced into the table. */
/* clang-format off */
#define SIM_PART2_AGENT_ROUTES \
	{ "GET", "/v1/agents/{agent_id}/folders", h_agent_folders_list, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/folders/attach/{folder_id}", h_agent_folder_attach, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/folders/detach/{folder_id}", h_agent_folder_detach, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/sources/attach/{source_id}", h_agent_folder_attach, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/sources/detach/{source_id}", h_agent_folder_detach, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/identities/attach/{identity_id}", h_agent_identity_attach, 0 }, \
	{ "PATCH", "/v1/agents/{agent_id}/identities/detach/{identity_id}", h_agent_identity_detach, 0 },

#define SIM_PART2_ROUTES \
	{ "GET", "/v1/folders/", h_folders_list, 0 }, \
	{ "POST", "/v1/folders/", h_folders_create, 0 }, \
	{ "GET", "/v1/folders/count", h_folders_count, 0 }, \
	{ "GET", "/v1/folders/{folder_id}", h_folder_get, 0 }, \
	{ "PATCH", "/v1/folders/{folder_id}", h_folder_patch, 0 }, \
	{ "DELETE", "/v1/folders/{folder_id}", h_folder_delete, 0 }, \
	{ "GET", "/v1/folders/{folder_id}/agents", h_folder_agents, 0 }, \
	{ "GET", "/v1/folders/{folder_id}/files", h_folder_files, 0 }, \
	{ "GET", "/v1/folders/{folder_id}/files/{file_id}", h_folder_file_get, 0 }, \
	{ "POST", "/v1/folders/{folder_id}/upload", h_folder_upload, 0 }, \
	{ "DELETE", "/v1/folders/{folder_id}/{file_id}", h_folder_file_delete, 0 }, \
	{ "GET", "/v1/identities/", h_identities_list, 0 }, \
	{ "POST", "/v1/identities/", h_identities_create, 0 }, \
	{ "PUT", "/v1/identities/", h_identities_upsert, 0 }, \
	{ "GET", "/v1/identities/count", h_identities_count, 0 }, \
	{ "GET", "/v1/identities/{identity_id}", h_identity_get, 0 }, \
	{ "PATCH", "/v1/identities/{identity_id}", h_identity_patch, 0 }, \
	{ "DELETE", "/v1/identities/{identity_id}", h_identity_delete, 0 }, \
	{ "PUT", "/v1/identities/{identity_id}/properties", h_identity_properties, 0 }, \
	{ "GET", "/v1/identities/{identity_id}/agents", h_identity_agents, 0 }, \
	{ "GET", "/v1/identities/{identity_id}/blocks", h_identity_blocks, 0 }, \
	{ "PATCH", "/v1/blocks/{block_id}/identities/attach/{identity_id}", h_block_identity_attach, 0 }, \
	{ "PATCH", "/v1/blocks/{block_id}/identities/detach/{identity_id}", h_block_identity_detach, 0 }, \
	{ "GET", "/v1/mcp-servers/", h_mcp_list, 0 }, \
	{ "POST", "/v1/mcp-servers/", h_mcp_create, 0 }, \
	{ "GET", "/v1/mcp-servers/{mcp_server_id}", h_mcp_get, 0 }, \
	{ "PATCH", "/v1/mcp-servers/{mcp_server_id}", h_mcp_patch, 0 }, \
	{ "DELETE", "/v1/mcp-servers/{mcp_server_id}", h_mcp_delete, 0 }, \
	{ "GET", "/v1/mcp-servers/{mcp_server_id}/tools", h_mcp_tools, 0 }, \
	{ "PATCH", "/v1/mcp-servers/{mcp_server_id}/refresh", h_mcp_refresh, 0 },
/* clang-format on */

#endif
