/*
 * cli/reconcile.c's one pass (issue 22 item 4): read -> plan -> snapshot -> lease -> apply, in
 * that order, for sync, upgrade and bootstrap; a planner that stops (a dry run) and a failed
 * snapshot write nothing. No server: nothing is read, and with no inventory yet the lease has
 * nothing to hold (its first take sends no request).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli/reconcile.h"

struct trace {
	char log[128];
	int plan_ret, before_ret, writes;
};

static void note(struct trace *t, const char *what)
{
	strncat(t->log, what, sizeof(t->log) - strlen(t->log) - 1);
}

static int plan_cb(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct trace *t = arg;

	(void)err;
	/* The pass hands over an empty plan. */
	assert_int_equal(r->plan.n, 0);
	note(t, "plan ");
	return t->plan_ret;
}

static int before_cb(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct trace *t = arg;

	/* Before the lease: a snapshot that fails leaves the project free. */
	note(t, r->lease_tried ? "lease snapshot " : "snapshot ");
	if (t->before_ret < 0)
		return ls_error_set(err, (enum ls_code)t->before_ret, "snapshot failed");
	return 0;
}

static int writes_cb(const struct reconcile *r, void *arg)
{
	struct trace *t = arg;

	(void)r;
	return t->writes;
}

static int apply_cb(struct reconcile *r, void *arg, struct ls_error *err)
{
	struct trace *t = arg;

	(void)err;
	note(t, r->lease_tried ? "lease apply" : "apply");
	return 0;
}

static int run(struct trace *t, int lease)
{
	struct cli_ctx ctx;
	struct reconcile r;
	struct reconcile_pass p;
	struct ls_error err = LS_ERROR_INIT;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	memset(&r, 0, sizeof(r));
	remote_state_init(&r.rs);
	plan_init(&r.plan);
	r.ctx = &ctx;
	r.releaser = 7;
	memset(&p, 0, sizeof(p));
	p.plan = plan_cb;
	p.before = before_cb;
	p.writes = writes_cb;
	p.apply = apply_cb;
	p.arg = t;
	p.lease = lease;
	ret = reconcile_pass(&r, &p, &err);
	/* No lease was written: nothing to release, and none is released by the plan. */
	assert_int_equal(r.leased, 0);
	assert_int_equal(r.releaser, -1);
	remote_state_release(&r.rs);
	plan_release(&r.plan);
	return ret;
}

static void test_reconcile__pass_order(void **state)
{
	struct trace t;
	(void)state;

	memset(&t, 0, sizeof(t));
	t.writes = 1;
	assert_int_equal(run(&t, 1), 0);
	assert_string_equal(t.log, "plan snapshot lease apply");

	/* Nothing to write: no lease. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(run(&t, 1), 0);
	assert_string_equal(t.log, "plan snapshot apply");

	/* A dry run stops after the plan. */
	memset(&t, 0, sizeof(t));
	t.writes = 1;
	t.plan_ret = 1;
	assert_int_equal(run(&t, 1), 1);
	assert_string_equal(t.log, "plan ");

	/* A failed snapshot: no lease, no write. */
	memset(&t, 0, sizeof(t));
	t.writes = 1;
	t.before_ret = LS_EFAIL;
	assert_int_equal(run(&t, 1), LS_EFAIL);
	assert_string_equal(t.log, "plan snapshot ");

	/* A planner's error ends the pass. */
	memset(&t, 0, sizeof(t));
	t.writes = 1;
	t.plan_ret = LS_EINVALID;
	assert_int_equal(run(&t, 1), LS_EINVALID);
	assert_string_equal(t.log, "plan ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconcile__pass_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
