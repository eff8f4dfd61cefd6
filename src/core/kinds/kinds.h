#ifndef LS_CORE_KINDS_KINDS_H
#define LS_CORE_KINDS_KINDS_H

/*
 * The kind table: one descriptor per manifest kind, the one place that says what a kind is
 * called, where pull writes it, which agent section it belongs to, which remote list holds its
 * objects and what they are found by. The planner, validate, pull, the ownership markers and
 * the tests walk it instead of keeping tables of their own (docs/architecture.md "The kind
 * table"). A shared kind's own behaviour (views, bodies, checks, pull's writer) lives in its
 * file src/core/kinds/<kind>.c, reached through the kind-implementation table
 * (core/kinds/impl_table.h), which is kept apart from this one: this table names kinds for
 * everyone (ownership markers included) and calls no kind file, so that a kind file may use
 * the markers without a cycle.
 */
#include "core/model.h"
#include "core/plan_types.h"
#include "core/remote.h"

#include <jansson.h>
#include <stddef.h>

struct kind_ops {
	enum res_kind kind;
	const char *name;        /* "Block": a manifest's kind:, markers, the inventory */
	const char *file;        /* the file pull writes it to ("blocks.yaml"), NULL: none */
	int shared;              /* a shared object planned by core/plan.c (not an agent's) */
	int section;             /* the agent section (enum plan_section) of its objects, -1 */
	enum plan_target target; /* what its remote objects are, TARGET__COUNT: none */
	size_t list;             /* offsetof(struct remote_state, its list), or KIND_NO_LIST */
	const char *key;         /* the remote field a shared object is found by, NULL: none */
	/*
	 * The remote lists a plan of this kind needs, as bits 1 << enum plan_target (a tool may
	 * come from an MCP server; templates, policies and agents refer to every kind):
	 * KIND_READS_ALL for every list.
	 */
	unsigned reads;
};

#define KIND_READS_ALL (~0u)

#define KIND_NO_LIST ((size_t)-1)

/* Every kind, indexed by enum res_kind. */
extern const struct kind_ops kind_table[KIND__COUNT];

/* The descriptor of kind k (k must be valid). */
const struct kind_ops *kind_ops(enum res_kind k);
/* "Block", ...; "?" for an invalid kind. */
const char *kind_name(enum res_kind k);
/* The kind called name, or -1. */
int kind_parse(const char *name);
/* The kind whose remote objects are target's, or NULL (folder files, agent relations). */
const struct kind_ops *kind_of_target(enum plan_target target);
/* The remote list of kind k's objects (borrowed), or NULL when it has none. */
json_t *kind_remote_list(const struct remote_state *rs, enum res_kind k);
/* Where rs holds that list (for the reader that fills it), or NULL when it has none. */
json_t **kind_remote_slot(struct remote_state *rs, enum res_kind k);

#endif
