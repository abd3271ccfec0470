/* model.c - sites keyed by (kind, stack), frames interned, rounds; the
 * series are model_series.c's, the verdicts model_verdict.c's. */
#include "model.h"
#include "model_int.h"
#include "intern.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Functions that allocate on behalf of their caller: the allocation site
 * is the first frame that is none of these. A trailing '*' is a prefix. */
static const char *const default_alloc_fns[] = {
	"malloc", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign",
	"aligned_alloc", "valloc", "pvalloc", "strdup", "strndup", "operator new*",
	"operator new[]*", "__libc_*", "ngx_alloc", "ngx_calloc", "ngx_memalign",
	"ngx_palloc*", "ngx_pnalloc", "ngx_pcalloc", "ngx_pmemalign", "ngx_create_pool",
	"ngx_array_*", "ngx_list_*", "ngx_create_temp_buf", "ngx_alloc_chain_link",
	"ngx_pstrdup", "ngx_pool_cleanup_add", "ngx_create_chain_of_bufs",
	"ngx_resolver_alloc", "ngx_resolver_calloc", "ngx_resolver_dup",
};

/* Directories of nginx's own source tree. */
static const char *const core_dirs[] = {
	"src/core/", "src/event/", "src/http/", "src/os/", "src/stream/", "src/mail/",
	"src/misc/",
};


struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);
	size_t i;

	m->strs = intern_new();
	m->cur_src = MODEL_NO_SOURCE;
	m->lasting_src = MODEL_NO_SOURCE;
	m->nframe_slots = m->nsite_slots = 1024;
	m->frame_slots = xcalloc(m->nframe_slots, sizeof *m->frame_slots);
	m->site_slots = xcalloc(m->nsite_slots, sizeof *m->site_slots);
	for (i = 0; i < LT_ARRAY_SIZE(default_alloc_fns); i++)
		model_add_alloc_fn(m, default_alloc_fns[i]);
	model_sources_init(m);
	return m;
}

void
model_free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nsites; i++) {
		free(m->sites[i].frames);
		free((void *)m->sites[i].urls);
	}
	for (i = 0; i < m->nrounds + (m->in_round ? 1 : 0); i++)
		free((void *)m->rounds[i].url_requests);
	model_sources_free(m);
	model_series_free(m, 0);
	model_track_free(m);
	for (i = 0; i < m->nalloc_fns; i++)
		free(m->alloc_fns[i]);
	free(m->alloc_fns);
	free(m->urls);
	free(m->frames);
	free(m->frame_hash);
	free(m->frame_lens);
	free(m->frame_flags);
	free(m->frame_slots);
	free(m->sites);
	free(m->site_hash);
	free(m->site_slots);
	free(m->rounds);
	free(m->stack);
	free(m->memo);
	free(m->changed);
	intern_free(m->strs);
	free(m);
}

void
model_add_alloc_fn(struct model *m, const char *pattern)
{
	m->alloc_fns = xrealloc(m->alloc_fns, (m->nalloc_fns + 1) * sizeof *m->alloc_fns);
	m->alloc_fns[m->nalloc_fns++] = xstrdup(pattern);
}

static bool
is_alloc_fn(const struct model *m, const char *fn, const char *obj)
{
	size_t i;

	if (strstr(obj, "/vgpreload_"))
		return true;	/* valgrind's malloc replacements */
	if (!*fn)
		return false;
	for (i = 0; i < m->nalloc_fns; i++) {
		const char *p = m->alloc_fns[i];
		size_t n = strlen(p);

		if (n && p[n - 1] == '*' ? !strncmp(fn, p, n - 1) : !strcmp(fn, p))
			return true;
	}
	return false;
}

static bool
is_core_file(const char *file)
{
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(core_dirs); i++) {
		const char *hit = strstr(file, core_dirs[i]);

		if (hit && (hit == file || hit[-1] == '/'))
			return true;
	}
	return false;
}

/* ---- frames ---- */

/* Frames repeat millions of times in a big check: the key hashes only the
 * address, line and string lengths (the address nearly decides the rest;
 * inlined frames differ by line), and equality is checked in full. */
static uint64_t
frame_key_hash(const struct leakcheck_frame *f)
{
	uint64_t h = f->ip * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)f->line << 32) ^ ((uint64_t)f->fn.n << 16) ^ f->file.n ^ ((uint64_t)f->obj.n << 48);
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

static bool
slice_eq(struct lt_slice s, const char *str, uint32_t len)
{
	return len == s.n && (!s.n || !memcmp(s.p, str, s.n));
}

static bool
frame_matches(const struct model *m, uint32_t id, const struct leakcheck_frame *f)
{
	const struct model_frame *mf = &m->frames[id];
	const struct frame_lens *l = &m->frame_lens[id];

	return mf->ip == f->ip && mf->line == f->line && slice_eq(f->fn, mf->fn, l->fn) &&
		slice_eq(f->file, mf->file, l->file) && slice_eq(f->obj, mf->obj, l->obj);
}

/* A hash table slot: id + 1 in the low half (0 = empty), the high half of
 * the key's hash in the high half. A probe past other keys then reads no
 * hash or site array: with 100,000 sites those reads were cache misses. */
static uint64_t
slot_make(uint64_t h, size_t id)
{
	return (h >> 32 << 32) | (uint64_t)(id + 1);
}

static bool
slot_tagged(uint64_t slot, uint64_t h)
{
	return (slot ^ h) >> 32 == 0;
}

static size_t
slot_id(uint64_t slot)
{
	return (size_t)(slot & UINT32_MAX) - 1;
}

/* Index ids 0..count-1 by their hashes in an empty table. */
static void
slots_fill(uint64_t *slots, size_t nslots, const uint64_t *hashes, size_t count)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		for (j = hashes[i] & (nslots - 1); slots[j]; j = (j + 1) & (nslots - 1))
			;
		slots[j] = slot_make(hashes[i], i);
	}
}

static void
slots_grow(uint64_t **slots, size_t *nslots, const uint64_t *hashes, size_t count)
{
	free(*slots);
	*nslots *= 2;
	*slots = xcalloc(*nslots, sizeof **slots);
	slots_fill(*slots, *nslots, hashes, count);
}

static uint32_t
frame_id(struct model *m, const struct leakcheck_frame *f)
{
	uint64_t h = frame_key_hash(f);
	size_t j, mask = m->nframe_slots - 1;
	struct model_frame *mf;

	for (j = h & mask; m->frame_slots[j]; j = (j + 1) & mask) {
		uint64_t slot = m->frame_slots[j];

		if (slot_tagged(slot, h) && frame_matches(m, (uint32_t)slot_id(slot), f))
			return (uint32_t)slot_id(slot);
	}
	xgrow((void **)&m->frames, &m->capframes, m->nframes + 1, sizeof *m->frames);
	m->frame_hash = xrealloc(m->frame_hash, m->capframes * sizeof *m->frame_hash);
	m->frame_lens = xrealloc(m->frame_lens, m->capframes * sizeof *m->frame_lens);
	m->frame_flags = xrealloc(m->frame_flags, m->capframes * sizeof *m->frame_flags);
	m->frame_lens[m->nframes] = (struct frame_lens){ (uint32_t)f->fn.n, (uint32_t)f->file.n,
		(uint32_t)f->obj.n };
	mf = &m->frames[m->nframes];
	mf->ip = f->ip;
	mf->line = f->line;
	mf->fn = intern_get(m->strs, f->fn.p, f->fn.n);
	mf->file = intern_get(m->strs, f->file.p, f->file.n);
	mf->obj = intern_get(m->strs, f->obj.p, f->obj.n);
	mf->alloc = is_alloc_fn(m, mf->fn, mf->obj);
	mf->core = *mf->file && is_core_file(mf->file);
	m->frame_flags[m->nframes] = (uint8_t)((mf->alloc ? FF_ALLOC : 0) | (mf->core ? FF_CORE : 0) |
		(*mf->fn ? FF_FN : 0) | (*mf->file ? FF_FILE : 0));
	m->frame_hash[m->nframes] = h;
	m->frame_slots[j] = slot_make(h, m->nframes++);
	if (m->nframes * 2 > m->nframe_slots)
		slots_grow(&m->frame_slots, &m->nframe_slots, m->frame_hash, m->nframes);
	return (uint32_t)m->nframes - 1;
}

/* leakcheck marks frames parsed from the same text within one answer (a big
 * answer repeats a few thousand frame lines millions of times): look each
 * text up once per answer, then take its id from an array. */
static uint32_t
frame_id_memo(struct model *m, uint64_t parse_id, const struct leakcheck_frame *f)
{
	uint32_t t = f->text_id, id;

	if (!parse_id || !t)
		return frame_id(m, f);
	if (parse_id != m->memo_parse) {
		if (m->memo)
			memset(m->memo, 0, m->capmemo * sizeof *m->memo);
		m->memo_parse = parse_id;
	}
	if (t < m->capmemo && m->memo[t])
		return m->memo[t] - 1;
	id = frame_id(m, f);
	if (t >= m->capmemo) {
		size_t old = m->capmemo;

		xgrow((void **)&m->memo, &m->capmemo, (size_t)t + 1, sizeof *m->memo);
		memset(m->memo + old, 0, (m->capmemo - old) * sizeof *m->memo);
	}
	m->memo[t] = id + 1;
	return id;
}

/* ---- sites ---- */

static uint32_t
pick_alloc_site(const struct model *m, const uint32_t *ids, size_t n)
{
	size_t i, first_nonalloc = n;

	for (i = 0; i < n; i++) {
		unsigned fl = m->frame_flags[ids[i]];

		if (fl & FF_ALLOC)
			continue;
		if (first_nonalloc == n)
			first_nonalloc = i;
		if (fl & FF_FN)
			return (uint32_t)i;
	}
	return first_nonalloc < n ? (uint32_t)first_nonalloc : 0;
}

static bool
stack_core_only(const struct model *m, const uint32_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((m->frame_flags[ids[i]] & (FF_FILE | FF_CORE)) == FF_FILE)
			return false;
	return true;
}

static size_t
site_id(struct model *m, enum leak_kind kind, const uint32_t *ids, size_t n)
{
	uint64_t h = intern_hash(ids, n * sizeof *ids, (uint64_t)kind + 1);
	size_t j, mask = m->nsite_slots - 1;
	struct model_site *s;

	for (j = h & mask; m->site_slots[j]; j = (j + 1) & mask) {
		size_t id = slot_id(m->site_slots[j]);

		s = &m->sites[id];
		if (slot_tagged(m->site_slots[j], h) && s->kind == kind && s->nframes == n &&
			!memcmp(s->frames, ids, n * sizeof *ids))
			return id;
	}
	if (m->nsites == m->capsites) {
		xgrow((void **)&m->sites, &m->capsites, m->nsites + 1, sizeof *m->sites);
		m->site_hash = xrealloc(m->site_hash, m->capsites * sizeof *m->site_hash);
	}
	s = &m->sites[m->nsites];
	memset(s, 0, sizeof *s);
	s->holder.created_at = UINT32_MAX;
	s->kind = kind;
	s->nframes = (uint32_t)n;
	s->frames = xmalloc(n * sizeof *ids);
	memcpy(s->frames, ids, n * sizeof *ids);
	s->alloc_at = pick_alloc_site(m, ids, n);
	s->core_only = stack_core_only(m, ids, n);
	s->first_round = (uint32_t)m->nrounds;
	model_supp_site(m, s);
	m->site_hash[m->nsites] = h;
	m->site_slots[j] = slot_make(h, m->nsites++);
	if (m->nsites * 2 > m->nsite_slots)
		slots_grow(&m->site_slots, &m->nsite_slots, m->site_hash, m->nsites);
	return m->nsites - 1;
}

/* ---- rounds ---- */

/* The sites the round before named had its record numbers: only they
 * can have one to clear (a round costs what it names, not every site). */
static void
recno_clear(struct model *m)
{
	size_t i;

	for (i = 0; i < m->ntouched; i++)
		if (m->touched[i] < m->nsites)
			m->sites[m->touched[i]].recno = 0;
	m->ntouched = 0;
}

void
model_round_begin(struct model *m, uint64_t requests, uint64_t failed)
{
	struct model_round *r;

	if (m->in_round)
		model_round_abort(m);
	xgrow((void **)&m->rounds, &m->caprounds, m->nrounds + 1, sizeof *m->rounds);
	r = &m->rounds[m->nrounds];
	memset(r, 0, sizeof *r);
	r->requests = requests;
	r->failed = failed;
	r->total_requests = requests + (m->nrounds ? m->rounds[m->nrounds - 1].total_requests : 0);
	r->total_reloads = m->nrounds ? m->rounds[m->nrounds - 1].total_reloads : 0;
	m->cur_src = MODEL_NO_SOURCE;
	m->cur_tab = 0;
	m->carry = false;
	m->epoch++;
	m->in_round = true;
	m->sites_at_begin = m->nsites;
	recno_clear(m);
}

static size_t
record_site(struct model *m, const struct leakcheck_record *rec, bool memo)
{
	size_t i;

	xgrow((void **)&m->stack, &m->capstack, rec->nframes + 1, sizeof *m->stack);
	for (i = 0; i < rec->nframes; i++)
		m->stack[i] = memo ? frame_id_memo(m, rec->parse_id, &rec->frames[i]) :
			frame_id(m, &rec->frames[i]);
	return site_id(m, rec->kind, m->stack, rec->nframes);
}

void
model_round_add(struct model *m, const struct leakcheck_record *rec)
{
	size_t id;

	if (!m->in_round)
		return;
	id = record_site(m, rec, true);
	/* Identical stacks are merged by valgrind already; adding keeps a
	 * second record with the same key (deeper than --num-callers) right. */
	model_sources_record(m, id, rec);
	m->sites[id].recno = rec->recno;
}

int
model_leakcheck_cb(void *ctx, const struct leakcheck_record *rec)
{
	model_round_add(ctx, rec);
	return 0;
}

void
model_round_put(struct model *m, const struct leakcheck_record *rec, const uint32_t *pids,
	size_t npids)
{
	size_t id;

	if (!m->in_round)
		return;
	id = record_site(m, rec, false);
	model_sources_put(m, id, rec, pids, npids);
	m->sites[id].recno = rec->recno;
}

bool
model_round_close(struct model *m, const struct leak_summary *sum, int64_t check_ns)
{
	struct model_round *r = &m->rounds[m->nrounds];

	if (!m->in_round)
		return false;
	r->summary = *sum;
	r->check_ns = check_ns;
	r->nsites = m->nsites;
	r->wall_ms = util_wall_ms();
	model_series_end(m);
	m->nrounds++;
	m->in_round = false;
	return true;
}

bool
model_round_follows(const struct model *m, const struct leak_summary *sum)
{
	const struct leak_summary *prev;
	int k;

	if (!m->nrounds)
		return false;
	prev = &m->rounds[m->nrounds - 1].summary;
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		if (sum->kind[k].bytes - (uint64_t)sum->kind[k].bytes_delta != prev->kind[k].bytes ||
			sum->kind[k].blocks - (uint64_t)sum->kind[k].blocks_delta != prev->kind[k].blocks)
			return false;
	return true;
}

void
model_round_end(struct model *m, const struct leak_summary *sum, int64_t check_ns)
{
	if (model_round_close(m, sum, check_ns))
		model_verdict_derive(m);
}

void
model_round_abort(struct model *m)
{
	size_t i;

	if (!m->in_round)
		return;
	model_sources_abort(m);
	free((void *)m->rounds[m->nrounds].url_requests);
	m->rounds[m->nrounds].url_requests = NULL;
	m->rounds[m->nrounds].nurls = 0;
	for (i = m->sites_at_begin; i < m->nsites; i++) {
		free(m->sites[i].frames);
		free((void *)m->sites[i].urls);
	}
	model_series_free(m, m->sites_at_begin);
	/* Forget the sites this round created: rebuild the index. */
	m->nsites = m->sites_at_begin;
	memset(m->site_slots, 0, m->nsite_slots * sizeof *m->site_slots);
	slots_fill(m->site_slots, m->nsite_slots, m->site_hash, m->nsites);
	m->in_round = false;
}

size_t
model_nrounds(const struct model *m)
{
	return m->nrounds;
}

const struct model_round *
model_round(const struct model *m, size_t r)
{
	return r < m->nrounds ? &m->rounds[r] : NULL;
}

size_t
model_nsites(const struct model *m)
{
	return m->nsites;
}

const struct model_site *
model_site(const struct model *m, size_t i)
{
	return i < m->nsites ? &m->sites[i] : NULL;
}

const struct model_frame *
model_frame(const struct model *m, uint32_t id)
{
	return id < m->nframes ? &m->frames[id] : NULL;
}

size_t
model_nframes(const struct model *m)
{
	return m->nframes;
}

const struct model_frame *
model_site_frame(const struct model *m, const struct model_site *s, size_t i)
{
	return i < s->nframes ? &m->frames[s->frames[i]] : NULL;
}

void
model_set_baseline(struct model *m, size_t round)
{
	m->baseline = round < m->nrounds ? round : (m->nrounds ? m->nrounds - 1 : 0);
	model_verdict_derive(m);
}

size_t
model_baseline(const struct model *m)
{
	return m->baseline;
}

uint32_t
model_frame_intern(struct model *m, const struct leakcheck_frame *f)
{
	return frame_id(m, f);
}

size_t
model_memory(const struct model *m)
{
	size_t bytes = sizeof *m + intern_bytes(m->strs), i;

	bytes += m->capframes * (sizeof *m->frames + sizeof *m->frame_hash + sizeof *m->frame_lens +
		sizeof *m->frame_flags);
	bytes += m->nframe_slots * sizeof *m->frame_slots + m->nsite_slots * sizeof *m->site_slots;
	bytes += m->capmemo * sizeof *m->memo;
	bytes += m->capsites * (sizeof *m->sites + sizeof *m->site_hash);
	for (i = 0; i < m->nsites; i++)
		bytes += m->sites[i].nframes * sizeof(uint32_t);
	/* a round: its own struct and its URLs' requests, nothing per site */
	bytes += m->caprounds * sizeof *m->rounds;
	for (i = 0; i < m->nrounds; i++)
		bytes += m->rounds[i].nurls * sizeof(uint64_t);
	return bytes + model_sources_memory(m) + model_series_memory(m) + model_track_memory(m);
}

uint32_t
model_site_alloc_frame(const struct model_site *s)
{
	return s->alloc_at < s->nframes ? s->frames[s->alloc_at] : UINT32_MAX;
}
