/*
 * Scope sync against the Letta API (see scope_sync.h and docs/specs/scope-registry.md): read,
 * plan (core/scope_plan.c), then apply (api/apply.c), like sync; a dry run prints the plan.
 */
#include "api/scope_sync.h"
#include "api/apply.h"
#include "core/scope_plan.h"
#include "util/jsonx.h"

#include <stdlib.h>
#include <string.h>

/* The first failure of a plan applied in order (the actions after it were blocked). */
static int first_failure(const struct plan *p, const struct apply_result *res,
			 struct ls_error *err)
{
	for (size_t i = 0; i < p->n; i++)
		if (res->status[i] == APPLY_FAILED) {
			*err = res->errs[i];
			return err->code ? (int)err->code : LS_EFAIL;
		}
	return LS_EFAIL;
}

int scope_sync_run(json_t **out, struct letta *api, const struct scope_sync_opts *o,
		   struct ls_error *err)
{
	struct scope_registry reg = { NULL, 0 };
	struct scope_plan_opts po;
	struct plan plan;
	struct apply_result res = APPLY_RESULT_INIT;
	json_t *blocks = NULL, *attached = NULL, *report = NULL;
	int ret = 0;

	plan_init(&plan);
	if (o->registry_text &&
	    (ret = scope_registry_parse(&reg, o->registry_text, o->registry_len, err)) < 0)
		goto out;
	if ((ret = letta_list(&blocks, api, LETTA_BLOCK, NULL, err)) < 0)
		goto out;
	if ((ret = letta_agent_blocks(&attached, api, o->agent_id, err)) < 0)
		goto out;

	memset(&po, 0, sizeof(po));
	po.agent_id = o->agent_id;
	po.slug = o->slug;
	po.project = o->project;
	po.registry = o->registry_text ? &reg : NULL;
	po.registry_text = o->registry_text;
	po.registry_len = o->registry_len;
	po.cwd = o->cwd;
	po.touched = o->touched;
	po.ntouched = o->ntouched;
	po.now = o->now;
	if ((ret = scope_plan(&plan, &report, blocks, attached, &po, err)) < 0)
		goto out;
	/* A dry run is the plan, printed: nothing is sent. */
	if (!o->dry_run && plan_count_writes(&plan) > 0) {
		ret = apply_plan(&res, api, &plan, err);
		if (ret == LS_EFAIL) {
			ls_error_clear(err);
			ret = first_failure(&plan, &res, err);
		}
		if (ret < 0)
			goto out;
	}
	*out = json_pack("{s:O, s:O, s:O, s:O, s:b, s:O, s:O}", "registry",
			 json_object_get(report, "registry"), "matched_scopes",
			 json_object_get(report, "matched_scopes"), "focus_scope",
			 json_object_get(report, "focus_scope"), "cwd",
			 json_object_get(report, "cwd"), "dry_run", o->dry_run, "blocks",
			 json_object_get(report, "blocks"), "warnings",
			 json_object_get(report, "warnings"));
out:
	apply_result_release(&res);
	plan_release(&plan);
	scope_registry_release(&reg);
	json_decref(blocks);
	json_decref(attached);
	json_decref(report);
	return ret;
}
