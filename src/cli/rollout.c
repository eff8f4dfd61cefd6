/*
 * Rollouts (rollout.h): the parts of upgrade --waves that are not planning: the snapshot
 * before each wave, the gate command, the wait, and the rollback through 'restore'.
 */
#include "cli/rollout.h"

#include "api/apply.h"
#include "cli/memfs_recompile.h"
#include "cli/output.h"
#include "cli/render_diff.h"
#include "cli/snapshot_save.h"
#include "core/ownership.h"
#include "core/snapshot.h"
#include "util/buf.h"
#include "util/interrupt.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* "30", "30s", "5m", "1h" -> seconds; -1 when not a duration. */
static long parse_duration(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0)
		return -1;
	if (!strcmp(end, "") || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

int rollout_init(struct rollout *r, const char *waves, const char *gate, const char *wait,
		 const char *gate_timeout, const char *canary_tag, int auto_rollback,
		 struct ls_error *err)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->gate = gate;
	r->canary_tag = canary_tag;
	r->auto_rollback = auto_rollback;
	r->wait_s = wait ? parse_duration(wait) : 0;
	r->gate_timeout_s = gate_timeout ? parse_duration(gate_timeout) : 600;
	if (r->wait_s < 0)
		return ls_error_set(err, LS_EUSAGE, "--wait '%s' is not a duration (30s, 5m, 1h)",
				    wait);
	if (r->gate_timeout_s <= 0)
		return ls_error_set(err, LS_EUSAGE,
				    "--gate-timeout '%s' is not a duration (30s, 5m, 1h)",
				    gate_timeout);
	if ((ret = waves_parse(&r->waves, &r->nwaves, waves, err)) < 0)
		return ret;
	return 0;
}

int rollout_init_opts(struct rollout *r, int *on, const struct opts *o, struct ls_error *err)
{
	*on = opts_value(o, "waves") != NULL;
	if (!*on) {
		memset(r, 0, sizeof(*r));
		if (opts_value(o, "gate") || opts_count(o, "auto-rollback") ||
		    opts_value(o, "canary-tag") || opts_value(o, "wait") ||
		    opts_value(o, "gate-timeout"))
			return ls_error_set(err, LS_EUSAGE, "'--gate', '--wait', '--gate-timeout', "
							    "'--canary-tag' and '--auto-rollback' "
							    "need '--waves'");
		return 0;
	}
	return rollout_init(r, opts_value(o, "waves"), opts_value(o, "gate"), opts_value(o, "wait"),
			    opts_value(o, "gate-timeout"), opts_value(o, "canary-tag"),
			    opts_count(o, "auto-rollback"), err);
}

void rollout_release(struct rollout *r)
{
	size_t i;

	for (i = 0; i < r->nsnapshots; i++)
		free(r->snapshots[i]);
	free(r->snapshots);
	free(r->waves);
	json_decref(r->state);
	memset(r, 0, sizeof(*r));
}

int rollout_snapshot(struct rollout *r, struct cli_ctx *ctx, struct letta *api,
		     const struct remote_state *rs, const struct plan *p, const char *commit,
		     struct ls_error *err)
{
	json_t *content = snapshot_collect(p, rs);
	char *id = NULL;
	int ret;

	snapshot_add_inventory(content, rs, cli_project_slug(ctx));
	ret = cli_snapshot_save(ctx, api, content, p, ctx->command ? ctx->command : "upgrade", commit,
				&id, err);
	if (ret < 0)
		return ret;
	if (r->nwaves)
		log_info("snapshot %s saved: 'letta-sync restore %s' undoes wave %zu", id, id,
			 r->wave + 1);
	else
		log_info("snapshot %s saved: 'letta-sync restore %s' undoes it", id, id);
	r->snapshots = xrealloc(r->snapshots, (r->nsnapshots + 1) * sizeof(*r->snapshots));
	r->snapshots[r->nsnapshots++] = id;
	if (r->state) {
		json_t *w = json_array_get(json_object_get(r->state, "wave"), r->wave);

		if (!json_is_array(json_object_get(w, "snapshots")))
			json_object_set_new(w, "snapshots", json_array());
		json_array_append_new(json_object_get(w, "snapshots"), json_string(id));
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupt_requested())
		;
}

/*
 * Renews the lease when renew_s seconds passed since *last (ms waited so far): a gate or a
 * wait longer than the lease's time to live must not let another run take the project.
 */
static void maybe_renew(const struct rollout *r, long waited_ms, long *last_ms)
{
	if (!r || !r->renew || r->renew_s <= 0 || waited_ms - *last_ms < r->renew_s * 1000)
		return;
	*last_ms = waited_ms;
	if (r->renew(r->renew_arg) < 0)
		log_warn("could not renew the lease (it expires by itself)");
}

extern char **environ;

/* Sets name=value in the NULL-terminated envp of n entries (xmalloc'd strings); returns n. */
static size_t env_put(char ***envp, size_t n, const char *name, const char *value)
{
	size_t len = strlen(name), i;
	struct buf e = BUF_INIT;

	buf_addf(&e, "%s=%s", name, value);
	for (i = 0; i < n; i++)
		if (!strncmp((*envp)[i], name, len) && (*envp)[i][len] == '=') {
			free((*envp)[i]);
			(*envp)[i] = buf_detach(&e);
			return n;
		}
	*envp = xrealloc(*envp, (n + 2) * sizeof(**envp));
	(*envp)[n++] = buf_detach(&e);
	(*envp)[n] = NULL;
	return n;
}

/*
 * The child's environment, for execve: ours, with where the server is, which project, the
 * --concurrency given, and env's name/value pairs. Built before fork; env_free() frees it.
 */
static char **child_env(struct cli_ctx *ctx, const char *const *env)
{
	char **envp = xcalloc(1, sizeof(*envp));
	size_t n = 0;
	char conc[16];

	for (char **e = environ; e && *e; e++) {
		envp = xrealloc(envp, (n + 2) * sizeof(*envp));
		envp[n++] = xstrdup(*e);
		envp[n] = NULL;
	}
	if (ctx->target.base_url)
		n = env_put(&envp, n, "LETTA_BASE_URL", ctx->target.base_url);
	if (cli_project_slug(ctx)[0])
		n = env_put(&envp, n, "LETTA_SYNC_PROJECT", cli_project_slug(ctx));
	if (ctx->concurrency > 0) {
		snprintf(conc, sizeof(conc), "%d", ctx->concurrency);
		n = env_put(&envp, n, "LETTA_SYNC_CONCURRENCY", conc);
	}
	for (; env && env[0]; env += 2)
		n = env_put(&envp, n, env[0], env[1]);
	return envp;
}

static void env_free(char **envp)
{
	for (char **e = envp; e && *e; e++)
		free(*e);
	free(envp);
}

/*
 * Runs argv (or sh -c cmd) with stdout on our stderr, in its own process group; waits up to
 * timeout_s (0: no limit). Returns the exit status, 128+signal, -2 on time-out, -1 when it
 * could not start.
 */
static int run_child(const struct rollout *r, struct cli_ctx *ctx, char *const *argv,
		     const char *const *env, long timeout_s)
{
	char **envp = child_env(ctx, env);
	long waited = 0, renewed = 0;
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		env_free(envp);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execve(argv[0], argv, envp);
		fprintf(stderr, "letta-sync: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	env_free(envp);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if ((timeout_s && waited >= timeout_s * 1000) || interrupt_requested()) {
			kill(-pid, SIGTERM);
			sleep_ms(500);
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -2;
		}
		sleep_ms(50);
		waited += 50;
		maybe_renew(r, waited, &renewed);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int rollout_gate(struct rollout *r, struct cli_ctx *ctx, size_t wave, const char *ids,
		 struct ls_error *err)
{
	char wv[32], nw[32];
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)r->gate, NULL };
	const char *env[] = { "LETTA_SYNC_WAVE", wv, "LETTA_SYNC_WAVES", nw,
			      "LETTA_SYNC_WAVE_AGENTS", ids, NULL, NULL };
	int st;

	snprintf(wv, sizeof(wv), "%zu", wave + 1);
	snprintf(nw, sizeof(nw), "%zu", r->nwaves);
	log_info("wave %zu of %zu: running the gate", wave + 1, r->nwaves);
	st = run_child(r, ctx, argv, env, r->gate_timeout_s);
	r->gate_exit = st >= 0 ? st : -1;
	if (st == 0) {
		log_info("wave %zu of %zu: the gate passed", wave + 1, r->nwaves);
		return 0;
	}
	if (st == -2 && interrupt_requested())
		return ls_error_set(err, LS_EINTERRUPTED, "wave %zu of %zu: interrupted while the "
							  "gate ran ('upgrade --resume' runs it again)",
				    wave + 1, r->nwaves);
	if (st == -2)
		ls_error_set(err, LS_EFAIL, "wave %zu of %zu: the gate timed out after %lds; "
					    "the rollout stopped",
			     wave + 1, r->nwaves, r->gate_timeout_s);
	else if (st == -1)
		ls_error_set(err, LS_EFAIL, "wave %zu of %zu: the gate could not run; the "
					    "rollout stopped", wave + 1, r->nwaves);
	else
		ls_error_set(err, LS_EFAIL, "wave %zu of %zu: the gate failed (exit status %d); "
					    "the rollout stopped",
			     wave + 1, r->nwaves, st);
	return LS_EFAIL;
}

void rollout_wait(const struct rollout *r)
{
	long waited = 0, renewed = 0;

	if (r->wait_s <= 0)
		return;
	log_info("waiting %lds before the next wave", r->wait_s);
	while (waited < r->wait_s * 1000 && !interrupt_requested()) {
		long step = r->wait_s * 1000 - waited < 200 ? r->wait_s * 1000 - waited : 200;

		sleep_ms(step);
		waited += step;
		maybe_renew(r, waited, &renewed);
	}
}

void rollout_print_restore(const struct rollout *r)
{
	size_t i;

	if (!r->nsnapshots)
		return;
	/* Plain lines, to copy and paste. */
	fprintf(stderr, "to undo the rollout, run (newest first):\n");
	for (i = r->nsnapshots; i-- > 0;)
		fprintf(stderr, "  letta-sync restore %s\n", r->snapshots[i]);
}

int rollout_rollback(const struct rollout *r, struct cli_ctx *ctx, struct ls_error *err)
{
	size_t i, failed = 0;

	for (i = r->nsnapshots; i-- > 0;) {
		char *argv[] = { (char *)"/proc/self/exe", (char *)"restore", r->snapshots[i],
				 r->break_lease ? (char *)"--break-lease" : NULL, NULL };
		int st;

		log_info("rolling back: letta-sync restore %s", r->snapshots[i]);
		st = run_child(NULL, ctx, argv, NULL, 0);
		if (st != 0) {
			log_error("'letta-sync restore %s' failed (exit status %d)", r->snapshots[i],
				  st);
			failed++;
		}
	}
	if (failed)
		return ls_error_set(err, LS_EFAIL, "the rollback failed for %zu of %zu snapshot(s)",
				    failed, r->nsnapshots);
	return 0;
}

void rollout_state_start(struct rollout *r, const char *waves_text, const char *target,
			 const char *const *ids, const size_t *wave, const char *const *to,
			 size_t n)
{
	json_t *waves = json_array(), *versions = json_object();
	char id[48];
	size_t i, k;

	/* The id: when it started, and a hash of the process and the clock (as snapshot ids). */
	{
		time_t now = time(NULL);
		char when[24];
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(when, sizeof(when), "%ld.%ld.%ld", (long)now, (long)ts.tv_nsec,
			 (long)getpid());
		strftime(id, sizeof(id), "%Y%m%dT%H%M%SZ", gmtime(&now));
		snprintf(id + strlen(id), sizeof(id) - strlen(id), "-%06llx",
			 waves_hash(when) & 0xffffffULL);
	}
	for (k = 0; k < r->nwaves; k++) {
		json_t *agents = json_array();

		for (i = 0; i < n; i++)
			if (wave[i] == k)
				json_array_append_new(agents, json_string(ids[i]));
		json_array_append_new(waves, json_pack("{s:o, s:s, s:n, s:n, s:[]}", "agents", agents,
						       "status", "pending", "gate", "gate_exit",
						       "snapshots"));
	}
	for (i = 0; i < n; i++)
		json_object_set_new(versions, ids[i], json_string(to[i]));
	json_decref(r->state);
	r->state = json_pack("{s:s, s:s, s:o, s:s, s:o, s:I, s:I, s:o, s:b, s:s, s:o, s:o}", "id",
			     id, "status", "running", "target", jsonx_str_or_null(target), "waves",
			     waves_text, "gate", jsonx_str_or_null(r->gate), "gate_timeout",
			     (json_int_t)r->gate_timeout_s, "wait", (json_int_t)r->wait_s,
			     "canary_tag", jsonx_str_or_null(r->canary_tag), "auto_rollback",
			     r->auto_rollback, "started_at", output_now(), "versions", versions,
			     "wave", waves);
}

const json_t *rollout_state_find(const json_t *inv)
{
	const json_t *st = json_object_get(json_object_get(inv, "metadata"), "rollout");
	const char *status = jsonx_get_str(st, "status");

	if (!status || (strcmp(status, "running") && strcmp(status, "stopped")))
		return NULL;
	return st;
}

int rollout_state_load(json_t **state, const json_t *inv, struct ls_error *err)
{
	const json_t *st = rollout_state_find(inv);

	*state = NULL;
	if (!st || !json_is_array(json_object_get(st, "wave")) || !jsonx_get_str(st, "waves") ||
	    !json_is_object(json_object_get(st, "versions"))) {
		ls_error_set(err, LS_ENOTFOUND, "no rollout in progress in this project");
		ls_error_hint(err, "'letta-sync status' shows a rollout in progress; 'upgrade --all "
				   "--waves <list>' starts one");
		return LS_ENOTFOUND;
	}
	*state = json_deep_copy(st);
	return 0;
}

void rollout_state_adopt(struct rollout *r, json_t *state_take)
{
	const json_t *w, *id;
	size_t i, j;

	json_decref(r->state);
	r->state = state_take;
	json_array_foreach(json_object_get(r->state, "wave"), i, w)
		json_array_foreach(json_object_get(w, "snapshots"), j, id)
		{
			if (!json_is_string(id))
				continue;
			r->snapshots = xrealloc(r->snapshots,
						(r->nsnapshots + 1) * sizeof(*r->snapshots));
			r->snapshots[r->nsnapshots++] = xstrdup(json_string_value(id));
		}
}

const char *rollout_state_agent(const struct rollout *r, const char *id, size_t *wave)
{
	const json_t *w;
	size_t i;

	json_array_foreach(json_object_get(r->state, "wave"), i, w)
		if (jsonx_array_has_str(json_object_get(w, "agents"), id)) {
			*wave = i;
			return jsonx_get_str(json_object_get(r->state, "versions"), id);
		}
	return NULL;
}

size_t rollout_state_first_open(const struct rollout *r)
{
	const json_t *w;
	size_t i;

	json_array_foreach(json_object_get(r->state, "wave"), i, w)
		if (strcmp(jsonx_get_str(w, "status") ? jsonx_get_str(w, "status") : "", "passed"))
			return i;
	return json_array_size(json_object_get(r->state, "wave"));
}

void rollout_state_set(struct rollout *r, const char *status)
{
	if (r->state)
		json_object_set_new(r->state, "status", json_string(status));
}

void rollout_state_wave(struct rollout *r, size_t wave, const char *status)
{
	json_t *w = json_array_get(json_object_get(r->state, "wave"), wave);

	if (w)
		json_object_set_new(w, "status", json_string(status));
}

void rollout_state_gate(struct rollout *r, size_t wave, const char *result, int exit_status)
{
	json_t *w = json_array_get(json_object_get(r->state, "wave"), wave);

	if (!w)
		return;
	json_object_set_new(w, "gate", json_string(result));
	json_object_set_new(w, "gate_exit",
			    exit_status >= 0 ? json_integer(exit_status) : json_null());
}

int rollout_state_save(struct rollout *r, struct letta *api, json_t *inv, const json_t *lease,
		       struct ls_error *err)
{
	json_t *meta, *body, *reply = NULL;
	int ret;

	if (!r->state)
		return 0;
	if (!inv || !jsonx_get_str(inv, "id")) {
		log_warn("the project has no inventory: the rollout is not recorded ('--resume' "
			 "cannot continue it)");
		return 0;
	}
	meta = json_deep_copy(json_object_get(inv, "metadata"));
	if (!json_is_object(meta)) {
		json_decref(meta);
		meta = json_object();
	}
	json_object_set_new(meta, "rollout", json_deep_copy(r->state));
	if (lease)
		json_object_set(meta, "lease", (json_t *)lease);
	else
		json_object_del(meta, "lease");
	body = json_pack("{s:o}", "metadata", meta);
	ret = letta_update(&reply, api, LETTA_BLOCK, jsonx_get_str(inv, "id"), body, err);
	json_decref(body);
	json_decref(reply);
	if (ret < 0) {
		ls_error_hint(err, "the rollout's record in the inventory could not be written; "
				   "run the same command again");
		return ret;
	}
	/* The in-memory inventory too: the lease's release and the plan's rewrites copy it. */
	if (!json_is_object(json_object_get(inv, "metadata")))
		json_object_set_new(inv, "metadata", json_object());
	json_object_set_new(json_object_get(inv, "metadata"), "rollout",
			    json_deep_copy(r->state));
	return 0;
}

void rollout_state_keep(const struct rollout *r, struct plan *p)
{
	size_t i, j;

	if (!r->state)
		return;
	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (!a->internal || a->kind != KIND_BLOCK || strcmp(a->name, OWN_INVENTORY_LABEL))
			continue;
		for (j = 0; j < a->nreqs; j++) {
			json_t *meta = json_object_get(a->reqs[j].body, "metadata");

			if (json_is_object(meta))
				json_object_set_new(meta, "rollout", json_deep_copy(r->state));
		}
	}
}

void rollout_state_describe(struct buf *out, const json_t *st)
{
	const json_t *waves = json_object_get(st, "wave"), *w;
	size_t i, n = json_array_size(waves), open = n;

	json_array_foreach(waves, i, w)
		if (open == n && strcmp(jsonx_get_str(w, "status") ? jsonx_get_str(w, "status") : "",
					"passed"))
			open = i;
	buf_addf(out, "rollout %s", jsonx_get_str(st, "id") ? jsonx_get_str(st, "id") : "?");
	if (jsonx_get_str(st, "target"))
		buf_addf(out, " to %s", jsonx_get_str(st, "target"));
	buf_addf(out, ": %s", jsonx_get_str(st, "status") ? jsonx_get_str(st, "status") : "?");
	if (open < n)
		buf_addf(out, " at wave %zu of %zu", open + 1, n);
	buf_addstr(out, " (");
	json_array_foreach(waves, i, w)
		buf_addf(out, "%s%zu: %zu agent(s) %s%s%s", i ? ", " : "", i + 1,
			 json_array_size(json_object_get(w, "agents")),
			 jsonx_get_str(w, "status") ? jsonx_get_str(w, "status") : "?",
			 jsonx_get_str(w, "gate") ? ", gate " : "",
			 jsonx_get_str(w, "gate") ? jsonx_get_str(w, "gate") : "");
	buf_addstr(out, ")");
}

json_t *rollout_plan_waves(const struct rollout *r, const struct plan *p, const json_t *agents)
{
	json_t *seen = json_object(), *out = json_array(), *creates = json_array();
	const char **ids = xcalloc(p->n + 1, sizeof(*ids));
	int *canary = xcalloc(p->n + 1, sizeof(*canary));
	size_t *wave = xcalloc(p->n + 1, sizeof(*wave));
	size_t i, k, m = 0;

	for (i = 0; i < p->n; i++) {
		const struct plan_action *a = &p->items[i];

		if (a->internal || a->skip || a->change == CHANGE_CONFLICT ||
		    a->change == CHANGE_DOWNGRADE || a->change == CHANGE_DRIFT)
			continue;
		if (!a->agent) {
			if (a->kind == KIND_AGENT && a->change == CHANGE_CREATE)
				json_array_append_new(creates, json_pack("{s:n, s:s}", "id", "name",
									 a->name));
			continue;
		}
		if (json_object_get(seen, a->agent))
			continue;
		json_object_set_new(seen, a->agent, json_true());
		ids[m++] = a->agent;
	}
	for (i = 0; i < m; i++) {
		const json_t *ag;

		json_array_foreach(agents, k, ag)
			if (jsonx_get_str(ag, "id") && !strcmp(jsonx_get_str(ag, "id"), ids[i]))
				canary[i] = r->canary_tag &&
					    jsonx_array_has_str(json_object_get(ag, "tags"),
								r->canary_tag);
	}
	waves_assign(wave, ids, canary, m, r->waves, r->nwaves);
	for (k = 0; k < r->nwaves; k++) {
		json_t *list = k ? json_array() : json_incref(creates);

		for (i = 0; i < m; i++) {
			const json_t *ag;
			const char *name = ids[i];
			size_t j;

			if (wave[i] != k)
				continue;
			json_array_foreach(agents, j, ag)
				if (jsonx_get_str(ag, "id") && !strcmp(jsonx_get_str(ag, "id"), ids[i]) &&
				    jsonx_get_str(ag, "name"))
					name = jsonx_get_str(ag, "name");
			json_array_append_new(list, json_pack("{s:s, s:s}", "id", ids[i], "name", name));
		}
		json_array_append_new(out, json_pack("{s:I, s:o}", "wave", (json_int_t)k + 1, "agents",
						     list));
	}
	json_decref(creates);
	json_decref(seen);
	free(ids);
	free(canary);
	free(wave);
	return out;
}

void rollout_mark_wave(json_t *e, const json_t *waves)
{
	const char *agent = jsonx_get_str(e, "agent");
	const json_t *w, *a;
	size_t i, j;

	json_array_foreach(waves, i, w)
		json_array_foreach(json_object_get(w, "agents"), j, a)
			if (agent ? jsonx_get_str(a, "id") && !strcmp(jsonx_get_str(a, "id"), agent)
				  : !jsonx_get_str(a, "id") &&
					    !strcmp(jsonx_get_str(e, "kind") ? jsonx_get_str(e, "kind")
									   : "",
						    "Agent") &&
					    !strcmp(jsonx_get_str(a, "name"),
						    jsonx_get_str(e, "name") ? jsonx_get_str(e, "name")
									    : "")) {
				json_object_set_new(e, "wave", json_integer((json_int_t)i + 1));
				return;
			}
}

void rollout_log_waves(const json_t *waves)
{
	const json_t *w, *a;
	size_t i, j;

	json_array_foreach(waves, i, w)
	{
		struct buf line = BUF_INIT;

		json_array_foreach(json_object_get(w, "agents"), j, a)
			buf_addf(&line, "%s%s", line.len ? ", " : "", jsonx_get_str(a, "name"));
		log_info("wave %zu of %zu: %s", i + 1, json_array_size(waves),
			 line.len ? line.buf : "(none)");
		buf_release(&line);
	}
}

void rollout_waves_markdown(struct buf *out, const json_t *waves)
{
	const json_t *w, *a;
	size_t i, j;

	buf_addstr(out, "\n### Rollout waves\n\n| Wave | Agents |\n|---|---|\n");
	json_array_foreach(waves, i, w)
	{
		buf_addf(out, "| %zu | ", i + 1);
		json_array_foreach(json_object_get(w, "agents"), j, a)
			buf_addf(out, "%s`%s`%s", j ? ", " : "", jsonx_get_str(a, "name"),
				 jsonx_get_str(a, "id") ? "" : " (new)");
		buf_addstr(out, json_array_size(json_object_get(w, "agents")) ? " |\n" : "(none) |\n");
	}
}

static int sync_renew(void *arg)
{
	struct ls_error err = LS_ERROR_INIT;

	return reconcile_lease_renew(arg, &err);
}

/* Reports the applied actions of rc's plan (stdout, and changes); returns how many failed. */
static size_t sync_report(struct reconcile *rc, const struct apply_result *res, size_t wave,
			  json_t *changes)
{
	size_t i, failed = 0;

	for (i = 0; i < rc->plan.n; i++) {
		const struct plan_action *a = &rc->plan.items[i];
		enum apply_status s = res->status ? res->status[i] : APPLY_SKIPPED;
		int bad = s == APPLY_FAILED || s == APPLY_BLOCKED;
		json_t *e;

		if (s == APPLY_SKIPPED || a->skip)
			continue;
		failed += bad;
		if (bad)
			log_error("%s/%s: %s", own_kind_name(a->kind), a->name, res->errs[i].msg);
		if (a->internal || a->change == CHANGE_DRIFT)
			continue;
		e = render_action_json(a);
		json_object_set_new(e, "status", json_string(bad ? "failed" : "done"));
		json_object_set_new(e, "id", res->ids && res->ids[i] ? json_string(res->ids[i])
					     : a->id			  ? json_string(a->id)
									  : json_null());
		json_object_set_new(e, "error", bad ? json_string(res->errs[i].msg) : json_null());
		json_object_set_new(e, "wave", json_integer((json_int_t)wave + 1));
		json_array_append_new(changes, e);
		if (!bad)
			output_line(rc->ctx, "wave %zu: %s %s/%s%s%s%s", wave + 1,
				    plan_change_name(a->change), own_kind_name(a->kind), a->name,
				    a->section ? " [" : "", a->section ? a->section : "",
				    a->section ? "]" : "");
	}
	return failed;
}

int rollout_sync(struct rollout *r, struct reconcile *rc, int break_lease, json_t *changes,
		 json_t *snapshots, struct ls_error *err)
{
	struct cli_ctx *ctx = rc->ctx;
	json_t *waves = rollout_plan_waves(r, &rc->plan, rc->rs.agents), *wave_of = json_object();
	const json_t *w, *a;
	int leased = 0, ret = 0;
	size_t i, j;

	json_array_foreach(waves, i, w)
		json_array_foreach(json_object_get(w, "agents"), j, a)
			if (jsonx_get_str(a, "id"))
				json_object_set_new(wave_of, jsonx_get_str(a, "id"), json_integer((json_int_t)i));
	rollout_log_waves(waves);
	r->renew = sync_renew;
	r->renew_arg = rc;
	r->renew_s = reconcile_lease_seconds() / 3;
	r->break_lease = break_lease;
	if (plan_count_writes(&rc->plan) > 0 &&
	    (ret = reconcile_lease_take(rc, break_lease, &leased, err)) < 0)
		goto out;
	for (r->wave = 0; r->wave < r->nwaves; r->wave++) {
		struct apply_result res = APPLY_RESULT_INIT;
		const json_t *agents = json_object_get(json_array_get(waves, r->wave), "agents");
		struct buf ids = BUF_INIT;
		size_t k = r->wave, failed = 0, before;

		if (k && (ret = reconcile_replan(rc, err)) < 0)
			break;
		for (i = 0; i < rc->plan.n; i++) {
			struct plan_action *pa = &rc->plan.items[i];
			const json_t *wv = pa->agent ? json_object_get(wave_of, pa->agent) : NULL;

			/*
			 * Later waves' agents wait; actions that wait for what this pass makes
			 * (MCP tools: plan_action.deferred) are planned complete by the next wave.
			 */
			if ((wv && (size_t)json_integer_value(wv) != k) || pa->deferred)
				pa->skip = 1;
		}
		if (plan_count_writes(&rc->plan) > 0) {
			if (leased)
				reconcile_lease_keep(rc);
			if ((ret = rollout_snapshot(r, ctx, rc->api, &rc->rs, &rc->plan, rc->commit,
						    err)) < 0)
				break;
			json_array_append_new(snapshots,
					      json_string(r->snapshots[r->nsnapshots - 1]));
			before = json_array_size(changes);
			ret = apply_plan(&res, rc->api, &rc->plan, err);
			failed = sync_report(rc, &res, k, changes);
			if (r->recompiled && !failed && ret != LS_EINTERRUPTED) {
				/* Before the gate: running agents see the wave's change. */
				json_t *mine = json_array(), *t, *done;

				for (i = before; i < json_array_size(changes); i++)
					json_array_append(mine, json_array_get(changes, i));
				t = memfs_recompile_targets(mine);
				done = memfs_recompile(ctx, rc->api, t);
				json_array_extend(r->recompiled, done);
				json_decref(done);
				json_decref(t);
				json_decref(mine);
			}
			/* The ids of agents created in this wave, for the gate. */
			for (i = 0; i < rc->plan.n; i++)
				if (!rc->plan.items[i].agent && rc->plan.items[i].kind == KIND_AGENT &&
				    res.status && res.status[i] == APPLY_DONE && res.ids[i])
					buf_addf(&ids, "%s%s", ids.len ? "," : "", res.ids[i]);
		}
		apply_result_release(&res);
		if (ret == LS_EINTERRUPTED || interrupt_requested()) {
			ret = ls_error_set(err, LS_EINTERRUPTED, "interrupted in wave %zu of %zu", k + 1,
					   r->nwaves);
			buf_release(&ids);
			break;
		}
		if (failed) {
			ls_error_clear(err);
			ret = ls_error_set(err, LS_EFAIL, "wave %zu of %zu: %zu change(s) failed; the "
							  "rollout stopped", k + 1, r->nwaves, failed);
			rollout_print_restore(r);
			buf_release(&ids);
			break;
		}
		ls_error_clear(err);
		ret = 0;
		json_array_foreach(agents, j, a)
			if (jsonx_get_str(a, "id"))
				buf_addf(&ids, "%s%s", ids.len ? "," : "", jsonx_get_str(a, "id"));
		if (r->gate && ids.len && (ret = rollout_gate(r, ctx, k, ids.buf, err)) < 0) {
			buf_release(&ids);
			if (ret == LS_EINTERRUPTED)
				break;
			if (r->auto_rollback) {
				struct ls_error rb = LS_ERROR_INIT;

				if (leased)
					reconcile_lease_release(rc); /* restore takes it */
				leased = 0;
				if (rollout_rollback(r, ctx, &rb) < 0) {
					log_error("%s", rb.msg);
					rollout_print_restore(r);
					ls_error_hint(err, "the rollback failed: run the restore lines above");
				} else {
					ls_error_hint(err, "every agent the rollout changed was restored "
							   "(--auto-rollback)");
				}
			} else {
				rollout_print_restore(r);
				ls_error_hint(err, "the restore lines above undo the waves done");
			}
			break;
		}
		buf_release(&ids);
		log_info("wave %zu of %zu: passed", k + 1, r->nwaves);
		if (k + 1 < r->nwaves)
			rollout_wait(r);
		if (interrupt_requested()) {
			ret = ls_error_set(err, LS_EINTERRUPTED, "interrupted after wave %zu of %zu",
					   k + 1, r->nwaves);
			break;
		}
	}
	if (leased) {
		int intr = interrupt_requested();

		/* After Ctrl-C too: the one request is let through (see cmd_upgrade.c). */
		interrupt_set(0);
		reconcile_lease_release(rc);
		interrupt_set(intr);
	}
out:
	json_decref(waves);
	json_decref(wave_of);
	return ret;
}
