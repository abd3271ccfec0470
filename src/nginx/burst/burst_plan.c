/* burst_plan.c - how a burst's requests are spread over its URLs, and what
 * each URL got.
 *
 * Sending every burst round robin gives every round the same mix: a site's
 * growth is then the same multiple of every URL's requests and cannot be
 * tied to one of them. So burst k (k counts this burst object's bursts
 * from 0) weighs URL k mod n at n+1 and every other URL at 1: the focus URL
 * gets half the burst, the others share the rest. Counts are rounded by
 * largest remainder (ties go to the focus URL, then the URLs after it in
 * turn), which keeps the focus URL above half the burst: over n bursts the
 * counts form a circulant, strictly diagonally dominant, so full rank
 * matrix, whatever the number of requests. Within a burst the requests are
 * interleaved by smooth weighted round robin (nginx's upstream algorithm),
 * so concurrent requests mix the URLs instead of one URL at a time.
 * One URL: every request goes to it, as before.
 *
 * Kinds have weights (burst_plan_weighted): burst k weighs kind k mod n
 * at its weight plus the sum W of all, the others at their own, of 2W -
 * the same shape, so the same full rank, with their proportions kept. */
#include "burst.h"
#include "burst_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void
burst_plan(unsigned long requests, size_t nurls, unsigned long k, unsigned long *counts)
{
	burst_plan_weighted(requests, nurls, NULL, k, counts);
}

static unsigned long
weight_of(const unsigned long *weights, size_t i)
{
	return weights && weights[i] ? weights[i] : 1;
}

/* Kind i's weight in burst k: the focus's plus W, the others' own, out
 * of 2W; products in 128 bits, so no weights overflow the quotas. */
void
burst_plan_weighted(unsigned long requests, size_t nurls, const unsigned long *weights,
	unsigned long k, unsigned long *counts)
{
	unsigned __int128 total = 0, *frac;
	unsigned long left = requests;
	size_t focus, i, j;
	bool *bumped;

	if (!nurls)
		return;
	if (nurls == 1) {
		counts[0] = requests;
		return;
	}
	focus = (size_t)(k % nurls);
	for (i = 0; i < nurls; i++)
		total += weight_of(weights, i);
	total *= 2;
	frac = xcalloc(nurls, sizeof *frac);
	bumped = xcalloc(nurls, sizeof *bumped);
	for (i = 0; i < nurls; i++) {
		unsigned __int128 w = weight_of(weights, i), q;

		if (i == focus)
			w += total / 2;
		q = (unsigned __int128)requests * w;
		counts[i] = (unsigned long)(q / total);
		frac[i] = q % total;
		left -= counts[i];
	}
	/* The focus's quota is above half the burst; its floor may not be,
	 * and with uneven weights the largest remainders may be the others':
	 * then it takes its ceiling first, so it stays above half (strictly
	 * diagonally dominant). With equal weights this changes nothing. */
	if (left && frac[focus] && 2 * counts[focus] <= requests) {
		counts[focus]++;
		bumped[focus] = true;
		left--;
	}
	/* left < nurls: one more for each of the largest remainders, ties to
	 * the focus, then the kinds after it in turn */
	while (left--) {
		size_t best = nurls;

		for (j = 0; j < nurls; j++) {
			i = (focus + j) % nurls;
			if (!bumped[i] && (best == nurls || frac[i] > frac[best]))
				best = i;
		}
		counts[best]++;
		bumped[best] = true;
	}
	free(frac);
	free(bumped);
}

void
burst_urls_reset(struct burst *burst)
{
	size_t n = burst->spec.nurls;

	burst_urls_free(burst);
	burst->url_plan = xcalloc(n, sizeof *burst->url_plan);
	burst->url_swrr = xcalloc(n, sizeof *burst->url_swrr);
	burst->url_sent = xcalloc(n, sizeof *burst->url_sent);
	burst->url_reached = xcalloc(n, sizeof *burst->url_reached);
}

void
burst_urls_free(struct burst *burst)
{
	free(burst->url_plan);
	free(burst->url_swrr);
	free(burst->url_sent);
	free(burst->url_reached);
	burst->url_plan = NULL;
	burst->url_swrr = NULL;
	burst->url_sent = burst->url_reached = NULL;
}

void
burst_plan_start(struct burst *burst)
{
	size_t n = burst->spec.nurls;

	unsigned long *w = xcalloc(n, sizeof *w);
	size_t i;

	for (i = 0; i < n; i++)
		w[i] = burst->spec.reqs[i].weight;
	burst->planned = burst->spec.requests;
	burst_plan_weighted(burst->planned, n, w, burst->nbursts++, burst->url_plan);
	free(w);
	memset(burst->url_swrr, 0, n * sizeof *burst->url_swrr);
	memset(burst->url_sent, 0, n * sizeof *burst->url_sent);
	memset(burst->url_reached, 0, n * sizeof *burst->url_reached);
}

/* Smooth weighted round robin with the counts as weights: over `planned`
 * picks, URL i is picked exactly url_plan[i] times, spread evenly. */
size_t
burst_plan_next(struct burst *burst)
{
	size_t i, best = 0, n = burst->spec.nurls;

	for (i = 0; i < n; i++) {
		burst->url_swrr[i] += (int64_t)burst->url_plan[i];
		if (burst->url_swrr[i] > burst->url_swrr[best])
			best = i;
	}
	burst->url_swrr[best] -= (int64_t)burst->planned;
	burst->url_sent[best]++;
	return best;
}

unsigned long
burst_url_sent(const struct burst *burst, size_t url)
{
	return url < burst->spec.nurls ? burst->url_sent[url] : 0;
}

unsigned long
burst_url_reached(const struct burst *burst, size_t url)
{
	return url < burst->spec.nurls ? burst->url_reached[url] : 0;
}

unsigned long
burst_count(const struct burst *burst)
{
	return burst->nbursts;
}

bool
burst_set_urls(struct burst *burst, char **urls, size_t nurls)
{
	return burst_set_reqs(burst, urls, NULL, nurls);
}

bool
burst_set_reqs(struct burst *burst, char **urls, const struct burst_req *reqs, size_t n)
{
	if (burst->running || !n || !urls)
		return false;
	burst_kinds_set(burst, urls, reqs, n);
	burst->nbursts = 0;
	burst->reset_pending = true;
	burst->paused = false;
	burst_urls_reset(burst);
	return true;
}

bool
burst_reconnect(struct burst *burst)
{
	if (burst->running)
		return false;
	/* a warm-up paused before it ran is not a burst of the rotation: the
	 * next one takes its place (its URL mix), so the mixes stay apart */
	if (burst->paused && burst->nbursts)
		burst->nbursts--;
	burst->reset_pending = true;
	burst->paused = false;
	return true;
}
