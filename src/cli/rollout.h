#ifndef LS_CLI_ROLLOUT_H
#define LS_CLI_ROLLOUT_H

/*
 * Rollouts (issue 28): upgrade --all --waves moves agents in waves, takes a snapshot before
 * each wave's first write, and runs a gate command after each wave; a failing gate stops the
 * rollout (and with --auto-rollback restores every wave it moved, newest first).
 */
#include "api/letta.h"
#include "cli/reconcile.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/plan.h"
#include "core/remote.h"
#include "core/waves.h"
#include "util/buf.h"

struct rollout {
	struct wave_spec *waves;
	size_t nwaves;
	const char *gate, *canary_tag;
	long wait_s, gate_timeout_s;
	int auto_rollback;
	char **snapshots; /* one per wave that wrote, oldest first */
	size_t nsnapshots;
	size_t wave;      /* the wave being moved (0-based): rollout_snapshot() records it */
	/*
	 * The rollout's record in the inventory block's metadata ("rollout"; core/plan.c carries
	 * it over when it rewrites the inventory): {id, status, target, waves, gate, gate_timeout,
	 * wait, canary_tag, auto_rollback, started_at, versions: {agent id: version}, wave: [{
	 * agents: [ids], status, gate, gate_exit, snapshots: [ids]}]}. A rollout's status is
	 * running, stopped (a gate or an agent failed), done, rolled_back or aborted; a wave's is
	 * pending, moving, moved (its gate did not pass yet), passed, failed or rolled_back.
	 */
	json_t *state;
	int gate_exit; /* the last gate's exit status, -1 after a time-out or when it did not run */
	int break_lease; /* --break-lease: the restores of a rollback get it too */
	json_t *recompiled; /* sync --waves: the agents recompiled (cli/memfs_recompile.h), or NULL
			       with --no-recompile */
	/* Called every renew_s seconds of a gate or a wait (the lease, cli/reconcile.c). */
	int (*renew)(void *arg);
	void *renew_arg;
	long renew_s;
};

/*
 * A rollout's rows in a command's options table (sync, upgrade); the help of --waves and
 * --auto-rollback says what the command moves in waves and what a rollback restores.
 */
/* clang-format off */
#define ROLLOUT_OPTS(waves_help, auto_rollback_help) \
	{ "waves", 0, OPT_VALUE, "<list>", waves_help }, \
	{ "gate", 0, OPT_VALUE, "<command>", "run after each wave; a failure stops the rollout" }, \
	{ "gate-timeout", 0, OPT_VALUE, "<duration>", "a gate running longer fails (default 10m)" }, \
	{ "wait", 0, OPT_VALUE, "<duration>", "pause between waves (30s, 5m; default 0)" }, \
	{ "canary-tag", 0, OPT_VALUE, "<tag>", "agents with this tag go in the first waves" }, \
	{ "auto-rollback", 0, OPT_FLAG, NULL, auto_rollback_help }
/* clang-format on */

/* Parses --waves, --gate, --wait, --gate-timeout; returns 0 or LS_EUSAGE. */
int rollout_init(struct rollout *r, const char *waves, const char *gate, const char *wait,
		 const char *gate_timeout, const char *canary_tag, int auto_rollback,
		 struct ls_error *err);

/*
 * rollout_init() from the ROLLOUT_OPTS options in o. *on tells whether --waves was given;
 * without it r is left empty and any of the other rollout options is a usage error.
 */
int rollout_init_opts(struct rollout *r, int *on, const struct opts *o, struct ls_error *err);
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
 * stdout goes to our stderr; r->gate_exit gets its exit status. Returns 0 when it passed;
 * LS_EFAIL (err says the exit status or the time-out) when not; LS_EINTERRUPTED after Ctrl-C
 * or SIGTERM (the gate is killed; it did not fail).
 */
int rollout_gate(struct rollout *r, struct cli_ctx *ctx, size_t wave, const char *ids,
		 struct ls_error *err);

/* Sleeps --wait seconds (interruptible by SIGINT and SIGTERM), renewing the lease. */
void rollout_wait(const struct rollout *r);

/*
 * Restores r's snapshots, newest first, by running 'letta-sync restore <id>' (the lease must
 * be released). Returns 0 or LS_EFAIL when one failed.
 */
int rollout_rollback(const struct rollout *r, struct cli_ctx *ctx, struct ls_error *err);

/* Prints the restore lines that undo the rollout (stderr). */
void rollout_print_restore(const struct rollout *r);

/*
 * The record (rollout.h, struct rollout's state). rollout_state_start() begins one: waves_text
 * and target (may be NULL) as given, agent i of ids in wave[i] moving to version to[i].
 */
void rollout_state_start(struct rollout *r, const char *waves_text, const char *target,
			 const char *const *ids, const size_t *wave, const char *const *to,
			 size_t n);
/* The unfinished rollout recorded in the inventory inv (borrowed), or NULL. */
const json_t *rollout_state_find(const json_t *inv);
/*
 * --resume / --abort: takes the record of inv's unfinished rollout (LS_ENOTFOUND when none),
 * and the snapshots it took. The caller then runs rollout_init() with the recorded options.
 */
int rollout_state_load(json_t **state, const json_t *inv, struct ls_error *err);
void rollout_state_adopt(struct rollout *r, json_t *state_take);
/* The recorded version agent id moves to, and its wave (0-based); NULL when not in it. */
const char *rollout_state_agent(const struct rollout *r, const char *id, size_t *wave);
/* The first wave whose gate has not passed (nwaves when none). */
size_t rollout_state_first_open(const struct rollout *r);
void rollout_state_set(struct rollout *r, const char *status);
/* A wave's status, and its gate's result ("passed", "failed", "timed_out"; exit, or -1). */
void rollout_state_wave(struct rollout *r, size_t wave, const char *status);
void rollout_state_gate(struct rollout *r, size_t wave, const char *result, int exit_status);
/*
 * Writes the record into inv's metadata (one PATCH of the inventory block, keeping the lease
 * when lease is not NULL) and into inv itself, so that later writes of the run carry it.
 * Idempotent: a retried write converges. Returns 0 or a negative ls_code.
 */
int rollout_state_save(struct rollout *r, struct letta *api, json_t *inv, const json_t *lease,
		       struct ls_error *err);
/* Makes p's writes of the inventory carry the record (they were planned before it changed). */
void rollout_state_keep(const struct rollout *r, struct plan *p);
/* One line describing a recorded rollout: "rollout <id> (to 1.1.0): wave 2 of 3 ...". */
void rollout_state_describe(struct buf *out, const json_t *state);

/*
 * The waves of a sync plan (sync --waves, diff --waves): the agents p changes, existing ones
 * assigned as upgrade assigns them (canary tag, then the stable hash of the id), agents p
 * creates in the first wave. Returns [{"wave": 1, "agents": [{"id", "name"}]}, ...]; an agent
 * to create has "id" null.
 */
json_t *rollout_plan_waves(const struct rollout *r, const struct plan *p, const json_t *agents);
/* Sets "wave" (1-based) in the diff change e when its agent (id, or name for a create) is in waves. */
void rollout_mark_wave(json_t *e, const json_t *waves);
/* Logs the waves on stderr ("wave 1 of 3: bob, carol"). */
void rollout_log_waves(const json_t *waves);
/* The waves as a markdown section (diff --format markdown --waves). */
void rollout_waves_markdown(struct buf *out, const json_t *waves);
/*
 * sync --waves: applies r->plan wave by wave. The shared changes, the inventory and the
 * agents to create go with the first wave; each wave is re-planned against the server, takes
 * a snapshot first, and is followed by the gate and the wait, as upgrade's waves are. The
 * lease is held throughout. Each applied change is appended to changes (a diff change with
 * "status", "id", "error" and "wave") and printed (stdout, unless --json); snapshots gets the
 * snapshot ids; the agents a wave changed are recompiled before its gate (into r->recompiled,
 * unless it is NULL). Returns 0, LS_EFAIL (err says the change, the agent or the gate that failed;
 * with auto_rollback the waves done are restored) or LS_EINTERRUPTED.
 */
int rollout_sync(struct rollout *r, struct reconcile *rc, int break_lease, json_t *changes,
		 json_t *snapshots, struct ls_error *err);

#endif
