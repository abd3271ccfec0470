/* model_sums.c - the fit's normal equations (model_fit.c) kept up round
 * by round for the kept-up derive (model_track.c): a growing line's fit
 * then costs its URLs, not its rounds. The fit from the rounds sums, for
 * the rows (rounds since the baseline) where an entity's bytes did not
 * fall, requests x requests (h) and requests x its rise (c); it also
 * takes the entity's first rise in a round with requests (the one-off
 * column). Here h = G - F: G sums every row, F an entity's falls, and c
 * and F change only in the rounds the entity changed. An entity is a
 * site (the fit of a stack of a line) or a line (kind and allocation
 * frame: the sum of its stacks but the pool-block ones).
 *
 * The counts and bytes are integers: both sums are exact while they
 * stay under 2^53, so these equal the fit's own sums bit for bit. */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void
ent_free(struct model_sums_ent *e)
{
	if (!e)
		return;
	free(e->c);
	free(e->F);
	free(e);
}

void
model_sums_reset(struct model_sums *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		ent_free(s->site[i]);
		ent_free(s->line[i]);
		s->site[i] = s->line[i] = NULL;
	}
	free(s->G);
	free(s->total);
	s->G = s->total = NULL;
	s->dim = 0;
}

void
model_sums_free(struct model_sums *s)
{
	model_sums_reset(s);
	free(s->site);
	free(s->line);
	free(s->scratch);
	free(s->yline);
	memset(s, 0, sizeof *s);
}

/* A dim x dim matrix (dim too) grown to n URLs, zero filled. */
static void
grow(double **mat, double **vec, size_t dim, size_t n)
{
	double *nm = xcalloc(n * n, sizeof *nm), *nv = xcalloc(n, sizeof *nv);
	size_t i;

	for (i = 0; i < dim; i++) {
		memcpy(nm + i * n, *mat + i * dim, dim * sizeof *nm);
		nv[i] = (*vec)[i];
	}
	free(*mat);
	free(*vec);
	*mat = nm;
	*vec = nv;
}

static struct model_sums_ent *
ent_of(struct model_sums_ent **slot, size_t dim)
{
	struct model_sums_ent *e = *slot;

	if (!e) {
		e = *slot = xcalloc(1, sizeof *e);
		e->f = UINT32_MAX;
	}
	if (e->dim < dim) {
		grow(&e->F, &e->c, e->dim, dim);
		e->dim = dim;
	}
	return e;
}

/* Row r (requests x, any of them) for an entity whose bytes moved by y. */
static void
ent_add(struct model_sums_ent *e, uint32_t r, const double *x, size_t dim, double y)
{
	size_t u, v;
	bool any = false;

	for (u = 0; u < dim; u++)
		any = any || x[u] > 0;
	if (y > 0) {
		for (u = 0; u < dim; u++)
			e->c[u] += x[u] * y;
		if (e->f == UINT32_MAX && any) {
			e->f = r;
			e->yf = y;
		}
	} else if (y < 0) {
		for (u = 0; u < dim; u++)
			for (v = 0; v < dim; v++)
				e->F[u * dim + v] += x[u] * x[v];
	}
}

static void
room(struct model_sums *s, size_t nsites)
{
	size_t old = s->cap;

	if (nsites <= s->cap)
		return;
	xgrow((void **)&s->site, &s->cap, nsites, sizeof *s->site);
	s->line = xrealloc(s->line, s->cap * sizeof *s->line);
	memset(s->site + old, 0, (s->cap - old) * sizeof *s->site);
	memset(s->line + old, 0, (s->cap - old) * sizeof *s->line);
	s->yline = xrealloc(s->yline, s->cap * sizeof *s->yline);
	memset(s->yline + old, 0, (s->cap - old) * sizeof *s->yline);
	s->scratch = xrealloc(s->scratch, s->cap * sizeof *s->scratch);
}

/* The first site of id's line: the key of the line's entity. */
static uint32_t
line_key(const struct model *m, const struct model_lines *l, uint32_t id)
{
	const uint32_t *ids;

	return model_lines_get(l, &m->sites[id], &ids) ? ids[0] : id;
}

void
model_sums_round(struct model *m, struct model_sums *s, const struct model_lines *l, uint32_t r,
	const uint32_t *ids, size_t n)
{
	size_t dim = model_nurls(m), u, v, k, nl = 0;
	double *x = xcalloc(dim + 1, sizeof *x);

	room(s, m->nsites);
	if (s->dim < dim) {
		grow(&s->G, &s->total, s->dim, dim);
		s->dim = dim;
	}
	for (u = 0; u < dim; u++) {
		x[u] = (double)model_round_url(m, r, (uint32_t)u);
		s->total[u] += x[u];
	}
	for (u = 0; u < dim; u++)
		for (v = 0; v < dim; v++)
			s->G[u * dim + v] += x[u] * x[v];
	for (k = 0; k < n; k++) {
		uint32_t id = ids[k], key;
		double y = (double)model_site_bytes(m, id, r) - (double)model_site_bytes(m, id, r - 1);

		if (y == 0)
			continue;
		ent_add(ent_of(&s->site[id], dim), r, x, dim, y);
		if (model_fit_pool_block(m, &m->sites[id]))
			continue;
		key = line_key(m, l, id);
		if (s->yline[key] == 0)
			s->scratch[nl++] = key;
		s->yline[key] += y;
	}
	for (k = 0; k < nl; k++) {
		uint32_t key = s->scratch[k];

		/* a line whose stacks' moves summed to 0 did not move */
		if (s->yline[key] != 0)
			ent_add(ent_of(&s->line[key], dim), r, x, dim, s->yline[key]);
		s->yline[key] = 0;
	}
	free(x);
}

const struct model_sums_ent *
model_sums_get(const struct model *m, const struct model_sums *s, size_t id, bool line)
{
	const uint32_t *ids;

	if (line && model_track_line(m, id, &ids))
		id = ids[0];
	if (id >= s->cap)
		return NULL;
	return line ? s->line[id] : s->site[id];
}

size_t
model_sums_memory(const struct model_sums *s)
{
	size_t bytes = s->cap * (2 * sizeof *s->site + sizeof *s->yline + sizeof *s->scratch), i;

	bytes += s->dim * (s->dim + 1) * sizeof(double);
	for (i = 0; i < s->cap; i++) {
		if (s->site[i])
			bytes += sizeof *s->site[i] + s->site[i]->dim * (s->site[i]->dim + 1) * 8;
		if (s->line[i])
			bytes += sizeof *s->line[i] + s->line[i]->dim * (s->line[i]->dim + 1) * 8;
	}
	return bytes;
}
