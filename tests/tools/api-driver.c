/*
 * api-driver: runs api/ operations from the command line so that e2e scripts and the benchmark
 * can exercise the client against letta-sim. Not installed; a test tool.
 *
 *   api-driver [-v] get PATH | list KIND [k=v...] | fetch KIND ID | create KIND JSON
 *              | update KIND ID JSON | delete KIND ID | attach|detach AGENT KIND ID
 *              | remote | project SLUG | projects | project-create NAME
 *              | seed-blocks N LABEL | bench-get N PATH | scenario
 *
 * Environment: LETTA_BASE_URL, LETTA_API_KEY, LETTA_SYNC_PROJECT and the LETTA_SYNC_* client
 * settings. Results are JSON on stdout; an error prints "error: ...", "where: ...",
 * "hint: ..." and "code: NAME" on stderr and exits 1 (130 when interrupted).
 */
#include "api/http.h"
#include "api/letta.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kind_names[LETTA_KIND_COUNT] = {
	"block", "tool", "folder", "mcp", "identity", "agent",
};

static int parse_kind(enum letta_kind *out, const char *s, struct ls_error *err)
{
	for (int i = 0; i < LETTA_KIND_COUNT; i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (enum letta_kind)i;
			return 0;
		}
	}
	return ls_error_set(err, LS_EUSAGE, "unknown kind '%s'", s);
}

static int parse_json(json_t **out, const char *s, struct ls_error *err)
{
	json_error_t jerr;

	*out = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (!*out)
		return ls_error_set(err, LS_EUSAGE, "bad JSON argument: %s", jerr.text);
	return 0;
}

static void print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	puts(s ? s : "null");
	free(s);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *stats_json(struct letta *api)
{
	struct http_stats st;

	http_get_stats(letta_http(api), &st);
	return json_pack("{sIsIsIsI}", "requests", (json_int_t)st.requests, "retries",
			 (json_int_t)st.retries, "guards", (json_int_t)st.guards, "adopted",
			 (json_int_t)st.adopted);
}

/* create N blocks labelled LABEL, concurrently, each with its own marker. */
static int cmd_seed_blocks(struct letta *api, long n, const char *label, struct ls_error *err)
{
	struct http_req *reqs = xcalloc((size_t)n, sizeof(*reqs));
	long long t0 = now_ms();
	long adopted = 0;
	int ret;

	for (long i = 0; i < n; i++) {
		char src[128];
		json_t *body;

		snprintf(src, sizeof(src), "Block/%s-%ld", label, i);
		body = json_pack("{sssssis{ssss}}", "label", label, "value", "seed", "limit", 5000,
				 "metadata", "managed_by", "letta-sync", "source", src);
		letta_req_create(&reqs[i], api, LETTA_BLOCK, body, NULL, NULL);
		json_decref(body);
	}
	ret = letta_run(api, reqs, (size_t)n, err);
	for (long i = 0; i < n; i++) {
		adopted += reqs[i].adopted;
		http_req_release(&reqs[i]);
	}
	free(reqs);
	if (!ret) {
		json_t *o = json_pack("{sisisIso}", "created", (int)n, "adopted", (int)adopted, "ms",
				      (json_int_t)(now_ms() - t0), "client", stats_json(api));
		print_json(o);
		json_decref(o);
	}
	return ret;
}

/* N concurrent GETs of one path. */
static int cmd_bench_get(struct letta *api, long n, const char *path, struct ls_error *err)
{
	struct http_req *reqs = xcalloc((size_t)n, sizeof(*reqs));
	long long t0;
	int ret;
	json_t *o;

	for (long i = 0; i < n; i++)
		http_req_init(&reqs[i], "GET", path, NULL);
	t0 = now_ms();
	ret = letta_run(api, reqs, (size_t)n, err);
	o = json_pack("{sisIsiso}", "n", (int)n, "ms", (json_int_t)(now_ms() - t0), "concurrency",
		      http_get_opts(letta_http(api))->concurrency, "client", stats_json(api));
	for (long i = 0; i < n; i++)
		http_req_release(&reqs[i]);
	free(reqs);
	if (!ret)
		print_json(o);
	json_decref(o);
	return ret;
}

#define SCN_BLOCKS 40
#define SCN_TOOLS 8
#define SCN_FOLDERS 5
#define SCN_MCP 3
#define SCN_IDENTITIES 5
#define SCN_AGENTS 10

static const char *id_of(struct http_req *r)
{
	const char *id = json_string_value(json_object_get(r->json, "id"));

	if (!id)
		BUG("created object without an id");
	return id;
}

/* Per agent: name, description and how many of each relation it has. */
static json_t *agent_summary(const json_t *agents)
{
	json_t *out = json_array(), *a;
	size_t i;

	json_array_foreach(agents, i, a) {
		json_array_append_new(out, json_pack("{s:O,s:O,s:I,s:I,s:I,s:I}", "name",
						     json_object_get(a, "name"), "description",
						     json_object_get(a, "description"), "blocks",
						     (json_int_t)json_array_size(json_object_get(a, "blocks")),
						     "tools",
						     (json_int_t)json_array_size(json_object_get(a, "tools")),
						     "sources",
						     (json_int_t)json_array_size(json_object_get(a, "sources")),
						     "identities",
						     (json_int_t)json_array_size(json_object_get(a, "identities"))));
	}
	return out;
}

/* Runs a batch; every request must succeed. */
static int batch(struct letta *api, struct http_req *reqs, size_t n, long *adopted,
		 struct ls_error *err)
{
	int ret = letta_run(api, reqs, n, err);

	for (size_t i = 0; i < n; i++)
		*adopted += reqs[i].adopted;
	return ret;
}

static void release_all(struct http_req *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		http_req_release(&reqs[i]);
}

/*
 * Every kind of operation sync needs, in concurrent batches: creates (with guards), upserts,
 * attaches, updates, detaches, deletes and full reads. Prints what the server holds at the end.
 */
static int cmd_scenario(struct letta *api, struct ls_error *err)
{
	struct http_req blocks[SCN_BLOCKS], tools[SCN_TOOLS], folders[SCN_FOLDERS], mcp[SCN_MCP];
	struct http_req idents[SCN_IDENTITIES], agents[SCN_AGENTS], ops[SCN_AGENTS * 5];
	struct letta_remote remote = LETTA_REMOTE_INIT;
	long adopted = 0;
	size_t nops = 0;
	int ret;
	json_t *o;

	memset(blocks, 0, sizeof(blocks));
	memset(tools, 0, sizeof(tools));
	memset(folders, 0, sizeof(folders));
	memset(mcp, 0, sizeof(mcp));
	memset(idents, 0, sizeof(idents));
	memset(agents, 0, sizeof(agents));
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < SCN_BLOCKS; i++) {
		char label[32], src[64];
		json_t *b;

		/* Half the blocks share labels: only the marker tells them apart. */
		snprintf(label, sizeof(label), "scn_%d", i % (SCN_BLOCKS / 2));
		snprintf(src, sizeof(src), "Block/scn-%d", i);
		b = json_pack("{sssssis{ssss}}", "label", label, "value", "v1", "limit", 5000,
			      "metadata", "managed_by", "letta-sync", "source", src);
		letta_req_create(&blocks[i], api, LETTA_BLOCK, b, NULL, NULL);
		json_decref(b);
	}
	for (int i = 0; i < SCN_TOOLS; i++) {
		char code[256];
		json_t *b;

		snprintf(code, sizeof(code),
			 "def scn_tool_%d(x: str) -> str:\n    \"\"\"Echo x.\n\n    Args:\n        x: the text\n    \"\"\"\n    return x\n",
			 i);
		b = json_pack("{sss[ss]}", "source_code", code, "tags", "managed_by:letta-sync",
			      "source:Tool/scn");
		letta_req_create(&tools[i], api, LETTA_TOOL, b, NULL, NULL);
		json_decref(b);
	}
	for (int i = 0; i < SCN_FOLDERS; i++) {
		char name[32];
		json_t *b;

		snprintf(name, sizeof(name), "scn-folder-%d", i);
		b = json_pack("{ssssss s{ssss}}", "name", name, "description", "d", "embedding",
			      "openai/text-embedding-3-small", "metadata", "managed_by", "letta-sync",
			      "source", name);
		letta_req_create(&folders[i], api, LETTA_FOLDER, b, NULL, NULL);
		json_decref(b);
	}
	for (int i = 0; i < SCN_MCP; i++) {
		char name[32], url[64];
		json_t *b;

		snprintf(name, sizeof(name), "scn-mcp-%d", i);
		snprintf(url, sizeof(url), "https://mcp.example.com/%d", i);
		b = json_pack("{sss{ssss}}", "server_name", name, "config", "mcp_server_type",
			      "streamable_http", "server_url", url);
		letta_req_create(&mcp[i], api, LETTA_MCP_SERVER, b, NULL, NULL);
		json_decref(b);
	}
	for (int i = 0; i < SCN_IDENTITIES; i++) {
		char key[32];
		json_t *b;

		snprintf(key, sizeof(key), "scn-user-%d", i);
		b = json_pack("{sssssss[{ssssss}]}", "identifier_key", key, "name", key,
			      "identity_type", "user", "properties", "key", "managed_by", "value",
			      "letta-sync", "type", "string");
		letta_req_create(&idents[i], api, LETTA_IDENTITY, b, NULL, NULL);
		json_decref(b);
	}
	for (int i = 0; i < SCN_AGENTS; i++) {
		char name[32], tag[48];
		json_t *b;

		snprintf(name, sizeof(name), "scn-agent-%d", i);
		snprintf(tag, sizeof(tag), "source:Agent/%s", name);
		b = json_pack("{sssssssbs[ss]}", "name", name, "model", "openai/gpt-4o-mini", "system",
			      "You are a test.", "include_base_tools", 0, "tags",
			      "managed:letta-sync", tag);
		letta_req_create(&agents[i], api, LETTA_AGENT, b, NULL, NULL);
		json_decref(b);
	}
	/* Independent creates go out as one batch per kind, all kinds at once would also do. */
	if ((ret = batch(api, blocks, SCN_BLOCKS, &adopted, err)) < 0 ||
	    (ret = batch(api, tools, SCN_TOOLS, &adopted, err)) < 0 ||
	    (ret = batch(api, folders, SCN_FOLDERS, &adopted, err)) < 0 ||
	    (ret = batch(api, mcp, SCN_MCP, &adopted, err)) < 0 ||
	    (ret = batch(api, idents, SCN_IDENTITIES, &adopted, err)) < 0 ||
	    (ret = batch(api, agents, SCN_AGENTS, &adopted, err)) < 0)
		goto out;

	/* Attach: two blocks (different labels), a tool, a folder and an identity per agent. */
	for (int i = 0; i < SCN_AGENTS; i++) {
		const char *a = id_of(&agents[i]);

		letta_req_attach(&ops[nops++], api, a, LETTA_BLOCK, id_of(&blocks[2 * i]), 1);
		letta_req_attach(&ops[nops++], api, a, LETTA_BLOCK, id_of(&blocks[2 * i + 1]), 1);
		letta_req_attach(&ops[nops++], api, a, LETTA_TOOL, id_of(&tools[i % SCN_TOOLS]), 1);
		letta_req_attach(&ops[nops++], api, a, LETTA_FOLDER,
				 id_of(&folders[i % SCN_FOLDERS]), 1);
		letta_req_attach(&ops[nops++], api, a, LETTA_IDENTITY,
				 id_of(&idents[i % SCN_IDENTITIES]), 1);
	}
	if ((ret = batch(api, ops, nops, &adopted, err)) < 0)
		goto out;
	release_all(ops, nops);
	nops = 0;

	/* Update every block and agent. */
	for (int i = 0; i < SCN_BLOCKS; i++) {
		json_t *b = json_pack("{ss}", "value", "v2");

		letta_req_update(&ops[nops++], api, LETTA_BLOCK, id_of(&blocks[i]), b);
		json_decref(b);
	}
	for (int i = 0; i < SCN_AGENTS; i++) {
		json_t *b = json_pack("{ss}", "description", "updated");

		letta_req_update(&ops[nops++], api, LETTA_AGENT, id_of(&agents[i]), b);
		json_decref(b);
	}
	if ((ret = batch(api, ops, nops, &adopted, err)) < 0)
		goto out;
	release_all(ops, nops);
	nops = 0;

	/* Detach the second block and the tool from every agent. */
	for (int i = 0; i < SCN_AGENTS; i++) {
		const char *a = id_of(&agents[i]);

		letta_req_attach(&ops[nops++], api, a, LETTA_BLOCK, id_of(&blocks[2 * i + 1]), 0);
		letta_req_attach(&ops[nops++], api, a, LETTA_TOOL, id_of(&tools[i % SCN_TOOLS]), 0);
	}
	if ((ret = batch(api, ops, nops, &adopted, err)) < 0)
		goto out;
	release_all(ops, nops);
	nops = 0;

	/* Delete the detached blocks, one folder, MCP server, identity and agent. */
	for (int i = 0; i < SCN_AGENTS; i++)
		letta_req_delete(&ops[nops++], api, LETTA_BLOCK, id_of(&blocks[2 * i + 1]));
	letta_req_delete(&ops[nops++], api, LETTA_FOLDER, id_of(&folders[SCN_FOLDERS - 1]));
	letta_req_delete(&ops[nops++], api, LETTA_MCP_SERVER, id_of(&mcp[SCN_MCP - 1]));
	letta_req_delete(&ops[nops++], api, LETTA_IDENTITY, id_of(&idents[SCN_IDENTITIES - 1]));
	letta_req_delete(&ops[nops++], api, LETTA_AGENT, id_of(&agents[SCN_AGENTS - 1]));
	if ((ret = batch(api, ops, nops, &adopted, err)) < 0)
		goto out;

	if ((ret = letta_remote_fetch(&remote, api, err)) < 0)
		goto out;
	o = json_pack("{sIsIsIsIsIsIsiso}", "blocks", (json_int_t)json_array_size(remote.blocks),
		      "tools", (json_int_t)json_array_size(remote.tools), "folders",
		      (json_int_t)json_array_size(remote.folders), "mcp_servers",
		      (json_int_t)json_array_size(remote.mcp_servers), "identities",
		      (json_int_t)json_array_size(remote.identities), "agents",
		      (json_int_t)json_array_size(remote.agents), "adopted", (int)adopted, "client",
		      stats_json(api));
	json_object_set_new(o, "agent_state", agent_summary(remote.agents));
	print_json(o);
	json_decref(o);
out:
	release_all(blocks, SCN_BLOCKS);
	release_all(tools, SCN_TOOLS);
	release_all(folders, SCN_FOLDERS);
	release_all(mcp, SCN_MCP);
	release_all(idents, SCN_IDENTITIES);
	release_all(agents, SCN_AGENTS);
	release_all(ops, nops);
	letta_remote_release(&remote);
	return ret;
}

static int dispatch(struct letta *api, int argc, char **argv, struct ls_error *err)
{
	const char *cmd = argv[0];
	enum letta_kind kind;
	json_t *out = NULL, *body = NULL;
	int ret;

	if (!strcmp(cmd, "get") && argc == 2) {
		ret = letta_get(&out, api, argv[1], NULL, err);
	} else if (!strcmp(cmd, "list") && argc >= 2) {
		const char **params = xcalloc((size_t)(argc - 2) * 2 + 1, sizeof(*params));
		size_t np = 0;

		if ((ret = parse_kind(&kind, argv[1], err)) < 0) {
			free(params);
			return ret;
		}
		for (int i = 2; i < argc; i++) {
			char *eq = strchr(argv[i], '=');

			if (!eq) {
				free(params);
				return ls_error_set(err, LS_EUSAGE, "expected key=value, not '%s'", argv[i]);
			}
			*eq = '\0';
			params[np++] = argv[i];
			params[np++] = eq + 1;
		}
		ret = letta_list(&out, api, kind, np ? params : NULL, err);
		free(params);
	} else if (!strcmp(cmd, "fetch") && argc == 3) {
		if ((ret = parse_kind(&kind, argv[1], err)) < 0)
			return ret;
		ret = letta_fetch(&out, api, kind, argv[2], err);
	} else if (!strcmp(cmd, "create") && argc == 3) {
		if ((ret = parse_kind(&kind, argv[1], err)) < 0 ||
		    (ret = parse_json(&body, argv[2], err)) < 0)
			return ret;
		ret = letta_create(&out, api, kind, body, NULL, NULL, err);
	} else if (!strcmp(cmd, "update") && argc == 4) {
		if ((ret = parse_kind(&kind, argv[1], err)) < 0 ||
		    (ret = parse_json(&body, argv[3], err)) < 0)
			return ret;
		ret = letta_update(&out, api, kind, argv[2], body, err);
	} else if (!strcmp(cmd, "delete") && argc == 3) {
		if ((ret = parse_kind(&kind, argv[1], err)) < 0)
			return ret;
		ret = letta_delete(api, kind, argv[2], err);
		out = json_null();
	} else if ((!strcmp(cmd, "attach") || !strcmp(cmd, "detach")) && argc == 4) {
		if ((ret = parse_kind(&kind, argv[2], err)) < 0)
			return ret;
		ret = letta_agent_attach(api, argv[1], kind, argv[3], !strcmp(cmd, "attach"), err);
		out = json_null();
	} else if (!strcmp(cmd, "remote") && argc == 1) {
		struct letta_remote r = LETTA_REMOTE_INIT;

		ret = letta_remote_fetch(&r, api, err);
		if (!ret)
			out = json_pack("{sIsIsIsIsIsIsIso}", "blocks",
					(json_int_t)json_array_size(r.blocks), "block_templates",
					(json_int_t)json_array_size(r.block_templates), "tools",
					(json_int_t)json_array_size(r.tools), "folders",
					(json_int_t)json_array_size(r.folders), "mcp_servers",
					(json_int_t)json_array_size(r.mcp_servers), "identities",
					(json_int_t)json_array_size(r.identities), "agents",
					(json_int_t)json_array_size(r.agents), "client",
					stats_json(api));
		letta_remote_release(&r);
	} else if (!strcmp(cmd, "project") && argc == 2) {
		ret = letta_project_resolve(api, argv[1], NULL, err);
		if (!ret)
			out = json_pack("{ss?sb}", "id", letta_project_id(api), "has_projects",
					letta_has_projects(api));
	} else if (!strcmp(cmd, "project-create") && argc == 2) {
		ret = letta_project_create(&out, api, argv[1], err);
	} else if (!strcmp(cmd, "projects") && argc == 1) {
		ret = letta_projects_list(&out, api, NULL, err);
	} else if (!strcmp(cmd, "seed-blocks") && argc == 3) {
		return cmd_seed_blocks(api, strtol(argv[1], NULL, 10), argv[2], err);
	} else if (!strcmp(cmd, "bench-get") && argc == 3) {
		return cmd_bench_get(api, strtol(argv[1], NULL, 10), argv[2], err);
	} else if (!strcmp(cmd, "scenario") && argc == 1) {
		return cmd_scenario(api, err);
	} else {
		return ls_error_set(err, LS_EUSAGE, "usage: api-driver [-v] get|list|fetch|create|update|delete|attach|detach|remote|project|projects|seed-blocks|bench-get|scenario ...");
	}
	json_decref(body);
	if (!ret)
		print_json(out);
	json_decref(out);
	return ret;
}

int main(int argc, char **argv)
{
	struct letta_opts opts = LETTA_OPTS_INIT;
	struct ls_error err = LS_ERROR_INIT;
	struct letta *api = NULL;
	const char *project = getenv("LETTA_SYNC_PROJECT");
	int ret;

	xalloc_setup_jansson();
	interrupt_install();
	http_global_init();
	argv++;
	argc--;
	if (argc > 0 && !strcmp(argv[0], "-v")) {
		log_set_verbose(1);
		argv++;
		argc--;
	}
	opts.http.base_url = getenv("LETTA_BASE_URL");
	opts.http.api_key = getenv("LETTA_API_KEY");
	redact_secret(opts.http.api_key);
	ret = letta_opts_env(&opts, getenv, &err);
	if (!ret && argc < 1)
		ret = ls_error_set(&err, LS_EUSAGE, "usage: api-driver [-v] COMMAND ...");
	if (!ret)
		ret = letta_new(&api, &opts, &err);
	if (!ret && project && *project && (argc < 1 || strcmp(argv[0], "project")))
		ret = letta_project_resolve(api, project, NULL, &err);
	if (!ret)
		ret = dispatch(api, argc, argv, &err);
	if (ret < 0) {
		log_error("%s", err.msg);
		if (err.where[0])
			log_info("where: %s", err.where);
		if (err.hint[0])
			log_info("hint: %s", err.hint);
		log_info("code: %s", ls_code_name(err.code));
	}
	letta_free(api);
	http_global_cleanup();
	if (fflush(stdout))
		return 1;
	return ret == LS_EINTERRUPTED ? 130 : ret < 0 ? 1 : 0;
}
