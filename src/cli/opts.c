/* Table-driven option parsing and --help for every command. */
#include "cli/opts.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int spec_count(const struct opt_spec *spec)
{
	int n = 0;

	while (spec[n].name || spec[n].short_name)
		n++;
	if (n > OPTS_MAX)
		BUG("options table too long");
	return n;
}

static int find_long(const struct opt_spec *spec, const char *name, size_t len)
{
	for (int i = 0; spec[i].name || spec[i].short_name; i++)
		if (spec[i].name && strlen(spec[i].name) == len && !strncmp(spec[i].name, name, len))
			return i;
	return -1;
}

static int find_short(const struct opt_spec *spec, char c)
{
	for (int i = 0; spec[i].name || spec[i].short_name; i++)
		if (spec[i].short_name == c)
			return i;
	return -1;
}

static void add_value(struct opt_value *v, const char *value)
{
	v->value = value;
	v->values = xrealloc(v->values, sizeof(*v->values) * (size_t)(v->nvalues + 1));
	v->values[v->nvalues++] = value;
}

static int unknown_option(const struct opt_spec *spec, const char *arg, const char *command,
			  struct ls_error *err)
{
	const char *names[OPTS_MAX + 1];
	const char *guess;
	int n = 0;
	char word[128];
	const char *eq;

	for (int i = 0; spec[i].name || spec[i].short_name; i++)
		if (spec[i].name)
			names[n++] = spec[i].name;
	names[n] = NULL;
	snprintf(word, sizeof(word), "%s", arg + (arg[1] == '-' ? 2 : 1));
	eq = strchr(word, '=');
	if (eq)
		word[eq - word] = '\0';
	ls_error_set(err, LS_EUSAGE, "unknown option '%s' for '%s'", arg, command);
	guess = cli_suggest(word, names);
	if (guess)
		ls_error_hint(err, "did you mean '--%s'? see 'letta-sync %s --help'", guess,
			      command);
	else
		ls_error_hint(err, "see 'letta-sync %s --help'", command);
	return LS_EUSAGE;
}

static void apply_global(struct cli_ctx *ctx, const struct opt_spec *s, const char *value)
{
	if (!s->name) {
		if (s->short_name == 'C')
			ctx->g.dir = value;
		return;
	}
	if (!strcmp(s->name, "project"))
		ctx->g.project = value;
	else if (!strcmp(s->name, "org"))
		ctx->g.org = value;
	else if (!strcmp(s->name, "agent"))
		ctx->g.agent = value;
	else if (!strcmp(s->name, "channel"))
		ctx->g.channel = value;
	else if (!strcmp(s->name, "dry-run"))
		ctx->g.dry_run = 1;
	else if (!strcmp(s->name, "json"))
		ctx->g.json = 1;
	else if (!strcmp(s->name, "verbose"))
		ctx->g.verbose = 1;
}

int opts_parse(struct opts *o, const struct opt_spec *spec, int argc, char **argv,
	       struct cli_ctx *ctx, const char *usage, const char *examples,
	       struct ls_error *err)
{
	int only_args = 0;
	const char *command = argc > 0 ? argv[0] : "letta-sync";

	memset(o, 0, sizeof(*o));
	o->spec = spec;
	spec_count(spec);
	o->args = xcalloc((size_t)argc + 1, sizeof(*o->args));
	/* --json anywhere makes even a usage error one JSON document. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			ctx->g.json = 1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		int idx;

		if (only_args || arg[0] != '-' || !arg[1]) {
			o->args[o->nargs++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_args = 1;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			idx = find_long(spec, name, len);
			if (idx < 0)
				return unknown_option(spec, arg, command, err);
			if (eq)
				value = eq + 1;
			if (eq && spec[idx].type == OPT_FLAG)
				return ls_error_set(err, LS_EUSAGE,
						    "option '--%s' takes no value",
						    spec[idx].name);
		} else {
			idx = find_short(spec, arg[1]);
			if (idx < 0)
				return unknown_option(spec, arg, command, err);
			if (arg[2]) {
				if (spec[idx].type == OPT_FLAG)
					return unknown_option(spec, arg, command, err);
				value = arg + 2;
			}
		}
		o->v[idx].count++;
		switch (spec[idx].type) {
		case OPT_FLAG:
			break;
		case OPT_VALUE:
		case OPT_LIST:
			if (!value) {
				if (i + 1 >= argc)
					goto missing;
				value = argv[++i];
			}
			add_value(&o->v[idx], value);
			break;
		case OPT_MULTI:
			if (value)
				add_value(&o->v[idx], value);
			while (i + 1 < argc && argv[i + 1][0] != '-')
				add_value(&o->v[idx], argv[++i]);
			if (!o->v[idx].nvalues)
				goto missing;
			break;
		}
		apply_global(ctx, &spec[idx], value);
		continue;
missing:
		if (spec[idx].name)
			ls_error_set(err, LS_EUSAGE, "option '--%s' needs a value %s",
				     spec[idx].name, spec[idx].arg ? spec[idx].arg : "");
		else
			ls_error_set(err, LS_EUSAGE, "option '-%c' needs a value %s",
				     spec[idx].short_name, spec[idx].arg ? spec[idx].arg : "");
		ls_error_hint(err, "see 'letta-sync %s --help'", command);
		return LS_EUSAGE;
	}
	if (opts_count(o, "help")) {
		opts_print_help(spec, usage, examples);
		return 1;
	}
	if (ctx->g.channel && strcmp(ctx->g.channel, "stable") &&
	    strcmp(ctx->g.channel, "beta") && strcmp(ctx->g.channel, "pinned")) {
		ls_error_set(err, LS_EUSAGE, "unknown channel '%s'", ctx->g.channel);
		ls_error_hint(err, "use one of: stable, beta, pinned");
		return LS_EUSAGE;
	}
	log_set_verbose(ctx->g.verbose);
	if (ctx->g.dir && !ctx->dir_entered) {
		if (chdir(ctx->g.dir) < 0) {
			ls_error_set(err, LS_EUSAGE, "cannot change to '%s': %s", ctx->g.dir,
				     strerror(errno));
			return LS_EUSAGE;
		}
		ctx->dir_entered = 1;
	}
	return 0;
}

void opts_release(struct opts *o)
{
	if (!o->spec)
		return;
	for (int i = 0; i < OPTS_MAX; i++)
		free(o->v[i].values);
	free(o->args);
	memset(o, 0, sizeof(*o));
}

static int index_of(const struct opts *o, const char *name)
{
	int idx = find_long(o->spec, name, strlen(name));

	if (idx < 0)
		BUG("option '%s' is not in the table", name);
	return idx;
}

int opts_count(const struct opts *o, const char *name)
{
	return o->v[index_of(o, name)].count;
}

const char *opts_value(const struct opts *o, const char *name)
{
	return o->v[index_of(o, name)].value;
}

const char **opts_values(const struct opts *o, const char *name, int *n)
{
	const struct opt_value *v = &o->v[index_of(o, name)];

	*n = v->nvalues;
	return v->values;
}

int opts_int(int *out, const struct opts *o, const char *name, int def, int min, int max,
	     struct ls_error *err)
{
	const char *s = opts_value(o, name);
	char *end;
	long v;

	if (!s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		ls_error_set(err, LS_EUSAGE, "option '--%s' needs a whole number from %d to %d, not '%s'",
			     name, min, max, s);
		return LS_EUSAGE;
	}
	*out = (int)v;
	return 0;
}

int opts_no_args(const struct opts *o, struct ls_error *err)
{
	if (!o->nargs)
		return 0;
	ls_error_set(err, LS_EUSAGE, "unexpected argument '%s'", o->args[0]);
	ls_error_hint(err, "this command takes no arguments; see --help");
	return LS_EUSAGE;
}

static void add_table(struct buf *out, const struct opt_spec *spec)
{
	for (int i = 0; spec[i].name || spec[i].short_name; i++) {
		struct buf left = BUF_INIT;

		if (spec[i].short_name && spec[i].name)
			buf_addf(&left, "-%c, --%s", spec[i].short_name, spec[i].name);
		else if (spec[i].name)
			buf_addf(&left, "    --%s", spec[i].name);
		else
			buf_addf(&left, "-%c", spec[i].short_name);
		if (spec[i].arg)
			buf_addf(&left, " %s", spec[i].arg);
		buf_addf(out, "  %-32s %s\n", left.buf, spec[i].help);
		buf_release(&left);
	}
}

void opts_print_table(const struct opt_spec *spec)
{
	struct buf out = BUF_INIT;

	add_table(&out, spec);
	fputs(out.buf, stdout);
	buf_release(&out);
}

void opts_print_help(const struct opt_spec *spec, const char *usage, const char *examples)
{
	struct buf out = BUF_INIT;

	buf_addf(&out, "Usage: %s\n\nOptions:\n", usage);
	add_table(&out, spec);
	if (examples && *examples)
		buf_addf(&out, "\nExamples:\n%s", examples);
	fputs(out.buf, stdout);
	buf_release(&out);
}
