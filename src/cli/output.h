#ifndef LS_CLI_OUTPUT_H
#define LS_CLI_OUTPUT_H

#include "cli/cli.h"

#include <jansson.h>

/*
 * The one place that prints results and errors. Human results go to stdout as the command
 * writes them; with --json exactly one document is printed, in the envelope of docs/contract/PRODUCT.md
 * section 6, keys in a fixed order.
 */

/* Prints {"ok":true,"command",...,"data":data,"warnings":[...]}; takes data (and info, may be NULL). */
void output_json_ok(struct cli_ctx *ctx, json_t *data_take, json_t *info_take);
/*
 * Prints an error: on stderr as "error: msg" (+ where, hint) in human mode, or the
 * {"ok":false,...} document on stdout with --json (unless a document was already printed).
 */
void output_error(struct cli_ctx *ctx, const struct ls_error *err);
/*
 * A failure that still carries a result (validate's list of problems):
 * {"ok":false,"command","error":{...},"data":data,"warnings":[...]}. Takes data. With --json
 * only; prints nothing otherwise.
 */
void output_json_error_data(struct cli_ctx *ctx, const struct ls_error *err, json_t *data_take);
/*
 * The {"ok":false} document of a command that ran but failed in part (sync): like
 * output_error(), with details_take (a summary of what was done) as error.details. Human mode:
 * only the error line. Takes details_take.
 */
void output_error_details(struct cli_ctx *ctx, const struct ls_error *err, json_t *details_take);

/*
 * Reports the diagnostics of loading the configuration the same way in every command that
 * loads manifests: errors as "file:line:col: message" each with its hint ("did you mean
 * 'tags'?"), warnings (only when !failed) as warnings; label (may be NULL) prefixes the file
 * ("v1.2.0"). When failed, the diagnostics also go to the --json error document, as
 * error.details.diagnostics [{file, line, col, severity, message, hint}], and the one error
 * of a single-error configuration is err's message, place and hint.
 */
struct diag_list;

/* The time of this run, ISO 8601 in UTC ("2026-01-02T03:04:05Z"); the same all run long. */
const char *output_now(void);
void output_diags(struct cli_ctx *ctx, const struct diag_list *diags, const char *label,
		  int failed, struct ls_error *err);
/* A warning on stderr, also collected for the --json envelope. */
__attribute__((format(printf, 2, 3))) void output_warn(struct cli_ctx *ctx, const char *fmt, ...);
/* Results on stdout in human mode; nothing with --json. */
__attribute__((format(printf, 2, 3))) void output_line(struct cli_ctx *ctx, const char *fmt, ...);
/* The envelope's "project" value for the resolved target, or null. */
json_t *output_project_json(const struct cli_ctx *ctx);

/* Colour codes for stdout, or "" when colour is off. */
const char *output_color(const char *name);
void output_set_color(int on);

#endif
