#ifndef LS_UTIL_YAMLW_H
#define LS_UTIL_YAMLW_H

/*
 * jansson values -> YAML text (libyaml's emitter), the writing half of util/yamlx.h: what
 * yamlx_parse() reads back is json_equal() to what was written.
 *
 * Keys keep the objects' order (build objects in the order they should be read). Strings with
 * a line break are block scalars ("|") where YAML allows it; strings that YAML 1.2's core
 * schema would read as something else ("true", "12", "1.5", "null", "") are quoted; reals
 * always keep a "." or an exponent so that they stay reals. Arrays of short scalars are
 * written in flow style ([a, b]); everything else in block style.
 */
#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/*
 * Appends the documents (separated by "---") to out. Returns 0, or LS_EINTERNAL when the
 * emitter fails (out may then hold part of the text).
 */
int yamlw_docs(struct buf *out, json_t *const *docs, size_t n, struct ls_error *err);

#endif
