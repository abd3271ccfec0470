/* model_track.c - the verdicts of model_verdict.c, kept up round by round
 * in O(changed sites) instead of re-read from every round since the
 * baseline. Each site keeps what the rule reads of its series: the rises
 * (new highs) since the baseline and since its latest fall, with their
 * rounds and bytes, its least bytes (the series' shift), and its bytes
 * before its two latest changes (the rate of a site that is not growing
 * reads the latest three rounds). A site that did not change keeps its
 * verdict, but for three things, each scheduled: its deltas go to 0 a
 * round after it changed, its last-three-rounds rate two rounds after,
 * and a growing site turns bounded once its pause since the latest rise
 * outlasts the longest it came back from (a heap of due rounds). The fit
 * of the growing lines reads the normal equations kept up by
 * model_sums.c and the lines' sites kept by model_lines.c: a round costs
 * its changed sites and its growing lines, whatever the rounds before.
 *
 * Rare paths derive from scratch (model_verdict.c's full derive and
 * model_fit.c's fit on the rows, every round and site since the
 * baseline: O(rounds x sites) per round): reload rounds since the
 * baseline (the burst and reload series apart, per_cycle, line_bytes,
 * rejudge_reloads), until the baseline moves past them; and once, a
 * rebuild of this state (O(rounds x sites)) when the baseline moves, a
 * round is derived out of turn (model_set_baseline) or after a full
 * derive.
 *
 * Exactness: the full rule's sums are integers; both agree to the bit
 * while bytes and request counts (and their products) stay under 2^53. */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* The new highs of a series from its start (the baseline, or a fall). */
struct rise_track {
	uint64_t high;		/* the highest so far (the start's bytes at first) */
	uint64_t vfirst, vlast;	/* bytes at the first and the latest rise */
	uint32_t first, last;	/* their rounds */
	uint32_t pause;		/* longest run of rounds without a rise between two */
	uint32_t count;		/* rises */
};

struct site_track {
	uint64_t b0;		/* bytes at the baseline */
	uint64_t cur;		/* bytes now */
	int64_t least;		/* least bytes since the baseline (the series' shift) */
	uint64_t before1, before2;	/* bytes before the latest change, the one before */
	uint32_t rc1, rc2;	/* rounds of those changes (0: none since the baseline) */
	uint32_t fall;		/* round of the latest fall, 0: none */
	uint64_t vfall;		/* bytes at it */
	struct rise_track all, since_fall;
	uint32_t queued;	/* earliest due round in the heap for it, NONE */
	bool growing;		/* in the growing list */
};

struct due {
	uint32_t round, site;
};

struct model_track {
	bool valid;		/* in step with the model's rounds */
	size_t base;		/* the baseline it was built on */
	size_t rounds;		/* rounds it has seen */
	size_t nsites;		/* sites of the rounds it has seen (state, lines) */
	unsigned all_next;	/* rounds whose derive recomputes every site */
	struct site_track *st;
	size_t capst;
	uint64_t *pre;		/* requests of rounds 0..r summed */
	size_t cappre;
	struct due *heap;
	size_t nheap, capheap;
	uint32_t *prev1, *prev2;	/* changed in the round before, the one before that */
	size_t nprev1, nprev2, capprev1, capprev2;
	uint32_t *growing;	/* growing sites, ascending */
	size_t ngrowing, capgrowing;
	bool *done;		/* per site, for model_fit_derive_list */
	size_t capdone;
	struct model_lines *lines;	/* sites 0..nsites by line */
	struct model_sums sums;	/* the fit's, kept up */
};

/* ---- the rule on the kept state ---- */

static void
rise_start(struct rise_track *t, uint64_t v)
{
	memset(t, 0, sizeof *t);
	t->high = v;
}

static void
rise_add(struct rise_track *t, uint32_t r, uint64_t v)
{
	if (v <= t->high)
		return;
	t->high = v;
	if (!t->count) {
		t->first = r;
		t->vfirst = v;
	} else if (r - t->last - 1 > t->pause) {
		t->pause = r - t->last - 1;
	}
	t->last = r;
	t->vlast = v;
	t->count++;
}

static void
site_start(struct site_track *s, uint64_t v)
{
	memset(s, 0, sizeof *s);
	s->b0 = s->cur = s->before1 = s->before2 = v;
	s->least = (int64_t)v;
	s->queued = NONE;
	rise_start(&s->all, v);
}

/* Round r's bytes v for a site: a rise, a fall, or no change. */
static void
site_step(struct site_track *s, uint32_t r, uint64_t v)
{
	if (v == s->cur)
		return;
	rise_add(&s->all, r, v);
	if (v < s->cur) {
		s->fall = r;
		s->vfall = v;
		rise_start(&s->since_fall, v);
	} else if (s->fall) {
		rise_add(&s->since_fall, r, v);
	}
	s->before2 = s->before1;
	s->rc2 = s->rc1;
	s->before1 = s->cur;
	s->rc1 = r;
	s->cur = v;
	if ((int64_t)v < s->least)
		s->least = (int64_t)v;
}

/* bytes at round q, for q no earlier than two changes back */
static uint64_t
site_bytes_at(const struct site_track *s, uint32_t q)
{
	if (q >= s->rc1)
		return s->cur;
	return q >= s->rc2 ? s->before1 : s->before2;
}

static double
shifted(const struct site_track *s, uint64_t v)
{
	return (double)(uint64_t)((int64_t)v - s->least);
}

/* Requests of rounds a+1 .. b. */
static uint64_t
requests_in(const struct model_track *t, uint32_t a, uint32_t b)
{
	return t->pre[b] - t->pre[a];
}

/* model_verdict.c's rate_of for a growing series judged from round start
 * (bytes vstart) on its rises t. */
static double
rate_growing(const struct model_track *t, const struct site_track *s, const struct rise_track *rt,
	uint32_t start, uint64_t vstart)
{
	uint32_t from = rt->count > 1 ? rt->first : start;
	uint64_t vfrom = rt->count > 1 ? rt->vfirst : vstart;
	uint64_t count = requests_in(t, from, rt->last);

	return count ? (shifted(s, rt->vlast) - shifted(s, vfrom)) / (double)count : 0.0;
}

/* ... and for any other: what the latest two rounds added per request. */
static double
rate_flat(const struct model_track *t, const struct site_track *s, uint32_t base, uint32_t r)
{
	uint32_t from = r - base >= 2 ? r - 2 : base;
	uint64_t count = requests_in(t, from, r);
	uint64_t vfrom = from == base ? s->b0 : site_bytes_at(s, from);

	return count ? (shifted(s, s->cur) - shifted(s, vfrom)) / (double)count : 0.0;
}

/* The verdict at round r (growth_from and rate_of of model_verdict.c);
 * *due: the round it must be judged again without a change (NONE). */
static enum growth
site_judge(const struct model_track *t, const struct site_track *s, uint32_t r, double *rate,
	uint32_t *due)
{
	uint32_t base = (uint32_t)t->base;
	const struct rise_track *f = &s->since_fall;

	*due = NONE;
	if (!s->all.count) {
		*rate = rate_flat(t, s, base, r);
		return GROWTH_STABLE;
	}
	if (r - s->all.last <= s->all.pause && s->cur > s->b0) {
		*due = s->all.last + s->all.pause + 1;
		*rate = rate_growing(t, s, &s->all, base, s->b0);
		return GROWTH_GROWING;
	}
	if (s->fall && f->count >= 2 && r - f->last <= f->pause) {
		*due = f->last + f->pause + 1;
		*rate = r - s->fall >= 1 ? rate_growing(t, s, f, s->fall, s->vfall) : 0.0;
		return GROWTH_GROWING;
	}
	*rate = rate_flat(t, s, base, r);
	return GROWTH_BOUNDED;
}

/* ---- the due rounds: a min-heap ---- */

static void
heap_push(struct model_track *t, uint32_t round, uint32_t site)
{
	size_t i;

	xgrow((void **)&t->heap, &t->capheap, t->nheap + 1, sizeof *t->heap);
	for (i = t->nheap++; i > 0 && t->heap[(i - 1) / 2].round > round; i = (i - 1) / 2)
		t->heap[i] = t->heap[(i - 1) / 2];
	t->heap[i] = (struct due){ round, site };
}

static struct due
heap_pop(struct model_track *t)
{
	struct due top = t->heap[0], last = t->heap[--t->nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < t->nheap) {
		if (c + 1 < t->nheap && t->heap[c + 1].round < t->heap[c].round)
			c++;
		if (t->heap[c].round >= last.round)
			break;
		t->heap[i] = t->heap[c];
		i = c;
	}
	if (t->nheap)
		t->heap[i] = last;
	return top;
}

/* Judge site id again at round due (an extra judgement is harmless). */
static void
schedule(struct model_track *t, uint32_t id, uint32_t due)
{
	struct site_track *s = &t->st[id];

	if (due == NONE || (s->queued != NONE && s->queued <= due))
		return;
	heap_push(t, due, id);
	s->queued = due;
}

/* ---- the growing sites, ascending (the fit's list) ---- */

static size_t
growing_find(const struct model_track *t, uint32_t id)
{
	size_t lo = 0, hi = t->ngrowing;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->growing[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
growing_set(struct model_track *t, uint32_t id, bool on)
{
	size_t i;

	if (t->st[id].growing == on)
		return;
	t->st[id].growing = on;
	i = growing_find(t, id);
	if (on) {
		xgrow((void **)&t->growing, &t->capgrowing, t->ngrowing + 1, sizeof *t->growing);
		memmove(t->growing + i + 1, t->growing + i, (t->ngrowing - i) * sizeof *t->growing);
		t->growing[i] = id;
		t->ngrowing++;
	} else {
		memmove(t->growing + i, t->growing + i + 1, (t->ngrowing - i - 1) * sizeof *t->growing);
		t->ngrowing--;
	}
}

/* ---- a site's derived fields ---- */

static void
urls_clear(struct model_site *s)
{
	free((void *)s->urls);
	s->urls = NULL;
	s->nurls = 0;
	s->attrib = MODEL_ATTRIB_NONE;
}

/* What model_verdict.c's derive_site sets, without reloads since the
 * baseline; the fit (the growing list) comes after. */
static void
site_derive(struct model *m, uint32_t id)
{
	struct model_track *t = m->track;
	struct model_site *s = &m->sites[id];
	size_t last = m->nrounds - 1;
	uint32_t due;

	s->growth = site_judge(t, &t->st[id], (uint32_t)last, &s->bytes_per_request, &due);
	s->bytes_per_reload = 0;
	s->nsources_now = model_sources_now(m, id);
	model_verdict_latest(m, id);
	growing_set(t, id, s->growth == GROWTH_GROWING);
	if (s->growth != GROWTH_GROWING && s->nurls + s->attrib)
		urls_clear(s);
	schedule(t, id, due);
}

/* ---- keeping up ---- */

static void
sites_fit(struct model_track *t, size_t from, size_t to)
{
	size_t i;

	if (to > t->capst) {
		xgrow((void **)&t->st, &t->capst, to, sizeof *t->st);
		t->done = xrealloc(t->done, t->capst * sizeof *t->done);
		memset(t->done + t->capdone, 0, (t->capst - t->capdone) * sizeof *t->done);
		t->capdone = t->capst;
	}
	for (i = from; i < to; i++)
		site_start(&t->st[i], 0);
}

static void
requests_fit(struct model_track *t, const struct model *m, size_t from)
{
	size_t r;

	xgrow((void **)&t->pre, &t->cappre, m->nrounds, sizeof *t->pre);
	for (r = from; r < m->nrounds; r++)
		t->pre[r] = (r ? t->pre[r - 1] : 0) + model_round(m, r)->requests;
}

static void
list_copy(uint32_t **dst, size_t *n, size_t *cap, const uint32_t *src, size_t count)
{
	xgrow((void **)dst, cap, count + 1, sizeof **dst);
	if (count)
		memcpy(*dst, src, count * sizeof *src);
	*n = count;
}

/* Sites from..to (new to the rounds) join their lines. */
static void
lines_add(struct model *m, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		model_lines_add(m->track->lines, &m->sites[i], (uint32_t)i);
}

/* The fit's sums from the rounds since the baseline. */
static void
sums_rebuild(struct model *m)
{
	struct model_track *t = m->track;
	uint32_t *all = xmalloc((t->nsites + 1) * sizeof *all);
	size_t r, i;

	for (i = 0; i < t->nsites; i++)
		all[i] = (uint32_t)i;
	model_sums_reset(&t->sums);
	for (r = t->base + 1; r < m->nrounds; r++)
		model_sums_round(m, &t->sums, t->lines, (uint32_t)r, all, t->nsites);
	free(all);
}

/* From scratch: every site's state from the rounds since the baseline.
 * False when a reload round follows the baseline (the full derive). */
static bool
track_rebuild(struct model *m)
{
	struct model_track *t = m->track;
	size_t base = m->baseline, r, i;

	t->valid = false;
	for (r = base + 1; r < m->nrounds; r++)
		if (model_round(m, r)->reloads)
			return false;
	t->nheap = t->ngrowing = t->nprev1 = t->nprev2 = 0;
	sites_fit(t, 0, m->nsites);
	for (i = 0; i < m->nsites; i++)
		site_start(&t->st[i], model_site_bytes(m, i, base));
	for (r = base + 1; r < m->nrounds; r++)
		for (i = 0; i < m->nsites; i++)
			site_step(&t->st[i], (uint32_t)r, model_site_bytes(m, i, r));
	requests_fit(t, m, 0);
	t->base = base;
	t->rounds = m->nrounds;
	/* in a round (model_set_baseline), its new sites are not the rounds' yet */
	t->nsites = model_round(m, m->nrounds - 1)->nsites;
	model_lines_clear(t->lines);
	lines_add(m, 0, t->nsites);
	sums_rebuild(m);
	t->all_next = 2;	/* the deltas and rates of the two rounds before */
	t->valid = true;
	for (i = 0; i < m->nsites; i++)
		site_derive(m, (uint32_t)i);
	return true;
}

static void
derive_list(struct model *m, const uint32_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] < m->nsites)
			site_derive(m, ids[i]);
}

/* One more round since the last derive: its changed sites step, and the
 * sites whose verdict moves without a change are judged again. */
static bool
track_step(struct model *m)
{
	struct model_track *t = m->track;
	uint32_t r = (uint32_t)(m->nrounds - 1);
	const uint32_t *ch;
	size_t nch = model_changed(m, &ch), i, old = t->nsites;

	if (model_round(m, r)->reloads) {
		t->valid = false;
		return false;
	}
	requests_fit(t, m, r);
	if (m->nsites > old) {
		sites_fit(t, old, m->nsites);
		lines_add(m, old, m->nsites);
	}
	t->nsites = m->nsites;
	t->rounds = m->nrounds;
	for (i = 0; i < nch; i++)
		site_step(&t->st[ch[i]], r, model_site_bytes(m, ch[i], r));
	model_sums_round(m, &t->sums, t->lines, r, ch, nch);
	if (t->all_next) {
		t->all_next--;
		for (i = 0; i < m->nsites; i++)
			site_derive(m, (uint32_t)i);
	} else {
		for (i = old; i < m->nsites; i++)
			site_derive(m, (uint32_t)i);
		derive_list(m, ch, nch);
		derive_list(m, t->prev1, t->nprev1);
		derive_list(m, t->prev2, t->nprev2);
	}
	while (t->nheap && t->heap[0].round <= r) {
		struct due d = heap_pop(t);

		if (t->st[d.site].queued == d.round)
			t->st[d.site].queued = NONE;
		if (d.site < m->nsites)
			site_derive(m, d.site);
	}
	list_copy(&t->prev2, &t->nprev2, &t->capprev2, t->prev1, t->nprev1);
	list_copy(&t->prev1, &t->nprev1, &t->capprev1, ch, nch);
	return true;
}

bool
model_track_derive(struct model *m)
{
	struct model_track *t;
	bool ok;

	if (!m->track) {
		m->track = xcalloc(1, sizeof *m->track);
		m->track->lines = model_lines_new();
	}
	t = m->track;
	if (m->track_full || !m->nrounds) {
		t->valid = false;
		return false;
	}
	if (t->valid && !m->in_round && t->base == m->baseline && m->nrounds == t->rounds + 1 &&
		m->nsites >= t->nsites)
		ok = track_step(m);
	else
		ok = track_rebuild(m);
	if (ok)
		model_fit_derive_list(m, t->growing, t->ngrowing, t->done);
	return ok;
}

void
model_track_free(struct model *m)
{
	struct model_track *t = m->track;

	if (!t)
		return;
	free(t->st);
	free(t->pre);
	free(t->heap);
	free(t->prev1);
	free(t->prev2);
	free(t->growing);
	free(t->done);
	model_lines_free(t->lines);
	model_sums_free(&t->sums);
	free(t);
	m->track = NULL;
}

size_t
model_track_memory(const struct model *m)
{
	const struct model_track *t = m->track;

	if (!t)
		return 0;
	return sizeof *t + t->capst * (sizeof *t->st + sizeof *t->done) + t->cappre * sizeof *t->pre +
		t->capheap * sizeof *t->heap + (t->capprev1 + t->capprev2 + t->capgrowing) *
		sizeof(uint32_t) + model_lines_memory(t->lines) + model_sums_memory(&t->sums);
}

const struct model_sums *
model_track_sums(const struct model *m)
{
	const struct model_track *t = m->track;

	return t && t->valid && t->nsites == m->nsites ? &t->sums : NULL;
}

size_t
model_track_line(const struct model *m, size_t site, const uint32_t **ids)
{
	const struct model_track *t = m->track;

	/* a round's new sites (a derive in it) are not indexed: scan */
	if (!t || !t->valid || t->nsites != m->nsites || site >= m->nsites)
		return 0;
	return model_lines_get(t->lines, &m->sites[site], ids);
}
