/* A (tag, string) -> size_t hash map with borrowed keys; see strmap.h. */
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a over the key, mixed with the tag. */
static uint32_t hash_of(unsigned tag, const char *key)
{
	uint32_t h = 2166136261u ^ (uint32_t)tag;

	for (const unsigned char *s = (const unsigned char *)key; *s; s++) {
		h ^= *s;
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

static struct strmap_slot *find(const struct strmap *m, uint32_t h, unsigned tag,
				const char *key)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->hash == h && s->tag == tag && !strcmp(s->key, key)))
			return s;
	}
}

static void grow_to(struct strmap *m, size_t cap)
{
	struct strmap old = *m;

	m->cap = cap;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].hash, old.slots[i].tag, old.slots[i].key) = old.slots[i];
	free(old.slots);
}

static void grow(struct strmap *m)
{
	grow_to(m, m->cap ? m->cap * 2 : 64);
}

void strmap_reserve(struct strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while (n * 2 > cap)
		cap *= 2;
	if (cap > m->cap)
		grow_to(m, cap);
}

size_t *strmap_put(struct strmap *m, unsigned tag, const char *key, size_t fresh, int *added)
{
	uint32_t h = hash_of(tag, key);
	struct strmap_slot *s;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	s = find(m, h, tag, key);
	if (added)
		*added = !s->key;
	if (!s->key) {
		s->key = key;
		s->hash = h;
		s->tag = tag;
		s->value = fresh;
		m->n++;
	}
	return &s->value;
}

const size_t *strmap_get(const struct strmap *m, unsigned tag, const char *key)
{
	struct strmap_slot *s;

	if (!m->cap)
		return NULL;
	s = find(m, hash_of(tag, key), tag, key);
	return s->key ? &s->value : NULL;
}

void strmap_release(struct strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
