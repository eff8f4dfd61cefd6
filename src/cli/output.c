/* Results on stdout, everything else on stderr, and the --json envelope. */
#include "cli/output.h"
#include "core/diag.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int color_on;

void output_set_color(int on)
{
	color_on = on;
}

const char *output_color(const char *name)
{
	if (!color_on)
		return "";
	if (!strcmp(name, "red"))
		return "\033[31m";
	if (!strcmp(name, "green"))
		return "\033[32m";
	if (!strcmp(name, "yellow"))
		return "\033[33m";
	if (!strcmp(name, "cyan"))
		return "\033[36m";
	if (!strcmp(name, "bold"))
		return "\033[1m";
	if (!strcmp(name, "dim"))
		return "\033[2m";
	return "\033[0m";
}

static void print_document(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2));
	struct buf b = BUF_INIT;

	buf_addstr(&b, s ? s : "{}");
	redact_buf(&b);
	fputs(b.buf, stdout);
	fputc('\n', stdout);
	buf_release(&b);
	free(s);
}

json_t *output_project_json(const struct cli_ctx *ctx)
{
	const struct target *t = &ctx->target;

	if (!ctx->target_resolved || t->project_source == TARGET_SRC_NONE)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:s}",
			 "slug", t->project.slug ? json_string(t->project.slug) : json_null(),
			 "id", t->project.id ? json_string(t->project.id) : json_null(),
			 "name", t->project.name ? json_string(t->project.name) : json_null(),
			 "source", target_source_name(t->project_source));
}

static json_t *warnings(struct cli_ctx *ctx)
{
	if (!ctx->warnings)
		ctx->warnings = json_array();
	return ctx->warnings;
}

void output_json_ok(struct cli_ctx *ctx, json_t *data_take, json_t *info_take)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "ok", json_true());
	json_object_set_new(doc, "command", json_string(ctx->command ? ctx->command : ""));
	json_object_set_new(doc, "project", output_project_json(ctx));
	json_object_set_new(doc, "data", data_take ? data_take : json_null());
	if (info_take)
		json_object_set_new(doc, "info", info_take);
	json_object_set(doc, "warnings", warnings(ctx));
	print_document(doc);
	json_decref(doc);
	ctx->output_done = 1;
}

static json_t *error_details;

/* The error object of a failed run; texts that are not UTF-8 are kept (jsonx_str_lossy). */
static json_t *error_object(const struct ls_error *err)
{
	json_t *e = json_object();

	json_object_set_new(e, "code", json_string(ls_code_name(err->code)));
	json_object_set_new(e, "message", jsonx_str_lossy(err->msg[0] ? err->msg : "unknown error"));
	json_object_set_new(e, "where", err->where[0] ? jsonx_str_lossy(err->where) : json_null());
	json_object_set_new(e, "hint", err->hint[0] ? jsonx_str_lossy(err->hint) : json_null());
	return e;
}

/*
 * The one element of a failed run's data (issue 20): `jq '.data | length'` then counts 1, not 0,
 * so a drift check in CI fails safe. It reads both as a change ("kind") and as a validate
 * diagnostic ("severity").
 */
static json_t *error_entry(const struct ls_error *err)
{
	json_t *e = json_pack("{s:s, s:s}", "kind", "error", "severity", "error");
	json_t *o = error_object(err);

	json_object_update(e, o);
	json_decref(o);
	return e;
}

const char *output_now(void)
{
	static char now[32];

	if (!now[0]) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return now;
}
static json_t *pending_details; /* output_diags(): for the next output_error() */

void output_diags(struct cli_ctx *ctx, const struct diag_list *diags, const char *label,
		  int failed, struct ls_error *err)
{
	json_t *arr = json_array();
	const struct diag *one = NULL;
	size_t i, nerr = 0;

	for (i = 0; i < diags->n; i++) {
		const struct diag *d = &diags->items[i];
		struct buf place = BUF_INIT;

		if (label)
			buf_addf(&place, "%s:", label);
		if (d->file[0] && d->line)
			buf_addf(&place, "%s:%d:%d", d->file, d->line, d->col);
		else
			buf_addstr(&place, d->file);
		if (d->severity != DIAG_ERROR) {
			if (!failed)
				output_warn(ctx, "%s%s%s%s%s%s", place.buf, place.len ? ": " : "",
					    d->msg, d->hint ? " (" : "", d->hint ? d->hint : "",
					    d->hint ? ")" : "");
			buf_release(&place);
			continue;
		}
		nerr++;
		one = d;
		log_error("%s%s%s", place.buf, place.len ? ": " : "", d->msg);
		if (d->hint)
			log_info("  hint: %s", d->hint);
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:s, s:s, s:s?}", "file",
						     d->file, "line", d->line, "col", d->col,
						     "severity", diag_severity_name(d->severity),
						     "message", d->msg, "hint", d->hint));
		buf_release(&place);
	}
	if (!failed || !nerr) {
		json_decref(arr);
		return;
	}
	if (nerr == 1 && err && ctx->g.json) {
		/* The one problem is the error itself: its place, its words, its hint. */
		ls_error_set(err, err->code ? err->code : LS_EINVALID, "%s", one->msg);
		err->where[0] = '\0';
		if (one->file[0] && one->line)
			ls_error_where(err, "%s%s%s:%d:%d", label ? label : "", label ? ":" : "",
				       one->file, one->line, one->col);
		else if (one->file[0])
			ls_error_where(err, "%s%s%s", label ? label : "", label ? ":" : "",
				       one->file);
		if (one->hint) {
			err->hint[0] = '\0';
			ls_error_hint(err, "%s", one->hint);
		}
	}
	json_decref(pending_details);
	pending_details = json_pack("{s:o}", "diagnostics", arr);
}

void output_error_details(struct cli_ctx *ctx, const struct ls_error *err, json_t *details_take)
{
	error_details = details_take;
	output_error(ctx, err);
	json_decref(error_details);
	error_details = NULL;
}

void output_error(struct cli_ctx *ctx, const struct ls_error *err)
{
	if (ctx->g.json) {
		json_t *doc, *e;

		if (ctx->output_done)
			return;
		e = error_object(err);
		if (error_details)
			json_object_set(e, "details", error_details);
		else if (pending_details)
			json_object_set(e, "details", pending_details);
		doc = json_object();
		json_object_set_new(doc, "ok", json_false());
		json_object_set_new(doc, "command", json_string(ctx->command ? ctx->command : ""));
		json_object_set_new(doc, "error", e);
		json_object_set_new(doc, "data", json_pack("[o]", error_entry(err)));
		json_object_set(doc, "warnings", warnings(ctx));
		print_document(doc);
		json_decref(doc);
		json_decref(pending_details);
		pending_details = NULL;
		ctx->output_done = 1;
		return;
	}
	json_decref(pending_details);
	pending_details = NULL;
	if (err->where[0])
		log_error("%s: %s", err->where, err->msg);
	else
		log_error("%s", err->msg[0] ? err->msg : "unknown error");
	if (err->hint[0])
		log_info("hint: %s", err->hint);
}

void output_json_error_data(struct cli_ctx *ctx, const struct ls_error *err, json_t *data_take)
{
	json_t *doc, *e;

	if (!ctx->g.json || ctx->output_done) {
		json_decref(data_take);
		return;
	}
	e = error_object(err);
	/* A failure never has empty data: the recipe's `.data | length` must not be 0. */
	if (!data_take || json_is_null(data_take))
		data_take = json_array();
	if (json_is_array(data_take) && !json_array_size(data_take))
		json_array_append_new(data_take, error_entry(err));
	doc = json_object();
	json_object_set_new(doc, "ok", json_false());
	json_object_set_new(doc, "command", json_string(ctx->command ? ctx->command : ""));
	json_object_set_new(doc, "error", e);
	json_object_set_new(doc, "data", data_take);
	json_object_set(doc, "warnings", warnings(ctx));
	print_document(doc);
	json_decref(doc);
	ctx->output_done = 1;
}

void output_warn(struct cli_ctx *ctx, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	redact_buf(&b);
	log_warn("%s", b.buf);
	json_array_append_new(warnings(ctx), jsonx_str_lossy(b.buf));
	buf_release(&b);
}

void output_line(struct cli_ctx *ctx, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (ctx->g.json)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	redact_buf(&b);
	buf_addch(&b, '\n');
	fputs(b.buf, stdout);
	buf_release(&b);
}
