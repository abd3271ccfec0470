/* model_sources.c - which processes had a site, what each had, and
 * reloads per round. A model fed by the master and its workers gets
 * every process's records in one round; each site keeps the pids that
 * had it, so a block the master loses on each reload, copied into every
 * worker it forks, can be counted once (nsources_now), and each pid's
 * part of it, so a delta answer of one process applies to that part
 * alone (model_round_delta). */
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

/* The source table's index of src (added when new); [0] is no source. */
static uint32_t
tab_of(struct model *m, uint32_t src)
{
	size_t i;

	for (i = 0; i < m->nsrctab; i++)
		if (m->srctab[i].src == src)
			return (uint32_t)i;
	xgrow((void **)&m->srctab, &m->capsrctab, m->nsrctab + 1, sizeof *m->srctab);
	m->srctab[m->nsrctab] = (struct src_ent){ src, UINT32_MAX, 0, 0 };
	return (uint32_t)m->nsrctab++;
}

void
model_sources_init(struct model *m)
{
	tab_of(m, MODEL_NO_SOURCE);
}

static void
name_current(struct model *m)
{
	m->srctab[m->cur_tab].named = m->epoch;
}

void
model_round_source(struct model *m, uint32_t src)
{
	if (!m->in_round)
		return;
	m->cur_src = src;
	m->cur_tab = tab_of(m, src);
	name_current(m);
}

void
model_round_delta(struct model *m)
{
	if (!m->in_round)
		return;
	name_current(m);
	m->srctab[m->cur_tab].delta = m->epoch;
	m->rounds[m->nrounds].delta = true;
}

void
model_round_mark_delta(struct model *m)
{
	if (m->in_round)
		m->rounds[m->nrounds].delta = true;
}

void
model_round_carry(struct model *m)
{
	if (m->in_round)
		m->carry = true;
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

/* Whether c's part goes on from the latest round unless named. */
static bool
carried(const struct model *m, const struct contrib *c)
{
	return m->carry || m->srctab[c->tab].delta == m->epoch;
}

/* c's values for this round, started on first use: the latest round's
 * when carried, else nothing. */
static struct contrib *
contrib_start(struct model *m, struct contrib *c)
{
	if (c->stamp == m->epoch)
		return c;
	c->stamp = m->epoch;
	if (carried(m, c)) {
		memcpy(c->next, c->val, sizeof c->next);
		c->next_held = c->held;
	} else {
		memset(c->next, 0, sizeof c->next);
		c->next_held = false;
	}
	return c;
}

static void
touch(struct model *m, size_t id, struct site_srcs *ss)
{
	if (ss->stamp == m->epoch)
		return;
	ss->stamp = m->epoch;
	xgrow((void **)&m->touched, &m->captouched, m->ntouched + 1, sizeof *m->touched);
	m->touched[m->ntouched++] = (uint32_t)id;
}

/* Site id's part of source src (tab its table index), added when new. */
static struct contrib *
contrib_of(struct model *m, size_t id, uint32_t src, uint32_t tab)
{
	struct site_srcs *ss = srcs_of(m, id);
	uint32_t k;
	size_t cap;

	touch(m, id, ss);
	if (src == MODEL_NO_SOURCE)
		return contrib_start(m, &ss->none);
	for (k = 0; k < ss->n && ss->pid[k] != src; k++)
		;
	if (k == ss->n) {
		if (ss->n == ss->cap) {
			cap = ss->cap;
			xgrow((void **)&ss->pid, &cap, ss->n + 1, sizeof *ss->pid);
			ss->c = xrealloc(ss->c, cap * sizeof *ss->c);
			ss->cap = (uint32_t)cap;
		}
		ss->pid[k] = src;
		memset(&ss->c[k], 0, sizeof ss->c[k]);
		ss->c[k].added = m->epoch;
		ss->c[k].tab = tab;
		ss->n++;
		m->sites[id].sources = ss->pid;
		m->sites[id].nsources = ss->n;
	}
	return contrib_start(m, &ss->c[k]);
}

/* a + d, clamped to [0, UINT64_MAX]: a bad answer never wraps. */
static uint64_t
apply(uint64_t a, int64_t d)
{
	uint64_t mag = d < 0 ? (uint64_t)-(d + 1) + 1 : (uint64_t)d;

	if (d < 0)
		return mag > a ? 0 : a - mag;
	return a > UINT64_MAX - mag ? UINT64_MAX : a + mag;
}

void
model_sources_record(struct model *m, size_t id, const struct leakcheck_record *rec)
{
	struct contrib *c;
	const uint64_t abs[V_N] = { rec->bytes, rec->blocks, rec->direct, rec->indirect };
	const int64_t d[V_N] = { rec->bytes_delta, rec->blocks_delta, rec->direct_delta,
		rec->indirect_delta };
	int v;

	if (m->cur_src == MODEL_NO_SOURCE)
		name_current(m);
	c = contrib_of(m, id, m->cur_src, m->cur_tab);
	if (m->srctab[m->cur_tab].delta != m->epoch) {
		/* a whole answer: identical keys (stacks deeper than
		 * --num-callers) add up */
		for (v = 0; v < V_N; v++)
			c->next[v] += abs[v];
		c->next_held = true;
		return;
	}
	/* a record without deltas in a delta round says where it is now */
	for (v = 0; v < V_N; v++)
		c->next[v] = rec->has_delta ? apply(c->next[v], d[v]) : abs[v];
	c->next_held = c->next[V_BYTES] || c->next[V_BLOCKS];
}

void
model_sources_put(struct model *m, size_t id, const struct leakcheck_record *rec,
	const uint32_t *pids, size_t npids)
{
	struct site_srcs *ss = srcs_of(m, id);
	struct contrib *c;
	uint32_t k;
	size_t i;

	contrib_of(m, id, MODEL_NO_SOURCE, 0);
	for (k = 0; k < ss->n; k++)
		contrib_start(m, &ss->c[k]);
	ss->none.next_held = false;
	memset(ss->none.next, 0, sizeof ss->none.next);
	for (k = 0; k < ss->n; k++) {
		ss->c[k].next_held = false;
		memset(ss->c[k].next, 0, sizeof ss->c[k].next);
	}
	for (i = 0; i < npids; i++) {
		uint32_t tab = tab_of(m, pids[i]);

		m->srctab[tab].named = m->epoch;
		contrib_of(m, id, pids[i], tab)->next_held = true;
	}
	/* the file keeps a site's sum and its holders, not each one's part:
	 * the first holder takes the sum (looked up after the loop, which
	 * may move the parts) */
	c = npids ? contrib_of(m, id, pids[0], 0) : &ss->none;
	c->next[V_BYTES] = rec->bytes;
	c->next[V_BLOCKS] = rec->blocks;
	c->next[V_DIRECT] = rec->direct;
	c->next[V_INDIRECT] = rec->indirect;
}

/* The round's end for c: its values now. */
static void
contrib_end(struct model *m, struct contrib *c, uint64_t out[V_N], bool *held_changed)
{
	bool held;
	int v;

	contrib_start(m, c);
	held = c->next_held;
	memcpy(c->val, c->next, sizeof c->val);
	*held_changed |= held != c->held;
	c->held = held;
	for (v = 0; v < V_N; v++)
		out[v] += c->val[v];
}

void
model_sources_commit(struct model *m, size_t id, uint64_t out[V_N], bool *held_changed)
{
	struct site_srcs *ss;
	uint32_t k;

	if (id >= m->capsrcs)
		return;
	ss = &m->srcs[id];
	contrib_end(m, &ss->none, out, held_changed);
	for (k = 0; k < ss->n; k++)
		contrib_end(m, &ss->c[k], out, held_changed);
}

bool
model_sources_round_end(struct model *m)
{
	uint32_t prev = m->nrounds ? (uint32_t)m->nrounds - 1 : UINT32_MAX;
	bool scan = false;
	size_t i;

	for (i = 0; i < m->nsrctab; i++) {
		struct src_ent *e = &m->srctab[i];
		bool held_before = prev != UINT32_MAX && e->last_round == prev;

		if (held_before && !m->carry && e->delta != m->epoch)
			scan = true;
		if (e->named == m->epoch || (m->carry && held_before))
			e->last_round = (uint32_t)m->nrounds;
	}
	return scan;
}

static void
srcs_clear(struct model *m, size_t id)
{
	free(m->srcs[id].pid);
	free(m->srcs[id].c);
	memset(&m->srcs[id], 0, sizeof m->srcs[id]);
	m->sites[id].sources = NULL;
	m->sites[id].nsources = 0;
}

/* Before model_round_abort forgets the sites this round created: the
 * round's pids leave the sites it named; the parts of this round were
 * never committed. */
void
model_sources_abort(struct model *m)
{
	size_t i;

	m->cur_src = MODEL_NO_SOURCE;
	m->cur_tab = 0;
	for (i = 0; i < m->ntouched; i++) {
		size_t id = m->touched[i];
		struct site_srcs *ss;

		if (id >= m->capsrcs)
			continue;
		ss = &m->srcs[id];
		if (id >= m->sites_at_begin) {
			srcs_clear(m, id);
			continue;
		}
		/* first seen this round: the tail, as pids are appended */
		while (ss->n && ss->c[ss->n - 1].added == m->epoch)
			ss->n--;
		m->sites[id].nsources = ss->n;
		if (!ss->n)
			m->sites[id].sources = NULL;
	}
}

void
model_sources_free(struct model *m)
{
	size_t i;

	for (i = 0; i < m->capsrcs; i++) {
		free(m->srcs[i].pid);
		free(m->srcs[i].c);
	}
	free(m->srcs);
	free(m->srctab);
	free(m->touched);
}

uint32_t
model_sources_now(const struct model *m, size_t id)
{
	uint32_t k, n = 0;

	if (!m->nrounds || id >= m->capsrcs)
		return 0;
	for (k = 0; k < m->srcs[id].n; k++)
		n += m->srcs[id].c[k].held;
	return n;
}

bool
model_site_source_now(const struct model *m, size_t site, uint32_t k)
{
	return m->nrounds && site < m->capsrcs && k < m->srcs[site].n && m->srcs[site].c[k].held;
}

size_t
model_sources_memory(const struct model *m)
{
	size_t bytes = m->capsrcs * sizeof *m->srcs + m->capsrctab * sizeof *m->srctab, i;

	for (i = 0; i < m->capsrcs; i++)
		bytes += m->srcs[i].cap * (sizeof *m->srcs[i].pid + sizeof *m->srcs[i].c);
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
