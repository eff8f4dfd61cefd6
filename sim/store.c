/*
 * The simulator's state: one collection of JSON objects per resource, in creation order, plus
 * the options, id minting, timestamps, paging and the collections as JSON (state.c adds the
 * MemFS repositories for the --state file). Every function here runs with the store lock held
 * (server.c takes it around each handler).
 */
#include "sim.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct store g_store;
struct sim_opts g_opts;

static void coll_release(struct coll *c)
{
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->v[i]);
	free(c->v);
	json_decref(c->index);
	c->v = NULL;
	c->n = 0;
	c->alloc = 0;
	c->index = NULL;
}

static void coll_append(struct coll *c, json_t *obj_take)
{
	const char *id = json_string_value(json_object_get(obj_take, "id"));

	c->v = xgrow(c->v, sizeof(*c->v), c->n + 1, &c->alloc);
	c->v[c->n++] = obj_take;
	if (!c->index)
		c->index = json_object();
	if (id)
		json_object_set(c->index, id, obj_take);
}

#define EACH_COLL(X)                                                                           \
	X(projects) X(agents) X(blocks) X(tools) X(folders) X(files) X(identities) X(mcp_servers)

void store_init(void)
{
	struct sim_faults keep = g_store.faults;

	memset(&g_store, 0, sizeof(g_store));
	g_store.faults = keep;
	g_store.next_seq = 1;
}

void store_release(void)
{
#define REL(name) coll_release(&g_store.name);
	EACH_COLL(REL)
#undef REL
}

void store_reset(void)
{
	store_release();
	store_init();
}

json_t *coll_add_take(struct coll *c, json_t *obj)
{
	json_object_set_new(obj, "_seq", json_integer((json_int_t)g_store.next_seq++));
	coll_append(c, obj);
	return obj;
}

json_t *coll_find(const struct coll *c, const char *id)
{
	return id && c->index ? json_object_get(c->index, id) : NULL;
}

json_t *coll_find_by(const struct coll *c, const char *key, const char *val)
{
	if (!val)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		const char *s = json_string_value(json_object_get(c->v[i], key));
		if (s && !strcmp(s, val))
			return c->v[i];
	}
	return NULL;
}

int coll_remove(struct coll *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *s = json_string_value(json_object_get(c->v[i], "id"));
		if (s && !strcmp(s, id)) {
			json_object_del(c->index, id);
			json_decref(c->v[i]);
			memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
			c->n--;
			return 1;
		}
	}
	return 0;
}

json_t *coll_all(const struct coll *c)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append(arr, c->v[i]);
	return arr;
}

json_t *coll_having(const struct coll *c, const char *rel, const char *id)
{
	json_t *out = json_array();

	for (size_t i = 0; i < c->n; i++) {
		if (strarr_has(json_object_get(c->v[i], rel), id))
			json_array_append(out, c->v[i]);
	}
	return out;
}

json_t *coll_pick(const struct coll *c, const json_t *ids)
{
	json_t *out = json_array(), *id, *o;
	size_t i;

	json_array_foreach(ids, i, id) {
		o = coll_find(c, json_string_value(id));
		if (o)
			json_array_append(out, o);
	}
	return out;
}

/* ---- ids and time ---- */

unsigned long long splitmix64(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void uuid4(char out[37])
{
	/*
	 * Ids come from (seed, a counter kept in the state), not from a clock, so a run repeats and
	 * a loaded state never collides with ids minted after it.
	 */
	unsigned long long n = g_store.next_seq++;
	unsigned long long hi = splitmix64(g_store.faults.seed * 0x100000001b3ULL ^ (n << 1));
	unsigned long long lo = splitmix64(hi ^ n ^ 0x5bd1e995ULL);
	unsigned char b[16];

	for (int i = 0; i < 8; i++) {
		b[i] = (unsigned char)(hi >> (8 * i));
		b[8 + i] = (unsigned char)(lo >> (8 * i));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

char *store_new_uuid(void)
{
	char u[37];

	uuid4(u);
	return xstrdup(u);
}

char *store_new_id(const char *prefix)
{
	char u[37];
	struct buf b = BUF_INIT;

	uuid4(u);
	buf_addf(&b, "%s-%s", prefix, u);
	return buf_detach(&b);
}

char *store_now_iso(void)
{
	struct timespec ts;
	long long us;
	time_t secs;
	struct tm tm;
	char date[32];
	struct buf b = BUF_INIT;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
	if (us <= g_store.last_us)
		us = g_store.last_us + 1;
	g_store.last_us = us;
	secs = (time_t)(us / 1000000LL);
	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_addf(&b, "%s.%06lldZ", date, us % 1000000LL);
	return buf_detach(&b);
}

int id_valid(const char *prefix, const char *id)
{
	size_t pl = strlen(prefix);
	const char *u;

	if (strncmp(id, prefix, pl) || id[pl] != '-' || strlen(id) != pl + 37)
		return 0;
	u = id + pl + 1;
	for (int i = 0; i < 36; i++) {
		char c = u[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

/* ---- JSON helpers ---- */

json_t *obj_public(const json_t *obj)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		if (k[0] != '_')
			json_object_set(out, k, v);
	}
	return out;
}

json_t *obj_or_null(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v ? v : json_null();
}

int strarr_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	}
	return 0;
}

void strarr_add(json_t *arr, const char *s)
{
	if (!strarr_has(arr, s))
		json_array_append_new(arr, json_string(s));
}

int strarr_remove(json_t *arr, const char *s)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		if (json_is_string(v) && !strcmp(json_string_value(v), s)) {
			json_array_remove(arr, i);
			return 1;
		}
	}
	return 0;
}

int ci_contains(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);

	if (!hay)
		return 0;
	for (; *hay; hay++) {
		if (!strncasecmp(hay, needle, nl))
			return 1;
	}
	return nl == 0;
}

/* ---- paging ---- */

/* The comparator's sort key; qsort has no context argument, and the store lock is held. */
static const char *pg_key;

static int cmp_seq(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t sx, sy;

	if (pg_key) {
		const char *kx = json_string_value(json_object_get(x, pg_key));
		const char *ky = json_string_value(json_object_get(y, pg_key));
		int c = strcmp(kx ? kx : "", ky ? ky : "");
		if (c)
			return c;
	}
	sx = json_integer_value(json_object_get(x, "_seq"));
	sy = json_integer_value(json_object_get(y, "_seq"));
	return sx < sy ? -1 : sx > sy;
}

json_t *page_apply(json_t *items, const struct page *pg)
{
	size_t n = json_array_size(items);
	json_t **v = xcalloc(n ? n : 1, sizeof(*v));
	size_t start = 0, end = n, lo, hi;
	long limit = pg->limit;
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(items, i);
	/*
	 * Sorting is by (created_at, id) in the digest (docs/contract/letta-api.md section 3); created_at is strictly increasing with
	 * _seq here, so _seq orders the same way. updated_at sorts on its string first.
	 */
	pg_key = (pg->order_by && !strcmp(pg->order_by, "updated_at")) ? "updated_at" : NULL;
	qsort(v, n, sizeof(*v), cmp_seq);
	pg_key = NULL;
	if (pg->desc) {
		for (size_t i = 0; i < n / 2; i++) {
			json_t *t = v[i];
			v[i] = v[n - 1 - i];
			v[n - 1 - i] = t;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_object_get(v[i], "id"));
		if (!id)
			continue;
		if (pg->after && !strcmp(id, pg->after))
			start = i + 1;
		if (pg->before && !strcmp(id, pg->before))
			end = i;
	}
	if (g_store.faults.max_page > 0 && (limit < 0 || limit > g_store.faults.max_page))
		limit = g_store.faults.max_page;
	lo = start;
	hi = end > start ? end : start;
	if (limit >= 0 && (size_t)limit < hi - lo) {
		/* With only `before`, the page is the one right before the cursor (paging back). */
		if (pg->before && !pg->after && end < n)
			lo = hi - (size_t)limit;
		else
			hi = lo + (size_t)limit;
	}
	for (size_t i = lo; i < hi; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(items);
	return out;
}

/* ---- save and load ---- */

json_t *store_dump(void)
{
	json_t *st = json_object();

	json_object_set_new(st, "version", json_integer(1));
	json_object_set_new(st, "next_seq", json_integer((json_int_t)g_store.next_seq));
#define DUMP(name) json_object_set_new(st, #name, coll_all(&g_store.name));
	EACH_COLL(DUMP)
#undef DUMP
	return st;
}

static int load_coll(struct coll *c, const json_t *arr, const char *name, struct buf *err)
{
	size_t i;
	json_t *v;

	if (!arr)
		return 0;
	if (!json_is_array(arr)) {
		buf_addf(err, "'%s' is not an array", name);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_object(v) || !json_is_string(json_object_get(v, "id"))) {
			buf_addf(err, "'%s'[%zu] has no id", name, i);
			return -1;
		}
		if (!json_is_integer(json_object_get(v, "_seq"))) {
			buf_addf(err, "'%s'[%zu] has no _seq", name, i);
			return -1;
		}
		coll_append(c, json_deep_copy(v));
	}
	return 0;
}

int store_load_json(const json_t *st, struct buf *err)
{
	json_int_t seq;

	if (!json_is_object(st)) {
		buf_addstr(err, "the state is not a JSON object");
		return -1;
	}
	store_reset();
#define LOAD(name)                                                                             \
	if (load_coll(&g_store.name, json_object_get(st, #name), #name, err) < 0) {             \
		store_reset();                                                                 \
		return -1;                                                                     \
	}
	EACH_COLL(LOAD)
#undef LOAD
	seq = json_integer_value(json_object_get(st, "next_seq"));
	g_store.next_seq = seq > 0 ? (unsigned long long)seq : 1;
	/* Never hand out a _seq at or below a loaded one. */
#define MAXSEQ(name)                                                                           \
	for (size_t i = 0; i < g_store.name.n; i++) {                                            \
		json_int_t s = json_integer_value(json_object_get(g_store.name.v[i], "_seq"));   \
		if ((unsigned long long)s >= g_store.next_seq)                                   \
			g_store.next_seq = (unsigned long long)s + 1;                            \
	}
	EACH_COLL(MAXSEQ)
#undef MAXSEQ
	return 0;
}
