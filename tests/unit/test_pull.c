/*
 * core/pull: the remote state a sync produced, pulled into an empty repository and read back
 * through the manifest loader, plans no change (the round trip is exact); secrets never reach
 * the text; agents hold only what differs from their (rebuilt) template; unmanaged objects
 * only with `all`, as spec.managed: false.
 */
#include "core/layers.h"
#include "core/manifest.h"
#include "core/ownership.h"
#include "core/plan.h"
#include "core/pull.h"
#include "core/validate.h"
#include "support/fake_remote.h"
#include "support/plan_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define SECRET "s3cret-value-4242"

static const char *secret(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return SECRET;
}

static struct plan_opts opts(void)
{
	struct plan_opts o;

	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.commit = "c1";
	o.version = "0.0.0";
	o.secret = secret;
	o.flags = PLAN_NEED_SECRETS;
	return o;
}

static void fleet(struct desired_state *ds)
{
	ds_add(ds, KIND_BLOCK, "policy", MANAGED_TRUE,
	       "{\"label\":\"policy\",\"value\":\"be kind\\nalways\\n\",\"limit\":500}");
	ds_add(ds, KIND_BLOCK, "style", MANAGED_TRUE,
	       "{\"label\":\"style\",\"value\":\"true\",\"lettaMetadata\":{\"team\":\"core\"}}");
	ds_add(ds, KIND_TOOL, "lookup", MANAGED_TRUE,
	       "{\"sourceType\":\"python\",\"sourceCode\":\"def lookup():\\n    pass\\n\","
	       "\"tags\":[\"x\"],\"returnCharLimit\":1000,\"jsonSchema\":{\"type\":\"function\","
	       "\"function\":{\"name\":\"lookup\",\"description\":\"Look.\",\"parameters\":"
	       "{\"type\":\"object\",\"properties\":{}}}}}");
	ds_add(ds, KIND_MCP_SERVER, "gh", MANAGED_TRUE,
	       "{\"serverType\":\"sse\",\"serverUrl\":\"https://gh.invalid/sse\",\"token\":"
	       "\"${GH_TOKEN}\",\"customHeaders\":{\"X-Key\":\"${GH_KEY}\"}}");
	ds_add(ds, KIND_IDENTITY, "eng", MANAGED_TRUE,
	       "{\"identifierKey\":\"acme-eng\",\"name\":\"Eng\",\"identityType\":\"org\","
	       "\"properties\":[{\"key\":\"cc\",\"value\":\"42\",\"type\":\"string\"}]}");
	ds_add(ds, KIND_TEMPLATE, "helper", MANAGED_TRUE,
	       "{\"default\":true,\"agent\":{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	       "\"openai/gpt-4o-mini\"},\"blocks\":[{\"name\":\"policy\"},{\"label\":\"notes\","
	       "\"value\":\"\"}],\"tools\":[\"lookup\"],\"identities\":[\"acme-eng\"],"
	       "\"tags\":[\"team:core\"]}}");
	ds_add(ds, KIND_AGENT, "bob", MANAGED_TRUE,
	       "{\"template\":\"helper\",\"channel\":\"stable\",\"tags\":[\"owner:bob\"]}");
	ds_add(ds, KIND_AGENT, "ann", MANAGED_TRUE,
	       "{\"template\":\"helper\",\"system\":\"You are Ann.\",\"blocks\":[{\"name\":"
	       "\"policy\"},{\"name\":\"style\"},{\"label\":\"notes\",\"value\":\"\"}]}");
	ds_add(ds, KIND_AGENT, "cat", MANAGED_TRUE, "{\"template\":\"helper\"}");
}

/* The remote state after syncing ds into an empty server. */
static void synced(struct remote_state *rs, const struct desired_state *ds)
{
	struct plan p = PLAN_INIT;
	struct plan_opts o = opts();
	int pass;

	remote_state_init(rs);
	for (pass = 0; pass < 2; pass++) {
		plan_or_fail(&p, ds, rs, &o);
		assert_true(fake_apply(rs, &p) >= 0);
	}
	plan_release(&p);
}

/* A pull test's fixture: the fleet, synced to an empty fake server, and what pull writes. */
struct pull_fx {
	struct desired_state ds;
	struct remote_state rs;
	struct pull_result res;
};

static struct pull_fx synced_fleet(void)
{
	struct pull_fx fx = { DESIRED_STATE_INIT, REMOTE_STATE_INIT, PULL_RESULT_INIT };

	fleet(&fx.ds);
	synced(&fx.rs, &fx.ds);
	return fx;
}

static void pull_fx_release(struct pull_fx *fx)
{
	pull_result_release(&fx->res);
	remote_state_release(&fx->rs);
	ds_free(&fx->ds);
}

/* The plan `diff` makes of BACK against RS (secrets compare by presence). */
static void diff_plan(struct plan *p, const struct desired_state *back,
		      const struct remote_state *rs)
{
	struct plan_opts o = opts();

	o.flags = 0;
	o.secret = NULL;
	plan_or_fail(p, back, rs, &o);
}

static void pull(struct pull_result *res, const struct remote_state *rs, int all)
{
	struct desired_state none = DESIRED_STATE_INIT;
	struct pull_opts po;
	struct ls_error err = LS_ERROR_INIT;

	memset(&po, 0, sizeof(po));
	po.project = "demo";
	po.layer = LAYER_PROJECT;
	po.all = all;
	po.dir = ".letta/manifests";
	pull_result_release(res);
	if (pull_compute(res, rs, &none, NULL, &po, &err) < 0)
		fail_msg("pull_compute: %s", err.msg);
}

/* Loads the pulled files as config_load would; fails the test on any error. */
static void load(struct desired_state *out, const struct pull_result *res)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	size_t i;

	for (i = 0; i < res->n; i++) {
		const char *p = res->files[i].path;
		int layer = strstr(p, "/org/") ? LAYER_ORG : strstr(p, "/base/") ? LAYER_BASE : LAYER_PROJECT;

		if (!strstr(p, ".yaml"))
			continue;
		manifest_parse(&set, p, layer, res->files[i].text, strlen(res->files[i].text));
	}
	layers_merge(out, &set);
	validate_desired(out, &set.diags);
	for (i = 0; i < set.diags.n; i++)
		if (set.diags.items[i].severity == DIAG_ERROR)
			fail_msg("%s:%d: %s", set.diags.items[i].file, set.diags.items[i].line,
				 set.diags.items[i].msg);
	manifest_set_release(&set);
}

static const char *file_text(const struct pull_result *res, const char *suffix)
{
	size_t i, l = strlen(suffix);

	for (i = 0; i < res->n; i++) {
		size_t pl = strlen(res->files[i].path);

		if (pl >= l && !strcmp(res->files[i].path + pl - l, suffix))
			return res->files[i].text;
	}
	return NULL;
}

static void test_pull__round_trip_plans_no_change(void **state)
{
	struct pull_fx fx;
	struct desired_state back = DESIRED_STATE_INIT;
	struct plan p = PLAN_INIT;
	size_t i;

	(void)state;
	fx = synced_fleet();
	pull(&fx.res, &fx.rs, 0);
	load(&back, &fx.res);
	diff_plan(&p, &back, &fx.rs);
	for (i = 0; i < p.n; i++)
		if (!p.items[i].internal && p.items[i].change != CHANGE_DRIFT)
			fail_msg("pull then diff: %s %s '%s' (%s): %s", plan_change_name(p.items[i].change),
				 res_kind_name(p.items[i].kind), p.items[i].name,
				 p.items[i].section ? p.items[i].section : "-",
				 p.items[i].reason ? p.items[i].reason : "");
	assert_int_equal(plan_count_writes(&p), 0);
	plan_release(&p);
	desired_state_release(&back);
	pull_fx_release(&fx);
}

static void test_pull__secrets_are_references(void **state)
{
	struct pull_fx fx;
	const char *mcp;
	size_t i;

	(void)state;
	fx = synced_fleet();
	pull(&fx.res, &fx.rs, 1);
	for (i = 0; i < fx.res.n; i++)
		assert_null(strstr(fx.res.files[i].text, SECRET));
	mcp = file_text(&fx.res, "org/mcp-servers.yaml");
	assert_non_null(mcp);
	assert_non_null(strstr(mcp, "token: ${GH_TOKEN}"));
	assert_non_null(strstr(mcp, "X-Key: ${GH_X_KEY}"));
	pull_fx_release(&fx);
}

static void test_pull__agents_hold_only_what_differs(void **state)
{
	struct pull_fx fx;
	const char *agents, *tmpl, *ann, *bob;

	(void)state;
	fx = synced_fleet();
	pull(&fx.res, &fx.rs, 0);
	agents = file_text(&fx.res, "project/agents.yaml");
	tmpl = file_text(&fx.res, "project/templates.yaml");
	assert_non_null(agents);
	assert_non_null(tmpl);
	/* The template is rebuilt as most agents have it: bob and cat agree, ann differs. */
	assert_non_null(strstr(tmpl, "system: You help."));
	assert_non_null(strstr(tmpl, "tags: ['team:core']"));
	ann = strstr(agents, "name: ann");
	bob = strstr(agents, "name: bob");
	assert_non_null(ann);
	assert_non_null(bob);
	assert_true(ann < bob); /* by name */
	assert_non_null(strstr(ann, "system: You are Ann."));
	assert_true(strstr(ann, "name: style") < bob); /* ann's blocks differ */
	assert_non_null(strstr(bob, "channel: stable"));
	assert_non_null(strstr(bob, "tags: ['owner:bob']"));
	assert_null(strstr(bob, "system:")); /* bob's prompt is the template's */
	assert_null(strstr(bob, "blocks:"));
	pull_fx_release(&fx);
}

static void test_pull__unmanaged_only_with_all(void **state)
{
	struct pull_fx fx;
	const char *blocks;

	(void)state;
	fx = synced_fleet();
	json_array_append_new(fx.rs.blocks, json_pack("{s:o, s:s, s:s, s:i, s:{}}", "id",
						      fake_id("block"), "label", "hand_made",
						      "value", "mine", "limit", 100, "metadata"));
	pull(&fx.res, &fx.rs, 0);
	blocks = file_text(&fx.res, "project/blocks.yaml");
	assert_non_null(blocks);
	assert_null(strstr(blocks, "hand_made"));
	pull(&fx.res, &fx.rs, 1);
	blocks = file_text(&fx.res, "project/blocks.yaml");
	assert_non_null(strstr(blocks, "name: hand_made"));
	assert_non_null(strstr(strstr(blocks, "name: hand_made"), "managed: false"));
	assert_null(strstr(blocks, OWN_INVENTORY_LABEL));
	pull_fx_release(&fx);
}

static const char base_text[] =
	"apiVersion: letta.ai/v1\n"
	"kind: Tool\n"
	"metadata: {name: lookup}\n"
	"spec:\n"
	"  sourceType: python\n"
	"  sourceCode: \"def lookup():\\n    pass\\n\"\n"
	"  tags: [x, z]\n"
	"  jsonSchema: {type: function, function: {name: lookup, description: Look.,\n"
	"    parameters: {type: object, properties: {}}}}\n"
	"---\n"
	"apiVersion: letta.ai/v1\n"
	"kind: Identity\n"
	"metadata: {name: eng}\n"
	"spec: {identifierKey: acme-eng, name: Eng, identityType: org, properties: [\n"
	"  {key: cc, value: \"42\", type: string}, {key: old, value: \"1\", type: string}]}\n"
	"---\n"
	"apiVersion: letta.ai/v1\n"
	"kind: Block\n"
	"metadata: {name: style, description: old desc}\n"
	"spec: {label: style, value: v, lettaMetadata: {team: core, gone: x}}\n";

static void load_texts(struct desired_state *out, const char *const *paths,
		       const char *const *texts, size_t n)
{
	struct pull_result r = PULL_RESULT_INIT;
	size_t i;

	r.files = xcalloc(n + 1, sizeof(*r.files));
	for (i = 0; i < n; i++) {
		r.files[i].path = (char *)(uintptr_t)paths[i];
		r.files[i].text = (char *)(uintptr_t)texts[i];
	}
	r.n = n;
	load(out, &r);
	free(r.files);
}

static json_t *find_named(json_t *list, const char *key, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (!strcmp(jsonx_get_str(o, key), name))
			return o;
	fail_msg("no %s", name);
	return NULL;
}

/*
 * Objects edited on the server and defined in a lower layer: the pulled override replaces
 * lists and removes fields only the lower layer has, so the merged result is the server's
 * (and diff, whose recorded hashes are stale, shows no change).
 */
static void test_pull__override_of_a_lower_layer_is_exact(void **state)
{
	const char *paths[4] = { ".letta/manifests/base/shared.yaml" };
	const char *texts[4] = { base_text };
	struct desired_state local = DESIRED_STATE_INIT, back = DESIRED_STATE_INIT;
	struct remote_state rs;
	struct pull_result res = PULL_RESULT_INIT;
	struct pull_opts po;
	struct plan p = PLAN_INIT;
	struct plan_opts o = opts();
	struct ls_error err = LS_ERROR_INIT;
	json_t *x;
	size_t i, n = 1;

	(void)state;
	load_texts(&local, paths, texts, 1);
	synced(&rs, &local);
	/* Edits made on the server. */
	x = find_named(rs.tools, "name", "lookup");
	json_object_set_new(x, "tags", json_pack("[s, s, s]", "x", "w", OWN_TAG));
	x = find_named(rs.identities, "identifier_key", "acme-eng");
	json_array_remove(json_object_get(x, "properties"), 1);
	x = find_named(rs.blocks, "label", "style");
	json_object_del(json_object_get(x, "metadata"), "gone");
	json_object_set_new(x, "description", json_string(""));

	memset(&po, 0, sizeof(po));
	po.project = "demo";
	po.layer = LAYER_PROJECT;
	po.dir = ".letta/manifests";
	if (pull_compute(&res, &rs, &local, NULL, &po, &err) < 0)
		fail_msg("pull_compute: %s", err.msg);
	for (i = 0; i < res.n && n < 4; i++) {
		paths[n] = res.files[i].path;
		texts[n++] = res.files[i].text;
	}
	assert_non_null(strstr(file_text(&res, "project/tools.yaml"), "tags: replace"));
	load_texts(&back, paths, texts, n);
	o.flags = 0;
	plan_or_fail(&p, &back, &rs, &o);
	for (i = 0; i < p.n; i++)
		if (!p.items[i].internal)
			fail_msg("pull then diff: %s %s '%s': %s", plan_change_name(p.items[i].change),
				 res_kind_name(p.items[i].kind), p.items[i].name,
				 p.items[i].reason ? p.items[i].reason : "");
	plan_release(&p);
	desired_state_release(&back);
	desired_state_release(&local);
	pull_result_release(&res);
	remote_state_release(&rs);
}

/* Tools of a declared MCP server attached to an agent come back as its mcpTools. */
static void test_pull__mcp_tools_round_trip(void **state)
{
	struct pull_fx fx;
	struct desired_state back = DESIRED_STATE_INIT;
	struct plan p = PLAN_INIT;
	json_t *tool, *bob;
	size_t i;

	(void)state;
	fx = synced_fleet();
	tool = json_pack("{s:o, s:s, s:s, s:[s]}", "id", fake_id("tool"), "name", "get_pr",
			 "tool_type", "external_mcp", "tags", "mcp:gh");
	json_array_append(fx.rs.tools, tool);
	bob = find_named(fx.rs.agents, "name", "bob");
	json_array_append(json_object_get(bob, "tools"), tool);
	json_decref(tool);
	pull(&fx.res, &fx.rs, 0);
	assert_non_null(strstr(file_text(&fx.res, "project/agents.yaml"), "server: gh"));
	assert_non_null(strstr(file_text(&fx.res, "project/agents.yaml"), "tools: [get_pr]"));
	load(&back, &fx.res);
	diff_plan(&p, &back, &fx.rs);
	for (i = 0; i < p.n; i++)
		if (!p.items[i].internal)
			fail_msg("pull then diff: %s %s '%s' (%s)", plan_change_name(p.items[i].change),
				 res_kind_name(p.items[i].kind), p.items[i].name,
				 p.items[i].section ? p.items[i].section : "-");
	plan_release(&p);
	desired_state_release(&back);
	pull_fx_release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pull__round_trip_plans_no_change),
		cmocka_unit_test(test_pull__secrets_are_references),
		cmocka_unit_test(test_pull__agents_hold_only_what_differs),
		cmocka_unit_test(test_pull__unmanaged_only_with_all),
		cmocka_unit_test(test_pull__override_of_a_lower_layer_is_exact),
		cmocka_unit_test(test_pull__mcp_tools_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
