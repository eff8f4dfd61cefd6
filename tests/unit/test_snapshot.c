/*
 * core/snapshot (what a destructive plan saves, the restore plan) and repo/snapshot (the store
 * under .letta/snapshots/: atomic, private, listed oldest first).
 */
#include "core/plan_build.h"
#include "core/snapshot.h"
#include "support/plan_req.h"
#include "repo/snapshot.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	if (!v)
		fail_msg("bad JSON in the test: %s: %s", e.text, text);
	return v;
}

#define MARK(src) "{\"managed_by\":\"letta-sync\",\"source\":\"" src "\",\"project\":\"demo\",\"hash\":\"h1\"}"

static void remote(struct remote_state *rs)
{
	remote_state_init(rs);
	json_decref(rs->blocks);
	rs->blocks = J("[{\"id\":\"block-1\",\"label\":\"policy\",\"value\":\"be kind\",\"limit\":500,"
		       "\"metadata\":" MARK("Block/policy") "},"
		       "{\"id\":\"block-2\",\"label\":\"notes\",\"value\":\"n\",\"metadata\":{}}]");
	json_decref(rs->agents);
	rs->agents = J("[{\"id\":\"agent-1\",\"name\":\"bob\",\"system\":\"s\","
		       "\"tags\":[\"managed:letta-sync\"],\"secrets\":[{\"key\":\"K\",\"value\":\"v\"}],"
		       "\"blocks\":[{\"id\":\"block-1\",\"label\":\"policy\"}],\"tools\":[],"
		       "\"sources\":[],\"identities\":[]},"
		       "{\"id\":\"agent-2\",\"name\":\"ann\",\"tags\":[],\"blocks\":[],\"tools\":[],"
		       "\"sources\":[],\"identities\":[]}]");
}

static void test_snapshot__scrub_removes_secrets_everywhere(void **state)
{
	json_t *v = J("{\"a\":1,\"secrets\":{\"K\":\"v\"},\"agents\":[{\"tool_exec_environment_variables\":"
		      "[{\"key\":\"x\",\"value\":\"y\"}],\"name\":\"n\"}],\"mcp\":{\"auth_token\":\"t\","
		      "\"custom_headers\":{\"X\":\"1\"},\"env\":{\"E\":\"2\"},\"server_url\":\"u\"}}");
	char *text;

	(void)state;
	snapshot_scrub(v);
	text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"a\":1,\"agents\":[{\"name\":\"n\"}],\"mcp\":{\"server_url\":\"u\"}}");
	free(text);
	json_decref(v);
}

static void test_snapshot__needed_only_for_destructive_plans(void **state)
{
	struct plan p;
	size_t ai;

	(void)state;
	plan_init(&p);
	pl_add(&p, KIND_BLOCK, "a", CHANGE_CREATE);
	ai = pl_add(&p, KIND_BLOCK, "b", CHANGE_UPDATE);
	pl_reason(&p, ai, "the manifest changed");
	ai = pl_add(&p, KIND_BLOCK, "c", CHANGE_ORPHAN);
	p.items[ai].skip = 1; /* without --prune: reported only */
	assert_false(snapshot_needed(&p));
	ai = pl_add(&p, KIND_BLOCK, "d", CHANGE_UPDATE);
	pl_reason(&p, ai, "edited outside git; overwritten (--force)");
	assert_true(snapshot_needed(&p));
	plan_release(&p);

	plan_init(&p);
	pl_add(&p, KIND_TOOL, "t", CHANGE_DELETE);
	assert_true(snapshot_needed(&p));
	plan_release(&p);

	plan_init(&p);
	ai = pl_add(&p, KIND_AGENT, "bob", CHANGE_UPDATE);
	p.items[ai].breaking = 1; /* an upgrade's detach */
	assert_true(snapshot_needed(&p));
	plan_release(&p);
}

static void test_snapshot__collect_saves_objects_and_their_agents(void **state)
{
	struct remote_state rs;
	struct plan p;
	json_t *c, *o;
	size_t ai;

	(void)state;
	remote(&rs);
	plan_init(&p);
	ai = pl_add(&p, KIND_BLOCK, "policy", CHANGE_DELETE);
	p.items[ai].id = xstrdup("block-1");
	c = snapshot_collect(&p, &rs);
	assert_int_equal(json_array_size(json_object_get(c, "objects")), 1);
	o = json_array_get(json_object_get(c, "objects"), 0);
	assert_string_equal(jsonx_get_str(o, "kind"), "Block");
	assert_string_equal(jsonx_get_str(o, "name"), "policy");
	assert_string_equal(jsonx_get_str(json_object_get(o, "object"), "value"), "be kind");
	/* bob used the block: saved for re-attaching, not as changed; his secrets are gone. */
	assert_int_equal(json_array_size(json_object_get(c, "agents")), 1);
	o = json_array_get(json_object_get(c, "agents"), 0);
	assert_string_equal(jsonx_get_str(o, "name"), "bob");
	assert_false(json_is_true(json_object_get(o, "touched")));
	assert_null(json_object_get(json_object_get(o, "object"), "secrets"));
	o = snapshot_contents(c);
	assert_int_equal(json_integer_value(json_object_get(o, "blocks")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "agents")), 1);
	json_decref(o);
	json_decref(c);

	/* An agent action marks the agent as changed. */
	ai = pl_add(&p, KIND_AGENT, "bob", CHANGE_UPDATE);
	p.items[ai].agent = xstrdup("agent-1");
	p.items[ai].id = xstrdup("agent-1");
	c = snapshot_collect(&p, &rs);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(c, "agents"), 0),
						 "touched")));
	json_decref(c);
	plan_release(&p);
	remote_state_release(&rs);
}

static const struct plan_action *find(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->items[i].name, name))
			return &p->items[i];
	return NULL;
}

static void test_snapshot__restore_recreates_reattaches_and_converges(void **state)
{
	struct remote_state rs;
	struct plan p, saved_plan;
	struct restore_opts o;
	json_t *content, *records = NULL, *body;
	const struct plan_action *a;
	size_t ai;

	(void)state;
	remote(&rs);
	plan_init(&saved_plan);
	ai = pl_add(&saved_plan, KIND_BLOCK, "policy", CHANGE_DELETE);
	saved_plan.items[ai].id = xstrdup("block-1");
	content = snapshot_collect(&saved_plan, &rs);
	plan_release(&saved_plan);

	/* The prune ran: the block is gone and bob lost it. */
	json_array_remove(rs.blocks, 0);
	json_array_clear(json_object_get(json_array_get(rs.agents, 0), "blocks"));

	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.project_id = "proj-1";
	plan_init(&p);
	assert_int_equal(snapshot_restore_plan(&p, &records, content, &rs, &o, NULL), 0);
	assert_int_equal(p.n, 2);
	a = find(&p, "policy");
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_CREATE);
	assert_string_equal(req_method(&a->reqs[0]), "POST");
	assert_string_equal(req_path(&a->reqs[0]), "/v1/blocks/");
	body = a->reqs[0].body;
	assert_string_equal(jsonx_get_str(body, "value"), "be kind");
	assert_int_equal(jsonx_get_int(body, "limit", 0), 500);
	assert_string_equal(jsonx_get_str(body, "project_id"), "proj-1");
	assert_string_equal(jsonx_get_str(json_object_get(body, "metadata"), "hash"), "h1");
	a = find(&p, "bob");
	assert_non_null(a);
	assert_string_equal(req_method(&a->reqs[0]), "PATCH");
	assert_string_equal(req_path(&a->reqs[0]), "/v1/agents/agent-1");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(a->reqs[0].body, "block_ids"), 0)),
			    "@ref:0");
	assert_int_equal(a->ndeps, 1);
	/* Not a changed agent: nothing but its attachments. */
	assert_null(json_object_get(a->reqs[0].body, "system"));
	assert_int_equal(json_array_size(records), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(records, 0), "action")), 0);
	plan_release(&p);
	json_decref(records);

	/* --only leaves the rest alone. */
	{
		json_t *only = J("{\"Agent/bob\":true}");

		o.only = only;
		plan_init(&p);
		assert_int_equal(snapshot_restore_plan(&p, &records, content, &rs, &o, NULL), 0);
		assert_int_equal(p.n, 0); /* bob's block is neither restored nor there */
		plan_release(&p);
		json_decref(records);
		json_decref(only);
		o.only = NULL;
	}

	/* After the restore (the block back under a new id, attached): nothing to do. */
	json_array_append_new(rs.blocks,
			      J("{\"id\":\"block-9\",\"label\":\"policy\",\"value\":\"be kind\",\"limit\":500,"
				"\"metadata\":" MARK("Block/policy") "}"));
	json_array_append_new(json_object_get(json_array_get(rs.agents, 0), "blocks"),
			      J("{\"id\":\"block-9\",\"label\":\"policy\"}"));
	plan_init(&p);
	assert_int_equal(snapshot_restore_plan(&p, &records, content, &rs, &o, NULL), 0);
	assert_int_equal(p.n, 0);
	assert_string_equal(jsonx_get_str(json_array_get(records, 0), "id"), "block-9");
	plan_release(&p);
	json_decref(records);

	/* Overwritten since: only the differing fields are written back. */
	json_object_set_new(json_array_get(rs.blocks, 1), "value", json_string("be mean"));
	plan_init(&p);
	assert_int_equal(snapshot_restore_plan(&p, &records, content, &rs, &o, NULL), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.items[0].change, CHANGE_UPDATE);
	assert_string_equal(req_path(&p.items[0].reqs[0]), "/v1/blocks/block-9");
	assert_int_equal(json_object_size(p.items[0].reqs[0].body), 1);
	assert_string_equal(jsonx_get_str(p.items[0].reqs[0].body, "value"), "be kind");
	plan_release(&p);
	json_decref(records);

	json_decref(content);
	remote_state_release(&rs);
}

static void test_snapshot__restore_skips_mcp_servers_with_a_warning(void **state)
{
	struct remote_state rs;
	struct plan p;
	struct restore_opts o;
	json_t *content = J("{\"objects\":[{\"kind\":\"MCPServer\",\"name\":\"web\",\"id\":\"mcp-1\","
			    "\"object\":{\"id\":\"mcp-1\",\"server_name\":\"web\"}}],\"agents\":[]}");
	json_t *records = NULL;

	(void)state;
	remote_state_init(&rs);
	memset(&o, 0, sizeof(o));
	o.project = "demo";
	plan_init(&p);
	assert_int_equal(snapshot_restore_plan(&p, &records, content, &rs, &o, NULL), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(json_array_size(p.warnings), 1);
	assert_non_null(strstr(json_string_value(json_array_get(p.warnings, 0)), "MCPServer/web"));
	plan_release(&p);
	json_decref(records);
	json_decref(content);
	remote_state_release(&rs);
}

static void test_snapshot__store_is_atomic_private_and_listed(void **state)
{
	char tmpl[] = "/tmp/ls-snap-XXXXXX";
	char *root = mkdtemp(tmpl), *id = NULL;
	struct ls_error err = LS_ERROR_INIT;
	json_t *meta = J("{\"command\":\"sync\"}"), *content = J("{\"objects\":[],\"agents\":[]}");
	json_t *files = J("{\"agent-1\":{\"agents\":[{\"id\":\"agent-0\"}]}}"), *list = NULL;
	json_t *m2 = NULL, *c2 = NULL;
	struct buf p = BUF_INIT;
	struct stat st;
	char *af;

	(void)state;
	assert_non_null(root);
	assert_int_equal(snapshot_write(&id, root, meta, content, NULL, files, NULL, &err), 0);
	assert_int_equal(strlen(id), 23);
	assert_true(snapshot_id_time(id) > 0);
	assert_int_equal(snapshot_id_time("20200101T000000Z-abcdef"), 1577836800LL);
	assert_int_equal(snapshot_id_time("not-an-id"), -1);
	buf_addf(&p, "%s/.letta/snapshots/%s/content.json", root, id);
	assert_int_equal(stat(p.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	buf_reset(&p);
	buf_addf(&p, "%s/.letta/snapshots/.gitignore", root);
	assert_int_equal(stat(p.buf, &st), 0);
	af = snapshot_agent_file(root, id, "agent-1");
	assert_non_null(af);
	free(af);
	assert_null(snapshot_agent_file(root, id, "agent-2"));
	assert_null(snapshot_agent_file(root, id, "../x"));

	/* A writer killed half-way leaves a .tmp- directory: never listed. */
	buf_reset(&p);
	buf_addf(&p, "%s/.letta/snapshots/.tmp-20261206T000000Z-abcdef", root);
	assert_int_equal(mkdir(p.buf, 0700), 0);
	assert_int_equal(snapshot_list(&list, root, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(jsonx_get_str(json_array_get(list, 0), "id"), id);
	assert_string_equal(jsonx_get_str(json_array_get(list, 0), "command"), "sync");
	assert_true(json_integer_value(json_object_get(json_array_get(list, 0), "size")) > 0);
	json_decref(list);

	assert_int_equal(snapshot_read(&m2, &c2, root, id, &err), 0);
	assert_string_equal(jsonx_get_str(m2, "id"), id);
	json_decref(m2);
	json_decref(c2);
	assert_int_equal(snapshot_read(&m2, &c2, root, "20200101T000000Z-abcdef", &err), LS_ENOTFOUND);
	ls_error_clear(&err);
	assert_int_equal(snapshot_remove(root, id, &err), 0);
	assert_int_equal(snapshot_list(&list, root, &err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	buf_reset(&p);
	buf_addf(&p, "rm -rf '%s'", root);
	assert_int_equal(system(p.buf), 0);
	buf_release(&p);
	free(id);
	json_decref(meta);
	json_decref(content);
	json_decref(files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot__scrub_removes_secrets_everywhere),
		cmocka_unit_test(test_snapshot__needed_only_for_destructive_plans),
		cmocka_unit_test(test_snapshot__collect_saves_objects_and_their_agents),
		cmocka_unit_test(test_snapshot__restore_recreates_reattaches_and_converges),
		cmocka_unit_test(test_snapshot__restore_skips_mcp_servers_with_a_warning),
		cmocka_unit_test(test_snapshot__store_is_atomic_private_and_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
