/*
 * core/plan: the reconcile planner for shared resources. Each shared kind x create / update /
 * unchanged / conflict / orphan / seed / managed:false, normalisation of what the server fills
 * in, migration from the original, and a randomized convergence test: plan against an empty
 * remote, apply to a fake remote, re-plan gives zero actions.
 */
#include "core/ownership.h"
#include "core/plan.h"
#include "support/fake_remote.h"
#include "support/plan_fixture.h"
#include "support/plan_req.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static const char *secret_env(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "MCP_TOKEN"))
		return "s3cret-token";
	return NULL;
}

static struct plan_opts base_opts(void)
{
	struct plan_opts o;

	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.commit = "c0ffee";
	o.version = "0.0.0";
	o.secret = secret_env;
	o.flags = PLAN_NEED_SECRETS;
	return o;
}

/* The one visible action of a plan (asserts there is exactly one). */
static const struct plan_action *only_change(const struct plan *p)
{
	const struct plan_action *found = NULL;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->items[i].internal)
			continue;
		if (found)
			fail_msg("more than one change: %s and %s", found->name, p->items[i].name);
		found = &p->items[i];
	}
	if (!found)
		fail_msg("no change in the plan");
	return found;
}

static int has_field(const struct plan_action *a, const char *path)
{
	size_t i;
	json_t *f;

	json_array_foreach(a->fields, i, f)
		if (!strcmp(jsonx_get_str(f, "path"), path))
			return 1;
	return 0;
}

/* One row per shared kind: a manifest spec, an edit of one field and the wire field it moves. */
static const struct kind_case {
	enum res_kind kind;
	const char *name;
	const char *spec;
	const char *edit_key, *edit_value; /* manifest spec key and new JSON value */
	const char *field;                 /* the wire field that changes */
	const char *list_field;            /* how to reach the remote copy: a member to mutate */
	const char *remote_edit;           /* JSON value put there "outside git" */
} kinds[] = {
	{ KIND_BLOCK, "persona_policy",
	  "{\"label\":\"policy\",\"value\":\"be kind\",\"layer\":\"project\"}", "value",
	  "\"be very kind\"", "value", "value", "\"edited in the ADE\"" },
	{ KIND_TOOL, "lookup",
	  "{\"sourceType\":\"python\",\"sourceCode\":\"def lookup(q: str) -> str:\\n    return q\\n\","
	  "\"jsonSchema\":{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"description\":"
	  "\"Look up\",\"parameters\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},"
	  "\"required\":[\"q\"]}}},\"tags\":[\"search\",\"infra\"]}",
	  "returnCharLimit", "1234", "return_char_limit", "description", "\"changed\"" },
	{ KIND_MCP_SERVER, "search-mcp",
	  "{\"serverType\":\"sse\",\"serverUrl\":\"https://mcp.example.com/sse\",\"token\":"
	  "\"${MCP_TOKEN}\"}",
	  "serverUrl", "\"https://mcp2.example.com/sse\"", "server_url", "server_url",
	  "\"https://evil.example.com\"" },
	{ KIND_FOLDER, "handbook",
	  "{\"description\":\"team handbook\",\"instructions\":\"read me\",\"embedding\":"
	  "\"openai/text-embedding-3-small\"}",
	  "instructions", "\"read me first\"", "instructions", "instructions", "\"other\"" },
	{ KIND_IDENTITY, "alice",
	  "{\"identifierKey\":\"org:acme:user:alice\",\"identityType\":\"user\",\"name\":\"Alice\","
	  "\"properties\":[{\"key\":\"team\",\"value\":\"core\"}]}",
	  "name", "\"Alice B.\"", "name", "name", "\"Mallory\"" },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const json_t *remote_list_of(const struct remote_state *rs, enum res_kind k)
{
	switch (k) {
	case KIND_BLOCK:
		return rs->blocks;
	case KIND_TOOL:
		return rs->tools;
	case KIND_MCP_SERVER:
		return rs->mcp_servers;
	case KIND_FOLDER:
		return rs->folders;
	default:
		return rs->identities;
	}
}

/* The remote object of a case (not the inventory). */
static json_t *remote_obj(const struct remote_state *rs, const struct kind_case *kc)
{
	const json_t *list = remote_list_of(rs, kc->kind);
	json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (!(kc->kind == KIND_BLOCK && jsonx_get_str(o, "label") &&
		      !strcmp(jsonx_get_str(o, "label"), OWN_INVENTORY_LABEL)))
			return o;
	return NULL;
}

/* FX with the case's object declared and synced to the fake server. */
static void setup_synced(struct plan_fx *fx, const struct kind_case *kc)
{
	ds_add(&fx->ds, kc->kind, kc->name, MANAGED_TRUE, kc->spec);
	fx_plan(fx);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
}

/* Runs RUN once a shared kind, each time with a fresh fixture (base_opts()). */
static void for_each_kind(void (*run)(struct plan_fx *fx, const struct kind_case *kc))
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct plan_fx fx = fx_new(base_opts());

		run(&fx, &kinds[k]);
		fx_release(&fx);
	}
}

static void each_kind_create_then_unchanged(struct plan_fx *fx, const struct kind_case *kc)
{
	const struct plan_action *a;

	ds_add(&fx->ds, kc->kind, kc->name, MANAGED_TRUE, kc->spec);
	fx_plan(fx);
	a = only_change(&fx->p);
	assert_int_equal(a->change, CHANGE_CREATE);
	assert_string_equal(a->name, kc->name);
	assert_null(a->agent);
	assert_true(has_field(a, kc->field));
	/* the inventory: created with the write-ahead intent, then written */
	assert_true(fx->p.n == 3 && fx->p.items[1].internal && fx->p.items[2].internal);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
	assert_non_null(remote_obj(&fx->rs, kc));

	fx_plan(fx);
	if (fx->p.n != 0)
		fail_msg("%s: second plan not empty: %s %s (%s)", kc->name,
			 plan_change_name(fx->p.items[0].change), fx->p.items[0].name,
			 fx->p.items[0].reason);
	assert_int_equal(fx->p.unchanged, 1);

	/* A new commit alone writes nothing. */
	fx->o.commit = "deadbeef";
	fx_plan(fx);
	assert_int_equal(fx->p.n, 0);
}

static void test_plan__each_kind_create_then_unchanged(void **state)
{
	(void)state;
	for_each_kind(each_kind_create_then_unchanged);
}

static void each_kind_update(struct plan_fx *fx, const struct kind_case *kc)
{
	const struct plan_action *a;

	setup_synced(fx, kc);
	ds_set(&fx->ds, kc->kind, kc->name, kc->edit_key, kc->edit_value);
	fx_plan(fx);
	a = only_change(&fx->p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	if (!has_field(a, kc->field))
		fail_msg("%s: update lacks field %s", kc->name, kc->field);
	assert_int_equal(json_array_size(a->fields), 1);
	assert_non_null(a->id);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
	fx_plan(fx);
	if (fx->p.n != 0)
		fail_msg("%s: not converged after update: %s", kc->name, fx->p.items[0].reason);
}

static void test_plan__each_kind_update(void **state)
{
	(void)state;
	for_each_kind(each_kind_update);
}

static void each_kind_conflict_when_edited_outside_git(struct plan_fx *fx,
						       const struct kind_case *kc)
{
	const struct plan_action *a;

	setup_synced(fx, kc);
	json_object_set_new(remote_obj(&fx->rs, kc), kc->list_field,
			    json_loads(kc->remote_edit, JSON_DECODE_ANY, NULL));
	fx_plan(fx);
	a = only_change(&fx->p);
	if (a->change != CHANGE_CONFLICT)
		fail_msg("%s: expected conflict, got %s", kc->name, plan_change_name(a->change));
	assert_true(a->skip);
	assert_int_equal(plan_count_writes(&fx->p), 0);

	/* --force: git wins. */
	fx->o.flags |= PLAN_FORCE;
	fx_plan(fx);
	a = only_change(&fx->p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
	fx->o.flags &= ~PLAN_FORCE;
	fx_plan(fx);
	assert_int_equal(fx->p.n, 0);
}

static void test_plan__each_kind_conflict_when_edited_outside_git(void **state)
{
	(void)state;
	for_each_kind(each_kind_conflict_when_edited_outside_git);
}

static void each_kind_orphan_then_prune(struct plan_fx *fx, const struct kind_case *kc)
{
	const struct plan_action *a;

	setup_synced(fx, kc);
	ds_remove(&fx->ds, kc->kind, kc->name);
	fx_plan(fx);
	a = only_change(&fx->p);
	assert_int_equal(a->change, CHANGE_ORPHAN);
	assert_true(a->skip);
	assert_int_equal(plan_count_writes(&fx->p), 0);

	fx->o.flags |= PLAN_PRUNE;
	fx_plan(fx);
	a = only_change(&fx->p);
	assert_int_equal(a->change, CHANGE_DELETE);
	assert_true(a->breaking);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
	assert_null(remote_obj(&fx->rs, kc));
	fx_plan(fx);
	assert_int_equal(fx->p.n, 0);
}

static void test_plan__each_kind_orphan_then_prune(void **state)
{
	(void)state;
	for_each_kind(each_kind_orphan_then_prune);
}

static void each_kind_seed_created_once_then_drift_is_info(struct plan_fx *fx,
							   const struct kind_case *kc)
{
	ds_add(&fx->ds, kc->kind, kc->name, MANAGED_SEED, kc->spec);
	fx_plan(fx);
	assert_int_equal(only_change(&fx->p)->change, CHANGE_CREATE);
	assert_true(fake_apply(&fx->rs, &fx->p) > 0);
	json_object_set_new(remote_obj(&fx->rs, kc), kc->list_field,
			    json_loads(kc->remote_edit, JSON_DECODE_ANY, NULL));
	ds_set(&fx->ds, kc->kind, kc->name, kc->edit_key, kc->edit_value);
	fx_plan(fx);
	assert_int_equal(only_change(&fx->p)->change, CHANGE_DRIFT);
	assert_int_equal(plan_count_changes(&fx->p), 0);
	assert_int_equal(plan_count_writes(&fx->p), 0);
}

static void test_plan__each_kind_seed_created_once_then_drift_is_info(void **state)
{
	(void)state;
	for_each_kind(each_kind_seed_created_once_then_drift_is_info);
}

static void each_kind_managed_false_never_touched(struct plan_fx *fx, const struct kind_case *kc)
{
	ds_add(&fx->ds, kc->kind, kc->name, MANAGED_FALSE, kc->spec);
	fx_plan(fx);
	assert_int_equal(fx->p.n, 0);
}

static void test_plan__each_kind_managed_false_never_touched(void **state)
{
	(void)state;
	for_each_kind(each_kind_managed_false_never_touched);
}

/* A block as the server returns it: description null, limit filled in, markers present. */
static void test_plan__server_defaults_are_not_drift(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	json_t *b, *t;

	(void)state;
	ds_add(&fx.ds, KIND_BLOCK, "b1", MANAGED_TRUE, "{\"label\":\"b1\",\"value\":\"v\"}");
	ds_add(&fx.ds, KIND_TOOL, "t1", MANAGED_TRUE,
	       "{\"sourceCode\":\"def t1():\\n    pass\\n\",\"jsonSchema\":{\"type\":\"function\","
	       "\"function\":{\"name\":\"t1\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
	       "\"tags\":[\"b\",\"a\",\"a\"]}");
	fx_plan(&fx);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	/* The server answers null where we sent "" or defaults, and reorders tags. */
	b = remote_obj(&fx.rs, &kinds[0]);
	json_object_set_new(b, "description", json_null());
	json_object_del(b, "limit");
	json_object_set_new(b, "read_only", json_false());
	t = json_array_get(fx.rs.tools, 0);
	json_object_set_new(t, "return_char_limit", json_null());
	json_object_set_new(t, "description", json_null());
	json_object_set_new(t, "pip_requirements", json_null());
	json_object_set_new(t, "tags", json_pack("[s,s,s]", OWN_TAG, "b", "a"));
	json_object_set_new(t, "created_by_id", json_string("user-1"));
	fx_plan(&fx);
	if (fx.p.n)
		fail_msg("server defaults seen as drift: %s %s", fx.p.items[0].name,
			 json_dumps(fx.p.items[0].fields, JSON_COMPACT));

	fx_release(&fx);
}

/* An MCP server echoes its token as "Bearer <token>": compared by "is one configured". */
static void test_plan__mcp_echoed_bearer_token_is_not_drift(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	json_t *m;
	char *dump;

	(void)state;
	ds_add(&fx.ds, KIND_MCP_SERVER, "m", MANAGED_TRUE, kinds[2].spec);
	fx_plan(&fx);
	/* The token goes into the request, never into the fields shown. */
	dump = json_dumps(fx.p.items[0].fields, 0);
	assert_null(strstr(dump, "s3cret"));
	free(dump);
	dump = json_dumps(fx.p.items[0].reqs[0].body, 0);
	assert_non_null(strstr(dump, "s3cret-token"));
	free(dump);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	m = json_array_get(fx.rs.mcp_servers, 0);
	assert_string_equal(jsonx_get_str(m, "auth_token"), "Bearer s3cret-token");
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	/* Without the secret, sync refuses; diff shows the plan without it. */
	remote_state_release(&fx.rs);
	remote_state_init(&fx.rs);
	fx.o.secret = NULL;
	{
		struct ls_error err = LS_ERROR_INIT;

		plan_release(&fx.p);
		plan_init(&fx.p);
		assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), LS_EINVALID);
		assert_non_null(strstr(err.msg, "MCP_TOKEN"));
	}
	fx.o.flags &= ~PLAN_NEED_SECRETS;
	fx_plan(&fx);
	assert_int_equal(only_change(&fx.p)->change, CHANGE_CREATE);

	fx_release(&fx);
}

/* Objects marked by the original tool (smarty-admin, source = manifest name) are adopted. */
static void test_plan__legacy_smarty_admin_block_is_adopted(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;
	size_t i, deletes = 0;

	(void)state;
	ds_add(&fx.ds, KIND_BLOCK, "safety", MANAGED_TRUE,
	       "{\"label\":\"safety\",\"value\":\"v\"}");
	json_array_append_new(fx.rs.blocks,
			      json_pack("{s:s, s:s, s:s, s:i, s:n, s:{s:s, s:s}}", "id",
					"block-00000000-0000-4000-8000-00000000aaaa", "label",
					"safety", "value", "v", "limit", 2000, "description",
					"metadata", "managed_by", "smarty-admin", "source",
					"safety"));
	/* A duplicate copy the original created. */
	json_array_append_new(fx.rs.blocks,
			      json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "id",
					"block-00000000-0000-4000-8000-00000000aaab", "label",
					"safety", "value", "old", "metadata", "managed_by",
					"smarty-admin", "source", "safety"));
	fx_plan(&fx);
	for (i = 0; i < fx.p.n; i++) {
		a = &fx.p.items[i];
		if (a->internal)
			continue;
		if (a->change == CHANGE_UPDATE) {
			assert_true(has_field(a, "metadata.managed_by"));
			assert_true(has_field(a, "limit")); /* 2000 -> the default 100000 */
		} else {
			assert_int_equal(a->change, CHANGE_ORPHAN); /* the duplicate */
			assert_string_equal(a->id, "block-00000000-0000-4000-8000-00000000aaab");
			deletes++;
		}
	}
	assert_int_equal(deletes, 1);
	fx.o.flags |= PLAN_PRUNE;
	fx_plan(&fx);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);
	assert_int_equal(json_array_size(fx.rs.blocks), 2); /* the block and the inventory */

	fx_release(&fx);
}

/*
 * The inventory's rewrite keeps the rollout record an upgrade --waves keeps in its metadata
 * (issue 28: a sync between the waves of a stopped rollout must not lose it).
 */
static void test_plan__inventory_rewrite_keeps_the_rollout(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	json_t *inv;
	size_t i, seen = 0;

	(void)state;
	ds_add(&fx.ds, KIND_BLOCK, kinds[0].name, MANAGED_TRUE, kinds[0].spec);
	fx_plan(&fx);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	inv = (json_t *)own_find_inventory(fx.rs.blocks, fx.o.project);
	assert_non_null(inv);
	json_object_set_new(json_object_get(inv, "metadata"), "rollout",
			    json_pack("{s:s, s:s}", "id", "r-1", "status", "stopped"));
	ds_free(&fx.ds);
	ds_add(&fx.ds, KIND_BLOCK, "guide", MANAGED_TRUE, "{\"label\":\"guide\",\"value\":\"g\"}");
	ds_add(&fx.ds, KIND_BLOCK, kinds[0].name, MANAGED_TRUE, kinds[0].spec);
	fx_plan(&fx);
	for (i = 0; i < fx.p.n; i++) {
		const json_t *md;

		if (!fx.p.items[i].internal)
			continue;
		assert_true(fx.p.items[i].nreqs == 1);
		md = json_object_get(fx.p.items[i].reqs[0].body, "metadata");
		assert_string_equal(jsonx_get_str(json_object_get(md, "rollout"), "id"), "r-1");
		assert_string_equal(jsonx_get_str(md, "managed_by"), "letta-sync");
		seen++;
	}
	assert_true(seen >= 1);

	fx_release(&fx);
}

/* Tool names are unique per organisation: someone else's tool is a conflict, not ours. */
static void test_plan__foreign_tool_is_conflict_unless_adopted(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;

	(void)state;
	ds_add(&fx.ds, KIND_TOOL, "lookup", MANAGED_TRUE, kinds[1].spec);
	json_array_append_new(fx.rs.tools, json_pack("{s:s, s:s, s:s, s:[]}", "id",
						     "tool-00000000-0000-4000-8000-0000000000aa",
						     "name", "lookup", "source_code", "x", "tags"));
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_CONFLICT);
	assert_non_null(strstr(a->reason, "not managed"));

	/* Marked for another project. */
	json_object_set_new(json_array_get(fx.rs.tools, 0), "metadata_",
			    json_pack("{s:s, s:s, s:s}", "managed_by", "letta-sync", "source",
				      "Tool/lookup", "project", "other"));
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_CONFLICT);
	assert_non_null(strstr(a->reason, "'other'"));

	json_object_del(json_array_get(fx.rs.tools, 0), "metadata_");
	fx.o.flags |= PLAN_ADOPT;
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx.o.flags &= ~PLAN_ADOPT;
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	fx_release(&fx);
}

/*
 * --adopt and blocks (labels are not unique): the only unmarked block with the label is taken
 * over in place; with two candidates nothing is adopted or created, and both ids are named.
 */
static void test_plan__adopt_block_one_candidate_or_refused(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;

	(void)state;
	ds_add(&fx.ds, KIND_BLOCK, "rules", MANAGED_TRUE,
	       "{\"label\":\"rules\",\"value\":\"git\"}");
	json_array_append_new(fx.rs.blocks, json_pack("{s:s, s:s, s:s, s:{}}", "id",
						      "block-00000000-0000-4000-8000-0000000000r1",
						      "label", "rules", "value", "r1", "metadata"));
	/* Without --adopt: someone else's block; ours is created beside it. */
	fx_plan(&fx);
	assert_int_equal(only_change(&fx.p)->change, CHANGE_CREATE);

	fx.o.flags |= PLAN_ADOPT;
	json_array_append_new(fx.rs.blocks, json_pack("{s:s, s:s, s:s, s:{}}", "id",
						      "block-00000000-0000-4000-8000-0000000000r2",
						      "label", "rules", "value", "r2", "metadata"));
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_CONFLICT);
	assert_true(a->skip);
	assert_non_null(strstr(a->reason, "block-00000000-0000-4000-8000-0000000000r1"));
	assert_non_null(strstr(a->reason, "block-00000000-0000-4000-8000-0000000000r2"));
	assert_int_equal(plan_count_writes(&fx.p), 0);

	json_array_remove(fx.rs.blocks, 1);
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	assert_string_equal(a->id, "block-00000000-0000-4000-8000-0000000000r1");
	assert_true(has_field(a, "metadata.managed_by"));
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx.o.flags &= ~PLAN_ADOPT;
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);
	assert_int_equal(json_array_size(fx.rs.blocks), 2); /* the block and the inventory */

	fx_release(&fx);
}

/*
 * A sync killed between a tool's create (whose body carries the managed:letta-sync tag) and
 * the PATCH that sets its metadata_ markers left a tool with our tag and no markers. The next
 * sync finishes the marking; it reported a conflict instead, so the re-run never converged
 * without --adopt (issue 15, drill 2: sync killed with SIGKILL).
 */
static void test_plan__tool_created_before_a_kill_is_marked_not_conflicting(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;
	json_t *tool;

	(void)state;
	ds_add(&fx.ds, KIND_TOOL, "lookup", MANAGED_TRUE, kinds[1].spec);
	fx_plan(&fx);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	tool = json_array_get(fx.rs.tools, 0);
	assert_non_null(tool);
	json_object_del(tool, "metadata_");

	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx_plan(&fx);
	assert_int_equal(plan_count_writes(&fx.p), 0);

	/* A tool with neither our tag nor markers is still someone else's. */
	json_object_del(json_array_get(fx.rs.tools, 0), "metadata_");
	json_object_set_new(json_array_get(fx.rs.tools, 0), "tags", json_array());
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_CONFLICT);

	fx_release(&fx);
}

/*
 * fake_apply() of a run killed before its last inventory write and, when cut is set, before the
 * last request of every action that has more than one (a folder's metadata PATCH after its
 * uploads).
 */
static void apply_killed(struct remote_state *rs, struct plan *p, int cut)
{
	size_t i, last = p->n, *saved = xcalloc(p->n + 1, sizeof(*saved));

	for (i = 0; i < p->n; i++) {
		saved[i] = p->items[i].nreqs;
		if (p->items[i].internal && !strcmp(p->items[i].name, OWN_INVENTORY_LABEL))
			last = i;
	}
	assert_true(last < p->n);
	p->items[last].skip = 1;
	for (i = 0; cut && i < p->n; i++)
		if (!p->items[i].internal && p->items[i].nreqs > 1)
			p->items[i].nreqs--;
	fake_apply(rs, p);
	for (i = 0; i < p->n; i++)
		p->items[i].nreqs = saved[i];
	p->items[last].skip = 0;
	free(saved);
}

/*
 * A run killed after it created an MCP server (no room for markers) or uploaded a folder's files
 * (its hash recorded later), and before its last inventory write: the write-ahead intent it left
 * makes both the next run's own, to finish, rather than an unmanaged look-alike and a false
 * "edited outside git" (issue 20 item 5). Without the intent, both are conflicts.
 */
static void test_plan__intent_makes_a_killed_runs_objects_its_own(void **state)
{
	json_t *files = json_loads("{\"docs\":{\"a.md\":{\"path\":\"/r/a.md\",\"sha256\":\"h1\"}}}",
				   0, NULL);
	size_t i, conflicts;
	int with_intent;

	(void)state;
	for (with_intent = 1; with_intent >= 0; with_intent--) {
		struct plan_fx fx = fx_new(base_opts());

		ds_add(&fx.ds, KIND_MCP_SERVER, kinds[2].name, MANAGED_TRUE, kinds[2].spec);
		ds_add(&fx.ds, KIND_FOLDER, "docs", MANAGED_TRUE,
		       "{\"embedding\":\"openai/e\",\"files\":[\"*.md\"]}");
		fx.o.folder_files = files;
		fx_plan(&fx);
		apply_killed(&fx.rs, &fx.p, 1);
		assert_int_equal(json_array_size(fx.rs.mcp_servers), 1);
		assert_int_equal(json_array_size(fx.rs.folders), 1);
		if (!with_intent) {
			/* The inventory as it was before intents existed: no record at all. */
			for (i = 0; i < json_array_size(fx.rs.blocks); i++)
				if (!strcmp(jsonx_get_str(json_array_get(fx.rs.blocks, i), "label"),
					    OWN_INVENTORY_LABEL))
					json_array_remove(fx.rs.blocks, i--);
		}
		fx_plan(&fx);
		for (i = conflicts = 0; i < fx.p.n; i++)
			conflicts += fx.p.items[i].change == CHANGE_CONFLICT;
		if (!with_intent) {
			assert_int_equal(conflicts, 2);
			fx_release(&fx);
			break;
		}
		if (conflicts)
			fail_msg("a killed run's own objects are conflicts");
		assert_true(fake_apply(&fx.rs, &fx.p) > 0);
		fx_plan(&fx);
		if (fx.p.n)
			fail_msg("not converged: %s %s", plan_change_name(fx.p.items[0].change),
				 fx.p.items[0].name);
		assert_int_equal(json_array_size(fx.rs.mcp_servers), 1);
		assert_int_equal(json_array_size(fx.rs.folders), 1);
		fx_release(&fx);
	}
	json_decref(files);
}

/*
 * A server answer whose objects lack an id is an error: plan_compute crashed on a tool with the
 * desired name and no id (xstrdup(NULL)), found by the API response fuzzer (issue 15, drill 4).
 */
static void test_plan__remote_object_without_id_is_an_error_not_a_crash(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	ds_add(&fx.ds, KIND_TOOL, "lookup", MANAGED_TRUE, kinds[1].spec);
	json_array_append_new(fx.rs.tools, json_pack("{s:s, s:s, s:[]}", "name", "lookup",
						     "source_code", "x", "tags"));
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), LS_EAPI);
	assert_non_null(strstr(err.msg, "no id"));
	json_array_clear(fx.rs.tools);
	json_array_append_new(fx.rs.blocks, json_integer(7));
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), LS_EAPI);

	fx_release(&fx);
}

/* Pruning a block that an unmanaged agent still uses only detaches it from managed agents. */
static void test_plan__prune_is_attachment_aware(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;
	const char *bid;

	(void)state;
	setup_synced(&fx, &kinds[0]);
	bid = jsonx_get_str(remote_obj(&fx.rs, &kinds[0]), "id");
	json_array_append_new(fx.rs.agents,
			      json_pack("{s:s, s:s, s:[s], s:[{s:s}]}", "id",
					"agent-00000000-0000-4000-8000-000000000001", "name",
					"mine", "tags", OWN_TAG, "blocks", "id", bid));
	json_array_append_new(fx.rs.agents,
			      json_pack("{s:s, s:s, s:[], s:[{s:s}]}", "id",
					"agent-00000000-0000-4000-8000-000000000002", "name",
					"theirs", "tags", "blocks", "id", bid));
	ds_remove(&fx.ds, KIND_BLOCK, kinds[0].name);
	fx.o.flags |= PLAN_PRUNE;
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_ORPHAN);
	assert_int_equal(a->nreqs, 1);
	assert_string_equal(req_method(&a->reqs[0]), "PATCH");
	assert_non_null(strstr(req_path(&a->reqs[0]), "agent-00000000-0000-4000-8000-000000000001"));
	assert_non_null(strstr(a->reason, "theirs"));
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	assert_non_null(remote_obj(&fx.rs, &kinds[0])); /* not deleted */

	fx_release(&fx);
}

/* A Folder's spec.files: uploaded, replaced when they change, deleted when they go. */
static void test_plan__folder_files_follow_the_repository(void **state)
{
	struct plan_fx fx = fx_new(base_opts());
	const struct plan_action *a;
	json_t *files = json_loads("{\"docs\":{\"a.md\":{\"path\":\"/r/a.md\",\"sha256\":\"h1\"},"
				   "\"b c.md\":{\"path\":\"/r/b c.md\",\"sha256\":\"h2\"}}}",
				   0, NULL);
	size_t i, uploads = 0;

	(void)state;
	ds_add(&fx.ds, KIND_FOLDER, "docs", MANAGED_TRUE,
	       "{\"embedding\":\"openai/e\",\"files\":[\"*.md\"]}");
	fx.o.folder_files = files;
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_CREATE);
	for (i = 0; i < a->nreqs; i++)
		if (a->reqs[i].upload) {
			uploads++;
			assert_non_null(strstr(req_path(&a->reqs[i]), "/v1/folders/@self/upload?"));
		}
	assert_int_equal(uploads, 2);
	assert_non_null(strstr(req_path(&a->reqs[2]), "name=b%20c.md"));
	assert_string_equal(req_method(&a->reqs[a->nreqs - 1]), "PATCH");
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	assert_int_equal(
		json_array_size(json_object_get(json_array_get(fx.rs.folders, 0), "files")), 2);
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	/* One file changes, one goes: one upload, one delete, the metadata PATCH. */
	json_object_set_new(json_object_get(json_object_get(files, "docs"), "a.md"), "sha256",
			    json_string("h3"));
	json_object_del(json_object_get(files, "docs"), "b c.md");
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_int_equal(a->change, CHANGE_UPDATE);
	assert_int_equal(a->nreqs, 3);
	assert_non_null(a->reqs[0].upload);
	assert_string_equal(req_method(&a->reqs[1]), "DELETE");
	assert_string_equal(req_method(&a->reqs[2]), "PATCH");
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	/* A file uploaded by someone else is not ours: git wins, it goes. */
	json_array_append_new(json_object_get(json_array_get(fx.rs.folders, 0), "files"),
			      json_pack("{s:s, s:s}", "id", "file-x", "file_name", "stray.txt"));
	fx.o.flags |= PLAN_FORCE;
	fx_plan(&fx);
	a = only_change(&fx.p);
	assert_string_equal(req_method(&a->reqs[0]), "DELETE");

	json_decref(files);
	fx_release(&fx);
}

/* ---- randomized convergence ---- */

static unsigned long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *const words[] = { "", "a", "hello world", "multi\nline\ntext", "ünïcødé",
				     "x\"quote", "  spaced  " };

static void random_resource(struct desired_state *ds, unsigned i)
{
	char name[32], spec[1024];
	const char *w = words[rnd(sizeof(words) / sizeof(words[0]))];
	json_t *ws = json_string(w);
	char *wj = json_dumps(ws, JSON_ENCODE_ANY);
	unsigned kind = rnd(5);

	json_decref(ws);
	switch (kind) {
	case 0:
		snprintf(name, sizeof(name), "blk_%u", i);
		if (rnd(2))
			snprintf(spec, sizeof(spec), "{\"label\":\"%s\",\"value\":%s,\"limit\":%u}",
				 name, wj, 100 + rnd(5000));
		else
			snprintf(spec, sizeof(spec),
				 "{\"label\":\"%s\",\"value\":%s,\"description\":%s}", name, wj,
				 wj);
		ds_add(ds, KIND_BLOCK, name, MANAGED_TRUE, spec);
		break;
	case 1:
		snprintf(name, sizeof(name), "tool_%u", i);
		snprintf(spec, sizeof(spec),
			 "{\"sourceCode\":\"def %s():\\n    return 1\\n\",\"jsonSchema\":{\"type\":"
			 "\"function\",\"function\":{\"name\":\"%s\",\"description\":%s,"
			 "\"parameters\":{\"type\":\"object\",\"properties\":{}}}}%s}",
			 name, name, wj, rnd(2) ? ",\"tags\":[\"z\",\"a\"]" : "");
		ds_add(ds, KIND_TOOL, name, MANAGED_TRUE, spec);
		break;
	case 2:
		snprintf(name, sizeof(name), "mcp-%u", i);
		if (rnd(2))
			snprintf(spec, sizeof(spec),
				 "{\"serverType\":\"stdio\",\"stdioConfig\":{\"command\":\"npx\","
				 "\"args\":[\"-y\",\"srv\"],\"env\":{\"K\":\"v\"}}}");
		else
			snprintf(spec, sizeof(spec),
				 "{\"serverType\":\"streamable_http\",\"serverUrl\":\"https://h/%u\"%s}",
				 i, rnd(2) ? ",\"token\":\"${MCP_TOKEN}\"" : "");
		ds_add(ds, KIND_MCP_SERVER, name, MANAGED_TRUE, spec);
		break;
	case 3:
		snprintf(name, sizeof(name), "folder-%u", i);
		snprintf(spec, sizeof(spec),
			 "{\"instructions\":%s,\"embeddingConfig\":{\"model\":\"text-embedding-3\","
			 "\"provider\":\"openai\"}}",
			 wj);
		ds_add(ds, KIND_FOLDER, name, MANAGED_TRUE, spec);
		break;
	default:
		snprintf(name, sizeof(name), "id-%u", i);
		snprintf(spec, sizeof(spec),
			 "{\"identifierKey\":\"org:acme:service:%u\",\"identityType\":\"service\","
			 "\"properties\":[{\"key\":\"b\",\"value\":%u},{\"key\":\"a\",\"value\":%s}]}",
			 i, i, wj);
		ds_add(ds, KIND_IDENTITY, name, rnd(5) ? MANAGED_TRUE : MANAGED_SEED, spec);
		break;
	}
	free(wj);
}

static void test_plan__random_states_converge_in_one_sync(void **state)
{
	unsigned round;

	(void)state;
	for (round = 0; round < 60; round++) {
		struct plan_fx fx = fx_new(base_opts());
		unsigned i, n;

		rng_state = 1000 + round;
		n = 1 + rnd(25);
		for (i = 0; i < n; i++)
			random_resource(&fx.ds, i);
		fx_plan(&fx);
		assert_int_equal(plan_count_changes(&fx.p), n);
		assert_true(fake_apply(&fx.rs, &fx.p) > 0);
		fx_plan(&fx);
		if (fx.p.n)
			fail_msg("round %u: re-plan not empty: %s %s: %s", round,
				 plan_change_name(fx.p.items[0].change), fx.p.items[0].name,
				 json_dumps(fx.p.items[0].fields, JSON_COMPACT));

		/* Edit a few, drop one: one sync converges again, and prune empties. */
		ds_set(&fx.ds, fx.ds.items[0].kind, fx.ds.items[0].name, "description", "\"new\"");
		ds_remove(&fx.ds, fx.ds.items[fx.ds.n - 1].kind, fx.ds.items[fx.ds.n - 1].name);
		fx.o.flags |= PLAN_PRUNE;
		fx.o.commit = "second";
		fx_plan(&fx);
		assert_true(fake_apply(&fx.rs, &fx.p) >= 0);
		fx_plan(&fx);
		if (fx.p.n)
			fail_msg("round %u: second re-plan not empty: %s %s: %s", round,
				 plan_change_name(fx.p.items[0].change), fx.p.items[0].name,
				 fx.p.items[0].reason);

		fx_release(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan__each_kind_create_then_unchanged),
		cmocka_unit_test(test_plan__each_kind_update),
		cmocka_unit_test(test_plan__each_kind_conflict_when_edited_outside_git),
		cmocka_unit_test(test_plan__each_kind_orphan_then_prune),
		cmocka_unit_test(test_plan__each_kind_seed_created_once_then_drift_is_info),
		cmocka_unit_test(test_plan__each_kind_managed_false_never_touched),
		cmocka_unit_test(test_plan__server_defaults_are_not_drift),
		cmocka_unit_test(test_plan__mcp_echoed_bearer_token_is_not_drift),
		cmocka_unit_test(test_plan__legacy_smarty_admin_block_is_adopted),
		cmocka_unit_test(test_plan__foreign_tool_is_conflict_unless_adopted),
		cmocka_unit_test(test_plan__adopt_block_one_candidate_or_refused),
		cmocka_unit_test(test_plan__tool_created_before_a_kill_is_marked_not_conflicting),
		cmocka_unit_test(test_plan__intent_makes_a_killed_runs_objects_its_own),
		cmocka_unit_test(test_plan__remote_object_without_id_is_an_error_not_a_crash),
		cmocka_unit_test(test_plan__prune_is_attachment_aware),
		cmocka_unit_test(test_plan__folder_files_follow_the_repository),
		cmocka_unit_test(test_plan__random_states_converge_in_one_sync),
		cmocka_unit_test(test_plan__inventory_rewrite_keeps_the_rollout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
