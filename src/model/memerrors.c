/* memerrors.c - group memcheck errors by kind + stack. */
#include "memerrors.h"
#include "intern.h"
#include "leakcheck.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"
#include "vgxml.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An <error>'s unique id, its group and what it adds to the group's
 * count: 1, then valgrind's count from <errorcounts>. */
struct memerrors_uid {
	uint64_t unique;
	size_t err;		/* index in errs */
	uint64_t count;		/* 0: an empty slot */
};

struct memerrors {
	struct model *model;
	struct memerror *errs;
	size_t n, cap;
	uint64_t *hash;		/* per error */
	uint64_t total;
	struct sbuf path;	/* scratch for dir/file */
	uint32_t *ids;		/* scratch for one stack */
	size_t capids;
	struct memerrors_uid *uids;	/* open addressing on the unique id */
	size_t nuids, nuid_slots;
	size_t nrepeat_ids;	/* kept ids of an error seen before under another */
};

struct memerrors *
memerrors_new(struct model *m)
{
	struct memerrors *e = xcalloc(1, sizeof *e);

	e->model = m;
	return e;
}

void
memerrors_free(struct memerrors *e)
{
	size_t i, k;

	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		for (k = 0; k < e->errs[i].nstacks; k++) {
			struct memerror_stack *st = &e->errs[i].stacks[k];

			free(st->frames);
			if (*st->note)
				free((char *)st->note);
		}
		free(e->errs[i].stacks);
		free(e->errs[i].what);
		free(e->errs[i].remarks);
	}
	free(e->errs);
	free(e->hash);
	free(e->ids);
	free(e->uids);
	sbuf_free(&e->path);
	free(e);
}

static uint32_t
frame_in(struct model *m, struct sbuf *path, const struct vgxml_frame *xf)
{
	struct leakcheck_frame f;

	sbuf_reset(path);
	if (xf->dir.len && xf->file.len) {
		sbuf_add(path, xf->dir.s, xf->dir.len);
		sbuf_addc(path, '/');
	}
	sbuf_add(path, xf->file.s, xf->file.len);
	f.ip = xf->ip;
	f.fn = (struct lt_slice){ xf->fn.s, xf->fn.len };
	f.file = (struct lt_slice){ path->data ? path->data : "", path->len };
	f.obj = (struct lt_slice){ xf->obj.s, xf->obj.len };
	f.line = xf->line;
	return model_frame_intern(m, &f);
}

uint32_t
memerrors_frame(struct model *m, const void *vgxml_frame)
{
	struct sbuf path = SBUF_INIT;
	uint32_t id = frame_in(m, &path, vgxml_frame);

	sbuf_free(&path);
	return id;
}

/* Frame ids of one stack into the scratch array. */
static size_t
stack_ids(struct memerrors *e, const struct vgxml_stack *st)
{
	size_t i;

	xgrow((void **)&e->ids, &e->capids, st->nframes + 1, sizeof *e->ids);
	for (i = 0; i < st->nframes; i++)
		e->ids[i] = frame_in(e->model, &e->path, &st->frames[i]);
	return st->nframes;
}

static size_t
find(const struct memerrors *e, uint64_t h, const char *kind, size_t n, const uint32_t *ids)
{
	size_t i;

	/* Distinct error contexts are few (valgrind itself caps them at 1000s):
	 * a scan on the hash is enough. */
	for (i = 0; i < e->n; i++) {
		const struct memerror *r = &e->errs[i];

		if (e->hash[i] == h && !strcmp(r->kind_name, kind) && r->nstacks &&
			r->stacks[0].nframes == n && !memcmp(r->stacks[0].frames, ids, n * sizeof *ids))
			return i;
	}
	return (size_t)-1;
}

static char *
strdup_x(const struct vgxml_str *s)
{
	return xstrndup(s->s, s->len);
}

/* The note that heads stack k, and the notes heading none (remarks). */
static void
attach_notes(struct memerror *r, const struct vgxml_error *x)
{
	struct sbuf remarks = SBUF_INIT;
	size_t i;

	for (i = 0; i < x->naux; i++) {
		const struct vgxml_aux *a = &x->aux[i];

		if (a->before < r->nstacks && a->before > 0 && !*r->stacks[a->before].note) {
			r->stacks[a->before].note = xstrndup(a->text.s, a->text.len);
			continue;
		}
		if (remarks.len)
			sbuf_adds(&remarks, "; ");
		sbuf_add(&remarks, a->text.s, a->text.len);
	}
	r->remarks = sbuf_detach(&remarks);
}

static uint32_t
first_own_frame(const struct model *m, const struct memerror_stack *st)
{
	uint32_t i;

	for (i = 0; i < st->nframes; i++)
		if (!strstr(model_frame(m, st->frames[i])->obj, "/vgpreload_"))
			return i;
	return 0;
}

static void
add_new(struct memerrors *e, const struct vgxml_error *x, uint64_t h, size_t n)
{
	struct memerror *r;
	size_t k;

	xgrow((void **)&e->errs, &e->cap, e->n + 1, sizeof *e->errs);
	e->hash = xrealloc(e->hash, e->cap * sizeof *e->hash);
	r = &e->errs[e->n];
	memset(r, 0, sizeof *r);
	e->hash[e->n++] = h;
	r->kind = x->kind;
	r->kind_name = x->kind != VGXML_K_OTHER ? vgxml_kind_name(x->kind) : "Other";
	r->what = strdup_x(&x->what);
	r->first_round = model_nrounds(e->model);
	r->first_ms = util_wall_ms();
	r->nstacks = (uint32_t)(x->nstacks ? x->nstacks : 1);
	r->stacks = xcalloc(r->nstacks, sizeof *r->stacks);
	r->stacks[0].frames = xmalloc((n ? n : 1) * sizeof *e->ids);
	memcpy(r->stacks[0].frames, e->ids, n * sizeof *e->ids);
	r->stacks[0].nframes = (uint32_t)n;
	for (k = 1; k < x->nstacks; k++) {
		size_t m = stack_ids(e, &x->stacks[k]);

		r->stacks[k].frames = xmalloc((m ? m : 1) * sizeof *e->ids);
		memcpy(r->stacks[k].frames, e->ids, m * sizeof *e->ids);
		r->stacks[k].nframes = (uint32_t)m;
	}
	for (k = 0; k < r->nstacks; k++)
		r->stacks[k].note = "";
	attach_notes(r, x);
	r->at = first_own_frame(e->model, &r->stacks[0]);
}

/* The slot of a unique id: its entry, or the empty slot it would take. */
static struct memerrors_uid *
uid_slot(const struct memerrors *e, uint64_t unique)
{
	size_t mask = e->nuid_slots - 1, j;

	for (j = intern_hash(&unique, sizeof unique, 0) & mask; e->uids[j].count; j = (j + 1) & mask)
		if (e->uids[j].unique == unique)
			break;
	return &e->uids[j];
}

static void
uid_grow(struct memerrors *e)
{
	struct memerrors_uid *old = e->uids;
	size_t n = e->nuid_slots, i;

	e->nuid_slots = n ? n * 2 : 64;
	e->uids = xcalloc(e->nuid_slots, sizeof *e->uids);
	for (i = 0; i < n; i++)
		if (old[i].count)
			*uid_slot(e, old[i].unique) = old[i];
	free(old);
}

/* Keep a unique id for <errorcounts>; false if it was not kept. */
static bool
uid_add(struct memerrors *e, uint64_t unique, size_t err)
{
	struct memerrors_uid *u;

	if (e->nuids == MEMERRORS_MAX_IDS)
		return false;
	if ((e->nuids + 1) * 2 > e->nuid_slots)
		uid_grow(e);
	u = uid_slot(e, unique);
	if (u->count)
		return false;
	*u = (struct memerrors_uid){ .unique = unique, .err = err, .count = 1 };
	e->nuids++;
	return true;
}

bool
memerrors_add(struct memerrors *e, const struct vgxml_error *x)
{
	const char *kind = x->kind != VGXML_K_OTHER ? vgxml_kind_name(x->kind) : "Other";
	size_t n = x->nstacks ? stack_ids(e, &x->stacks[0]) : 0, i;
	uint64_t h = intern_hash(e->ids, n * sizeof *e->ids, intern_hash(kind, strlen(kind), 7));

	e->total++;
	i = find(e, h, kind, n, e->ids);
	if (i != (size_t)-1) {
		e->errs[i].count++;
		e->errs[i].last_ms = util_wall_ms();
		if (e->nrepeat_ids < MEMERRORS_MAX_REPEAT_IDS && uid_add(e, x->unique_id, i))
			e->nrepeat_ids++;
		return false;
	}
	add_new(e, x, h, n);
	e->errs[e->n - 1].count = 1;
	e->errs[e->n - 1].last_ms = e->errs[e->n - 1].first_ms;
	uid_add(e, x->unique_id, e->n - 1);
	return true;
}

bool
memerrors_set_count(struct memerrors *e, uint64_t unique_id, uint64_t count)
{
	struct memerrors_uid *u;
	struct memerror *r;

	if (!e->nuid_slots)
		return false;
	u = uid_slot(e, unique_id);
	if (!u->count)
		return false;
	/* An error in the stream happened at least once, and valgrind counts
	 * in an int: with at most MEMERRORS_MAX_IDS ids, no sum overflows. */
	count = count < 1 ? 1 : count > UINT32_MAX ? UINT32_MAX : count;
	r = &e->errs[u->err];
	r->count = r->count - u->count + count;
	e->total = e->total - u->count + count;
	u->count = count;
	return true;
}

size_t
memerrors_count(const struct memerrors *e)
{
	return e->n;
}

const struct memerror *
memerrors_get(const struct memerrors *e, size_t i)
{
	return i < e->n ? &e->errs[i] : NULL;
}

uint64_t
memerrors_total(const struct memerrors *e)
{
	return e->total;
}
