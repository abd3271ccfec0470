/* model_series.c - each site's series stored as its changes: a point
 * (round, bytes, blocks, direct, indirect) only when a value changed.
 * An hour of rounds over thousands of sites of which a few change keeps
 * a few points per round, not every site's numbers every round. The
 * latest round's values are the last point (O(1)); an older round's a
 * binary search. A round's end visits the sites it named (or all of
 * them when a full answer can drop what it did not name). */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const struct series_pt *
point_at(const struct model *m, size_t site, size_t r)
{
	const struct site_series *s;
	size_t lo = 0, hi;

	if (r >= m->nrounds || site >= m->nsites || site >= m->capseries)
		return NULL;
	s = &m->series[site];
	if (!s->n || s->pt[0].round > r)
		return NULL;
	if (s->pt[s->n - 1].round <= r)
		return &s->pt[s->n - 1];
	/* the round before the latest change (a delta, the derive's
	 * rates): no search, however long the series */
	if (s->n >= 2 && s->pt[s->n - 2].round <= r)
		return &s->pt[s->n - 2];
	/* the last point at or before r: pt[lo].round <= r < pt[hi].round */
	hi = s->n - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pt[mid].round <= r)
			lo = mid;
		else
			hi = mid;
	}
	return &s->pt[lo];
}

static uint64_t
value_at(const struct model *m, size_t site, size_t r, int v)
{
	const struct series_pt *p = point_at(m, site, r);

	return p ? p->v[v] : 0;
}

uint64_t
model_site_bytes(const struct model *m, size_t site, size_t r)
{
	return value_at(m, site, r, V_BYTES);
}

uint64_t
model_site_blocks(const struct model *m, size_t site, size_t r)
{
	return value_at(m, site, r, V_BLOCKS);
}

uint64_t
model_site_direct(const struct model *m, size_t site, size_t r)
{
	return value_at(m, site, r, V_DIRECT);
}

uint64_t
model_site_indirect(const struct model *m, size_t site, size_t r)
{
	return value_at(m, site, r, V_INDIRECT);
}

/* The verdicts read a site's bytes at many rounds in order: one walk of
 * its points (O(n + points)) instead of a search per round. */
void
model_series_bytes(const struct model *m, size_t site, const size_t *rounds, size_t n,
	uint64_t *out)
{
	const struct site_series *s = site < m->nsites && site < m->capseries ? &m->series[site] :
		NULL;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		size_t r = rounds[i];

		if (!s || r >= m->nrounds) {
			out[i] = 0;
			continue;
		}
		if (k && s->pt[k - 1].round > r)
			k = 0;	/* not ascending: start again */
		while (k < s->n && s->pt[k].round <= r)
			k++;
		out[i] = k ? s->pt[k - 1].v[V_BYTES] : 0;
	}
}

static struct site_series *
series_of(struct model *m, size_t id)
{
	if (id >= m->capseries) {
		size_t old = m->capseries;

		xgrow((void **)&m->series, &m->capseries, id + 1, sizeof *m->series);
		memset(m->series + old, 0, (m->capseries - old) * sizeof *m->series);
	}
	return &m->series[id];
}

/* The values of the round being closed (m->nrounds): a point when they
 * differ from the latest one. Returns whether they did. */
static bool
series_put(struct model *m, size_t id, const uint64_t v[V_N])
{
	struct site_series *s = series_of(m, id);
	static const uint64_t zero[V_N];
	const uint64_t *prev = s->n ? s->pt[s->n - 1].v : zero;

	if (!memcmp(prev, v, sizeof zero))
		return false;
	if (s->n == s->cap) {
		/* most sites change a few times: start at 2, not xgrow's 8 */
		s->cap = s->cap ? s->cap * 2 : 2;
		s->pt = xrealloc(s->pt, s->cap * sizeof *s->pt);
	}
	s->pt[s->n].round = (uint32_t)m->nrounds;
	memcpy(s->pt[s->n].v, v, sizeof zero);
	s->n++;
	return true;
}

static void
site_end(struct model *m, size_t id)
{
	uint64_t v[V_N] = { 0 };
	bool held_changed = false;

	model_sources_commit(m, id, v, &held_changed);
	if (series_put(m, id, v) || held_changed) {
		xgrow((void **)&m->changed, &m->capchanged, m->nchanged + 1, sizeof *m->changed);
		m->changed[m->nchanged++] = (uint32_t)id;
	}
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void
model_series_end(struct model *m)
{
	size_t i;

	m->nchanged = 0;
	if (model_sources_round_end(m)) {
		for (i = 0; i < m->nsites; i++)
			site_end(m, i);
		return;
	}
	/* ascending, as model_changed promises */
	if (m->ntouched)
		qsort(m->touched, m->ntouched, sizeof *m->touched, id_cmp);
	for (i = 0; i < m->ntouched; i++)
		site_end(m, m->touched[i]);
}

size_t
model_changed(const struct model *m, const uint32_t **ids)
{
	*ids = m->changed;
	return m->nchanged;
}

size_t
model_series_memory(const struct model *m)
{
	size_t bytes = m->capseries * sizeof *m->series, i;

	for (i = 0; i < m->capseries; i++)
		bytes += m->series[i].cap * sizeof *m->series[i].pt;
	return bytes + (m->captouched + m->capchanged) * sizeof(uint32_t);
}

/* Sites from id `from` on (all: 0); an aborted round's new sites. */
void
model_series_free(struct model *m, size_t from)
{
	size_t i;

	for (i = from; i < m->capseries; i++) {
		free(m->series[i].pt);
		memset(&m->series[i], 0, sizeof m->series[i]);
	}
	if (!from) {
		free(m->series);
		m->series = NULL;
		m->capseries = 0;
	}
}
