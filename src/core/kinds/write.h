#ifndef LS_CORE_KINDS_WRITE_H
#define LS_CORE_KINDS_WRITE_H

/*
 * What the kind files' request builders share (struct kind_write, core/kinds/impl.h): the
 * marker a body carries and the project a create is scoped to. Pure.
 */
#include "core/kinds/impl.h"

#include <jansson.h>

/* The marker of w's resource with hash (of w->hash_version; NULL: none). New reference. */
json_t *kind_marker(const struct kind_write *w, const char *hash);
/* Desired metadata: user (an object, or NULL) plus the marker with hash. New reference. */
json_t *kind_metadata(const struct kind_write *w, const json_t *user, const char *hash);
/* Sets body.project_id when the plan knows the project's id (creates in a project). */
void kind_project_id(const struct kind_write *w, json_t *body);

#endif
