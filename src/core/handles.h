#ifndef LS_CORE_HANDLES_H
#define LS_CORE_HANDLES_H

/*
 * Model and embedding handles ("openai/gpt-4o-mini") a plan sends, checked against the lists
 * the server serves (the model and embedding lists) before anything is written:
 * the real server refuses an unknown model handle with a 404 and an unknown embedding handle
 * with a 400 only once the objects before it have been written. Pure: the caller reads the
 * lists.
 */
#include "core/model.h"
#include "core/plan.h"

#include <jansson.h>

/*
 * The handles the plan's requests send (bodies of agent and folder writes):
 * {"model": {handle: [action index...]}, "embedding": {handle: [action index...]}}; both
 * objects empty when the plan sends none (then the lists need not be read).
 */
json_t *handles_in_plan(const struct plan *p);
/* 1 when the plan sends at least one handle. */
int handles_any(const json_t *used);

/* Where a handle that no manifest names came from ("--model", "LETTA_DEFAULT_MODEL"). */
struct handle_defaults {
	const char *model_from;
	const char *embedding_from;
};

/*
 * One entry per handle the server does not serve, in plan order:
 * {"handle", "field" ("model" or "embedding"), "kind", "name" (the object that sends it),
 *  "file", "line", "col" (where a manifest says it; file "" when it came from a default),
 *  "from" (that default's name, when so), "available" (every handle served, nearest first)}.
 * llm and emb are the server's lists (arrays of objects with "handle"). Empty when all are
 * served.
 */
json_t *handles_unknown(const json_t *used, const struct plan *p, const json_t *llm,
			const json_t *emb, const struct desired_state *ds,
			const struct handle_defaults *d);

#endif
