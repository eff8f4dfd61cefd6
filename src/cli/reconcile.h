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

/*
 * --concurrency for api/apply.c, which reads LETTA_SYNC_CONCURRENCY: conc when the option
 * was given (explicit), else a value already in the environment wins over conc. Shared by
 * sync and upgrade.
 */
void reconcile_export_concurrency(int conc, int explicit);

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

/* After apply: reads the remote state again and recomputes r->plan (sync's second pass). */
int reconcile_replan(struct reconcile *r, struct ls_error *err);
void reconcile_release(struct reconcile *r);

#endif
