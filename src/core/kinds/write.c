/* What the kind files' request builders share (see write.h). */
#include "core/kinds/write.h"

json_t *kind_marker(const struct kind_write *w, const char *hash)
{
	return own_marker_at(w->r->kind, w->r->name, w->project, hash, w->hash_version);
}

json_t *kind_metadata(const struct kind_write *w, const json_t *user, const char *hash)
{
	json_t *m = json_is_object(user) ? json_deep_copy(user) : json_object();
	json_t *marker = kind_marker(w, hash);

	json_object_update(m, marker);
	json_decref(marker);
	return m;
}

void kind_project_id(const struct kind_write *w, json_t *body)
{
	if (w->o->project_id)
		json_object_set_new(body, "project_id", json_string(w->o->project_id));
}
