/*
 * Test support: a plan operation's method and path as api/letta.c's route table sends them, so
 * that tests assert on what goes over the wire.
 */
#ifndef LS_TEST_PLAN_REQ_H
#define LS_TEST_PLAN_REQ_H

#include "api/letta.h"
#include "core/plan.h"

#include <stdlib.h>

static __attribute__((unused)) const char *req_method(const struct plan_request *r)
{
	return letta_op_method(r->op, r->target);
}

/* Valid until eight more calls (the strings stay reachable, so leak checkers are quiet). */
static __attribute__((unused)) const char *req_path(const struct plan_request *r)
{
	static char *ring[8];
	static unsigned next;
	char **slot = &ring[next++ % 8];

	free(*slot);
	*slot = letta_op_path(r->op, r->target, r->id, r->parent, r->name);
	return *slot;
}

#endif
