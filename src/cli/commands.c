/* The command table, sorted by name. */
#include "cli/cli.h"

#include <string.h>

const struct cmd_entry cli_commands[] = {
	{ "backup", cmd_backup, NEED_REPO | NEED_API, "save a snapshot of managed objects and agents" },
	{ "bootstrap", cmd_bootstrap, NEED_REPO | NEED_API, "create a new managed agent" },
	{ "context", cmd_context, 0, "show the resolved project, org, agent and server" },
	{ "diff", cmd_diff, NEED_REPO | NEED_API, "show what sync would change" },
	{ "init", cmd_init, 0, "start a config repository here" },
	{ "projects", cmd_projects, NEED_API, "list or create Letta Cloud projects" },
	{ "pull", cmd_pull, NEED_REPO | NEED_API, "write the remote state into manifests" },
	{ "restore", cmd_restore, NEED_REPO | NEED_API, "put back what a snapshot saved" },
	{ "rollback", cmd_rollback, NEED_REPO | NEED_API, "move agents back to an earlier config version" },
	{ "schema", cmd_schema, 0, "print the JSON Schema of manifests" },
	{ "scope-sync", cmd_scope_sync, NEED_REPO | NEED_API, "attach scope blocks to an agent" },
	{ "snapshots", cmd_snapshots, NEED_REPO, "list or prune the local snapshots" },
	{ "status", cmd_status, NEED_API, "show managed agents and their state" },
	{ "sync", cmd_sync, NEED_REPO | NEED_API, "apply the manifests to the server" },
	{ "upgrade", cmd_upgrade, NEED_REPO | NEED_API, "move agents to a newer config version" },
	{ "validate", cmd_validate, NEED_REPO, "check the manifests under .letta/" },
};

const unsigned cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cmd_entry *cli_find_command(const char *name)
{
	for (unsigned i = 0; i < cli_ncommands; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}
