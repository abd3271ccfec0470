/* model_fit.c - which request leaks: a growing site's byte deltas, round
 * by round since the baseline, fitted to the requests of each URL in those
 * rounds by non-negative least squares. A URL's coefficient is the bytes
 * each of its requests adds; one extra column for the site's first rise (a
 * round with requests) absorbs a one-off there (lazy init on first use, a
 * connection's first request). The bursts rotate their mix of URLs so the
 * counts of the rounds are not collinear; until they are not (too few
 * rounds, or the same mix every round) the site says MODEL_ATTRIB_FEW_ROUNDS.
 *
 * Only growing lines are fitted, the counts of the rounds read once per
 * derive: a run with thousands of sites pays for its few leaks only. The
 * kept-up derive (model_track.c) reads no rounds at all: its design is
 * the sums model_sums.c keeps (fit_sums), so a fit costs its URLs. A
 * round where a line's memory fell (a connection nginx closed, a cache
 * that evicted) is left out of its fit, and so is a reload round. */
#include "model_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A URL drives a site when its part of the fitted growth (bytes per
 * request times its requests) is at least this share of all URLs' part and
 * each request adds at least FIT_MIN_BPR bytes: noise and rounding give a
 * clean URL a crumb, never a share. */
#define FIT_MIN_SHARE 0.05
#define FIT_MIN_BPR 0.5

/* The counts of the rounds since the baseline, shared by all sites. */
struct design {
	size_t base;		/* absolute round of the baseline */
	size_t nrows;		/* rounds base+1 .. last */
	size_t p;		/* URLs with requests in those rounds */
	uint32_t *url;		/* p: URL id of each column */
	double *x;		/* nrows x p, row-major */
	bool *any;		/* nrows: the round had requests */
	bool *reload;		/* nrows: a reload round (no burst) */
	double *total;		/* p: requests of the column's URL */
	/* Kept-up sums instead of rows (model_sums.c; nrows 0): the
	 * kept-up derive's, whose fit costs its URLs, not its rounds. */
	const struct model_sums *sums;
};

static void
design_build(const struct model *m, struct design *d)
{
	size_t last = m->nrounds - 1, i, j, u;

	memset(d, 0, sizeof *d);
	d->base = m->baseline;
	d->nrows = last - m->baseline;
	d->url = xcalloc(m->nurls ? m->nurls : 1, sizeof *d->url);
	for (u = 0; u < m->nurls; u++)
		for (i = 0; i < d->nrows; i++)
			if (model_round_url(m, d->base + 1 + i, (uint32_t)u)) {
				d->url[d->p++] = (uint32_t)u;
				break;
			}
	d->x = xcalloc(d->nrows * d->p + 1, sizeof *d->x);
	d->any = xcalloc(d->nrows + 1, sizeof *d->any);
	d->total = xcalloc(d->p + 1, sizeof *d->total);
	d->reload = xcalloc(d->nrows + 1, sizeof *d->reload);
	for (i = 0; i < d->nrows; i++)
		d->reload[i] = m->rounds[d->base + 1 + i].reloads > 0;
	for (i = 0; i < d->nrows; i++)
		for (j = 0; j < d->p; j++) {
			double v = (double)model_round_url(m, d->base + 1 + i, d->url[j]);

			d->x[i * d->p + j] = v;
			d->total[j] += v;
			d->any[i] = d->any[i] || v > 0;
		}
}

/* The columns from the kept-up sums: the URLs with requests. */
static void
design_sums(const struct model *m, const struct model_sums *s, struct design *d)
{
	size_t u;

	memset(d, 0, sizeof *d);
	d->sums = s;
	d->base = m->baseline;
	d->url = xcalloc(s->dim + 1, sizeof *d->url);
	d->total = xcalloc(s->dim + 1, sizeof *d->total);
	for (u = 0; u < s->dim; u++)
		if (s->total[u] > 0) {
			d->url[d->p] = (uint32_t)u;
			d->total[d->p++] = s->total[u];
		}
}

static bool
design_reloads(const struct design *d)
{
	size_t i;

	for (i = 0; i < d->nrows; i++)
		if (d->reload[i])
			return true;
	return false;
}

static void
design_free(struct design *d)
{
	free(d->url);
	free(d->x);
	free(d->any);
	free(d->total);
	free(d->reload);
}

static int
url_cmp(const void *a, const void *b)
{
	const struct model_site_url *x = a, *y = b;

	if (x->bytes_per_request != y->bytes_per_request)
		return x->bytes_per_request < y->bytes_per_request ? 1 : -1;
	return x->url < y->url ? -1 : x->url > y->url;
}

static void
set_urls(struct model_site *s, struct model_site_url *u, uint32_t n, enum model_attrib a)
{
	free((void *)s->urls);
	if (n)
		qsort(u, n, sizeof *u, url_cmp);
	s->urls = n ? u : NULL;
	if (!n)
		free(u);
	s->nurls = n;
	s->attrib = a;
}

/* Solve the normal equations h (n x n), c of columns col[0..a) of the
 * design (and the one-off's, when n > a); x gets the p columns' bytes
 * per request (0 for the others). False if the rank is short. */
static bool
fit_solve(const double *h, const double *c, size_t n, size_t a, const size_t *col, size_t p,
	double *x)
{
	double *hr = xcalloc(n * n + 1, sizeof *hr), *z = xcalloc(n + 1, sizeof *z);
	size_t j;
	bool ok;

	memcpy(hr, h, n * n * sizeof *h);
	ok = model_nnls_rank(hr, n) >= a + 1;
	for (j = 0; j < p; j++)
		x[j] = 0;
	if (ok && n) {
		model_nnls(h, c, n, z);
		for (j = 0; j < a; j++)
			x[col[j]] = z[j];
	}
	free(hr);
	free(z);
	return ok;
}

/* Fit the byte deltas y (one per round) to the columns of d that use[]
 * allows, plus the one-off column at the first rise with requests; x gets
 * each allowed column's bytes per request (0 for the others). False if
 * the rounds cannot tell the allowed columns apart. */
static bool
fit_series(const struct design *d, const double *y, const bool *use, double *x)
{
	size_t p = d->p, n = 0, i, j, a, b, f = d->nrows;
	size_t *col = xcalloc(p + 1, sizeof *col);
	double *h, *c;
	bool ok;

	for (i = 0; i < d->nrows && f == d->nrows; i++)
		if (d->any[i] && !d->reload[i] && y[i] > 0)
			f = i;
	for (j = 0; j < p; j++)
		if (use[j])
			col[n++] = j;
	a = n;			/* URL columns; then the one-off's, if any */
	n += f < d->nrows;
	h = xcalloc(n * n + 1, sizeof *h);
	c = xcalloc(n + 1, sizeof *c);
	/* A round where the memory fell freed what earlier requests took (a
	 * connection nginx closed, a cache that evicted): what it says is not
	 * per request, so it is left out; so is a reload round (the workers
	 * replaced, the master's cycle anew). */
	for (i = 0; i < d->nrows; i++) {
		if (y[i] < 0 || d->reload[i])
			continue;
		for (j = 0; j < a; j++) {
			for (b = 0; b < a; b++)
				h[j * n + b] += d->x[i * p + col[j]] * d->x[i * p + col[b]];
			c[j] += d->x[i * p + col[j]] * y[i];
		}
	}
	if (n > a) {
		for (j = 0; j < a; j++)
			h[j * n + a] = h[a * n + j] = d->x[f * p + col[j]];
		h[a * n + a] = 1;
		c[a] = y[f];
	}
	ok = fit_solve(h, c, n, a, col, p, x);
	free(col);
	free(h);
	free(c);
	return ok;
}

static double
ent_at(const double *v, size_t dim, size_t u, size_t w)
{
	return v && u < dim && w < dim ? v[u * dim + w] : 0;
}

/* fit_series on the kept-up sums of entity e (a site or a line; NULL:
 * it never changed): the same h and c, summed as the rounds came. */
static bool
fit_sums(const struct model *m, const struct design *d, const struct model_sums_ent *e,
	const bool *use, double *x)
{
	const struct model_sums *s = d->sums;
	size_t p = d->p, n = 0, j, b, a, edim = e ? e->dim : 0;
	size_t *col = xcalloc(p + 1, sizeof *col);
	uint32_t f = e ? e->f : UINT32_MAX;
	double *h, *c;
	bool ok;

	for (j = 0; j < p; j++)
		if (use[j])
			col[n++] = j;
	a = n;
	n += f != UINT32_MAX;
	h = xcalloc(n * n + 1, sizeof *h);
	c = xcalloc(n + 1, sizeof *c);
	for (j = 0; j < a; j++) {
		size_t u = d->url[col[j]];

		for (b = 0; b < a; b++)
			h[j * n + b] = s->G[u * s->dim + d->url[col[b]]] -
				ent_at(e ? e->F : NULL, edim, u, d->url[col[b]]);
		c[j] = e && u < edim ? e->c[u] : 0;
	}
	if (n > a) {
		for (j = 0; j < a; j++)
			h[j * n + a] = h[a * n + j] = (double)model_round_url(m, f, d->url[col[j]]);
		h[a * n + a] = 1;
		c[a] = e->yf;
	}
	ok = fit_solve(h, c, n, a, col, p, x);
	free(col);
	free(h);
	free(c);
	return ok;
}

/* The byte deltas of site id, round by round since the baseline, added to y. */
static void
add_deltas(const struct model *m, const struct design *d, size_t id, double *y)
{
	size_t i;

	for (i = 0; i < d->nrows; i++)
		y[i] += (double)model_site_bytes(m, id, d->base + 1 + i) -
			(double)model_site_bytes(m, id, d->base + i);
}

/* The URLs that drive a fitted series: a share of the fitted growth and
 * bytes enough per request (see FIT_MIN_SHARE). */
static uint32_t
driving(const struct design *d, const double *x, bool *drives)
{
	double sum = 0;
	uint32_t n = 0;
	size_t j;

	for (j = 0; j < d->p; j++)
		sum += x[j] * d->total[j];
	for (j = 0; j < d->p; j++) {
		drives[j] = sum > 0 && x[j] * d->total[j] >= FIT_MIN_SHARE * sum && x[j] >= FIT_MIN_BPR;
		n += drives[j];
	}
	return n;
}

static void
site_urls(struct model_site *s, const struct design *d, const double *x, const bool *drives)
{
	struct model_site_url *out = xcalloc(d->p + 1, sizeof *out);
	uint32_t n = 0;
	size_t j;

	for (j = 0; j < d->p; j++)
		if (drives[j] && x[j] >= FIT_MIN_BPR)
			out[n++] = (struct model_site_url){ d->url[j], x[j] };
	set_urls(s, out, n, MODEL_ATTRIB_DONE);
}

static bool
same_line(const struct model_site *a, const struct model_site *b)
{
	return model_site_on_line(a, b->kind, model_site_alloc_frame(b));
}

/* A stack through ngx_palloc_block: a pool taking a new block (16 KB for
 * the cycle's) because the line's own small allocations filled the last
 * one. Its growth is a step every thousand or so allocations, landing in
 * whichever round it lands: summed with the line it would pull the
 * line's fit to that round's favoured URL. It says nothing per request. */
static bool
pool_block(const struct model *m, const struct model_site *s)
{
	uint32_t i;

	for (i = 0; i < s->alloc_at && i < s->nframes; i++)
		if (!strcmp(model_frame(m, s->frames[i])->fn, "ngx_palloc_block"))
			return true;
	return false;
}

bool
model_fit_pool_block(const struct model *m, const struct model_site *s)
{
	return pool_block(m, s);
}

/* Fit the line of growing site g (every site of its kind and allocation
 * frame, whatever their verdicts) and then each growing site of it. One
 * leak reaches its line through several stacks (a connection's first
 * request, its keepalive requests, a request after an error closed the
 * connection), and how a URL's requests split between those stacks
 * depends on the mix around them: only their sum is linear in the
 * requests. So the line decides which URLs drive it, and each stack is
 * fitted to those URLs alone for its own bytes per request. */
/* The sites of g's line, ascending: the kept-up index (model_track.c),
 * else a scan of all sites (*own: to free). */
static size_t
line_members(const struct model *m, size_t g, const uint32_t **ids, uint32_t **own)
{
	size_t n = model_track_line(m, g, ids), i;

	*own = NULL;
	if (n)
		return n;
	*own = xmalloc((m->nsites + 1) * sizeof **own);
	for (i = 0; i < m->nsites; i++)
		if (same_line(&m->sites[i], &m->sites[g]))
			(*own)[n++] = (uint32_t)i;
	*ids = *own;
	return n;
}

/* The growing sites of the line from g on get no URLs, attrib a. */
static void
line_unfitted(struct model *m, const uint32_t *ids, size_t n, size_t g, bool *done,
	enum model_attrib a)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (ids[k] >= g && m->sites[ids[k]].growth == GROWTH_GROWING) {
			set_urls(&m->sites[ids[k]], NULL, 0, a);
			done[ids[k]] = true;
		}
}

static void
fit_line(struct model *m, const struct design *d, size_t g, bool *done)
{
	size_t p = d->p, i, k, nsites = 0, n;
	double *y = xcalloc(d->nrows + 1, sizeof *y), *x = xcalloc(p + 1, sizeof *x);
	bool *use = xcalloc(p + 1, sizeof *use), *drives = xcalloc(p + 1, sizeof *drives);
	const uint32_t *ids;
	uint32_t *own;

	n = line_members(m, g, &ids, &own);
	for (k = 0; k < n; k++)
		if (!pool_block(m, &m->sites[ids[k]])) {
			if (!d->sums)
				add_deltas(m, d, ids[k], y);
			nsites++;
		}
	for (i = 0; i < p; i++)
		use[i] = true;
	if (!nsites) {		/* only a pool's new block grew on the line */
		line_unfitted(m, ids, n, g, done, MODEL_ATTRIB_DONE);
		goto out;
	}
	if (d->sums ? !fit_sums(m, d, model_sums_get(m, d->sums, g, true), use, x) :
		!fit_series(d, y, use, x)) {
		line_unfitted(m, ids, n, g, done, MODEL_ATTRIB_FEW_ROUNDS);
		goto out;
	}
	driving(d, x, drives);
	for (k = 0; k < n; k++) {
		i = ids[k];
		if (i < g || m->sites[i].growth != GROWTH_GROWING)
			continue;
		done[i] = true;
		if (pool_block(m, &m->sites[i])) {
			set_urls(&m->sites[i], NULL, 0, MODEL_ATTRIB_DONE);
			continue;
		}
		/* Reloads replace the workers, and the new ones reach the line
		 * through stacks of their own (forked from another place): a
		 * stack lives one generation, no fit of its own tells its rate.
		 * The line's rates go to its first growing stack. */
		if (i != g && design_reloads(d)) {
			set_urls(&m->sites[i], NULL, 0, MODEL_ATTRIB_DONE);
			continue;
		}
		if (nsites > 1 && !design_reloads(d) && d->sums) {
			fit_sums(m, d, model_sums_get(m, d->sums, i, false), drives, x);
		} else if (nsites > 1 && !design_reloads(d)) {
			memset(y, 0, d->nrows * sizeof *y);
			add_deltas(m, d, i, y);
			fit_series(d, y, drives, x);
		}
		site_urls(&m->sites[i], d, x, drives);
	}
out:
	free(own);
	free(y);
	free(x);
	free(use);
	free(drives);
}

/* Site i's URLs: none unless growing; a growing line is fitted once, at
 * its first growing site (done marks the others). */
static void
fit_site(struct model *m, size_t i, struct design *d, bool *built, bool *done)
{
	struct model_site *s = &m->sites[i];
	struct model_site_url *one;

	if (done[i])
		return;
	/* grown on reloads alone: no request drives it */
	if (s->growth != GROWTH_GROWING || !m->nrounds ||
		(s->bytes_per_request <= 0 && s->bytes_per_reload > 0)) {
		set_urls(s, NULL, 0, MODEL_ATTRIB_NONE);
		return;
	}
	if (!*built) {
		if (model_track_sums(m))
			design_sums(m, model_track_sums(m), d);
		else
			design_build(m, d);
		*built = true;
	}
	if (d->p == 1) {
		/* One URL: it drives all of it, at the site's own rate. */
		one = xmalloc(sizeof *one);
		*one = (struct model_site_url){ d->url[0], s->bytes_per_request };
		set_urls(s, one, s->bytes_per_request > 0, MODEL_ATTRIB_DONE);
	} else if (d->p == 0) {
		set_urls(s, NULL, 0, MODEL_ATTRIB_DONE);
	} else {
		/* sites before i on its line are not growing (i is the first) */
		fit_line(m, d, i, done);
	}
}

void
model_fit_derive(struct model *m)
{
	struct design d;
	bool built = false, *done = xcalloc(m->nsites + 1, sizeof *done);
	size_t i;

	for (i = 0; i < m->nsites; i++)
		fit_site(m, i, &d, &built, done);
	free(done);
	if (built)
		design_free(&d);
}

void
model_fit_derive_list(struct model *m, const uint32_t *ids, size_t n, bool *done)
{
	struct design d;
	bool built = false;
	size_t k;

	for (k = 0; k < n; k++)
		fit_site(m, ids[k], &d, &built, done);
	for (k = 0; k < n; k++)
		done[ids[k]] = false;
	if (built)
		design_free(&d);
}

size_t
model_attrib_urls(const struct model *m)
{
	size_t n = 0, u, r;

	for (u = 0; u < m->nurls; u++)
		for (r = m->baseline + 1; r < m->nrounds; r++)
			if (model_round_url(m, r, (uint32_t)u)) {
				n++;
				break;
			}
	return n;
}

size_t
model_attrib_rounds_needed(const struct model *m)
{
	/* after the baseline: a round per URL, one for the one-off */
	return model_attrib_urls(m) + 1;
}

bool
model_attrib_note(const struct model *m, char *buf, size_t len)
{
	size_t i, r, nu = model_attrib_urls(m), need = model_attrib_rounds_needed(m), have = 0;

	/* a reload round has no burst: it tells no URL from another */
	for (r = m->baseline + 1; r < m->nrounds; r++)
		have += !m->rounds[r].reloads;

	for (i = 0; i < m->nsites; i++)
		if (m->sites[i].attrib == MODEL_ATTRIB_FEW_ROUNDS)
			break;
	if (i == m->nsites)
		return false;
	if (have < need)
		snprintf(buf, len, "%zu URLs need at least %zu rounds after the baseline to tell "
			"apart; this run has %zu", nu, need, have);
	else
		snprintf(buf, len, "the bursts so far sent the %zu URLs in the same mix: "
			"their requests cannot be told apart", nu);
	return true;
}
