/*
 * libFuzzer target for what letta-sync makes of API responses (issue 15): the bytes are a
 * server's answer, parsed as JSON the way api/http.c does (json_loadb), and handed to every
 * core entry point that interprets remote objects: remote_state -> plan_compute (with the
 * examples' desired state, under several flag sets), remote_fingerprints, the inventory
 * (own_find_inventory, own_inventory_entries) and the markers of each object (own_read).
 * A top-level object gives each list by its key (blocks, tools, folders, mcp_servers,
 * identities, agents); a top-level array is used as every list, so each object is read as
 * every kind. The api layer hands core only arrays (a list page that is not an array is an
 * error there), so anything else becomes an empty list, as it would. Any crash, leak, hang or
 * sanitizer report is a bug. Built only with -DLS_FUZZ=ON and clang.
 */
#include "core/layers.h"
#include "core/manifest.h"
#include "core/ownership.h"
#include "core/plan.h"
#include "core/remote.h"
#include "core/validate.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LS_FUZZ_EXAMPLES
#define LS_FUZZ_EXAMPLES "examples/.letta/manifests"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct manifest_set set = MANIFEST_SET_INIT;
static struct desired_state want = DESIRED_STATE_INIT;

static void load(const char *layer_dir, int layer, const char *file)
{
	char path[512], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s/%s", LS_FUZZ_EXAMPLES, layer_dir, file);
	if (!(f = fopen(path, "rb"))) {
		fprintf(stderr, "fuzz_api: cannot read %s\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = xmalloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	manifest_parse(&set, path, layer, text, (size_t)n);
	free(text);
}

static void setup(void)
{
	static const struct {
		const char *dir;
		int layer;
		const char *file;
	} files[] = {
		{ "base", LAYER_BASE, "blocks.yaml" },	      { "base", LAYER_BASE, "templates.yaml" },
		{ "base", LAYER_BASE, "tools.yaml" },	      { "org", LAYER_ORG, "blocks.yaml" },
		{ "org", LAYER_ORG, "folders.yaml" },	      { "org", LAYER_ORG, "identities.yaml" },
		{ "org", LAYER_ORG, "mcp.yaml" },	      { "org", LAYER_ORG, "tools.yaml" },
		{ "project", LAYER_PROJECT, "agents.yaml" },  { "project", LAYER_PROJECT, "blocks.yaml" },
		{ "project", LAYER_PROJECT, "policies.yaml" }, { "project", LAYER_PROJECT, "templates.yaml" },
	};

	xalloc_setup_jansson();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		load(files[i].dir, files[i].layer, files[i].file);
	layers_merge(&want, &set);
	validate_desired(&want, &set.diags);
}

static const char *secret(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] && name[0] < 'N' ? "fuzz-secret" : NULL;
}

static void take_list(json_t **dst, json_t *doc, const char *key)
{
	json_t *v = json_is_array(doc) ? doc : json_object_get(doc, key);

	if (json_is_array(v)) {
		json_decref(*dst);
		*dst = json_deep_copy(v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	static const unsigned flag_sets[] = { 0, PLAN_FORCE | PLAN_PRUNE, PLAN_ADOPT | PLAN_NEED_SECRETS,
					      PLAN_UPGRADE };
	struct remote_state rs = REMOTE_STATE_INIT;
	json_t *doc, *fp, *entries, *obj;
	json_error_t jerr;
	size_t i;

	if (!init) {
		setup();
		init = 1;
	}
	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	if (!doc)
		return 0;
	remote_state_init(&rs);
	take_list(&rs.blocks, doc, "blocks");
	take_list(&rs.tools, doc, "tools");
	take_list(&rs.folders, doc, "folders");
	take_list(&rs.mcp_servers, doc, "mcp_servers");
	take_list(&rs.identities, doc, "identities");
	take_list(&rs.agents, doc, "agents");

	for (i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		struct plan p = PLAN_INIT;
		struct ls_error err = LS_ERROR_INIT;
		struct plan_opts o;

		memset(&o, 0, sizeof(o));
		o.project = i % 2 ? "fuzz" : "";
		o.project_id = i % 2 ? "proj-fuzz" : NULL;
		o.commit = "0123456789abcdef0123456789abcdef01234567";
		o.version = i == 3 ? "1.2.0" : "0.0.0";
		o.flags = flag_sets[i];
		o.secret = secret;
		o.default_model = "openai/gpt-4o-mini";
		o.default_embedding = "openai/text-embedding-3-small";
		plan_init(&p);
		if (plan_compute(&p, &want, &rs, &o, &err) == 0) {
			plan_count_changes(&p);
			plan_count_writes(&p);
		}
		plan_release(&p);
	}
	fp = remote_fingerprints(&rs);
	json_decref(fp);
	entries = own_inventory_entries(own_find_inventory(rs.blocks, "fuzz"));
	json_decref(entries);
	for (size_t k = 0; k < 6; k++) {
		static const enum res_kind kinds[] = { KIND_BLOCK,	KIND_TOOL,     KIND_FOLDER,
						       KIND_MCP_SERVER, KIND_IDENTITY, KIND_AGENT };
		json_t *lists[] = { rs.blocks, rs.tools, rs.folders, rs.mcp_servers, rs.identities,
				    rs.agents };

		json_array_foreach(lists[k], i, obj) {
			struct own_marker m;

			own_read(&m, kinds[k], obj, "fuzz");
			if (m.source)
				own_source_matches(&m, kinds[k], "fuzz");
			if (k == 0)
				own_is_inventory(obj, "fuzz");
		}
	}
	remote_state_release(&rs);
	json_decref(doc);
	return 0;
}
