/*
 * Folder: a folder of files for agents (docs/manifests.md "Folder"). Its spec fields, its
 * desired and remote views (the hash input: the files by content hash included) and what pull
 * writes from a remote folder.
 */
#include "core/kinds/impl.h"
#include "core/kinds/view.h"
#include "util/jsonx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct field f_embedding_config[] = {
	{ "model", TY_STR, 0, NULL, 0, NULL },
	{ "chunkSize", TY_INT, 0, NULL, 0, NULL },
	{ "provider", TY_STR, 0, NULL, 0, NULL },
	FIELD_END,
};

static const struct field folder_fields[] = {
	FIELD_COMMON_SPEC,
	{ "description", TY_STR, 0, NULL, 0, NULL },
	{ "instructions", TY_STR, 0, NULL, 0, NULL },
	{ "embeddingConfig", TY_OBJ, 0, f_embedding_config, 0, NULL },
	{ "embedding", TY_STR, 0, NULL, 0, NULL },
	{ "files", TY_ARR, 0, NULL, TY_STR, NULL },
	{ "lettaMetadata", TY_OBJ, 0, NULL, 0, NULL },
	FIELD_END,
};

static json_t *folder_want(const struct resource *r)
{
	const json_t *md = json_object_get(r->spec, "lettaMetadata");

	return json_pack("{s:s, s:s, s:s, s:o}", "name",
			 view_first_str(view_spec_str(r, "name"), r->name, NULL), "description",
			 view_first_str(view_spec_str(r, "description"), view_meta_str(r, "description"), NULL),
			 "instructions", view_first_str(view_spec_str(r, "instructions"), NULL, NULL),
			 "metadata", json_is_object(md) ? view_norm(md) : json_object());
}

/*
 * A folder's files as {file name: sha256}: the hash letta-sync recorded in the folder's
 * metadata when it uploaded that file, "?" for a file it did not upload.
 */
json_t *folder_files_have(const json_t *o)
{
	const json_t *rec = json_object_get(json_object_get(o, "metadata"), "files"), *f;
	json_t *out = json_object();
	size_t i;

	json_array_foreach(json_object_get(o, "files"), i, f)
	{
		const char *n = jsonx_get_str(f, "file_name");
		const char *h = jsonx_get_str(rec, n ? n : "");

		if (n)
			json_object_set_new(out, n, json_string(h ? h : "?"));
	}
	return out;
}

static json_t *folder_have(const json_t *o)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "name", view_str(json_object_get(o, "name")),
			 "description", view_str(json_object_get(o, "description")), "instructions",
			 view_str(json_object_get(o, "instructions")), "metadata",
			 view_user_metadata(json_object_get(o, "metadata")), "files",
			 folder_files_have(o));
}

/* Its view has not changed since hashes began (hash version 1). */
static const struct own_hash_field folder_hash_fields[] = { { NULL, 0 } };

const struct kind_impl kind_folder_impl = { folder_want, folder_have, folder_fields, NULL, folder_hash_fields };
