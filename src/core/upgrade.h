#ifndef LS_CORE_UPGRADE_H
#define LS_CORE_UPGRADE_H

/*
 * Upgrade policy (docs/contract/PRODUCT.md section 4, "upgrade"), pure: which version an agent moves to, and
 * whether each change of the plan that moves it is safe or breaking.
 *
 *   safe      additions, value and description edits (a system prompt, a block's value)
 *   breaking  removals, detaches, a model change, a block limit below its content, any
 *             downgrade
 *
 * The planner (core/plan.c) computes the changes with the target version's desired state;
 * this module only judges them, so upgrade --check and upgrade agree by construction.
 */
#include "core/channel.h"
#include "core/plan.h"
#include "util/buf.h"
#include "util/error.h"

#include <stddef.h>

/* Where one agent stands and where it goes. Strings are borrowed from the inputs. */
struct upgrade_target {
	enum channel channel;
	const char *current;   /* the applied version (its "version:" tag), NULL when none */
	const char *available; /* the version it would move to; current when up to date */
	const char *newest;    /* the channel's (or target's) version, NULL when none, moving or not */
	int move;              /* available differs from current: an upgrade (or downgrade) */
	int downgrade;         /* available is older than current (only with a target) */
};

/*
 * Decides out for an agent with tags (n strings): the channel is channel_flag, else its
 * "channel:" tag, else stable. With target ("2.0.0" or "v2.0.0", which must be one of
 * versions) the agent moves there on any channel, downwards included. Without, stable and
 * beta move to their newest version when it is newer than current; pinned does not move.
 * versions are sorted or not, without "v". LS_EUSAGE / LS_ENOTFOUND for a bad target.
 * This is the one version selection: the upgrade command and bootstrap's auto-upgrade
 * (cli/agent_steps.c) both call it.
 */
int upgrade_select(struct upgrade_target *out, const char *const *tags, size_t n,
		   const char *channel_flag, const char *const *versions, size_t nversions,
		   const char *target, struct ls_error *err);

/*
 * Whether change a is breaking. why (may be NULL) gets a short reason for each breaking
 * part, separated by "; " ("detaches tools 'lookup'", "model change"). The planner's own
 * breaking mark (a detach it made, a shared block's limit below its content) counts too.
 */
int upgrade_breaking(const struct plan_action *a, struct buf *why);

#endif
