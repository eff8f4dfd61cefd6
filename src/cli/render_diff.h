#ifndef LS_CLI_RENDER_DIFF_H
#define LS_CLI_RENDER_DIFF_H

/*
 * Renders a plan: the human field-level diff (colour through output_color(), which is off
 * when stdout is not a terminal or NO_COLOR is set) and the JSON "data" / "info" arrays of
 * docs/json-output.md.
 */
#include "core/plan.h"
#include "util/buf.h"

#include <jansson.h>

enum render_flags {
	RENDER_FULL = 1 << 0, /* also unchanged objects and fields */
};

/* Appends the human diff of p to out. */
void render_diff_human(struct buf *out, const struct plan *p, unsigned flags);
/* The summary line: "Plan: 1 to create, 2 to update, ..." or "No changes. ...". */
void render_diff_summary(struct buf *out, const struct plan *p);

/*
 * The plan as a pull-request comment (GitHub markdown): a summary line, a table of the
 * changes, and the field-level diff (without colour) in a collapsed ```diff block.
 */
void render_diff_markdown(struct buf *out, const struct plan *p);

/*
 * One field change on one line of at most about 160 columns: "FROM -> TO". Values longer than
 * 72 columns are shortened so that what changed stays visible (issue 20): two lists become
 * their removed and added elements ('-"a", +"b" (12 unchanged)'), two strings a window around
 * the first difference; any other value is cut with "...".
 */
void render_field_short(struct buf *out, const json_t *from, const json_t *to);

/* One element per change (not internal, not drift). New reference. */
json_t *render_diff_data(const struct plan *p);
/* One element per seed drift. New reference. */
json_t *render_diff_info(const struct plan *p);
/* The JSON object of one action (the element shape of data and info). */
json_t *render_action_json(const struct plan_action *a);

#endif
