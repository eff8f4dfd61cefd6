#ifndef LS_CORE_SCOPE_H
#define LS_CORE_SCOPE_H

/*
 * The scope registry (.letta/scope_registry.yaml, docs/specs/scope-registry.md): scopes map
 * repository path prefixes to block types. Pure: it takes the parsed registry and paths, and
 * says which scopes match, which one is in focus and which block labels follow.
 */
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

struct scope_entry {
	char *scope;          /* the scope's name as written */
	char *key;            /* sanitised, unique: "api_layer" */
	char **prefixes;      /* normalised: "" (everything) or ending in "/" */
	size_t nprefixes;
	char **block_types;   /* sanitised block types: "conventions" */
	size_t ntypes;
	char *description;    /* metadata.description or NULL */
};

struct scope_registry {
	struct scope_entry *entries;
	size_t n;
};

/*
 * Reads the registry from its parsed form ({"scopes":[...]}). Entries without a name or
 * prefixes are errors naming the entry (index), not silently skipped.
 */
int scope_registry_from_json(struct scope_registry *out, const json_t *root, struct ls_error *err);
void scope_registry_release(struct scope_registry *r);

struct scope_match {
	size_t *matched;  /* indices into the registry, registry order */
	size_t nmatched;
	long focus;       /* index of the focus scope, -1 for none ("root") */
};

/*
 * Matches the working directory and the touched paths (repository-relative, "/"-separated,
 * "" for the root) against every scope. The focus scope is the matched scope whose longest
 * prefix matching the working directory is longest; ties keep registry order.
 */
void scope_match(struct scope_match *out, const struct scope_registry *r, const char *cwd,
		 const char *const *touched, size_t ntouched);
void scope_match_release(struct scope_match *m);

/* Lower-cases and replaces every run of characters outside [a-z0-9] by '_'; "" -> "default". */
char *scope_sanitize(const char *s, const char *fallback);

/* Labels of the four kinds of block (xmalloc'd). */
char *scope_label_registry(const char *project_slug);
char *scope_label_policy(const char *project_slug);
char *scope_label_block(const char *project_slug, const char *key, const char *type);
char *scope_label_lane(const char *project_slug, const char *agent_id);

#endif
