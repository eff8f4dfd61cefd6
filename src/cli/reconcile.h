#ifndef LS_CLI_RECONCILE_H
#define LS_CLI_RECONCILE_H

/*
 * What diff and sync share: resolve the target, load and validate the manifests (refusing
 * invalid ones), read git's commit and version, open the API client, read the remote state
 * and compute the plan.
 */
#include "api/apply.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/model.h"
#include "core/plan.h"
#include "core/remote.h"

struct reconcile_opts;

struct reconcile {
	struct desired_state ds;
	struct remote_state rs;
	struct plan plan;
	struct letta *api;
	char *commit;  /* HEAD, "" when none */
	char *version; /* the work tree's version, "0.0.0" when none */
	int no_project; /* the project does not exist yet: its lists are empty */
	json_t *folder_files; /* Folder spec.files, read: see plan_opts.folder_files */
	json_t *lease;        /* the lease this run holds, or NULL */
	int lease_tried;      /* reconcile_lease_hold() ran: the lease is taken once per run */
	int leased;           /* a lease was written and is not released yet */
	long releaser;        /* the plan's action whose success released it, or -1 */
	json_t *force_names;  /* --interactive: objects git wins for, {"Kind/name": true} */
	/* The server's model lists, read once per run when a plan first sends a handle. */
	json_t *llm_models, *emb_models;
	int models_read;
	struct cli_ctx *ctx;
	struct reconcile_opts {
		unsigned plan_flags;   /* enum plan_flags */
		unsigned sections;     /* --only, 0 = all */
		const char *model;     /* --model */
		const char *embedding; /* --embedding */
		int create_project;    /* sync: create a missing project (diff plans against none) */
		int no_plan;           /* stop after reading the remote state (bootstrap) */
		int scope_soft;        /* a bad scope registry is a warning (bootstrap) */
		int keep_warnings;     /* the plan's warnings are left to the caller (status) */
	} opts;
};


/* The --only option of sync and diff: a bit set of sections, or LS_EUSAGE naming them all. */
int reconcile_parse_only(unsigned *out, const struct opts *o, struct ls_error *err);

/*
 * The planning options diff and sync share, read into ro: --prune, --force and --adopt (plan
 * flags, added to what ro has) and --model and --embedding (borrowed from o). Both tables
 * must list all five.
 */
void reconcile_parse_plan_opts(struct reconcile_opts *ro, const struct opts *o);

int reconcile_prepare(struct reconcile *r, struct cli_ctx *ctx, const struct reconcile_opts *o,
		      struct ls_error *err);
/*
 * Reads the server's model lists (GET /v1/models/ and /v1/models/embedding) into
 * r->llm_models and r->emb_models, once per run. A server that cannot list them leaves them
 * NULL with a warning starting with what; only auth errors and Ctrl-C are errors.
 */
int reconcile_models(struct reconcile *r, const char *what, struct ls_error *err);
/*
 * diff --out: saves the plan (its changes, the options it was made with and a fingerprint of
 * every remote object read) to path, written atomically.
 */
int reconcile_save_plan(const struct reconcile *r, const char *path, struct ls_error *err);
/* sync --plan: reads a saved plan; sets *o's plan options to those it was made with. */
int reconcile_load_plan(json_t **out, struct reconcile_opts *o, const char *path,
			struct ls_error *err);
/*
 * Refuses (LS_ECONFLICT, naming the objects) when a remote object the saved plan read has
 * changed or gone, or when the plan computed now differs from the saved one.
 */
int reconcile_check_plan(const struct reconcile *r, const json_t *saved, struct ls_error *err);

/*
 * The lease (docs/contract/PRODUCT.md section 3), in the inventory block's metadata: {holder, expires_at,
 * expires}. Taken before a sync writes (only when the plan writes something and the
 * inventory exists), refused with LS_ELEASE naming the holder while another live lease exists
 * unless break_lease. Best-effort: the API has no compare-and-swap. *taken tells whether a
 * lease was written (then reconcile_lease_release() must run, unless the inventory's own
 * rewrite, which carries no lease, already released it).
 */
int reconcile_lease_take(struct reconcile *r, int break_lease, int *taken, struct ls_error *err);
/*
 * Makes the plan's own rewrite of the inventory keep the lease when writes come after it
 * (agents); otherwise that rewrite, which carries no lease, releases it. Returns the index of
 * the inventory action that releases the lease, or -1 when an explicit release is needed.
 */
long reconcile_lease_keep(struct reconcile *r);
void reconcile_lease_release(struct reconcile *r);
/*
 * Moves the held lease's expiry to now plus its time to live (one PATCH of the inventory's
 * metadata, as read in r->rs plus the lease): a run that waits longer than that (a rollout's
 * gate or --wait) keeps the project. Returns 0 (also when no lease is held) or a negative
 * ls_code.
 */
int reconcile_lease_renew(struct reconcile *r, struct ls_error *err);
/* The lease's time to live: 600 s, or LETTA_SYNC_LEASE_SECONDS (3..86400; for tests). */
long reconcile_lease_seconds(void);

/*
 * Takes the project's lease once per run (reconcile_lease_take(), the first call only) and
 * makes r->plan's rewrite of the inventory keep it (reconcile_lease_keep(), every call; its
 * answer goes to r->releaser). Returns 0 or the take's error.
 */
int reconcile_lease_hold(struct reconcile *r, int break_lease, struct ls_error *err);
/*
 * Releases the lease this run holds, unless the plan's rewrite of the inventory did (action
 * r->releaser is done in res; res NULL: release it).
 */
void reconcile_lease_finish(struct reconcile *r, const struct apply_result *res);

/*
 * One pass of the sequence sync, upgrade and bootstrap share: read -> plan -> (snapshot) ->
 * lease -> apply. The command hands in its planner and its apply as values; reconcile_pass()
 * decides the order, so that no command writes before its snapshot and its lease.
 */
struct reconcile_pass {
	unsigned read; /* the lists to read first (apply_read_remote_kinds() bits); 0: r->rs as is */
	/*
	 * Fills r->plan (emptied first); NULL: r->plan as it is. Returns 0, a negative ls_code,
	 * or 1 to stop the pass there (nothing to write: a dry run).
	 */
	int (*plan)(struct reconcile *r, void *arg, struct ls_error *err);
	/* Before the lease and the first write (the snapshot); NULL: nothing. */
	int (*before)(struct reconcile *r, void *arg, struct ls_error *err);
	/* Whether the pass writes (then it holds the lease); NULL: plan_count_writes() > 0. */
	int (*writes)(const struct reconcile *r, void *arg);
	/* Applies r->plan (required); its return is the pass's. */
	int (*apply)(struct reconcile *r, void *arg, struct ls_error *err);
	void *arg;
	int lease;       /* hold the project's lease while it writes (reconcile_lease_hold()) */
	int break_lease; /* --break-lease */
};

int reconcile_pass(struct reconcile *r, const struct reconcile_pass *p, struct ls_error *err);

/*
 * apply_plan() of p with the progress line ("<what>: n/total changes") on a terminal, unless
 * quiet. total 0: the client counts.
 */
int reconcile_apply(struct apply_result *res, struct cli_ctx *ctx, struct letta *api,
		    const struct plan *p, int quiet, const char *what, size_t total,
		    struct ls_error *err);

/* The lists a plan of r->ds needs (apply_read_remote_kinds() bits). */
unsigned reconcile_read_kinds(const struct reconcile *r);
/* sync's and diff's planner, as a reconcile_pass.plan: r->plan from r->ds and r->rs. */
int reconcile_plan(struct reconcile *r, void *arg, struct ls_error *err);

/* After apply: reads the remote state again and recomputes r->plan (sync's second pass). */
int reconcile_replan(struct reconcile *r, struct ls_error *err);
void reconcile_release(struct reconcile *r);
/*
 * For a command that ends the process next: closes r's API client and, unless LS_FREE_AT_EXIT,
 * leaves the rest (desired and remote state, plan) to the kernel, still reachable from a static
 * so that valgrind counts it as reachable, not lost. Sanitizer builds free everything.
 */
void reconcile_release_at_exit(struct reconcile *r);

#endif
