/*
 * Test support: the fixture of a planner test (what git declares, the fake server of
 * fake_remote.h, the plan and its options), so that each test spells out only its case and its
 * assertions. Header-only, as fake_remote.h (it includes <cmocka.h> for fail_msg()).
 *
 *	struct plan_fx fx = fx_new(opts);   nothing declared, an empty server, an empty plan
 *	ds_add(&fx.ds, ...); fx_plan(&fx);  plan; an error fails the test
 *	fx_release(&fx);
 */
#ifndef LS_TEST_PLAN_FIXTURE_H
#define LS_TEST_PLAN_FIXTURE_H

#include "fake_remote.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct plan_fx {
	struct desired_state ds;
	struct remote_state rs;
	struct plan p;
	struct plan_opts o;
};

static __attribute__((unused)) struct plan_fx fx_new(struct plan_opts o)
{
	struct plan_fx fx;

	memset(&fx, 0, sizeof(fx));
	remote_state_init(&fx.rs);
	plan_init(&fx.p);
	fx.o = o;
	return fx;
}

static __attribute__((unused)) void fx_release(struct plan_fx *fx)
{
	plan_release(&fx->p);
	remote_state_release(&fx->rs);
	ds_free(&fx->ds);
}

/* plan_compute of DS against RS into P, emptied first; an error fails the test. */
static __attribute__((unused)) void plan_or_fail(struct plan *p, const struct desired_state *ds,
						 const struct remote_state *rs,
						 const struct plan_opts *o)
{
	struct ls_error err = LS_ERROR_INIT;

	plan_release(p);
	plan_init(p);
	if (plan_compute(p, ds, rs, o, &err) < 0)
		fail_msg("plan_compute: %s", err.msg);
}

static __attribute__((unused)) void fx_plan(struct plan_fx *fx)
{
	plan_or_fail(&fx->p, &fx->ds, &fx->rs, &fx->o);
}

#endif
