/* model_verdict.c - why a site is `growing`: its bytes since the baseline
 * round by round, the verdict drawn from them (new highs and the pauses
 * between them), bytes per request; and rows that group sites by
 * allocation site. */
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

/* Where a site's bytes since the baseline reached a new high. Only a new
 * high counts as a rise: memory freed and taken again (a pool of buffers, a
 * cache that evicts and refills) is not growth, however often it swings. */
struct rises {
	size_t count;		/* rounds that reached a new high */
	size_t first, last;	/* the first and the latest of them */
	size_t pause;		/* the longest run of rounds without one between two */
};

static void
rises_of(const uint64_t *bytes, size_t n, struct rises *r)
{
	uint64_t high = n ? bytes[0] : 0;
	size_t i;

	memset(r, 0, sizeof *r);
	for (i = 1; i < n; i++) {
		if (bytes[i] <= high)
			continue;
		high = bytes[i];
		if (!r->count)
			r->first = i;
		else if (i - r->last - 1 > r->pause)
			r->pause = i - r->last - 1;
		r->last = i;
		r->count++;
	}
}

/* bytes[0] is the baseline, bytes[1..n-1] the rounds since.
 *   stable:  never above its baseline high: no rise.
 *   growing: not flat since its latest rise for longer than the longest
 *            pause it already came back from (and above its baseline). A
 *            leak that shows every other round, or only in the rounds that
 *            hit its URL, pauses and rises again: {0,100,100,200,200} is
 *            growing. A rise in the latest round is growing: nothing says
 *            yet that it stopped.
 *   bounded: it rose, then stayed flat for longer than any pause it came
 *            back from: a one-off (lazy init, {0,512,512}), a cache that
 *            filled over a few rounds ({0,100,200,200}).
 * Few rounds are little evidence: a leak that rises once in three rounds
 * looks like a one-off until it rises again, and a cache that fills in two
 * steps with a pause looks like such a leak until it stays flat for longer
 * than that pause; more rounds settle both. */
/* The rule of model_growth on bytes[0..n); *from gets where the series it
 * judged starts: 0, or the latest fall when growth resumed after one. */
static enum growth
growth_from(const uint64_t *bytes, size_t n, size_t *from)
{
	struct rises r;
	size_t f;

	*from = 0;
	rises_of(bytes, n, &r);
	if (!r.count)
		return GROWTH_STABLE;
	if (n - 1 - r.last <= r.pause && bytes[n - 1] > bytes[0])
		return GROWTH_GROWING;
	/* Memory freed wholesale - a keepalive connection nginx closed, with
	 * what a module kept on its pool - and taken again since: the series
	 * since that fall is judged alone, the fall its baseline. One rise
	 * after it is the connection opened again, not growth. */
	for (f = n - 1; f > 0 && bytes[f] >= bytes[f - 1]; f--)
		;
	if (f > 0) {
		rises_of(bytes + f, n - f, &r);
		if (r.count >= 2 && n - f - 1 - r.last <= r.pause) {
			*from = f;
			return GROWTH_GROWING;
		}
	}
	return GROWTH_BOUNDED;
}

enum growth
model_growth(const uint64_t *bytes, size_t n)
{
	size_t from;

	return growth_from(bytes, n, &from);
}

/* The points a site is judged on: absolute round numbers, the baseline
 * first. Without reloads since the baseline, every round (as ever); with
 * them, the rounds without reloads (bursts) and the reload rounds apart:
 * a reload replaces the workers, so what it frees or adds is not per
 * request, and a burst's requests are not per reload. */
struct points {
	size_t *req, nreq;	/* baseline + rounds without reloads */
	size_t *rel, nrel;	/* baseline + reload rounds; nrel 1: none */
	uint64_t *series;	/* scratch for a series, nrounds long */
	int64_t *sum;		/* scratch */
};

/* Sum of field (requests or reloads) of points from+1 .. to. */
static uint64_t
count_in(const struct model *m, const size_t *pt, size_t from, size_t to, bool reloads)
{
	uint64_t n = 0;

	while (to > from) {
		n += reloads ? m->rounds[pt[to]].reloads : m->rounds[pt[to]].requests;
		to--;
	}
	return n;
}

/* The change of a series per request (reloads false) or per reload. A
 * growing site: from its first rise to its latest, over the requests in
 * between: whole periods of an intermittent leak, so where the rounds fall
 * in its period does not weigh in, nor a one-off first allocation (with a
 * single rise: that rise over the requests since the baseline). The last
 * rounds alone would say 0 or twice the rate of a leak that shows every
 * other round. Any other site: what the last two rounds added per request
 * (0 once it is flat). pt[i] is the round of series[i]. */
static double
rate_of(const struct model *m, const size_t *pt, const uint64_t *series, size_t n,
	enum growth g, bool reloads)
{
	size_t from, to;
	struct rises r;
	uint64_t count;

	if (n < 2)
		return 0.0;
	if (g == GROWTH_GROWING) {
		rises_of(series, n, &r);
		from = r.count > 1 ? r.first : 0;
		to = r.last;
	} else {
		to = n - 1;
		from = n - 1 >= 2 ? n - 3 : 0;
	}
	count = count_in(m, pt, from, to, reloads);
	return count ? ((double)series[to] - (double)series[from]) / (double)count : 0.0;
}

/* A site's series on the request points pt[0..n): the baseline's bytes,
 * then the deltas of those rounds only (to the round before each, whatever it
 * was), summed; shifted so its least is 0 (the verdict reads only
 * differences; a sum of deltas can go under the baseline). */
static void
series_on(const struct model *m, size_t id, const size_t *pt, size_t n, struct points *p)
{
	int64_t least;
	size_t i;

	p->sum[0] = (int64_t)model_site_bytes(m, id, pt[0]);
	least = p->sum[0];
	for (i = 1; i < n; i++) {
		p->sum[i] = p->sum[i - 1] + (int64_t)model_site_bytes(m, id, pt[i]) -
			(int64_t)model_site_bytes(m, id, pt[i] - 1);
		if (p->sum[i] < least)
			least = p->sum[i];
	}
	for (i = 0; i < n; i++)
		p->series[i] = (uint64_t)(p->sum[i] - least);
}

/* Growing in either series is growing; bounded if either is; else stable. */
static enum growth
growth_max(enum growth a, enum growth b)
{
	if (a == GROWTH_GROWING || b == GROWTH_GROWING)
		return GROWTH_GROWING;
	return a == GROWTH_BOUNDED || b == GROWTH_BOUNDED ? GROWTH_BOUNDED : GROWTH_STABLE;
}

/* Judged on the reload rounds: what each reload adds, per process that
 * holds the site now (a master's block is in every worker it forked).
 * The series is the site's bytes at the baseline and right after each
 * reload, not the sum of the reload rounds' deltas: a reload ends the old
 * workers, so its delta also takes back what their requests added since
 * the reload before (a per-request leak on the same line would hide a
 * per-reload one), while the bytes right after a reload are the master's
 * and what the new workers inherited of it, whatever the bursts between. */
/* The first reload moves every allocation of the cycle from main()'s
 * stack (ngx_init_cycle called at start) to the master's
 * (ngx_master_process_cycle): on one line, one site falls to 0 and
 * another rises by as much. What a line holds after each reload is the
 * measure; a site whose line did not grow on reloads did not either. */
static uint64_t line_bytes(const struct model *m, size_t id, size_t r);

static bool
line_flat_on_reloads(const struct model *m, size_t id, const struct points *p)
{
	uint64_t *line = xcalloc(p->nrel, sizeof *line);
	size_t i, from;
	bool flat;

	for (i = 0; i < p->nrel; i++)
		line[i] = line_bytes(m, id, p->rel[i]);
	flat = growth_from(line, p->nrel, &from) == GROWTH_STABLE;
	free(line);
	return flat;
}

static void
judge_reloads(struct model *m, size_t id, struct points *p, enum growth *g)
{
	struct model_site *s = &m->sites[id];
	size_t from, i;
	uint32_t procs;

	for (i = 0; i < p->nrel; i++)
		p->series[i] = model_site_bytes(m, id, p->rel[i]);
	*g = growth_from(p->series, p->nrel, &from);
	if (*g != GROWTH_STABLE && (!model_sources_lasting_now(m, id) ||
		line_flat_on_reloads(m, id, p)))
		*g = GROWTH_STABLE;
	if (*g != GROWTH_GROWING)
		return;
	procs = model_sources_now(m, id);
	s->bytes_per_reload = rate_of(m, p->rel + from, p->series + from, p->nrel - from, *g, true) /
		(procs ? procs : 1);
}

/* A site growing on the burst rounds with reloads between them: is it
 * per request, or per cycle? Each cycle's new workers take again what
 * workers take once (a lazy init on their first request, a cache they
 * fill), which on the burst rounds alone rises after each reload like a
 * leak. The longest cycle (the latest of equals) with two bursts or more
 * is judged on its own, on the site's line - the bytes at its start, then at its bursts: a
 * per-request leak grows there, a per-cycle fill stops. With no such
 * cycle nothing tells, and growing stands. */
/* What site id's line (its kind and allocation frame, all its stacks)
 * holds at round r: the workers of each cycle reach a line through
 * stacks of their own, the line is what lives on. */
static uint64_t
line_bytes(const struct model *m, size_t id, size_t r)
{
	const struct model_site *s = &m->sites[id];
	uint32_t at = model_site_alloc_frame(s);
	uint64_t sum = 0;
	size_t j;

	for (j = 0; j < m->nsites; j++)
		if (model_site_on_line(&m->sites[j], s->kind, at))
			sum += model_site_bytes(m, j, r);
	return sum;
}

static enum growth
per_cycle(const struct model *m, size_t id, struct points *p)
{
	size_t r, start = m->baseline, len = 0, best = 0, best_len = 0, n = 0, from;

	for (r = m->baseline; r <= m->nrounds; r++) {
		if (r == m->nrounds || (r > m->baseline && m->rounds[r].reloads)) {
			if (len >= 2 && len >= best_len) {
				best = start;
				best_len = len;
			}
			start = r;
			len = 0;
		} else if (r > start) {
			len++;
		}
	}
	if (!best_len)
		return GROWTH_GROWING;
	for (r = best; n < best_len + 1; r++)
		p->series[n++] = line_bytes(m, id, r);
	return growth_from(p->series, n, &from);
}

/* A site's numbers of the latest round and their change since the one
 * before: the kept-up derive and the full one alike. */
void
model_verdict_latest(struct model *m, size_t id)
{
	struct model_site *s = &m->sites[id];
	size_t last = m->nrounds - 1;

	s->bytes = model_site_bytes(m, id, last);
	s->blocks = model_site_blocks(m, id, last);
	s->present = s->blocks > 0 || s->bytes > 0;
	s->direct = model_site_direct(m, id, last);
	s->indirect = model_site_indirect(m, id, last);
	s->delta_bytes = last ? (int64_t)s->bytes - (int64_t)model_site_bytes(m, id, last - 1) : 0;
	s->delta_blocks = last ? (int64_t)s->blocks - (int64_t)model_site_blocks(m, id, last - 1) : 0;
}

/* Returns the verdict on the burst rounds alone. */
static enum growth
derive_site(struct model *m, size_t id, struct points *p)
{
	enum growth on_requests;
	struct model_site *s = &m->sites[id];
	size_t from;
	enum growth on_reloads = GROWTH_STABLE;

	series_on(m, id, p->req, p->nreq, p);
	s->growth = growth_from(p->series, p->nreq, &from);
	s->bytes_per_request = rate_of(m, p->req + from, p->series + from, p->nreq - from,
		s->growth, false);
	s->bytes_per_reload = 0;
	s->nsources_now = model_sources_now(m, id);
	if (p->nrel > 1 && s->growth == GROWTH_GROWING && per_cycle(m, id, p) != GROWTH_GROWING) {
		s->growth = GROWTH_BOUNDED;
		series_on(m, id, p->req, p->nreq, p);
		s->bytes_per_request = rate_of(m, p->req, p->series, p->nreq, s->growth, false);
	}
	on_requests = s->growth;
	if (p->nrel > 1) {
		judge_reloads(m, id, p, &on_reloads);
		s->growth = growth_max(s->growth, on_reloads);
	}
	model_verdict_latest(m, id);
	return on_requests;
}

static void
points_build(const struct model *m, struct points *p)
{
	size_t r;

	p->req = xmalloc(m->nrounds * sizeof *p->req);
	p->rel = xmalloc(m->nrounds * sizeof *p->rel);
	p->series = xmalloc(m->nrounds * sizeof *p->series);
	p->sum = xmalloc(m->nrounds * sizeof *p->sum);
	p->req[0] = p->rel[0] = m->baseline;
	p->nreq = p->nrel = 1;
	for (r = m->baseline + 1; r < m->nrounds; r++) {
		if (m->rounds[r].reloads)
			p->rel[p->nrel++] = r;
		else
			p->req[p->nreq++] = r;
	}
}

/* What the requests of reload round r (the warm-up that opens the held
 * connections to the new workers) added to a line, at the bytes per
 * request of each URL that the bursts measured for it (model_fit.c). */
static double
warm_bytes(const struct model *m, size_t r, const struct model_site_url *u, size_t nu)
{
	double b = 0;
	size_t k;

	for (k = 0; k < nu; k++)
		b += (double)model_round_url(m, r, u[k].url) * u[k].bytes_per_request;
	return b;
}

/* The per-URL rates of site id's line: its growing sites' URLs summed. */
static size_t
line_rates(const struct model *m, size_t id, struct model_site_url *out, size_t cap)
{
	const struct model_site *s = &m->sites[id];
	uint32_t at = model_site_alloc_frame(s), k;
	size_t j, n = 0, i;

	for (j = 0; j < m->nsites; j++) {
		const struct model_site *t = &m->sites[j];

		if (!model_site_on_line(t, s->kind, at))
			continue;
		for (k = 0; k < t->nurls; k++) {
			for (i = 0; i < n && out[i].url != t->urls[k].url; i++)
				;
			if (i == n && n < cap)
				out[n++] = t->urls[k];
			else if (i < n)
				out[i].bytes_per_request += t->urls[k].bytes_per_request;
		}
	}
	return n;
}

/* A reload round's requests - the warm-up - leak like any request: what
 * they added at the rates the bursts measured is taken off the bytes
 * after each reload before the reload verdict, so a per-request leak is
 * not a per-reload one too. Only lines some URL drives. */
static void
rejudge_reloads(struct model *m, struct points *p, const enum growth *on_requests)
{
	struct model_site_url rates[MODEL_GROUP_URLS * 4];
	size_t id, i, nr, from;
	enum growth g;

	for (id = 0; p->nrel > 1 && id < m->nsites; id++) {
		struct model_site *s = &m->sites[id];

		if (s->bytes_per_reload <= 0 || !(nr = line_rates(m, id, rates, LT_ARRAY_SIZE(rates))))
			continue;
		for (i = 0; i < p->nrel; i++) {
			double v = (double)model_site_bytes(m, id, p->rel[i]) -
				(i ? warm_bytes(m, p->rel[i], rates, nr) : 0);

			p->series[i] = v > 0 ? (uint64_t)(v + 0.5) : 0;
		}
		g = growth_from(p->series, p->nrel, &from);
		if (g != GROWTH_GROWING)
			s->bytes_per_reload = 0;
		s->growth = growth_max(on_requests[id], g);
	}
}

void
model_verdict_derive(struct model *m)
{
	struct points p;
	enum growth *on_requests;
	size_t i;

	if (!m->nrounds || m->derive_off || model_track_derive(m))
		return;
	/* From scratch: every site on every round since the baseline (see
	 * model_track.c for when). */
	points_build(m, &p);
	on_requests = xcalloc(m->nsites + 1, sizeof *on_requests);
	for (i = 0; i < m->nsites; i++)
		on_requests[i] = derive_site(m, i, &p);
	model_fit_derive(m);
	rejudge_reloads(m, &p, on_requests);
	free(on_requests);
	free(p.req);
	free(p.rel);
	free(p.series);
	free(p.sum);
}

/* Sum u into g's URLs, biggest first; when full, the smallest gives way. */
static void
group_add_url(struct model_group *g, const struct model_site_url *u)
{
	struct model_site_url t;
	uint32_t i;

	for (i = 0; i < g->nurls && g->urls[i].url != u->url; i++)
		;
	if (i < g->nurls) {
		g->urls[i].bytes_per_request += u->bytes_per_request;
	} else if (g->nurls < MODEL_GROUP_URLS) {
		g->urls[i = g->nurls++] = *u;
	} else if (u->bytes_per_request > g->urls[MODEL_GROUP_URLS - 1].bytes_per_request) {
		g->urls[i = MODEL_GROUP_URLS - 1] = *u;
	} else {
		return;
	}
	for (; i > 0 && g->urls[i].bytes_per_request > g->urls[i - 1].bytes_per_request; i--) {
		t = g->urls[i];
		g->urls[i] = g->urls[i - 1];
		g->urls[i - 1] = t;
	}
}

bool
model_site_on_line(const struct model_site *s, enum leak_kind kind, uint32_t at)
{
	return s->kind == kind && model_site_alloc_frame(s) == at;
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
	uint32_t i;

	g->nsites++;
	g->bytes += s->bytes;
	g->blocks += s->blocks;
	g->delta_bytes += s->delta_bytes;
	g->bytes_per_request += s->bytes_per_request;
	g->bytes_per_reload += s->bytes_per_reload;
	g->core_only = g->core_only && s->core_only;
	/* growing beats bounded beats stable */
	if (s->growth == GROWTH_GROWING || (s->growth == GROWTH_BOUNDED && g->growth == GROWTH_STABLE))
		g->growth = s->growth;
	if (s->attrib == MODEL_ATTRIB_DONE || (s->attrib == MODEL_ATTRIB_FEW_ROUNDS &&
		g->attrib == MODEL_ATTRIB_NONE))
		g->attrib = s->attrib;
	for (i = 0; i < s->nurls; i++)
		group_add_url(g, &s->urls[i]);
}

