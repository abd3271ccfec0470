/* model_lines.c - the sites of each line (kind and allocation frame),
 * ascending, for the kept-up derive (model_track.c): the fit of a growing
 * line reads its own sites, not all of them. */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct line {
	uint32_t kind, at;
	uint32_t *ids;
	size_t n, cap;
};

struct model_lines {
	struct line *line;
	size_t nlines, caplines;
	uint32_t *slot;		/* line index + 1, 0 = empty */
	size_t nslots;		/* a power of 2, more than twice nlines */
};

static uint64_t
line_hash(uint32_t kind, uint32_t at)
{
	uint64_t h = ((uint64_t)kind << 32 | at) * 0x9e3779b97f4a7c15ULL;

	return h ^ (h >> 29);
}

/* The slot of (kind, at): its line's, or the empty one it would take. */
static size_t
slot_of(const struct model_lines *l, uint32_t kind, uint32_t at)
{
	size_t j, mask = l->nslots - 1;

	for (j = line_hash(kind, at) & mask; l->slot[j]; j = (j + 1) & mask) {
		const struct line *ln = &l->line[l->slot[j] - 1];

		if (ln->kind == kind && ln->at == at)
			break;
	}
	return j;
}

static void
slots_grow(struct model_lines *l)
{
	size_t i;

	free(l->slot);
	l->nslots = l->nslots ? l->nslots * 2 : 64;
	l->slot = xcalloc(l->nslots, sizeof *l->slot);
	for (i = 0; i < l->nlines; i++)
		l->slot[slot_of(l, l->line[i].kind, l->line[i].at)] = (uint32_t)i + 1;
}

void
model_lines_clear(struct model_lines *l)
{
	size_t i;

	for (i = 0; i < l->nlines; i++)
		l->line[i].n = 0;
	/* the lines stay (their arrays reused); emptied */
}

/* Site id (the highest so far on its line) joins its line. */
void
model_lines_add(struct model_lines *l, const struct model_site *s, uint32_t id)
{
	uint32_t kind = (uint32_t)s->kind, at = model_site_alloc_frame(s);
	struct line *ln;
	size_t j;

	if ((l->nlines + 1) * 2 > l->nslots)
		slots_grow(l);
	j = slot_of(l, kind, at);
	if (!l->slot[j]) {
		xgrow((void **)&l->line, &l->caplines, l->nlines + 1, sizeof *l->line);
		l->line[l->nlines] = (struct line){ .kind = kind, .at = at };
		l->slot[j] = (uint32_t)++l->nlines;
	}
	ln = &l->line[l->slot[j] - 1];
	xgrow((void **)&ln->ids, &ln->cap, ln->n + 1, sizeof *ln->ids);
	ln->ids[ln->n++] = id;
}

size_t
model_lines_get(const struct model_lines *l, const struct model_site *s, const uint32_t **ids)
{
	size_t j;

	if (!l->nslots)
		return 0;
	j = slot_of(l, (uint32_t)s->kind, model_site_alloc_frame(s));
	if (!l->slot[j])
		return 0;
	*ids = l->line[l->slot[j] - 1].ids;
	return l->line[l->slot[j] - 1].n;
}

struct model_lines *
model_lines_new(void)
{
	return xcalloc(1, sizeof(struct model_lines));
}

void
model_lines_free(struct model_lines *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nlines; i++)
		free(l->line[i].ids);
	free(l->line);
	free(l->slot);
	free(l);
}

size_t
model_lines_memory(const struct model_lines *l)
{
	size_t bytes = sizeof *l + l->caplines * sizeof *l->line + l->nslots * sizeof *l->slot, i;

	for (i = 0; i < l->nlines; i++)
		bytes += l->line[i].cap * sizeof *l->line[i].ids;
	return bytes;
}
