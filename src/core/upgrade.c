/* Upgrade policy: version selection and safe/breaking classification (see upgrade.h). */
#include "core/upgrade.h"
#include "core/ownership.h"
#include "util/jsonx.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <string.h>

int upgrade_select(struct upgrade_target *out, const char *const *tags, size_t n,
		   const char *channel_flag, const char *const *versions, size_t nversions,
		   const char *target, struct ls_error *err)
{
	const char *pick = NULL;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	out->channel = channel_resolve(channel_flag, tags, n);
	for (i = 0; i < n; i++)
		if (tags[i] && !strncmp(tags[i], "version:", 8) && tags[i][8])
			out->current = tags[i] + 8;
	if ((ret = channel_pick(&pick, versions, nversions, out->channel, target, err)) < 0)
		return ret;
	out->newest = pick;
	out->available = out->current;
	if (!pick)
		return 0; /* pinned without a target, or no version at all */
	if (target) {
		int c = out->current ? version_cmp(pick, out->current) : 1;

		out->available = pick;
		out->move = c != 0;
		out->downgrade = c < 0;
		return 0;
	}
	if (!out->current || version_cmp(pick, out->current) > 0) {
		out->available = pick;
		out->move = 1;
	}
	return 0;
}

static void why_add(struct buf *why, int *breaking, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
static void why_add(struct buf *why, int *breaking, const char *fmt, ...)
{
	va_list ap;

	*breaking = 1;
	if (!why)
		return;
	if (why->len)
		buf_addstr(why, "; ");
	va_start(ap, fmt);
	buf_vaddf(why, fmt, ap);
	va_end(ap);
}

static int in_array(const json_t *arr, const json_t *v)
{
	const json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (json_equal(x, v))
			return 1;
	return 0;
}

/* Tags letta-sync rewrites itself: replacing them removes nothing of the user's. */
static int bookkeeping_tag(const char *t)
{
	static const char *const prefixes[] = { "version:", "managed:", "template:", "channel:" };
	size_t i;

	for (i = 0; t && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(t, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static const char *tag_version(const json_t *tags)
{
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t)
		if (json_is_string(t) && !strncmp(json_string_value(t), "version:", 8))
			return json_string_value(t) + 8;
	return NULL;
}

/* The last path component: "memory_blocks", "limit" of "blocks.persona.limit". */
static const char *leaf(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot + 1 : path;
}

static void removed_items(const char *path, const json_t *from, const json_t *to,
			  struct buf *why, int *breaking)
{
	struct buf names = BUF_INIT;
	const json_t *x;
	size_t i, k = 0;
	int tags = !strcmp(leaf(path), "tags");

	json_array_foreach(from, i, x)
	{
		if (to && in_array(to, x))
			continue;
		if (tags && bookkeeping_tag(json_string_value(x)))
			continue;
		if (json_is_string(x))
			buf_addf(&names, "%s'%s'", k ? ", " : "", json_string_value(x));
		else
			buf_addf(&names, "%san entry", k ? ", " : "");
		k++;
	}
	if (k)
		why_add(why, breaking, "%s %s %s", tags ? "removes" : "detaches", path, names.buf);
	buf_release(&names);
}

int upgrade_breaking(const struct plan_action *a, struct buf *why)
{
	const json_t *f, *value = NULL;
	size_t i;
	int breaking = 0;

	switch (a->change) {
	case CHANGE_DELETE:
	case CHANGE_ORPHAN:
		why_add(why, &breaking, "removes %s '%s'", own_kind_name(a->kind), a->name);
		return breaking;
	case CHANGE_DOWNGRADE:
		why_add(why, &breaking, "downgrade");
		return breaking;
	case CHANGE_CREATE:
	case CHANGE_CONFLICT:
	case CHANGE_DRIFT:
		return 0;
	case CHANGE_UPDATE:
		break;
	}
	json_array_foreach(a->fields, i, f)
		if (!strcmp(leaf(jsonx_get_str(f, "path") ? jsonx_get_str(f, "path") : ""), "value"))
			value = json_object_get(f, "to");
	json_array_foreach(a->fields, i, f)
	{
		const char *path = jsonx_get_str(f, "path");
		const json_t *from = json_object_get(f, "from"), *to = json_object_get(f, "to");
		const char *l;

		if (!path)
			continue;
		l = leaf(path);
		if (json_is_array(from)) {
			removed_items(path, from, json_is_array(to) ? to : NULL, why, &breaking);
			if (!strcmp(l, "tags") && json_is_array(to) && tag_version(from) &&
			    tag_version(to)) {
				const char *v0 = tag_version(from), *v1 = tag_version(to);

				if (version_cmp(v1, v0) < 0)
					why_add(why, &breaking, "downgrade from %s to %s", v0, v1);
			}
			continue;
		}
		if ((!strcmp(l, "model") || !strcmp(l, "embedding")) && from && !json_is_null(from) &&
		    !json_equal(from, to)) {
			why_add(why, &breaking, "%s change", l);
			continue;
		}
		if (!strcmp(l, "limit") && json_is_integer(to) && json_is_string(value) &&
		    (size_t)json_integer_value(to) < utf8_count(json_string_value(value))) {
			why_add(why, &breaking, "limit %lld below the content (%zu characters)",
				(long long)json_integer_value(to), utf8_count(json_string_value(value)));
			continue;
		}
		if (from && !json_is_null(from) && (!to || json_is_null(to)))
			why_add(why, &breaking, "removes %s", path);
	}
	if (a->breaking && !breaking)
		why_add(why, &breaking, "%s",
			a->kind == KIND_BLOCK ? "limit below the current content" : "removes or detaches");
	return breaking;
}
