/*
 * The model catalog: the lists GET /v1/models/ and GET /v1/models/embedding serve (models.c),
 * shapes from openapi.json's `Model` and `EmbeddingModel` schemas, and the handle checks agent
 * and folder writes make against them.
 *
 * The real server (0.16.8) checks `model` and `embedding` handles against its providers:
 *   - SyncServer.get_llm_config_from_handle_async raises HandleNotFoundError(handle, []) when
 *     the provider manager has no such handle: agent create and modify answer
 *     404 {"detail": "Handle openai/x not found"};
 *   - SyncServer.get_embedding_config_from_handle_async raises
 *     LettaInvalidArgumentError(f"Embedding model {handle} not found"): folder create (and the
 *     agent's `embedding`) answers 400 {"detail": "Embedding model openai/x not found"}.
 * letta-sim has no providers: it serves a built-in list of the handles Letta Cloud serves for
 * the common providers (every handle examples/ and the tests use is among them), or the
 * lists of --models FILE, which replace it.
 */
#include "sim.h"
#include "util/jsonx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *g_llm; /* [Model] */
static json_t *g_emb; /* [EmbeddingModel] */

/* openapi.json ProviderType; a handle whose provider is not in it is served as "openai". */
static const char *const provider_types[] = {
	"anthropic", "azure",   "baseten",  "bedrock",      "cerebras",   "chatgpt_oauth",
	"deepseek",  "fireworks", "google_ai", "google_vertex", "groq",    "hugging-face",
	"letta",     "lmstudio_openai", "minimax", "mistral", "ollama",   "openai",
	"together",  "vllm",    "sglang",   "openrouter",   "xai",        "zai",
	"zai_coding", NULL,
};

/* Model.model_endpoint_type's enum (the subset that are also provider names). */
static const char *const llm_endpoint_types[] = {
	"openai", "anthropic", "google_ai", "google_vertex", "azure", "groq", "ollama", "vllm",
	"mistral", "together", "bedrock", "deepseek", "xai", "zai", "openrouter", NULL,
};

/* EmbeddingModel.embedding_endpoint_type's enum (the same subset). */
static const char *const emb_endpoint_types[] = {
	"openai", "anthropic", "bedrock", "google_ai", "google_vertex", "azure", "groq", "ollama",
	"vllm", "mistral", "together", NULL,
};

/* Letta Cloud's common LLM handles, with their context windows. */
static const struct {
	const char *handle;
	long context;
} default_llm[] = {
	{ "openai/gpt-4o-mini", 128000 },
	{ "openai/gpt-4o", 128000 },
	{ "openai/gpt-4.1", 1047576 },
	{ "openai/gpt-4.1-mini", 1047576 },
	{ "openai/gpt-4.1-nano", 1047576 },
	{ "openai/o3", 200000 },
	{ "openai/o3-mini", 200000 },
	{ "openai/o4-mini", 200000 },
	{ "openai/gpt-5", 272000 },
	{ "openai/gpt-5-mini", 272000 },
	{ "openai/gpt-5-nano", 272000 },
	{ "anthropic/claude-opus-4", 200000 },
	{ "anthropic/claude-sonnet-4", 200000 },
	{ "anthropic/claude-opus-4-1-20250805", 200000 },
	{ "anthropic/claude-opus-4-20250514", 200000 },
	{ "anthropic/claude-sonnet-4-20250514", 200000 },
	{ "anthropic/claude-sonnet-4-5-20250929", 200000 },
	{ "anthropic/claude-haiku-4-5-20251001", 200000 },
	{ "anthropic/claude-3-7-sonnet-20250219", 200000 },
	{ "anthropic/claude-3-5-haiku-20241022", 200000 },
	{ "google_ai/gemini-2.5-pro", 1048576 },
	{ "google_ai/gemini-2.5-flash", 1048576 },
	{ "letta/letta-free", 8192 },
	{ NULL, 0 },
};

static const struct {
	const char *handle;
	int dim;
} default_emb[] = {
	{ "openai/text-embedding-3-small", 1536 },
	{ "openai/text-embedding-3-large", 3072 },
	{ "openai/text-embedding-ada-002", 1536 },
	{ "google_ai/text-embedding-004", 768 },
	{ "letta/letta-free", 1536 },
	{ NULL, 0 },
};

static int in_list(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++) {
		if (!strcmp(list[i], s))
			return 1;
	}
	return 0;
}

/* The provider part of "provider/model" (into buf, at most n bytes) and the model part. */
static const char *split_handle(const char *handle, char *prov, size_t n)
{
	const char *slash = strchr(handle, '/');
	size_t len = slash ? (size_t)(slash - handle) : 0;

	if (len >= n)
		len = n - 1;
	memcpy(prov, handle, len);
	prov[len] = 0;
	return slash ? slash + 1 : handle;
}

static json_t *llm_model(const char *handle, long context)
{
	char prov[64];
	const char *name = split_handle(handle, prov, sizeof(prov));
	const char *ptype = in_list(provider_types, prov) ? prov : "openai";
	const char *ep = in_list(llm_endpoint_types, prov) ? prov : "openai";
	json_t *m, *more;

	m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:I,s:I,s:b,s:f,s:I}",
		      "handle", handle, "name", name, "display_name", name, "provider_type", ptype,
		      "provider_name", prov[0] ? prov : ptype, "model_type", "llm", "model", name,
		      "model_endpoint_type", ep, "model_endpoint", "https://api.example.invalid/v1",
		      "provider_category", "base", "model_wrapper", "context_window",
		      (json_int_t)context, "max_context_window", (json_int_t)context,
		      "put_inner_thoughts_in_kwargs", 1, "temperature", 0.7, "max_tokens",
		      (json_int_t)4096);
	/* The rest of openapi.json's Model, at the schema's defaults. */
	more = json_pack("{s:b,s:n,s:i,s:n,s:n,s:n,s:n,s:n,s:b,s:n,s:b,s:b,s:n,s:b,s:n}",
			 "enable_reasoner", 1, "reasoning_effort", "max_reasoning_tokens", 0,
			 "effort", "frequency_penalty", "compatibility_type", "verbosity", "tier",
			 "parallel_tool_calls", 0, "response_format", "strict", 0, "return_logprobs",
			 0, "top_logprobs", "return_token_ids", 0, "tool_call_parser");
	json_object_update(m, more);
	json_decref(more);
	return m;
}

static json_t *emb_model(const char *handle, int dim)
{
	char prov[64];
	const char *name = split_handle(handle, prov, sizeof(prov));
	const char *ptype = in_list(provider_types, prov) ? prov : "openai";
	const char *ep = in_list(emb_endpoint_types, prov) ? prov : "openai";

	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:n,s:n,s:n}",
			 "handle", handle, "name", name, "display_name", name, "provider_type",
			 ptype, "provider_name", prov[0] ? prov : ptype, "model_type", "embedding",
			 "embedding_endpoint_type", ep, "embedding_endpoint",
			 "https://api.example.invalid/v1", "embedding_model", name, "embedding_dim",
			 dim, "embedding_chunk_size", 300, "batch_size", 32, "azure_endpoint",
			 "azure_version", "azure_deployment");
}

static void defaults(void)
{
	g_llm = json_array();
	g_emb = json_array();
	for (int i = 0; default_llm[i].handle; i++)
		json_array_append_new(g_llm, llm_model(default_llm[i].handle, default_llm[i].context));
	for (int i = 0; default_emb[i].handle; i++)
		json_array_append_new(g_emb, emb_model(default_emb[i].handle, default_emb[i].dim));
}

/*
 * One list of the --models file: each element a handle ("provider/model") or an object with
 * at least "handle" (a Model or EmbeddingModel, served as written over the derived fields).
 */
static int load_list(json_t *out, const json_t *in, int llm, const char *key, struct buf *err)
{
	size_t i;
	json_t *e;

	if (!json_is_array(in)) {
		buf_addf(err, "\"%s\" must be an array of handles or objects", key);
		return -1;
	}
	json_array_foreach(in, i, e) {
		const char *h = json_is_string(e) ? json_string_value(e) : jsonx_get_str(e, "handle");
		json_t *m;

		if (!h || !strchr(h, '/')) {
			buf_addf(err, "\"%s\"[%zu]: want a handle \"provider/model\" or an object "
				      "with one in \"handle\"", key, i);
			return -1;
		}
		m = llm ? llm_model(h, jsonx_get_int(e, "context_window", 128000))
			: emb_model(h, (int)jsonx_get_int(e, "embedding_dim", 1536));
		if (json_is_object(e))
			json_object_update(m, e);
		json_array_append_new(out, m);
	}
	return 0;
}

int models_load_file(const char *path, struct buf *err)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	int ret = -1;

	if (!doc) {
		buf_addf(err, "--models %s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	json_decref(g_llm);
	json_decref(g_emb);
	g_llm = json_array();
	g_emb = json_array();
	if (!json_is_object(doc)) {
		buf_addf(err, "--models %s: want {\"llm\": [...], \"embedding\": [...]}", path);
	} else if (load_list(g_llm, json_object_get(doc, "llm") ? json_object_get(doc, "llm")
								 : json_array(),
			     1, "llm", err) == 0 &&
		   load_list(g_emb,
			     json_object_get(doc, "embedding") ? json_object_get(doc, "embedding")
							       : json_array(),
			     0, "embedding", err) == 0) {
		ret = 0;
	} else {
		struct buf b = BUF_INIT;
		buf_addf(&b, "--models %s: %s", path, err->buf);
		buf_reset(err);
		buf_addstr(err, b.buf);
		buf_release(&b);
	}
	json_decref(doc);
	return ret;
}

void models_init(void)
{
	if (!g_llm)
		defaults();
}

void models_release(void)
{
	json_decref(g_llm);
	json_decref(g_emb);
	g_llm = g_emb = NULL;
}

static const json_t *find(const json_t *list, const char *handle)
{
	size_t i;
	json_t *m;

	json_array_foreach(list, i, m) {
		if (!strcmp(jsonx_get_str(m, "handle"), handle))
			return m;
	}
	return NULL;
}

json_t *models_llm_config(struct sim_resp *rs, const char *handle)
{
	const json_t *m = find(g_llm, handle);

	if (!m) {
		/* HandleNotFoundError(handle, []) -> 404 (get_llm_config_from_handle_async). */
		resp_detail(rs, 404, "Handle %s not found", handle);
		return NULL;
	}
	return json_pack("{s:O,s:O,s:s,s:O,s:O,s:n,s:O,s:O,s:O}", "model",
			 json_object_get(m, "name"), "model_endpoint_type",
			 json_object_get(m, "model_endpoint_type"), "handle", handle,
			 "context_window", obj_or_null(m, "context_window"), "model_endpoint",
			 obj_or_null(m, "model_endpoint"), "model_wrapper", "temperature",
			 obj_or_null(m, "temperature"), "max_tokens", obj_or_null(m, "max_tokens"), "provider_name",
			 obj_or_null(m, "provider_name"));
}

json_t *models_embedding_config(struct sim_resp *rs, const char *handle, long chunk)
{
	const json_t *m = find(g_emb, handle);

	if (!m) {
		/* LettaInvalidArgumentError(f"Embedding model {handle} not found") -> 400. */
		resp_detail(rs, 400, "Embedding model %s not found", handle);
		return NULL;
	}
	return json_pack("{s:O,s:O,s:O,s:I,s:s,s:O}", "embedding_endpoint_type",
			 json_object_get(m, "embedding_endpoint_type"), "embedding_model",
			 json_object_get(m, "name"), "embedding_dim",
			 json_object_get(m, "embedding_dim"), "embedding_chunk_size",
			 (json_int_t)(chunk > 0 ? chunk : 300), "handle", handle,
			 "embedding_endpoint", obj_or_null(m, "embedding_endpoint"));
}

json_t *models_llm_list(void)
{
	return g_llm;
}

json_t *models_embedding_list(void)
{
	return g_emb;
}
