/* model_verdict.c - why a site is `growing`: its bytes since the baseline
 * round by round, the verdict drawn from them, bytes per request over the
 * last rounds; and rows that group sites by allocation site. */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *
model_growth_name(enum growth g)
{
	switch (g) {
	case GROWTH_GROWING:
		return "growing";
	case GROWTH_BOUNDED:
		return "bounded";
	default:
		return "stable";
	}
}

enum growth
model_growth(const uint64_t *bytes, size_t n)
{
	size_t i, window;
	bool grew = false, growing = true;

	if (n < 2)
		return GROWTH_STABLE;
	/* Growing: up in each of the last two rounds (the last one with only
	 * one round after the baseline: too early to call it bounded). */
	window = n - 1 >= 2 ? 2 : 1;
	for (i = 1; i < n; i++) {
		if (bytes[i] > bytes[i - 1])
			grew = true;
		if (i >= n - window && bytes[i] <= bytes[i - 1])
			growing = false;
	}
	if (growing)
		return GROWTH_GROWING;
	return grew ? GROWTH_BOUNDED : GROWTH_STABLE;
}

static void
derive_site(struct model *m, size_t id, uint64_t *series)
{
	struct model_site *s = &m->sites[id];
	size_t last = m->nrounds - 1, n = 0, r, window;
	uint64_t reqs = 0;

	for (r = m->baseline; r <= last; r++)
		series[n++] = model_site_bytes(m, id, r);
	s->growth = model_growth(series, n);
	s->bytes = series[n - 1];
	s->blocks = model_site_blocks(m, id, last);
	s->present = s->blocks > 0 || s->bytes > 0;
	s->direct = id < m->rounds[last].nsites ? m->data[last].direct[id] : 0;
	s->indirect = id < m->rounds[last].nsites ? m->data[last].indirect[id] : 0;
	s->delta_bytes = last ? (int64_t)s->bytes - (int64_t)model_site_bytes(m, id, last - 1) : 0;
	s->delta_blocks = last ? (int64_t)s->blocks - (int64_t)model_site_blocks(m, id, last - 1) : 0;
	window = n - 1 >= 2 ? 2 : n - 1;
	for (r = 0; r < window; r++)
		reqs += m->rounds[last - r].requests;
	s->bytes_per_request = reqs ?
		((double)series[n - 1] - (double)series[n - 1 - window]) / (double)reqs : 0.0;
}

void
model_verdict_derive(struct model *m)
{
	uint64_t *series;
	size_t i;

	if (!m->nrounds)
		return;
	series = xmalloc(m->nrounds * sizeof *series);
	for (i = 0; i < m->nsites; i++)
		derive_site(m, i, series);
	free(series);
}

void
model_group_init(struct model_group *g, const struct model_site *s)
{
	memset(g, 0, sizeof *g);
	g->kind = s->kind;
	g->at = model_site_alloc_frame(s);
	g->core_only = true;
	model_group_add(g, s);
}

void
model_group_add(struct model_group *g, const struct model_site *s)
{
	g->nsites++;
	g->bytes += s->bytes;
	g->blocks += s->blocks;
	g->delta_bytes += s->delta_bytes;
	g->bytes_per_request += s->bytes_per_request;
	g->core_only = g->core_only && s->core_only;
	/* growing beats bounded beats stable */
	if (s->growth == GROWTH_GROWING || (s->growth == GROWTH_BOUNDED && g->growth == GROWTH_STABLE))
		g->growth = s->growth;
}

