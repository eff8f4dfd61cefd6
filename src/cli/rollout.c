/*
 * Rollouts (rollout.h): the parts of upgrade --waves that are not planning: the snapshot
 * before each wave, the gate command, the wait, and the rollback through 'restore'.
 */
#include "cli/rollout.h"

#include "cli/output.h"
#include "cli/snapshot_save.h"
#include "core/snapshot.h"
#include "util/buf.h"
#include "util/interrupt.h"
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

void rollout_release(struct rollout *r)
{
	size_t i;

	for (i = 0; i < r->nsnapshots; i++)
		free(r->snapshots[i]);
	free(r->snapshots);
	free(r->waves);
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
	ret = cli_snapshot_save(ctx, api, content, p, "upgrade", commit, &id, err);
	if (ret < 0)
		return ret;
	log_info("snapshot %s saved: 'letta-sync restore %s' undoes wave %zu", id, id,
		 r->nsnapshots + 1);
	r->snapshots = xrealloc(r->snapshots, (r->nsnapshots + 1) * sizeof(*r->snapshots));
	r->snapshots[r->nsnapshots++] = id;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupt_requested())
		;
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
static int run_child(struct cli_ctx *ctx, char *const *argv, const char *const *env,
		     long timeout_s)
{
	char **envp = child_env(ctx, env);
	long waited = 0;
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
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int rollout_gate(const struct rollout *r, struct cli_ctx *ctx, size_t wave, const char *ids,
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
	st = run_child(ctx, argv, env, r->gate_timeout_s);
	if (st == 0) {
		log_info("wave %zu of %zu: the gate passed", wave + 1, r->nwaves);
		return 0;
	}
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
	if (r->wait_s > 0) {
		log_info("waiting %lds before the next wave", r->wait_s);
		sleep_ms(r->wait_s * 1000);
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
				 NULL };
		int st;

		log_info("rolling back: letta-sync restore %s", r->snapshots[i]);
		st = run_child(ctx, argv, NULL, 0);
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
