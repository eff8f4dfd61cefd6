#ifndef LS_CLI_ROLLOUT_H
#define LS_CLI_ROLLOUT_H

/*
 * Rollouts (issue 28): upgrade --all --waves moves agents in waves, takes a snapshot before
 * each wave's first write, and runs a gate command after each wave; a failing gate stops the
 * rollout (and with --auto-rollback restores every wave it moved, newest first).
 */
#include "api/letta.h"
#include "cli/cli.h"
#include "core/plan.h"
#include "core/remote.h"
#include "core/waves.h"

struct rollout {
	struct wave_spec *waves;
	size_t nwaves;
	const char *gate, *canary_tag;
	long wait_s, gate_timeout_s;
	int auto_rollback;
	char **snapshots; /* one per wave that wrote, oldest first */
	size_t nsnapshots;
};

/* Parses --waves, --gate, --wait, --gate-timeout; returns 0 or LS_EUSAGE. */
int rollout_init(struct rollout *r, const char *waves, const char *gate, const char *wait,
		 const char *gate_timeout, const char *canary_tag, int auto_rollback,
		 struct ls_error *err);
void rollout_release(struct rollout *r);

/*
 * Saves what p changes (always, not only for breaking changes: every wave can be undone) and
 * records the snapshot's id in r. Returns 0 or a negative ls_code (nothing may be written).
 */
int rollout_snapshot(struct rollout *r, struct cli_ctx *ctx, struct letta *api,
		     const struct remote_state *rs, const struct plan *p, const char *commit,
		     struct ls_error *err);

/*
 * Runs the gate for wave (0-based) with LETTA_SYNC_WAVE, LETTA_SYNC_WAVES,
 * LETTA_SYNC_WAVE_AGENTS (comma-separated ids) and LETTA_BASE_URL in its environment; its
 * stdout goes to our stderr. Returns 0 when it passed; LS_EFAIL (err says the exit status or
 * the time-out) when not.
 */
int rollout_gate(const struct rollout *r, struct cli_ctx *ctx, size_t wave, const char *ids,
		 struct ls_error *err);

/* Sleeps --wait seconds (interruptible by SIGINT). */
void rollout_wait(const struct rollout *r);

/*
 * Restores r's snapshots, newest first, by running 'letta-sync restore <id>' (the lease must
 * be released). Returns 0 or LS_EFAIL when one failed.
 */
int rollout_rollback(const struct rollout *r, struct cli_ctx *ctx, struct ls_error *err);

/* Prints the restore lines that undo the rollout (stderr). */
void rollout_print_restore(const struct rollout *r);

#endif
