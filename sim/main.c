/*
 * letta-sim: an offline Letta API server for letta-sync's tests. Reads the options, loads the
 * --state file, starts the HTTP server, prints "listening on http://127.0.0.1:PORT" (https:// with
 * --tls-cert and --tls-key) as the first line of stdout (the readiness signal), then waits for
 * SIGINT or SIGTERM and saves the state on the way out.
 */
#include "sim.h"
#include "server.h"
#include "util/xalloc.h"

#include <microhttpd.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: letta-sim [options]\n"
	"\n"
	"An offline Letta API server (agents, blocks, tools, folders, identities,\n"
	"MCP servers, projects) with fault injection, for tests.\n"
	"\n"
	"  --port N             port on 127.0.0.1 (0 = a free one; default 8283)\n"
	"  --api-key KEY        require 'Authorization: Bearer KEY' (health and /_sim/* exempt)\n"
	"  --no-auth            accept every request, with or without a key, as a self-hosted\n"
	"                       server does (overrides --api-key)\n"
	"  --state FILE         load FILE at start if it exists; save it on SIGINT/SIGTERM\n"
	"                       and on POST /_sim/save\n"
	"  --models FILE        serve these model lists instead of the built-in ones:\n"
	"                       {\"llm\": [handle...], \"embedding\": [handle...]}\n"
	"  --mcp-allow-private  accept MCP server URLs on non-public addresses and list\n"
	"                       their tools by asking the server (streamable HTTP, SSE)\n"
	"  --seed N             seed for ids and faults (default 0)\n"
	"  --tls-cert FILE      speak HTTPS with this PEM certificate (and --tls-key)\n"
	"  --tls-key FILE       the certificate's PEM private key\n"
	"  --latency-ms N       added to every /v1 request\n"
	"  --connect-latency-ms N  added once per new connection (on its first /v1 request)\n"
	"  --jitter-ms N        up to N more, drawn from the seed\n"
	"  --error-rate P       answer 500 or 503 before any change (P from 0 to 1)\n"
	"  --throttle-rate P    answer 429 with Retry-After\n"
	"  --retry-after-s N    the 429's Retry-After (default 1)\n"
	"  --drop-rate P        close the connection before any change\n"
	"  --lost-reply-rate P  make the change, then close the connection without a reply\n"
	"  --conflict-rate P    answer 409 with Retry-After: 1\n"
	"  --max-page N         cap every list's limit at N\n"
	"  --max-limit N        refuse (422) a list whose limit is over N\n"
	"  --help               this text\n"
	"\n"
	"Admin API (no auth, never faulted, not counted): GET /_sim/stats,\n"
	"POST /_sim/stats/reset, GET|PUT /_sim/faults, POST /_sim/reset, GET|PUT /_sim/state,\n"
	"POST /_sim/save, GET /_sim/routes (the route templates served),\n"
	"POST /_sim/git/AGENT_ID/rewrite (a new root commit on the agent's memory main).\n"
	"\n"
	"Agents tagged git-memory-enabled serve their memory as a git repository at\n"
	"/v1/git/AGENT_ID/state.git (needs the git program; see docs/letta-sim.md).\n";

static int parse_long(const char *opt, const char *s, long min, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min) {
		fprintf(stderr, "letta-sim: %s wants an integer >= %ld, not '%s'\n", opt, min, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_rate(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0 && v <= 1)) {
		fprintf(stderr, "letta-sim: %s wants a probability from 0 to 1, not '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

enum {
	O_PORT = 256, O_KEY, O_STATE, O_SEED, O_LAT, O_JIT, O_ERR, O_THR, O_RA, O_DROP, O_LOST,
	O_CONF, O_MAXP, O_NOAUTH, O_HELP, O_MODELS, O_MCP_PRIVATE, O_CERT, O_TKEY, O_CLAT,
	O_MAXL,
};

static const struct option longopts[] = {
	{ "port", required_argument, NULL, O_PORT },
	{ "api-key", required_argument, NULL, O_KEY },
	{ "state", required_argument, NULL, O_STATE },
	{ "seed", required_argument, NULL, O_SEED },
	{ "latency-ms", required_argument, NULL, O_LAT },
	{ "jitter-ms", required_argument, NULL, O_JIT },
	{ "error-rate", required_argument, NULL, O_ERR },
	{ "throttle-rate", required_argument, NULL, O_THR },
	{ "retry-after-s", required_argument, NULL, O_RA },
	{ "drop-rate", required_argument, NULL, O_DROP },
	{ "lost-reply-rate", required_argument, NULL, O_LOST },
	{ "conflict-rate", required_argument, NULL, O_CONF },
	{ "max-page", required_argument, NULL, O_MAXP },
	{ "no-auth", no_argument, NULL, O_NOAUTH },
	{ "help", no_argument, NULL, O_HELP },
	{ "tls-cert", required_argument, NULL, O_CERT },
	{ "tls-key", required_argument, NULL, O_TKEY },
	{ "connect-latency-ms", required_argument, NULL, O_CLAT },
	{ "max-limit", required_argument, NULL, O_MAXL },
	{ "models", required_argument, NULL, O_MODELS },
	{ "mcp-allow-private", no_argument, NULL, O_MCP_PRIVATE },
	{ NULL, 0, NULL, 0 },
};

static int parse_opts(int argc, char **argv, struct sim_opts *o)
{
	struct sim_faults *f = &o->faults;
	long v;
	int c, bad = 0, no_auth = 0;

	o->port = 8283;
	f->retry_after_s = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_PORT:
			bad |= parse_long("--port", optarg, 0, &v) < 0 || v > 65535;
			o->port = (int)v;
			break;
		case O_KEY:
			o->api_key = optarg;
			break;
		case O_STATE:
			o->state_path = optarg;
			break;
		case O_MODELS:
			o->models_path = optarg;
			break;
		case O_MCP_PRIVATE:
			o->mcp_allow_private = 1;
			break;
		case O_SEED:
			bad |= parse_long("--seed", optarg, 0, &v) < 0;
			f->seed = (unsigned long long)v;
			break;
		case O_LAT:
			bad |= parse_long("--latency-ms", optarg, 0, &f->latency_ms) < 0;
			break;
		case O_JIT:
			bad |= parse_long("--jitter-ms", optarg, 0, &f->jitter_ms) < 0;
			break;
		case O_ERR:
			bad |= parse_rate("--error-rate", optarg, &f->error_rate) < 0;
			break;
		case O_THR:
			bad |= parse_rate("--throttle-rate", optarg, &f->throttle_rate) < 0;
			break;
		case O_RA:
			bad |= parse_long("--retry-after-s", optarg, 0, &f->retry_after_s) < 0;
			break;
		case O_DROP:
			bad |= parse_rate("--drop-rate", optarg, &f->drop_rate) < 0;
			break;
		case O_LOST:
			bad |= parse_rate("--lost-reply-rate", optarg, &f->lost_reply_rate) < 0;
			break;
		case O_CONF:
			bad |= parse_rate("--conflict-rate", optarg, &f->conflict_rate) < 0;
			break;
		case O_MAXP:
			bad |= parse_long("--max-page", optarg, 0, &f->max_page) < 0;
			break;
		case O_CERT:
			o->tls_cert = optarg;
			break;
		case O_TKEY:
			o->tls_key = optarg;
			break;
		case O_MAXL:
			bad |= parse_long("--max-limit", optarg, 0, &f->max_limit) < 0;
			break;
		case O_CLAT:
			bad |= parse_long("--connect-latency-ms", optarg, 0, &f->connect_latency_ms) < 0;
			break;
		case O_NOAUTH:
			no_auth = 1;
			break;
		case O_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			bad = 1;
		}
	}
	/*
	 * The self-hosted server (letta/server/rest_api/app.py) checks a password only when started
	 * with --secure or LETTA_SERVER_SECURE=true; otherwise any request, with or without an
	 * Authorization header, is served. --no-auth is that server; it wins over --api-key.
	 */
	if (no_auth)
		o->api_key = NULL;
	if (optind < argc) {
		fprintf(stderr, "letta-sim: unexpected argument '%s'\n", argv[optind]);
		bad = 1;
	}
	if (!o->tls_cert != !o->tls_key) {
		fprintf(stderr, "letta-sim: --tls-cert and --tls-key go together\n");
		bad = 1;
	}
	if (bad)
		fputs("letta-sim: see 'letta-sim --help'\n", stderr);
	return bad ? -1 : 0;
}

/* The whole of a PEM file, NUL-terminated; NULL (with a message) when it cannot be read. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f) {
		fprintf(stderr, "letta-sim: cannot read '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (!b.len) {
		fprintf(stderr, "letta-sim: '%s' is empty\n", path);
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	struct buf err = BUF_INIT;
	char *cert = NULL, *key = NULL;
	sigset_t set;
	int port = 0, sig = 0;

	/* Started by git receive-pack as the memory repositories' pre-receive hook. */
	if (argc == 2 && !strcmp(argv[1], "--memfs-pre-receive"))
		return memfs_hook_main();
	xalloc_setup_jansson();
	mcp_client_init(); /* before any thread */
	if (parse_opts(argc, argv, &g_opts) < 0)
		return 64;
	if (g_opts.tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			fprintf(stderr, "letta-sim: this libmicrohttpd was built without TLS (GnuTLS)\n");
			mcp_client_cleanup();
			return 1;
		}
		cert = read_file(g_opts.tls_cert);
		key = cert ? read_file(g_opts.tls_key) : NULL;
		if (!key) {
			free(cert);
			mcp_client_cleanup();
			return 1;
		}
	}
	if (memfs_init() < 0) {
		fprintf(stderr, "letta-sim: cannot make a directory for the memory repositories\n");
		free(cert);
		free(key);
		return 1;
	}
	g_store.faults = g_opts.faults;
	store_init();
	if (g_opts.models_path && models_load_file(g_opts.models_path, &err) < 0) {
		fprintf(stderr, "letta-sim: %s\n", err.buf);
		buf_release(&err);
		models_release();
		store_release();
		memfs_release();
		mcp_client_cleanup();
		free(cert);
		free(key);
		return 64;
	}
	models_init();
	if (g_opts.state_path && access(g_opts.state_path, F_OK) == 0 &&
	    state_load_file(g_opts.state_path, &err) < 0) {
		fprintf(stderr, "letta-sim: %s\n", err.buf);
		memfs_release();
		return 1;
	}
	/* Block the signals before MHD starts its threads, so that only sigwait() sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = server_start(g_opts.port, cert, key, &port);
	if (!d) {
		fprintf(stderr, "letta-sim: cannot listen on 127.0.0.1:%d%s\n", g_opts.port,
			cert ? " (or the TLS certificate and key were refused)" : "");
		free(cert);
		free(key);
		memfs_release();
		return 1;
	}
	printf("listening on %s://127.0.0.1:%d\n", cert ? "https" : "http", port);
	fflush(stdout);

	sigwait(&set, &sig);
	pthread_mutex_lock(&g_lock);
	if (g_opts.state_path && state_save_file(g_opts.state_path, &err) < 0)
		fprintf(stderr, "letta-sim: %s\n", err.buf);
	pthread_mutex_unlock(&g_lock);
	server_stop(d);
	free(cert);
	free(key);
	store_release();
	models_release();
	memfs_release();
	buf_release(&err);
	mcp_client_cleanup();
	return 0;
}
