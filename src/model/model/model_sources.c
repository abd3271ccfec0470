/* model_sources.c - which processes had a site, and reloads per round.
 * A model fed by the master and its workers gets every process's records
 * in one round (model_round_add sums a key); each site keeps the pids
 * that had it, so a block the master loses on each reload, copied into
 * every worker it forks, can be counted once (nsources_now). */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void
model_round_reloads(struct model *m, unsigned n)
{
	struct model_round *r;

	if (!m->in_round)
		return;
	r = &m->rounds[m->nrounds];
	r->reloads = n;
	r->total_reloads = n + (m->nrounds ? m->rounds[m->nrounds - 1].total_reloads : 0);
}

void
model_round_source(struct model *m, uint32_t src)
{
	if (m->in_round)
		m->cur_src = src;
}

static struct site_srcs *
srcs_of(struct model *m, size_t id)
{
	if (id >= m->capsrcs) {
		size_t old = m->capsrcs;

		xgrow((void **)&m->srcs, &m->capsrcs, id + 1, sizeof *m->srcs);
		memset(m->srcs + old, 0, (m->capsrcs - old) * sizeof *m->srcs);
	}
	return &m->srcs[id];
}

void
model_sources_add(struct model *m, size_t id)
{
	uint32_t round = (uint32_t)m->nrounds, k;
	struct site_srcs *ss;
	size_t cap;

	if (m->cur_src == MODEL_NO_SOURCE)
		return;
	ss = srcs_of(m, id);
	for (k = 0; k < ss->n && ss->pid[k] != m->cur_src; k++)
		;
	if (k < ss->n) {
		if (ss->seen[k].last != round) {
			ss->seen[k].prev = ss->seen[k].last;
			ss->seen[k].last = round;
		}
		return;
	}
	if (ss->n == ss->cap) {
		cap = ss->cap;
		xgrow((void **)&ss->pid, &cap, ss->n + 1, sizeof *ss->pid);
		ss->seen = xrealloc(ss->seen, cap * sizeof *ss->seen);
		ss->cap = (uint32_t)cap;
	}
	ss->pid[ss->n] = m->cur_src;
	ss->seen[ss->n++] = (struct src_seen){ round, round, UINT32_MAX };
	m->sites[id].sources = ss->pid;
	m->sites[id].nsources = ss->n;
}

static void
srcs_clear(struct model *m, size_t id)
{
	free(m->srcs[id].pid);
	free(m->srcs[id].seen);
	memset(&m->srcs[id], 0, sizeof m->srcs[id]);
	m->sites[id].sources = NULL;
	m->sites[id].nsources = 0;
}

/* Before model_round_abort forgets the sites this round created: the
 * round's pids leave the sites it found, and each pid's latest round is
 * the one before again. */
void
model_sources_abort(struct model *m)
{
	uint32_t round = (uint32_t)m->nrounds, k;
	size_t i, n = m->nsites < m->capsrcs ? m->nsites : m->capsrcs;

	m->cur_src = MODEL_NO_SOURCE;
	for (i = 0; i < n; i++) {
		struct site_srcs *ss = &m->srcs[i];

		if (i >= m->sites_at_begin) {
			srcs_clear(m, i);
			continue;
		}
		/* first seen this round: the tail, as pids are appended */
		while (ss->n && ss->seen[ss->n - 1].first == round)
			ss->n--;
		for (k = 0; k < ss->n; k++)
			if (ss->seen[k].last == round)
				ss->seen[k].last = ss->seen[k].prev;
		m->sites[i].nsources = ss->n;
		if (!ss->n)
			srcs_clear(m, i);
	}
}

void
model_sources_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->capsrcs; i++) {
		free(m->srcs[i].pid);
		free(m->srcs[i].seen);
	}
	free(m->srcs);
}

uint32_t
model_sources_now(const struct model *m, size_t id)
{
	uint32_t k, n = 0;

	if (!m->nrounds || id >= m->capsrcs)
		return 0;
	for (k = 0; k < m->srcs[id].n; k++)
		n += m->srcs[id].seen[k].last == m->nrounds - 1;
	return n;
}

bool
model_site_source_now(const struct model *m, size_t site, uint32_t k)
{
	return m->nrounds && site < m->capsrcs && k < m->srcs[site].n &&
		m->srcs[site].seen[k].last == m->nrounds - 1;
}

size_t
model_sources_memory(const struct model *m)
{
	size_t bytes = m->capsrcs * sizeof *m->srcs, i;

	for (i = 0; i < m->capsrcs; i++)
		bytes += m->srcs[i].cap * (sizeof *m->srcs[i].pid + sizeof *m->srcs[i].seen);
	return bytes;
}

void
model_set_lasting_source(struct model *m, uint32_t src)
{
	m->lasting_src = src;
}

bool
model_sources_lasting_now(const struct model *m, size_t site)
{
	const struct model_site *s = &m->sites[site];
	uint32_t k;

	if (m->lasting_src == MODEL_NO_SOURCE)
		return true;
	for (k = 0; k < s->nsources; k++)
		if (s->sources[k] == m->lasting_src && model_site_source_now(m, site, k))
			return true;
	return false;
}
