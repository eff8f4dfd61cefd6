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
	struct cli_ctx *ctx;
	struct reconcile_opts {
		unsigned plan_flags;   /* enum plan_flags */
		unsigned sections;     /* --only, 0 = all */
		const char *model;     /* --model */
		const char *embedding; /* --embedding */
		int create_project;    /* sync: create a missing project (diff plans against none) */
	} opts;
};


/* The --only option of sync and diff: a bit set of sections, or LS_EUSAGE naming them all. */
int reconcile_parse_only(unsigned *out, const struct opts *o, struct ls_error *err);

int reconcile_prepare(struct reconcile *r, struct cli_ctx *ctx, const struct reconcile_opts *o,
		      struct ls_error *err);
/* After apply: reads the remote state again and recomputes r->plan (sync's second pass). */
int reconcile_replan(struct reconcile *r, struct ls_error *err);
void reconcile_release(struct reconcile *r);

#endif
