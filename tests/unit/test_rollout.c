/*
 * cli/rollout.c: the rollout's record (issue 28) as upgrade --waves writes it into the
 * inventory's metadata, and what --resume, --abort and status read from it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rollout.h"
#include "core/ownership.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

static const char *const ids[] = { "agent-a", "agent-b", "agent-c", "agent-d" };
static const size_t wave_of[] = { 0, 1, 1, 2 };
static const char *const to[] = { "1.1.0", "1.1.0", "1.2.0", "1.1.0" };

static void start(struct rollout *r)
{
	struct ls_error err = LS_ERROR_INIT;

	assert_int_equal(rollout_init(r, "1,50%,100%", "./gate.sh", "5m", NULL, "canary", 1, &err),
			 0);
	rollout_state_start(r, "1,50%,100%", NULL, ids, wave_of, to, 4);
}

/* The record has every wave's agents and each agent's version, and reads back for --resume. */
static void test_rollout__record_round_trip(void **state)
{
	struct rollout r, back;
	struct ls_error err = LS_ERROR_INIT;
	json_t *inv, *st;
	size_t w = 99;
	(void)state;

	start(&r);
	assert_string_equal(jsonx_get_str(r.state, "status"), "running");
	assert_int_equal(json_array_size(json_object_get(r.state, "wave")), 3);
	assert_int_equal(jsonx_get_int(r.state, "wait", 0), 300);
	assert_int_equal(jsonx_get_int(r.state, "gate_timeout", 0), 600);
	assert_true(jsonx_get_bool(r.state, "auto_rollback", 0));
	assert_string_equal(rollout_state_agent(&r, "agent-c", &w), "1.2.0");
	assert_int_equal(w, 1);
	assert_null(rollout_state_agent(&r, "agent-x", &w));
	assert_int_equal(rollout_state_first_open(&r), 0);

	/* Wave 1 passed, wave 2 moved with a snapshot: --resume starts at wave 2. */
	rollout_state_wave(&r, 0, "passed");
	rollout_state_gate(&r, 0, "passed", 0);
	r.wave = 1;
	json_array_append_new(json_object_get(json_array_get(json_object_get(r.state, "wave"), 1),
					      "snapshots"),
			      json_string("20261206T130010Z-e19a70"));
	rollout_state_wave(&r, 1, "moved");
	assert_int_equal(rollout_state_first_open(&r), 1);

	inv = json_pack("{s:s, s:{s:s, s:O}}", "id", "block-1", "metadata", "managed_by",
			"letta-sync", "rollout", r.state);
	assert_ptr_equal(rollout_state_find(inv), json_object_get(json_object_get(inv, "metadata"),
								  "rollout"));
	assert_int_equal(rollout_state_load(&st, inv, &err), 0);
	memset(&back, 0, sizeof(back));
	rollout_state_adopt(&back, st);
	assert_int_equal(back.nsnapshots, 1);
	assert_string_equal(back.snapshots[0], "20261206T130010Z-e19a70");
	assert_int_equal(rollout_state_first_open(&back), 1);

	/* Over: no longer found, --resume refuses. */
	rollout_state_set(&r, "done");
	json_object_set(json_object_get(inv, "metadata"), "rollout", r.state);
	assert_null(rollout_state_find(inv));
	assert_int_equal(rollout_state_load(&st, inv, &err), LS_ENOTFOUND);
	assert_null(st);

	json_decref(inv);
	rollout_release(&back);
	rollout_release(&r);
}

/* The plan's writes of the inventory carry the record as it is now, not as it was read. */
static void test_rollout__plan_inventory_writes_carry_the_record(void **state)
{
	struct rollout r;
	struct plan p = PLAN_INIT;
	const json_t *ro;
	(void)state;

	start(&r);
	rollout_state_wave(&r, 0, "moving");
	p.items = xcalloc(2, sizeof(*p.items));
	p.n = 2;
	p.items[0].kind = KIND_BLOCK;
	p.items[0].name = xstrdup(OWN_INVENTORY_LABEL);
	p.items[0].internal = 1;
	p.items[0].nreqs = 1;
	p.items[0].reqs = xcalloc(1, sizeof(*p.items[0].reqs));
	p.items[0].reqs[0].body = json_pack("{s:{s:s, s:{s:s}}}", "metadata", "managed_by",
					    "letta-sync", "rollout", "status", "stale");
	p.items[1].kind = KIND_BLOCK;
	p.items[1].name = xstrdup("policy");
	p.items[1].nreqs = 1;
	p.items[1].reqs = xcalloc(1, sizeof(*p.items[1].reqs));
	p.items[1].reqs[0].body = json_pack("{s:{}}", "metadata");
	rollout_state_keep(&r, &p);
	ro = json_object_get(json_object_get(p.items[0].reqs[0].body, "metadata"), "rollout");
	assert_string_equal(jsonx_get_str(json_array_get(json_object_get(ro, "wave"), 0), "status"),
			    "moving");
	assert_string_equal(jsonx_get_str(json_object_get(p.items[0].reqs[0].body, "metadata"),
					  "managed_by"),
			    "letta-sync");
	/* Another block is not the inventory. */
	assert_null(json_object_get(json_object_get(p.items[1].reqs[0].body, "metadata"),
				    "rollout"));
	plan_release(&p);
	rollout_release(&r);
}

/* status's line: the rollout, where it stands, each wave. */
static void test_rollout__describe(void **state)
{
	struct rollout r;
	struct buf b = BUF_INIT;
	(void)state;

	start(&r);
	rollout_state_wave(&r, 0, "passed");
	rollout_state_gate(&r, 0, "passed", 0);
	rollout_state_wave(&r, 1, "failed");
	rollout_state_gate(&r, 1, "timed_out", -1);
	rollout_state_set(&r, "stopped");
	rollout_state_describe(&b, r.state);
	assert_non_null(strstr(b.buf, ": stopped at wave 2 of 3 (1: 1 agent(s) passed, gate passed, "
				       "2: 2 agent(s) failed, gate timed_out, 3: 1 agent(s) pending)"));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r.state, "wave"), 1),
						 "gate_exit")));
	buf_release(&b);
	rollout_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollout__record_round_trip),
		cmocka_unit_test(test_rollout__plan_inventory_writes_carry_the_record),
		cmocka_unit_test(test_rollout__describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
