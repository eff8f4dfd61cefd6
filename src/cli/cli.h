#ifndef LS_CLI_CLI_H
#define LS_CLI_CLI_H

#include "core/target.h"
#include "util/error.h"

#include <jansson.h>

/*
 * The README's global options, accepted before or after the command. Values point into argv or
 * the environment and are never freed.
 */
struct global_opts {
	const char *project;
	const char *org;
	const char *agent;
	const char *channel; /* NULL when not given: commands decide the default */
	const char *dir;     /* -C <dir> */
	int dry_run;
	int json;
	int verbose;
};

/*
 * What every command gets: the parsed global options and the resolved target (project, org,
 * agent, base URL, key). The output module keeps its state here too.
 */
struct cli_ctx {
	const char *command; /* "sync", ... */
	struct global_opts g;
	struct target target; /* filled by cli_ctx_resolve() */
	int target_resolved;
	json_t *warnings;     /* array of strings for the --json envelope */
	int output_done;      /* a --json document was printed */
	int dir_entered;      /* -C was applied */
	struct ls_error err;  /* what a failing command reports; main prints it */
	int err_reported;     /* the command printed its failure itself */
	/*
	 * Settings handed down as values (never through the environment): the API secret,
	 * read once by cli_ctx_resolve() (LETTA_API_KEY, else LETTA_SERVER_PASSWORD; NULL when
	 * neither is set and non-empty; borrowed from the environment, never printed), and
	 * --concurrency (0: not given, LETTA_SYNC_CONCURRENCY or the default applies).
	 */
	const char *secret;
	int concurrency;
};

typedef int (*cmd_fn)(int argc, char **argv, struct cli_ctx *ctx);

enum cmd_flags {
	NEED_REPO = 1 << 0, /* reads .letta/ */
	NEED_API = 1 << 1,  /* talks to the server */
};

struct cmd_entry {
	const char *name;
	cmd_fn fn;
	unsigned flags;
	const char *summary;
};

extern const struct cmd_entry cli_commands[];
extern const unsigned cli_ncommands;
const struct cmd_entry *cli_find_command(const char *name);

/*
 * Gathers flags, environment and repository facts and resolves them (core/target.c). Prints
 * the README's [verbose] resolution lines with -v. Returns 0 or a negative ls_code.
 */
int cli_ctx_resolve(struct cli_ctx *ctx, struct ls_error *err);

struct letta;
/*
 * Opens the API client for ctx's target: refuses a target that needs a key it lacks
 * (target_check_key(), before any request), then letta_open() with ctx->secret, the
 * LETTA_SYNC_* settings and ctx->concurrency, all as values.
 * With resolve, the project is looked up on the server: an id it does not know, or a slug:id
 * whose parts disagree, is refused here, before any write; and a project given by id alone
 * gets its slug in ctx->target, so that slug, id and slug:id name the same inventory and
 * markers in every later step.
 */
int cli_open_api(struct letta **out, struct cli_ctx *ctx, int resolve, struct ls_error *err);
/* cli_open_api() with resolve, leaving ctx->target as resolved from flags and files. */
int cli_open_api_as_given(struct letta **out, struct cli_ctx *ctx, struct ls_error *err);

/*
 * The secret lookup the planner calls for ${VAR} references (plan_opts.secret): the process
 * environment; ctx is unused.
 */
const char *cli_secret_env(void *ctx, const char *name);

/* Level-1 "did you mean" over a NULL-terminated list; NULL when nothing is close. */
const char *cli_suggest(const char *word, const char *const *candidates);

/* Each command, in src/cli/cmd_<name>.c. */
int cmd_backup(int argc, char **argv, struct cli_ctx *ctx);
int cmd_bootstrap(int argc, char **argv, struct cli_ctx *ctx);
int cmd_context(int argc, char **argv, struct cli_ctx *ctx);
int cmd_diff(int argc, char **argv, struct cli_ctx *ctx);
int cmd_init(int argc, char **argv, struct cli_ctx *ctx);
int cmd_projects(int argc, char **argv, struct cli_ctx *ctx);
int cmd_pull(int argc, char **argv, struct cli_ctx *ctx);
int cmd_restore(int argc, char **argv, struct cli_ctx *ctx);
int cmd_schema(int argc, char **argv, struct cli_ctx *ctx);
int cmd_scope_sync(int argc, char **argv, struct cli_ctx *ctx);
int cmd_snapshots(int argc, char **argv, struct cli_ctx *ctx);
int cmd_status(int argc, char **argv, struct cli_ctx *ctx);
int cmd_sync(int argc, char **argv, struct cli_ctx *ctx);
int cmd_upgrade(int argc, char **argv, struct cli_ctx *ctx);
int cmd_rollback(int argc, char **argv, struct cli_ctx *ctx);
/*
 * upgrade's engine (cmd_upgrade.c) for the rollback command: argv holds upgrade options
 * (--target and the rest); only downgrades move, the downgrade itself is not breaking, and a
 * snapshot is always taken first.
 */
int upgrade_rollback(int argc, char **argv, struct cli_ctx *ctx);
int cmd_validate(int argc, char **argv, struct cli_ctx *ctx);

#endif
