/* intern.c - open-addressing set of strings in arena chunks. */
#include "intern.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct intern_slot {
	uint64_t hash;
	const char *str;
	size_t len;
};

struct intern {
	struct intern_slot *slots;
	size_t nslots;		/* power of two */
	size_t count;
	struct arena_chunk *chunks;
	size_t bytes;
};

uint64_t
intern_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, s, n);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

struct intern *
intern_new(void)
{
	struct intern *in = xcalloc(1, sizeof *in);

	in->nslots = 1024;
	in->slots = xcalloc(in->nslots, sizeof *in->slots);
	return in;
}

void
intern_free(struct intern *in)
{
	struct arena_chunk *c, *next;

	if (!in)
		return;
	for (c = in->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(in->slots);
	free(in);
}

static char *
arena_copy(struct intern *in, const char *s, size_t n)
{
	struct arena_chunk *c = in->chunks;
	char *p;

	if (!c || c->size - c->used < n + 1) {
		size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;

		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = in->chunks;
		in->chunks = c;
	}
	p = c->data + c->used;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	in->bytes += n + 1;
	return p;
}

static void
rehash(struct intern *in)
{
	size_t i, n = in->nslots * 2;
	struct intern_slot *slots = xcalloc(n, sizeof *slots);

	for (i = 0; i < in->nslots; i++) {
		struct intern_slot *o = &in->slots[i];
		size_t j;

		if (!o->str)
			continue;
		for (j = o->hash & (n - 1); slots[j].str; j = (j + 1) & (n - 1))
			;
		slots[j] = *o;
	}
	free(in->slots);
	in->slots = slots;
	in->nslots = n;
}

const char *
intern_get(struct intern *in, const char *s, size_t n)
{
	uint64_t h = intern_hash(s, n, 0);
	size_t j;

	for (j = h & (in->nslots - 1); in->slots[j].str; j = (j + 1) & (in->nslots - 1)) {
		struct intern_slot *sl = &in->slots[j];

		if (sl->hash == h && sl->len == n && (!n || !memcmp(sl->str, s, n)))
			return sl->str;
	}
	in->slots[j].hash = h;
	in->slots[j].len = n;
	in->slots[j].str = arena_copy(in, s, n);
	if (++in->count * 2 > in->nslots) {
		const char *str = in->slots[j].str;

		rehash(in);
		return str;
	}
	return in->slots[j].str;
}

size_t
intern_count(const struct intern *in)
{
	return in->count;
}

size_t
intern_bytes(const struct intern *in)
{
	return in->bytes;
}
