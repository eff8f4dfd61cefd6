/* Writing ownership markers and hashing views (see markers.h). */
#include "core/markers.h"
#include "core/kinds/kinds.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/sha256.h"

#include <stdlib.h>
#include <string.h>

static int hash_chunk(const char *buf, size_t size, void *data)
{
	sha256_update(data, buf, size);
	return 0;
}

void own_hash(char out[OWN_HASH_LEN + 1], const json_t *view)
{
	struct sha256 s;

	/*
	 * The canonical JSON (jsonx_canonical()'s bytes: json_dumps() is this callback into a
	 * string) streamed into the hash, with no string per object (issue 26). Not dumpable: the
	 * hash of "", as of a NULL dump.
	 */
	sha256_init(&s);
	if (json_dump_callback(view, hash_chunk, &s, JSONX_CANONICAL_FLAGS) != 0)
		sha256_init(&s);
	sha256_final_hex(&s, out);
}

void own_hash_stamp(json_t *marker, unsigned version)
{
	if (version > 1)
		json_object_set_new(marker, OWN_HASH_VERSION_KEY, json_integer((json_int_t)version));
	else
		json_object_del(marker, OWN_HASH_VERSION_KEY);
}

json_t *own_marker_at(enum res_kind kind, const char *name, const char *project,
		      const char *hash, unsigned version)
{
	struct buf src = BUF_INIT;
	json_t *m;

	buf_addf(&src, "%s/%s", kind_name(kind), name);
	m = json_pack("{s:s, s:s, s:s}", "managed_by", OWN_MANAGER, "source", src.buf, "project",
		      project ? project : "");
	if (hash) {
		json_object_set_new(m, "hash", json_string(hash));
		own_hash_stamp(m, version);
	}
	buf_release(&src);
	return m;
}

json_t *own_identity_property(const char *name, const char *project, const char *hash,
			      unsigned version)
{
	return json_pack("{s:s, s:s, s:o}", "key", OWN_IDENTITY_PROPERTY, "type", "json", "value",
			 own_marker_at(KIND_IDENTITY, name, project, hash, version));
}
