/*
 * core/plan (agents, issue 9): declared agents created once, template + policy + declaration
 * precedence, whole-set sections that keep what letta-sync does not manage, --only, the
 * pinned channel, downgrades and the legacy managed tag.
 */
#include "core/ownership.h"
#include "core/plan.h"
#include "support/fake_remote.h"
#include "support/plan_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static struct plan_opts opts(void)
{
	struct plan_opts o;

	memset(&o, 0, sizeof(o));
	o.project = "demo";
	o.commit = "c1";
	o.version = "1.1.0";
	return o;
}

static void fleet(struct desired_state *ds)
{
	ds_add(ds, KIND_BLOCK, "policy", MANAGED_TRUE, "{\"label\":\"policy\",\"value\":\"p\"}");
	ds_add(ds, KIND_BLOCK, "extra", MANAGED_TRUE, "{\"label\":\"extra\",\"value\":\"x\"}");
	ds_add(ds, KIND_TOOL, "lookup", MANAGED_TRUE,
	       "{\"sourceCode\":\"def lookup():\\n    pass\\n\",\"jsonSchema\":{\"type\":"
	       "\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\","
	       "\"properties\":{}}}}}");
	ds_add(ds, KIND_TEMPLATE, "helper", MANAGED_TRUE,
	       "{\"default\":true,\"agent\":{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	       "\"openai/gpt-4o-mini\"},\"blocks\":[{\"name\":\"policy\"},{\"label\":\"persona\","
	       "\"value\":\"I am a helper\"}],\"tools\":[\"lookup\"],\"tags\":[\"team:core\"]}}");
	ds_add(ds, KIND_AGENT_POLICY, "extra-for-core", MANAGED_TRUE,
	       "{\"selector\":{\"matchTags\":[\"team:core\"]},\"blocks\":[{\"name\":\"extra\"}]}");
	ds_add(ds, KIND_AGENT, "bob", MANAGED_TRUE,
	       "{\"template\":\"helper\",\"channel\":\"stable\",\"system\":\"You are Bob.\"}");
}

static json_t *agent_named(const struct remote_state *rs, const char *name)
{
	json_t *a;
	size_t i;

	json_array_foreach(rs->agents, i, a)
		if (!strcmp(jsonx_get_str(a, "name"), name))
			return a;
	return NULL;
}

static int rel_has(const json_t *agent, const char *rel, const char *key, const char *value)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(agent, rel), i, o)
		if (jsonx_get_str(o, key) && !strcmp(jsonx_get_str(o, key), value))
			return 1;
	return 0;
}

static const struct plan_action *find_action(const struct plan *p, enum res_kind kind,
					     const char *section)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].kind == kind &&
		    ((!section && !p->items[i].section) ||
		     (section && p->items[i].section && !strcmp(p->items[i].section, section))))
			return &p->items[i];
	return NULL;
}

static void test_plan_agents__declared_agent_created_once(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	json_t *bob;
	char *dump;

	(void)state;
	fleet(&fx.ds);
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, NULL);
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_CREATE);
	assert_string_equal(a->name, "bob");
	assert_int_equal(a->reqs[0].flags & REQ_PROJECT_HEADER, REQ_PROJECT_HEADER);
	dump = json_dumps(a->reqs[0].body, JSON_COMPACT);
	assert_non_null(strstr(dump, "\"include_base_tools\":false"));
	free(dump);
	assert_true(a->ndeps >= 3); /* two blocks and the tool created in the same run */
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);

	bob = agent_named(&fx.rs, "bob");
	assert_non_null(bob);
	/* The declaration's system prompt wins over the template's. */
	assert_string_equal(jsonx_get_str(bob, "system"), "You are Bob.");
	assert_true(rel_has(bob, "blocks", "label", "policy"));
	assert_true(rel_has(bob, "blocks", "label", "extra")); /* from the policy */
	assert_true(rel_has(bob, "blocks", "label", "persona")); /* private */
	assert_true(rel_has(bob, "tools", "name", "lookup"));

	fx_plan(&fx);
	if (fx.p.n)
		fail_msg("not converged: %s %s [%s] %s", plan_change_name(fx.p.items[0].change),
			 fx.p.items[0].name, fx.p.items[0].section ? fx.p.items[0].section : "-",
			 json_dumps(fx.p.items[0].fields, JSON_COMPACT));
	assert_int_equal(json_array_size(fx.rs.agents), 1);

	fx_release(&fx);
}

/* An agent made by bootstrap follows its template: tag; what we do not manage stays. */
static json_t *bootstrapped(struct remote_state *rs, const char *tags_json)
{
	json_t *a = json_pack("{s:s, s:s, s:s, s:o, s:[], s:[{s:s, s:s, s:[s]}], s:[], s:[]}",
			      "id", "agent-00000000-0000-4000-8000-00000000b001", "name", "ann",
			      "system", "old prompt", "tags", json_loads(tags_json, 0, NULL),
			      "blocks", "tools", "id", "tool-00000000-0000-4000-8000-0000000000b5",
			      "name", "send_message", "tags", "letta", "sources", "identities");

	json_array_append_new(rs->agents, a);
	/* The built-in tool exists on the server too. */
	json_array_append(rs->tools, json_array_get(json_object_get(a, "tools"), 0));
	return a;
}

static void test_plan_agents__existing_agent_sections_keep_unmanaged(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	json_t *ann;

	(void)state;
	fleet(&fx.ds);
	ds_remove(&fx.ds, KIND_AGENT, "bob");
	ann = bootstrapped(&fx.rs, "[\"managed:smarty-admin\",\"template:helper\",\"mine\"]");
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, "system_prompt");
	assert_non_null(a);
	assert_string_equal(a->agent, "agent-00000000-0000-4000-8000-00000000b001");
	assert_non_null(find_action(&fx.p, KIND_AGENT, "memory_blocks"));
	assert_non_null(find_action(&fx.p, KIND_AGENT, "tools"));
	a = find_action(&fx.p, KIND_AGENT, "tags");
	assert_non_null(a);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	assert_true(rel_has(ann, "tools", "name", "send_message")); /* a base tool, kept */
	assert_true(rel_has(ann, "tools", "name", "lookup"));
	assert_string_equal(jsonx_get_str(ann, "system"), "You help.");
	{
		json_t *tags = json_object_get(ann, "tags");
		char *dump = json_dumps(tags, JSON_COMPACT);

		assert_non_null(strstr(dump, "\"managed:letta-sync\""));
		assert_null(strstr(dump, "smarty-admin"));
		assert_non_null(strstr(dump, "\"version:1.1.0\""));
		assert_non_null(strstr(dump, "\"mine\""));
		free(dump);
	}
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	/*
	 * A block dropped from the template is detached (breaking). With the template's
	 * blockReconciliationStrategy preserve-deleted, its private block (persona) stays.
	 */
	json_object_set_new(fx.ds.items[3].spec, "blockReconciliationStrategy",
			    json_string("preserve-deleted"));
	json_array_clear(
		json_object_get(json_object_get(fx.ds.items[3].doc, "spec"), "agent")
			? json_object_get(json_object_get(fx.ds.items[3].spec, "agent"), "blocks")
			: NULL);
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, "memory_blocks");
	assert_non_null(a);
	assert_true(a->breaking);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	assert_false(rel_has(ann, "blocks", "label", "policy"));
	assert_true(rel_has(ann, "blocks", "label", "persona"));
	assert_true(rel_has(ann, "blocks", "label", "extra")); /* still from the policy */

	/* reconcile-all (the default): git is the truth, persona is detached too. */
	json_object_del(fx.ds.items[3].spec, "blockReconciliationStrategy");
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, "memory_blocks");
	assert_non_null(a);
	assert_true(a->breaking);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	assert_false(rel_has(ann, "blocks", "label", "persona"));
	assert_true(rel_has(ann, "blocks", "label", "extra"));

	fx_release(&fx);
}

static void test_plan_agents__only_sections(void **state)
{
	struct plan_fx fx = fx_new(opts());
	size_t i;

	(void)state;
	fleet(&fx.ds);
	ds_remove(&fx.ds, KIND_AGENT, "bob");
	bootstrapped(&fx.rs, "[\"managed:letta-sync\",\"template:helper\"]");
	fx.o.sections = 1u << SECTION_SYSTEM_PROMPT;
	fx_plan(&fx);
	for (i = 0; i < fx.p.n; i++)
		if (fx.p.items[i].kind == KIND_AGENT && !fx.p.items[i].internal)
			assert_string_equal(fx.p.items[i].section, "system_prompt");
	assert_non_null(find_action(&fx.p, KIND_AGENT, "system_prompt"));
	assert_int_equal(plan_section_parse("memory_blocks"), SECTION_MEMORY_BLOCKS);
	assert_int_equal(plan_section_parse("memory"), -1);

	fx_release(&fx);
}

static void test_plan_agents__pinned_and_downgrade_left_alone(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	size_t i;

	(void)state;
	fleet(&fx.ds);
	ds_remove(&fx.ds, KIND_AGENT, "bob");
	bootstrapped(&fx.rs, "[\"managed:letta-sync\",\"template:helper\",\"channel:pinned\"]");
	fx_plan(&fx);
	for (i = 0; i < fx.p.n; i++)
		assert_int_not_equal(fx.p.items[i].kind, KIND_AGENT);
	assert_true(json_array_size(fx.p.warnings) >= 1);
	fx.o.flags |= PLAN_FORCE;
	fx_plan(&fx);
	assert_non_null(find_action(&fx.p, KIND_AGENT, "system_prompt"));
	/* Once in line, a pinned agent is not mentioned at all: nothing is held back. */
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx.o.flags = 0;
	fx_plan(&fx);
	for (i = 0; i < fx.p.n; i++)
		assert_int_not_equal(fx.p.items[i].kind, KIND_AGENT);
	for (i = 0; i < json_array_size(fx.p.warnings); i++)
		assert_null(strstr(json_string_value(json_array_get(fx.p.warnings, i)), "pinned"));

	json_object_set_new(json_array_get(fx.rs.agents, 0), "tags",
			    json_pack("[s,s,s]", OWN_TAG, "template:helper", "version:2.0.0"));
	fx.o.flags = 0;
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, NULL);
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_DOWNGRADE);
	assert_true(a->skip);
	fx.o.flags = PLAN_FORCE;
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, "tags");
	assert_non_null(a);
	assert_true(a->breaking);

	fx_release(&fx);
}

static void test_plan_agents__unmanaged_agent_with_declared_name_is_conflict(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;

	(void)state;
	fleet(&fx.ds);
	json_array_append_new(fx.rs.agents, json_pack("{s:s, s:s, s:[]}", "id",
						      "agent-00000000-0000-4000-8000-00000000c001",
						      "name", "bob", "tags"));
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, NULL);
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_CONFLICT);
	assert_string_equal(a->agent, "agent-00000000-0000-4000-8000-00000000c001");

	fx_release(&fx);
}

static void test_plan_agents__missing_model_names_every_source(void **state)
{
	struct plan_fx fx = fx_new(opts());
	struct ls_error err = LS_ERROR_INIT;

	(void)state;
	ds_add(&fx.ds, KIND_TEMPLATE, "bare", MANAGED_TRUE, "{\"agent\":{}}");
	ds_add(&fx.ds, KIND_AGENT, "zed", MANAGED_TRUE, "{}");
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), LS_EINVALID);
	assert_non_null(strstr(err.msg, "LETTA_DEFAULT_MODEL"));
	assert_non_null(strstr(err.msg, "--model"));
	fx.o.default_model = "openai/gpt-4o";
	fx_plan(&fx);
	assert_non_null(find_action(&fx.p, KIND_AGENT, NULL));

	/* --agent naming nothing is an error, not an empty plan. */
	fx.o.agent = "nobody";
	plan_release(&fx.p);
	plan_init(&fx.p);
	assert_int_equal(plan_compute(&fx.p, &fx.ds, &fx.rs, &fx.o, &err), LS_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'nobody'"));
	fx.o.agent = "zed";
	fx_plan(&fx);
	assert_non_null(find_action(&fx.p, KIND_AGENT, NULL));

	fx_release(&fx);
}

/* Tools of an MCP server created in the same run are attached by a second pass. */
static void test_plan_agents__mcp_tools_of_a_new_server_need_a_replan(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	json_t *bob;

	(void)state;
	ds_add(&fx.ds, KIND_MCP_SERVER, "gh", MANAGED_TRUE,
	       "{\"serverType\":\"sse\",\"serverUrl\":\"https://gh.example.com/sse\"}");
	ds_add(&fx.ds, KIND_TEMPLATE, "t", MANAGED_TRUE,
	       "{\"agent\":{\"modelConfig\":{\"model\":\"openai/gpt-4o\"},\"mcpTools\":"
	       "[{\"server\":\"gh\",\"tools\":[\"gh_search\"]}]}}");
	ds_add(&fx.ds, KIND_AGENT, "bob", MANAGED_TRUE, "{\"template\":\"t\"}");
	fx_plan(&fx);
	assert_true(fx.p.replan);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	fx_plan(&fx);
	assert_false(fx.p.replan);
	a = find_action(&fx.p, KIND_AGENT, "mcp_servers");
	assert_non_null(a);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	bob = agent_named(&fx.rs, "bob");
	assert_true(rel_has(bob, "tools", "name", "gh_search"));
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	fx_release(&fx);
}

static const struct plan_action *find_named(const struct plan *p, enum res_kind kind,
					    const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!p->items[i].internal && p->items[i].kind == kind &&
		    !strcmp(p->items[i].name, name))
			return &p->items[i];
	return NULL;
}

/*
 * PLAN_UPGRADE (issue 11): shared resources the version needs are created when missing, but
 * existing ones change only through sync (no update, no orphan), and declared agents that do
 * not exist are left to sync.
 */
static void test_plan_agents__upgrade_creates_missing_shared_only(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	size_t i;
	int inventory = 0;

	(void)state;
	fleet(&fx.ds);
	fx_plan(&fx);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);

	ds_set(&fx.ds, KIND_BLOCK, "policy", "value", "\"p2\"");
	ds_remove(&fx.ds, KIND_AGENT_POLICY, "extra-for-core");
	ds_remove(&fx.ds, KIND_BLOCK, "extra");
	ds_add(&fx.ds, KIND_TOOL, "fresh", MANAGED_TRUE,
	       "{\"sourceCode\":\"def fresh():\\n    pass\\n\",\"jsonSchema\":{\"type\":"
	       "\"function\",\"function\":{\"name\":\"fresh\",\"parameters\":{\"type\":\"object\","
	       "\"properties\":{}}}}}");
	ds_set(&fx.ds, KIND_TEMPLATE, "helper", "agent",
	       "{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	       "\"openai/gpt-4o-mini\"},\"blocks\":[{\"name\":\"policy\"},{\"label\":\"persona\","
	       "\"value\":\"I am a helper\"}],\"tools\":[\"lookup\",\"fresh\"],\"tags\":[\"team:core\"]}");
	ds_add(&fx.ds, KIND_AGENT, "carol", MANAGED_TRUE, "{\"template\":\"helper\"}");
	fx.o.version = "1.2.0";
	fx.o.flags = PLAN_UPGRADE | PLAN_FORCE;
	fx_plan(&fx);

	assert_null(find_named(&fx.p, KIND_BLOCK, "policy")); /* an update: sync's job */
	assert_null(find_named(&fx.p, KIND_BLOCK, "extra"));  /* an orphan: sync's job */
	assert_null(find_named(&fx.p, KIND_AGENT, "carol"));  /* a create: sync's job */
	a = find_named(&fx.p, KIND_TOOL, "fresh");
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_CREATE);
	a = find_action(&fx.p, KIND_AGENT, "tools");
	assert_non_null(a);
	assert_int_equal(a->breaking, 0);
	a = find_action(&fx.p, KIND_AGENT, "memory_blocks");
	assert_non_null(a);
	assert_int_equal(a->breaking, 1); /* "extra" is detached */
	for (i = 0; i < fx.p.n; i++) {
		if (fx.p.items[i].internal && fx.p.items[i].kind == KIND_BLOCK &&
		    !strcmp(fx.p.items[i].name, OWN_INVENTORY_LABEL)) {
			char *dump = json_dumps(fx.p.items[i].reqs[0].body, JSON_COMPACT);

			inventory = 1;
			/* The inventory keeps what it had and gains the created tool. */
			assert_non_null(strstr(dump, "\"name\":\"extra\""));
			assert_non_null(strstr(dump, "\"name\":\"fresh\""));
			free(dump);
		}
	}
	assert_true(inventory);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	{
		char *dump = json_dumps(agent_named(&fx.rs, "bob"), JSON_COMPACT);

		assert_non_null(strstr(dump, "version:1.2.0"));
		free(dump);
	}
	fx_release(&fx);
}

/*
 * plan_compute leaves the desired state as it found it. A declaration that overrides a list
 * (blocks, tools, folders) shared that array with the merged spec, so every matching policy's
 * entries were appended to the declaration itself, once more by each plan: a second plan in
 * the same process (sync's replan, pull's per-agent specs) saw them doubled. Found by the API
 * response fuzzer (issue 15, drill 4), whose memory grew with every input.
 */
static void test_plan_agents__plan_does_not_modify_the_declarations(void **state)
{
	struct plan_fx fx = fx_new(opts());
	char *before[8], *after;
	size_t i;

	(void)state;
	fleet(&fx.ds);
	ds_add(&fx.ds, KIND_AGENT, "pat", MANAGED_TRUE,
	       "{\"template\":\"helper\",\"blocks\":[{\"name\":\"policy\"}],\"tools\":[\"lookup\"]}");
	assert_true(fx.ds.n <= 8);
	for (i = 0; i < fx.ds.n; i++)
		before[i] = json_dumps(fx.ds.items[i].doc, JSON_SORT_KEYS);
	fx_plan(&fx);
	fx_plan(&fx);
	for (i = 0; i < fx.ds.n; i++) {
		after = json_dumps(fx.ds.items[i].doc, JSON_SORT_KEYS);
		assert_string_equal(after, before[i]);
		free(after);
		free(before[i]);
	}

	fx_release(&fx);
}

/* A Block with managed: false is never touched, but agents may still attach it. */
static void test_plan_agents__unmanaged_block_can_be_attached(void **state)
{
	struct plan_fx fx = fx_new(opts());
	json_t *bob;

	(void)state;
	ds_add(&fx.ds, KIND_BLOCK, "shared", MANAGED_FALSE, "{\"label\":\"team\",\"value\":\"x\"}");
	ds_add(&fx.ds, KIND_TEMPLATE, "t", MANAGED_TRUE,
	       "{\"agent\":{\"modelConfig\":{\"model\":\"openai/gpt-4o\"},\"blocks\":[{\"name\":"
	       "\"shared\"}]}}");
	ds_add(&fx.ds, KIND_AGENT, "bob", MANAGED_TRUE, "{\"template\":\"t\"}");
	json_array_append_new(fx.rs.blocks, json_pack("{s:s, s:s, s:s}", "id",
						      "block-00000000-0000-4000-8000-00000000d001",
						      "label", "team", "value", "theirs"));
	fx_plan(&fx);
	assert_int_equal(json_array_size(fx.p.warnings), 0);
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);
	bob = agent_named(&fx.rs, "bob");
	assert_true(rel_has(bob, "blocks", "label", "team"));
	assert_string_equal(jsonx_get_str(json_array_get(fx.rs.blocks, 0), "value"), "theirs");
	fx_plan(&fx);
	assert_int_equal(fx.p.n, 0);

	fx_release(&fx);
}

/*
 * readOnly on an agent's private block is sent (as read_only) by every place that builds one:
 * the agent's create and a private block added to an existing agent (bootstrap's is
 * test_bootstrap's). One builder makes them (core/kinds/block.c block_private_body()).
 */
static const json_t *private_block_body(const struct plan *p, const char *label)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t j = 0; j < p->items[i].nreqs; j++) {
			const struct plan_request *r = &p->items[i].reqs[j];

			if (r->op == OP_CREATE && r->target == TARGET_BLOCK &&
			    !strcmp(jsonx_get_str(r->body, "label") ? jsonx_get_str(r->body, "label")
								     : "",
				    label))
				return r->body;
		}
	return NULL;
}

static void test_plan_agents__private_block_read_only_is_sent(void **state)
{
	struct plan_fx fx = fx_new(opts());
	const struct plan_action *a;
	const json_t *mb, *body;
	json_t *bob, *blocks, *b;
	size_t i;

	(void)state;
	ds_add(&fx.ds, KIND_TEMPLATE, "helper", MANAGED_TRUE,
	       "{\"default\":true,\"agent\":{\"system\":\"You help.\",\"modelConfig\":{\"model\":"
	       "\"openai/gpt-4o-mini\"},\"blocks\":[{\"label\":\"persona\",\"value\":\"I help\","
	       "\"readOnly\":true},{\"label\":\"notes\",\"value\":\"n\"}]}}");
	ds_add(&fx.ds, KIND_AGENT, "bob", MANAGED_TRUE, "{\"template\":\"helper\"}");
	fx_plan(&fx);
	a = find_action(&fx.p, KIND_AGENT, NULL);
	assert_non_null(a);
	assert_int_equal(a->change, CHANGE_CREATE);
	mb = json_object_get(a->reqs[0].body, "memory_blocks");
	assert_int_equal(json_array_size(mb), 2);
	assert_true(json_is_true(json_object_get(json_array_get(mb, 0), "read_only")));
	assert_null(json_object_get(json_array_get(mb, 1), "read_only"));
	assert_true(fake_apply(&fx.rs, &fx.p) > 0);

	/* The agent lost its persona block: sync creates it again, read-only. */
	bob = agent_named(&fx.rs, "bob");
	assert_non_null(bob);
	blocks = json_object_get(bob, "blocks");
	json_array_foreach(blocks, i, b)
		if (!strcmp(jsonx_get_str(b, "label"), "persona")) {
			json_array_remove(blocks, i);
			break;
		}
		fx_plan(&fx);
		body = private_block_body(&fx.p, "persona");
		assert_non_null(body);
		assert_true(json_is_true(json_object_get(body, "read_only")));

		fx_release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_agents__declared_agent_created_once),
		cmocka_unit_test(test_plan_agents__existing_agent_sections_keep_unmanaged),
		cmocka_unit_test(test_plan_agents__only_sections),
		cmocka_unit_test(test_plan_agents__pinned_and_downgrade_left_alone),
		cmocka_unit_test(test_plan_agents__unmanaged_agent_with_declared_name_is_conflict),
		cmocka_unit_test(test_plan_agents__missing_model_names_every_source),
		cmocka_unit_test(test_plan_agents__mcp_tools_of_a_new_server_need_a_replan),
		cmocka_unit_test(test_plan_agents__upgrade_creates_missing_shared_only),
		cmocka_unit_test(test_plan_agents__unmanaged_block_can_be_attached),
		cmocka_unit_test(test_plan_agents__plan_does_not_modify_the_declarations),
		cmocka_unit_test(test_plan_agents__private_block_read_only_is_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
