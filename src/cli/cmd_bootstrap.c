/*
 * bootstrap: creates a new managed agent in five steps (the README's): create it from a
 * Template (tags, model, blocks, tools), pin it as lastAgent in .letta/settings.local.json,
 * auto-upgrade it to its channel's latest version when that is newer, run scope sync
 * (best-effort: a failure is a warning), and optionally exec Letta Code on it. --dry-run
 * sends no write request and touches no file.
 */
#include "cli/agent_steps.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/memfs_boot.h"
#include "cli/reconcile.h"
#include "core/bootstrap.h"
#include "core/ownership.h"
#include "repo/files.h"
#include "repo/settings.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct opt_spec spec[] = {
	CLI_COMMON_OPTS,
	{ "name", 0, OPT_VALUE, "<name>", "the new agent's name (required)" },
	{ "template", 0, OPT_VALUE, "<name>", "Template to use (default: the default Template)" },
	{ "minimal", 0, OPT_FLAG, NULL, "only core memory (persona, human); no template" },
	{ "model", 0, OPT_VALUE, "<handle>", "model when the template names none" },
	{ "embedding", 0, OPT_VALUE, "<handle>", "embedding when the template names none" },
	{ "tag", 0, OPT_MULTI, "<tag>...", "extra agent tags (repeatable)" },
	{ "identity", 0, OPT_VALUE, "<key>", "primary identity (identifier key)" },
	{ "identities", 0, OPT_MULTI, "<key>...", "more identities" },
	{ "auto-create-identity", 0, OPT_FLAG, NULL,
	  "create missing identities (the default; accepted for compatibility)" },
	{ "skip-upgrade", 0, OPT_FLAG, NULL, "skip the auto-upgrade step" },
	{ "yes-upgrade", 0, OPT_FLAG, NULL, "do not ask before the auto-upgrade (it never asks)" },
	{ "skip-scope-sync", 0, OPT_FLAG, NULL, "skip the best-effort scope sync" },
	{ "exec", 0, OPT_FLAG, NULL, "then replace this process with Letta Code on the agent" },
	{ "letta-path", 0, OPT_VALUE, "<path>", "the letta executable (default: letta on PATH)" },
	{ "letta-args", 0, OPT_MULTI, "<arg>...", "more arguments for letta (--letta-args=--x)" },
	{ "break-lease", 0, OPT_FLAG, NULL, "take the project's lease even if another run holds it" },
	{ "quiet", 'q', OPT_FLAG, NULL, "no progress display on a terminal" },
	OPT_END
};

static const char examples[] =
	"  letta-sync bootstrap --name my-agent\n"
	"  letta-sync bootstrap --name my-agent --template coding-assistant\n"
	"  letta-sync bootstrap --name my-agent --minimal --model openai/gpt-4o-mini\n"
	"  letta-sync bootstrap --name my-agent --dry-run\n"
	"  letta-sync bootstrap --name my-agent --exec --letta-args=--yolo\n";

/* The letta executable: --letta-path (must be executable), else "letta" on PATH. */
static char *find_letta(const char *custom)
{
	const char *path = getenv("PATH");
	struct buf b = BUF_INIT;

	if (custom)
		return access(custom, X_OK) == 0 ? xstrdup(custom) : NULL;
	while (path && *path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);
		struct stat st;

		buf_reset(&b);
		if (n)
			buf_add(&b, path, n);
		else
			buf_addch(&b, '.');
		buf_addstr(&b, "/letta");
		if (stat(b.buf, &st) == 0 && S_ISREG(st.st_mode) && access(b.buf, X_OK) == 0)
			return buf_detach(&b);
		path = e ? e + 1 : NULL;
	}
	buf_release(&b);
	return NULL;
}

/* The identity ids for --identity/--identities, created when missing (not with dry_run). */
static int identities(json_t *ids, json_t *report, struct cli_ctx *ctx, struct reconcile *r,
		      const char *const *keys, int n, const char *project)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		const json_t *o, *found = NULL;
		json_t *created = NULL, *body;
		size_t j;

		json_array_foreach(r->rs.identities, j, o)
			if (jsonx_get_str(o, "identifier_key") &&
			    !strcmp(jsonx_get_str(o, "identifier_key"), keys[i]))
				found = o;
		if (found) {
			json_array_append_new(ids, json_string(jsonx_get_str(found, "id")));
			json_array_append_new(report, json_pack("{s:s, s:s, s:b}", "identifier_key",
								keys[i], "id",
								jsonx_get_str(found, "id"),
								"created", 0));
			continue;
		}
		if (ctx->g.dry_run) {
			json_array_append_new(report, json_pack("{s:s, s:n, s:b}", "identifier_key",
								keys[i], "id", "created", 1));
			continue;
		}
		body = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:{s:s, s:s, s:s}}]}",
				 "identifier_key", keys[i], "name", keys[i], "identity_type", "user",
				 "properties", "key", OWN_IDENTITY_PROPERTY, "type", "json", "value",
				 "managed_by", OWN_MANAGER, "source", OWN_BOOTSTRAP_SOURCE, "project",
				 project);
		ret = letta_create(&created, r->api, LETTA_IDENTITY, body, NULL, NULL, &ctx->err);
		json_decref(body);
		if (ret < 0)
			return ret;
		if (!jsonx_get_str(created, "id")) {
			json_decref(created);
			return ls_error_set(&ctx->err, LS_EAPI, "identity '%s' was created without an id",
					    keys[i]);
		}
		json_array_append_new(ids, json_string(jsonx_get_str(created, "id")));
		json_array_append_new(report, json_pack("{s:s, s:s, s:b}", "identifier_key", keys[i],
							"id", jsonx_get_str(created, "id"),
							"created", 1));
		json_decref(created);
	}
	return 0;
}

static void print_list(struct cli_ctx *ctx, const char *title, const json_t *arr, const char *key)
{
	const json_t *v;
	size_t i;

	if (!json_array_size(arr))
		return;
	output_line(ctx, "%s:", title);
	json_array_foreach(arr, i, v)
		output_line(ctx, "  - %s", json_is_string(v) ? json_string_value(v)
					   : jsonx_get_str(v, key) ? jsonx_get_str(v, key)
								  : "?");
}

int cmd_bootstrap(int argc, char **argv, struct cli_ctx *ctx)
{
	struct opts o;
	struct reconcile r;
	struct reconcile_opts ro = { 0, 0, NULL, NULL, 0, 0, 0, 0 };
	struct bootstrap_opts bo;
	struct memfs_boot mem = { NULL, NULL, 0 };
	const struct resource *tmpl = NULL;
	const char *name, *channel, *project, *model, *embedding;
	const char **tags, **ids_more, **largs;
	int ntags = 0, nids = 0, nlargs = 0, ret, i, dry, leased = 0;
	const char **keys = NULL;
	char *letta = NULL, *agent_id = NULL;
	struct buf root = BUF_INIT;
	json_t *body = NULL, *warnings = json_array(), *idsj = json_array(),
	       *idrep = json_array(), *agent = NULL, *data = NULL, *w, *upgrade = NULL,
	       *scope = NULL;
	size_t k;

	memset(&r, 0, sizeof(r));
	ret = opts_parse(&o, spec, argc, argv, ctx, "letta-sync bootstrap --name <name> [options]",
			 examples, &ctx->err);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if ((ret = opts_no_args(&o, &ctx->err)) < 0)
		goto out;
	name = opts_value(&o, "name");
	if (!name || !*name) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "bootstrap needs --name <name>");
		ls_error_hint(&ctx->err, "e.g. letta-sync bootstrap --name my-agent");
		goto out;
	}
	if (opts_count(&o, "minimal") && opts_value(&o, "template")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE,
				   "--minimal and --template cannot be used together");
		goto out;
	}
	if ((opts_value(&o, "letta-path") || opts_count(&o, "letta-args")) &&
	    !opts_count(&o, "exec")) {
		ret = ls_error_set(&ctx->err, LS_EUSAGE, "--letta-path and --letta-args need --exec");
		goto out;
	}
	dry = ctx->g.dry_run;
	channel = ctx->g.channel ? ctx->g.channel : "stable";
	tags = opts_values(&o, "tag", &ntags);
	ids_more = opts_values(&o, "identities", &nids);
	largs = opts_values(&o, "letta-args", &nlargs);
	keys = xcalloc((size_t)nids + 2, sizeof(*keys));
	i = 0;
	if (opts_value(&o, "identity"))
		keys[i++] = opts_value(&o, "identity");
	for (int j = 0; j < nids; j++)
		keys[i++] = ids_more[j];
	nids = i;

	/* Step 5 needs letta: say so before anything is created. */
	if (opts_count(&o, "exec") && !(letta = find_letta(opts_value(&o, "letta-path")))) {
		if (opts_value(&o, "letta-path"))
			ret = ls_error_set(&ctx->err, LS_ENOTFOUND,
					   "--letta-path '%s' is not an executable file",
					   opts_value(&o, "letta-path"));
		else
			ret = ls_error_set(&ctx->err, LS_ENOTFOUND,
					   "Letta Code ('letta') was not found on PATH");
		ls_error_hint(&ctx->err, "install it with 'npm install -g @letta-ai/letta-code', or "
					 "give --letta-path <path>");
		goto out;
	}

	ro.model = opts_value(&o, "model");
	ro.embedding = opts_value(&o, "embedding");
	ro.create_project = 0; /* created below, once everything is known to be right */
	ro.no_plan = 1;
	ro.scope_soft = 1; /* scope sync is best-effort: a bad registry only skips it */
	if ((ret = reconcile_prepare(&r, ctx, &ro, &ctx->err)) < 0)
		goto out;
	project = ctx->target.project.slug ? ctx->target.project.slug
		  : ctx->target.project.id ? ctx->target.project.id
					   : "";

	/* Never a second agent with that name in the project. */
	agent = (json_t *)bootstrap_find_agent(r.rs.agents, name);
	if (agent) {
		ret = ls_error_set(&ctx->err, LS_ECONFLICT,
				   "an agent named '%s' already exists in project '%s' (%s)", name,
				   *project ? project : "(none)", jsonx_get_str(agent, "id"));
		ls_error_hint(&ctx->err, "choose another --name, or update it with 'letta-sync sync' "
					 "or 'letta-sync upgrade --agent %s'",
			      jsonx_get_str(agent, "id"));
		agent = NULL;
		goto out;
	}
	if ((ret = bootstrap_template(&tmpl, &r.ds, opts_value(&o, "template"),
				      opts_count(&o, "minimal"), &ctx->err)) < 0)
		goto out;

	model = ro.model ? ro.model : getenv("LETTA_DEFAULT_MODEL");
	if (!model || !*model)
		model = getenv("LETTA_MODEL");
	embedding = ro.embedding ? ro.embedding : getenv("LETTA_DEFAULT_EMBEDDING");
	memset(&bo, 0, sizeof(bo));
	bo.name = name;
	bo.tmpl = tmpl;
	bo.channel = channel;
	bo.version = r.version;
	bo.project = project;
	bo.model = model;
	bo.embedding = embedding;
	bo.tags = tags;
	bo.ntags = (size_t)ntags;
	if (!bootstrap_model(&bo)) {
		/*
		 * Nothing names a model: the server's default (bootstrap_default_model(): Letta
		 * Cloud's letta/letta-free when served, else the first model GET /v1/models/
		 * lists), and say which.
		 */
		if ((ret = reconcile_models(&r, "no default model from the server", &ctx->err)) < 0)
			goto out;
		if ((model = bootstrap_default_model(r.llm_models))) {
			bo.model = model;
			output_warn(ctx,
				    "no model named (template modelConfig.model, --model, "
				    "LETTA_DEFAULT_MODEL, LETTA_MODEL): using '%s', %s",
				    model,
				    !strcmp(model, "letta/letta-free")
					    ? "the server's default (letta/letta-free)"
					    : "the first model the server lists (GET /v1/models/)");
		}
	}
	if (!bootstrap_model(&bo)) {
		ret = bootstrap_body(&body, &r.ds, &r.rs, &bo, warnings, &ctx->err);
		goto out;
	}

	/* The pin must be possible before anything is created (a malformed file is an error). */
	settings_root(&root, ".");
	{
		json_t *cur = NULL;

		if ((ret = settings_load(&cur, root.buf, &ctx->err)) < 0)
			goto out;
		json_decref(cur);
		/* Nor may a symbolic link carry it out of the repository (issue 20). */
		if ((ret = files_check_inside(root.buf, ".letta/settings.local.json", &ctx->err)) < 0)
			goto out;
	}
	/* Memory files (issue 25): read and checked before anything is created. */
	if (tmpl && memfiles_dir(json_object_get(tmpl->spec, "agent")) &&
	    (ret = memfs_boot_load(&mem, root.buf, memfiles_dir(json_object_get(tmpl->spec, "agent")),
				   &ctx->err)) < 0)
		goto out;

	/* Like sync and upgrade: refuse while another run holds the project's lease. */
	if (!dry && (ret = reconcile_lease_take(&r, opts_count(&o, "break-lease") > 0, &leased,
						&ctx->err)) < 0)
		goto out;

	/* Step 1: the project (when new), identities, then the agent. */
	if (r.no_project && !dry) {
		json_t *p = NULL;

		if ((ret = letta_project_create(&p, r.api, ctx->target.project.slug, &ctx->err)) < 0)
			goto out;
		json_decref(p);
		log_info("created project '%s'", ctx->target.project.slug);
		if ((ret = letta_project_resolve(r.api, ctx->target.project.slug, NULL,
						 &ctx->err)) < 0)
			goto out;
	}
	if ((ret = identities(idsj, idrep, ctx, &r, keys, nids, project)) < 0)
		goto out;
	bo.identity_ids = idsj;
	if ((ret = bootstrap_body(&body, &r.ds, &r.rs, &bo, warnings, &ctx->err)) < 0)
		goto out;
	/* What status shows as the last write from git (sync and upgrade record it too). */
	if (json_is_object(json_object_get(body, "metadata")))
		json_object_set_new(json_object_get(body, "metadata"), "letta_sync",
				    json_pack("{s:s, s:s, s:s, s:s}", "commit", r.commit ? r.commit : "",
					      "version", r.version, "at", output_now(), "by",
					      "bootstrap"));
	json_array_foreach(warnings, k, w)
		output_warn(ctx, "%s", json_string_value(w));

	data = json_pack("{s:b, s:s, s:s?, s:s, s:s, s:O, s:O, s:O}", "dry_run", dry, "name", name,
			 "template", tmpl ? tmpl->name : NULL, "channel", channel, "version",
			 r.version, "tags", json_object_get(body, "tags"), "model",
			 json_object_get(body, "model"), "identities", idrep);
	json_object_set(data, "embedding", json_object_get(body, "embedding")
						  ? json_object_get(body, "embedding")
						  : json_null());
	{
		json_t *labels = json_array(), *b;

		json_array_foreach(json_object_get(body, "memory_blocks"), k, b)
			json_array_append(labels, json_object_get(b, "label"));
		json_object_set_new(data, "memory_blocks", labels);
	}

	if (dry) {
		json_object_set_new(data, "agent", json_null());
		json_object_set_new(data, "pinned", json_pack("{s:s, s:s}", "root", root.buf, "file",
							      ".letta/settings.local.json"));
		if (!ctx->g.json) {
			output_line(ctx, "Dry run: nothing was created or written.");
			output_line(ctx, "Would create agent: %s", name);
			output_line(ctx, "Template: %s", tmpl ? tmpl->name : "(none: minimal)");
			output_line(ctx, "Model: %s", json_string_value(json_object_get(body, "model")));
			print_list(ctx, "Memory blocks", json_object_get(data, "memory_blocks"), NULL);
			print_list(ctx, "Tags", json_object_get(body, "tags"), NULL);
			print_list(ctx, "Identities", idrep, "identifier_key");
			output_line(ctx, "Would pin it in %s/.letta/settings.local.json", root.buf);
			if (!opts_count(&o, "skip-upgrade"))
				output_line(ctx, "Would auto-upgrade it on channel '%s' when a newer "
						 "version exists",
					    channel);
			if (!opts_count(&o, "skip-scope-sync"))
				output_line(ctx, "Would run scope sync");
			if (letta)
				output_line(ctx, "Would launch: %s --agent <new agent id>", letta);
		} else {
			output_json_ok(ctx, json_incref(data), NULL);
		}
		goto out;
	}

	if ((ret = letta_create(&agent, r.api, LETTA_AGENT, body, NULL, NULL, &ctx->err)) < 0)
		goto out;
	if (!jsonx_get_str(agent, "id")) {
		ret = ls_error_set(&ctx->err, LS_EAPI, "agent '%s' was created without an id", name);
		goto out;
	}
	agent_id = xstrdup(jsonx_get_str(agent, "id"));
	json_object_set_new(data, "agent", json_pack("{s:s, s:s, s:s}", "id", agent_id, "name", name,
						      "project", project));
	output_line(ctx, "%sCreated agent%s %s (%s)", output_color("green"), output_color("reset"),
		    name, agent_id);
	output_line(ctx, "Template: %s", tmpl ? tmpl->name : "(none: minimal)");
	print_list(ctx, "Tags", json_object_get(body, "tags"), NULL);
	print_list(ctx, "Identities", idrep, "identifier_key");
	/* Step 1b: its memory files, pushed as one commit (non-fatal: sync pushes them later). */
	if (mem.dir) {
		json_t *mrep = NULL;
		struct ls_error merr = LS_ERROR_INIT;

		if (memfs_boot_push(&mem, ctx, r.api, root.buf, name, agent_id, r.commit, &mrep,
				    &merr) < 0)
			output_warn(ctx, "memory files of %s not pushed (non-fatal; 'letta-sync sync' "
					 "pushes them): %s",
				    name, merr.msg);
		else
			output_line(ctx, "Memory: %zu file(s) from %s pushed", mem.n, mem.dir);
		json_object_set_new(data, "memory", mrep);
	}

	/* Step 2: pin it. */
	{
		int g;

		if ((ret = settings_pin_agent(root.buf, agent_id, ctx->target.base_url, &ctx->err)) < 0)
			goto out;
		g = gitignore_ensure_settings(root.buf, &ctx->err);
		if (g < 0) {
			output_warn(ctx, "could not update .gitignore: %s", ctx->err.msg);
			ls_error_clear(&ctx->err);
		}
		json_object_set_new(data, "pinned",
				    json_pack("{s:s, s:s, s:b}", "root", root.buf, "file",
					      ".letta/settings.local.json", "gitignore_updated",
					      g > 0));
		output_line(ctx, "Pinned %s in %s/.letta/settings.local.json%s", agent_id, root.buf,
			    g > 0 ? " (added to .gitignore)" : "");
	}

	/* Step 3: auto-upgrade to the channel's latest version when it is newer. */
	if (!opts_count(&o, "skip-upgrade") && !tmpl) {
		/* Made from no template: nothing to upgrade (upgrade --all skips it too). */
		log_verbose("auto-upgrade skipped: agent '%s' has no template", name);
		upgrade = json_pack("{s:b, s:b, s:s}", "upgraded", 0, "skipped", 1, "reason",
				    "no template: nothing to upgrade");
	} else if (!opts_count(&o, "skip-upgrade")) {
		struct upgrade_one_opts uo;
		struct ls_error uerr = LS_ERROR_INIT;
		struct progress pr = PROGRESS_INIT;
		int uret;

		memset(&uo, 0, sizeof(uo));
		uo.agent_id = agent_id;
		uo.channel = channel;
		uo.current = r.version;
		uo.project = project;
		uo.model = model;
		uo.embedding = embedding;
		progress_start(&pr, ctx, opts_count(&o, "quiet") > 0, "bootstrap", "changes", 0);
		letta_set_progress(r.api, progress_letta, &pr);
		uret = upgrade_one_agent(&upgrade, r.api, &uo, &uerr);
		letta_set_progress(r.api, NULL, NULL);
		progress_finish(&pr);
		if (uret < 0) {
			output_warn(ctx, "auto-upgrade failed (non-fatal): %s%s%s", uerr.msg,
				    uerr.where[0] ? " at " : "", uerr.where);
			upgrade = json_pack("{s:b, s:s}", "upgraded", 0, "error", uerr.msg);
		} else if (json_is_true(json_object_get(upgrade, "upgraded"))) {
			output_line(ctx, "Upgraded to %s (channel %s)",
				    jsonx_get_str(upgrade, "available"), channel);
		} else {
			log_verbose("auto-upgrade: %s is the latest version on channel %s",
				    r.version, channel);
		}
	} else {
		log_verbose("auto-upgrade skipped (--skip-upgrade)");
	}
	json_object_set_new(data, "upgrade", upgrade ? upgrade : json_null());
	upgrade = NULL;

	/* Step 4: scope sync, best-effort. */
	if (!opts_count(&o, "skip-scope-sync")) {
		struct scope_step_opts so;
		struct ls_error serr = LS_ERROR_INIT;

		memset(&so, 0, sizeof(so));
		so.agent_id = agent_id;
		if (scope_step_run(&scope, ctx, r.api, &so, &serr) < 0) {
			output_warn(ctx, "scope sync failed (non-fatal): %s%s%s", serr.msg,
				    serr.where[0] ? " at " : "", serr.where);
			scope = json_pack("{s:b, s:s}", "ok", 0, "error", serr.msg);
		} else {
			scope_step_print(ctx, scope);
			json_object_set_new(scope, "ok", json_true());
		}
	} else {
		log_verbose("scope sync skipped (--skip-scope-sync)");
	}
	json_object_set_new(data, "scope_sync", scope ? scope : json_null());
	scope = NULL;

	if (ctx->g.json)
		output_json_ok(ctx, json_incref(data), NULL);
	else if (!letta)
		output_line(ctx, "Agent %s bootstrapped; run 'letta --agent %s' to talk to it",
			    name, agent_id);

	if (leased) {
		reconcile_lease_release(&r);
		leased = 0;
	}

	/* Step 5: replace this process with Letta Code. */
	if (letta) {
		char **av = xcalloc((size_t)nlargs + 4, sizeof(*av));
		int n = 0;

		av[n++] = letta;
		av[n++] = (char *)"--agent";
		av[n++] = agent_id;
		for (i = 0; i < nlargs; i++)
			av[n++] = (char *)largs[i];
		log_info("Launching Letta Code with agent %s", agent_id);
		fflush(stdout);
		fflush(stderr);
		execv(letta, av);
		ret = ls_error_set(&ctx->err, LS_EFAIL, "cannot run '%s': %s", letta,
				   strerror(errno));
		free(av);
		if (ctx->g.json)
			ctx->err_reported = 1; /* one document already printed */
	}
out:
	if (leased)
		reconcile_lease_release(&r);
	memfs_boot_release(&mem);
	json_decref(body);
	json_decref(warnings);
	json_decref(idsj);
	json_decref(idrep);
	json_decref(agent);
	json_decref(data);
	json_decref(upgrade);
	json_decref(scope);
	free(keys);
	free(letta);
	free(agent_id);
	buf_release(&root);
	reconcile_release(&r);
	opts_release(&o);
	return ret;
}
