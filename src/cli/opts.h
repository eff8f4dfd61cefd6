#ifndef LS_CLI_OPTS_H
#define LS_CLI_OPTS_H

#include "cli/cli.h"

/*
 * One options table per command drives both parsing and --help. The global options are one
 * macro in every table (CLI_COMMON_OPTS), so they are accepted before or after the command.
 */
enum opt_type {
	OPT_FLAG,  /* --force */
	OPT_VALUE, /* --concurrency 4, --concurrency=4 */
	OPT_MULTI, /* --only a b c: takes every following word that is not an option */
	OPT_LIST,  /* --tag a --tag b: repeatable value */
};

struct opt_spec {
	const char *name;  /* long name without "--" */
	char short_name;   /* 0 when none */
	enum opt_type type;
	const char *arg;   /* "<n>" for help */
	const char *help;
};

/* clang-format off */
#define CLI_COMMON_OPTS \
	{ "project", 0, OPT_VALUE, "<slug>", "target Letta project (slug, id or slug:id)" }, \
	{ "org", 0, OPT_VALUE, "<slug>", "target organization" }, \
	{ "agent", 0, OPT_VALUE, "<id>", "act on this agent only (id or name)" }, \
	{ "dry-run", 0, OPT_FLAG, NULL, "show what would happen without making changes" }, \
	{ "json", 0, OPT_FLAG, NULL, "print one JSON document on stdout" }, \
	{ "channel", 0, OPT_VALUE, "<name>", "release channel: stable, beta, pinned" }, \
	{ "verbose", 'v', OPT_FLAG, NULL, "verbose logging on stderr" }, \
	{ NULL, 'C', OPT_VALUE, "<dir>", "run as if started in <dir>" }, \
	{ "help", 'h', OPT_FLAG, NULL, "show this help" }
#define OPT_END { NULL, 0, OPT_FLAG, NULL, NULL }
/* clang-format on */

#define OPTS_MAX 48

struct opt_value {
	int count;
	const char *value;    /* the last value given */
	const char **values;  /* every value, for OPT_MULTI and OPT_LIST (xmalloc'd) */
	int nvalues;
};

struct opts {
	const struct opt_spec *spec;
	struct opt_value v[OPTS_MAX];
	const char **args; /* positional arguments */
	int nargs;
};

/*
 * Parses argv (argv[0] is the command name) against spec. Global options go into ctx->g.
 * Returns 0, 1 when --help was printed (the command returns 0), or LS_EUSAGE with err set
 * (one sentence and a "did you mean" hint).
 */
int opts_parse(struct opts *o, const struct opt_spec *spec, int argc, char **argv,
	       struct cli_ctx *ctx, const char *usage, const char *examples,
	       struct ls_error *err);
void opts_release(struct opts *o);

int opts_count(const struct opts *o, const char *name);
const char *opts_value(const struct opts *o, const char *name);
const char **opts_values(const struct opts *o, const char *name, int *n);
/* Parses an integer option in [min, max]; def when absent. */
int opts_int(int *out, const struct opts *o, const char *name, int def, int min, int max,
	     struct ls_error *err);
/* Fails with LS_EUSAGE when positional arguments were given to a command that takes none. */
int opts_no_args(const struct opts *o, struct ls_error *err);

/* Prints a command's help (usage, summary, options table, examples) on stdout. */
void opts_print_help(const struct opt_spec *spec, const char *usage, const char *examples);
/* Just the options table, on stdout. */
void opts_print_table(const struct opt_spec *spec);

#endif
