/* The kind-implementation table (see impl_table.h). */
#include "core/kinds/impl_table.h"
#include "util/xalloc.h"

/* In enum res_kind's order; agents keep their planner (core/plan_agents.c). */
static const struct kind_impl *const kind_impls[KIND__COUNT] = {
	[KIND_BLOCK] = &kind_block_impl,
	[KIND_TOOL] = &kind_tool_impl,
	[KIND_MCP_SERVER] = &kind_mcp_server_impl,
	[KIND_FOLDER] = &kind_folder_impl,
	[KIND_IDENTITY] = &kind_identity_impl,
};

const struct kind_impl *kind_impl(enum res_kind k)
{
	if ((unsigned)k >= KIND__COUNT)
		BUG("unknown kind %d", (int)k);
	return kind_impls[k];
}

json_t *kind_want_view(const struct resource *r)
{
	const struct kind_impl *k = kind_impl(r->kind);

	return k ? k->want(r) : json_object();
}

json_t *kind_have_view(enum res_kind kind, const json_t *o, const json_t *want)
{
	const struct kind_impl *k = kind_impl(kind);
	const char *key;
	json_t *v, *x;
	void *tmp;

	if (!k)
		return json_object();
	v = k->have(o);
	if (want)
		json_object_foreach_safe(v, tmp, key, x)
			if (!json_object_get(want, key))
				json_object_del(v, key);
	return v;
}

int kind_have_equals(enum res_kind kind, const json_t *o, const json_t *want, json_t **have)
{
	const struct kind_impl *k = kind_impl(kind);

	*have = NULL;
	if (k && k->have_equal && want)
		return k->have_equal(want, o);
	*have = kind_have_view(kind, o, want);
	return json_equal(want, *have);
}
