/* engine_owner.c - the owner search: what holds a still-reachable (or
 * possibly lost) growing or bounded site's blocks.
 *
 * Right after a check, before the round is announced and before any new
 * burst (nginx idles, so nothing is freed and `block_list` stays valid):
 * `block_list R limited 2` for the site's loss record, then
 * `who_points_at ADDR SIZE` (interior pointers count) for its first block,
 * and the holding memory is named: a block made by ngx_create_pool is the
 * pool, named by the caller of ngx_create_pool; a later block of a pool
 * (ngx_palloc_block) is followed back through the d.next of the block
 * before it (`who_points_at BLOCK`) to the one ngx_create_pool made; a data
 * symbol is a static; another heap block (a module's struct, an array) is
 * followed once or twice for its own holder. Every step is one vgdb call
 * for all the sites searched this round (commands chained with -c), at
 * most OWNER_MAX_SITES sites a round and OWNER_MAX_COMMANDS commands a
 * site; the result is kept per site (also "nothing found"). The engine
 * stays in its check phase meanwhile; a stop ends the search after the
 * vgdb call in flight. NGX_LEAKTOP_OWNER=0 in the environment turns it off
 * (to compare a run's numbers with and without it). */
#include "engine.h"
#include "engine_int.h"
#include "blocks.h"
#include "model.h"
#include "util.h"
#include "vgdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_MAX_SITES 8
#define OWNER_MAX_COMMANDS 8	/* per site: 1 block_list + who_points_at's */
#define OWNER_MAX_HOPS 3	/* heap blocks (not pool blocks) followed per site */

struct owner_site {
	size_t site;
	uint64_t addr, len;	/* the memory whose holder is asked next */
	unsigned commands, hops;
	bool pending;
};

struct engine_owner {
	struct owner_site s[OWNER_MAX_SITES];
	size_t n;
	bool running;
	int64_t round_ns;	/* this round's search: vgdb round trips + parsing */
	unsigned round_commands;
	/* the last round with a search, and all of them */
	unsigned last_commands, rounds;
	int64_t last_ns, total_ns;
	uint64_t total_commands;
	struct engine_owner_round *per_round;	/* one per round that ran a search */
	size_t cap_rounds;
};

static bool
owner_enabled(void)
{
	const char *v = getenv("NGX_LEAKTOP_OWNER");

	return !v || strcmp(v, "0") != 0;
}

static bool
wanted(const struct model_site *s)
{
	return s->present && s->recno && !s->holder.searched &&
		(s->growth == GROWTH_GROWING || s->growth == GROWTH_BOUNDED) &&
		(s->kind == LEAK_REACHABLE || s->kind == LEAK_POSSIBLE);
}

static void
set_holder(struct engine *e, size_t site, enum model_pool pool, uint32_t created_at,
	const char *symbol)
{
	struct model_holder h = { .pool = pool, .created_at = created_at, .symbol = symbol };

	model_site_set_holder(e->owner_model, site, &h);
}

static void
nothing_found(struct engine *e, struct owner_site *os)
{
	set_holder(e, os->site, MODEL_POOL_UNKNOWN, UINT32_MAX, NULL);
	os->pending = false;
}

static void
finish(struct engine *e)
{
	struct engine_owner *o = e->owner;

	o->running = false;
	o->last_commands = o->round_commands;
	o->last_ns = o->round_ns;
	o->total_commands += o->round_commands;
	o->total_ns += o->round_ns;
	xgrow((void **)&o->per_round, &o->cap_rounds, o->rounds + 1, sizeof *o->per_round);
	o->per_round[o->rounds].round = (unsigned)(model_nrounds(e->model) - 1);
	o->per_round[o->rounds].commands = o->round_commands;
	o->per_round[o->rounds].ms = (double)o->round_ns / 1e6;
	o->rounds++;
	engine_check_finished(e);
}

static bool
fn_is(const struct leakcheck_frame *f, const char *name)
{
	return f->fn.n == strlen(name) && memcmp(f->fn.p, name, f->fn.n) == 0;
}

static long
find_fn(const struct blocks_pointer *pt, const char *name)
{
	size_t i;

	for (i = 0; i < pt->nframes; i++)
		if (fn_is(&pt->frames[i], name))
			return (long)i;
	return -1;
}

/* The pool made by ngx_create_pool at frames[k]: who called it says which. */
static void
name_pool(struct model *m, const struct blocks_pointer *pt, size_t k, struct model_holder *h)
{
	static const char *const cycle[] = { "ngx_init_cycle" };
	static const char *const conn[] = { "ngx_event_accept", "ngx_http_init_connection",
		"ngx_event_recvmsg", "ngx_stream_init_connection", "ngx_mail_init_connection" };
	static const char *const req[] = { "ngx_http_alloc_request", "ngx_http_create_request",
		"ngx_http_v2_create_stream" };
	const struct leakcheck_frame *caller;
	size_t i;

	h->pool = MODEL_POOL_OTHER;
	if (k + 1 >= pt->nframes)
		return;
	caller = &pt->frames[k + 1];
	for (i = 0; i < LT_ARRAY_SIZE(cycle); i++)
		if (fn_is(caller, cycle[i]))
			h->pool = MODEL_POOL_CYCLE;
	for (i = 0; i < LT_ARRAY_SIZE(conn); i++)
		if (fn_is(caller, conn[i]))
			h->pool = MODEL_POOL_CONNECTION;
	for (i = 0; i < LT_ARRAY_SIZE(req); i++)
		if (fn_is(caller, req[i]))
			h->pool = MODEL_POOL_REQUEST;
	h->created_at = model_frame_intern(m, caller);
	if (h->pool != MODEL_POOL_OTHER)
		return;
	/* A module's pool: the first frame outside nginx's tree names it. */
	for (i = k + 1; i < pt->nframes; i++) {
		uint32_t id = model_frame_intern(m, &pt->frames[i]);
		const struct model_frame *f = model_frame(m, id);

		if (f && *f->file && !f->core) {
			h->pool = MODEL_POOL_MODULE;
			h->created_at = id;
			return;
		}
	}
}

/* How good a holder a pointer is: a pool's first block, a pool's later
 * block, a static, another heap block; 0 = none (a stale stack slot, the
 * searched memory itself, something unnamed). */
static int
rank(uint64_t addr, uint64_t len, const struct blocks_pointer *pt)
{
	if (pt->at >= addr && pt->at - addr < len)
		return 0;
	switch (pt->where) {
	case BLOCKS_IN_BLOCK:
		if (find_fn(pt, "ngx_create_pool") >= 0)
			return 4;
		if (find_fn(pt, "ngx_palloc_block") >= 0)
			return 3;
		return pt->block_size && pt->offset < pt->block_size ? 1 : 0;
	case BLOCKS_IN_DATA:
		return pt->symbol.n ? 2 : 0;
	default:
		return 0;
	}
}

enum engine_owner_next
engine_owner_classify(struct model *m, const struct blocks_answer *a, uint64_t addr, uint64_t len,
	bool may_hop, struct engine_owner_step *out)
{
	const struct blocks_pointer *best = NULL;
	int best_rank = 0;
	size_t i;

	memset(out, 0, sizeof *out);
	out->holder.created_at = UINT32_MAX;
	for (i = 0; i < a->npointers; i++) {
		int r = rank(addr, len, &a->pointers[i]);

		if (r > best_rank) {
			best_rank = r;
			best = &a->pointers[i];
		}
	}
	switch (best_rank) {
	case 4:
		name_pool(m, best, (size_t)find_fn(best, "ngx_create_pool"), &out->holder);
		return ENGINE_OWNER_FOUND;
	case 3:	/* the block's start: the previous block's d.next points there */
		out->addr = best->at - best->offset;
		out->len = 1;
		out->pool_block = true;
		return ENGINE_OWNER_FOLLOW;
	case 2:
		out->holder.pool = MODEL_POOL_STATIC;
		out->symbol = xstrndup(best->symbol.p, best->symbol.n);
		out->holder.symbol = out->symbol;
		return ENGINE_OWNER_FOUND;
	case 1:
		if (!may_hop)
			return ENGINE_OWNER_NONE;
		out->addr = best->at - best->offset;
		out->len = best->block_size;
		return ENGINE_OWNER_FOLLOW;
	default:
		return ENGINE_OWNER_NONE;
	}
}

static void
classify(struct engine *e, struct owner_site *os, const struct blocks_answer *a)
{
	struct engine_owner_step st;

	switch (engine_owner_classify(e->owner_model, a, os->addr, os->len, os->hops < OWNER_MAX_HOPS, &st)) {
	case ENGINE_OWNER_FOUND:
		model_site_set_holder(e->owner_model, os->site, &st.holder);
		os->pending = false;
		break;
	case ENGINE_OWNER_FOLLOW:
		os->hops += !st.pool_block;
		os->addr = st.addr;
		os->len = st.len;
		break;
	default:
		nothing_found(e, os);
		break;
	}
	free(st.symbol);
}

static void step(struct engine *e);

static bool
parse(struct engine *e, const struct vgdb_result *res, struct blocks_result *r)
{
	struct engine_owner *o = e->owner;
	struct blocks_error err;
	int64_t t0 = util_now_ns();
	bool ok;

	memset(r, 0, sizeof *r);
	o->round_ns += res->elapsed_ns;
	ok = res->status == VGDB_OK && blocks_parse(res->out, res->outlen, r, &err);
	o->round_ns += util_now_ns() - t0;
	return ok;
}

static void
on_who(struct vgdb *v, const struct vgdb_result *res, void *ctx)
{
	struct engine *e = ctx;
	struct engine_owner *o = e->owner;
	struct blocks_result r;
	size_t i, a = 0;

	(void)v;
	if (res->status == VGDB_CANCELLED) {
		o->running = false;	/* nginx is gone: no round to finish */
		return;
	}
	if (!parse(e, res, &r)) {
		for (i = 0; i < o->n; i++)
			if (o->s[i].pending)
				nothing_found(e, &o->s[i]);
	}
	for (i = 0; i < o->n; i++) {
		struct owner_site *os = &o->s[i];

		if (!os->pending)
			continue;
		if (a < r.nanswers && r.answers[a].kind == BLOCKS_WHO && r.answers[a].addr == os->addr)
			classify(e, os, &r.answers[a]);
		else
			nothing_found(e, os);
		a++;
	}
	blocks_result_free(&r);
	step(e);
}

/* One who_points_at for every site still searching, in one vgdb call. */
static void
step(struct engine *e)
{
	struct engine_owner *o = e->owner;
	char *cmd = NULL;
	size_t i;

	for (i = 0; i < o->n; i++) {
		struct owner_site *os = &o->s[i];
		char *next;

		if (!os->pending)
			continue;
		if (os->commands >= OWNER_MAX_COMMANDS || e->stop_after_check) {
			if (!e->stop_after_check)
				nothing_found(e, os);
			os->pending = false;
			continue;
		}
		os->commands++;
		o->round_commands++;
		next = xasprintf("%s%swho_points_at 0x%llx %llu", cmd ? cmd : "", cmd ? "\n" : "",
			(unsigned long long)os->addr, (unsigned long long)os->len);
		free(cmd);
		cmd = next;
	}
	if (!cmd) {
		finish(e);
		return;
	}
	vgdb_command(e->owner_vgdb, cmd, engine_check_timeout(e), on_who, e);
	free(cmd);
}

static void
on_lists(struct vgdb *v, const struct vgdb_result *res, void *ctx)
{
	struct engine *e = ctx;
	struct engine_owner *o = e->owner;
	struct blocks_result r;
	size_t i;

	(void)v;
	if (res->status == VGDB_CANCELLED) {
		o->running = false;
		return;
	}
	if (!parse(e, res, &r)) {
		blocks_result_free(&r);
		finish(e);	/* not searched: the next round tries again */
		return;
	}
	for (i = 0; i < r.nanswers; i++)
		if (r.answers[i].kind == BLOCKS_OBSOLETE || r.answers[i].kind == BLOCKS_NO_SEARCH) {
			blocks_result_free(&r);
			finish(e);	/* a free since the check: next round */
			return;
		}
	for (i = 0; i < o->n; i++) {
		struct owner_site *os = &o->s[i];
		const struct model_site *s = model_site(e->owner_model, os->site);
		const struct blocks_answer *a = i < r.nanswers ? &r.answers[i] : NULL;

		if (!a || a->kind != BLOCKS_LIST || a->recno != s->recno || !a->nblocks) {
			nothing_found(e, os);
			continue;
		}
		os->addr = a->blocks[0].addr;
		os->len = a->blocks[0].size ? a->blocks[0].size : 1;
		os->pending = true;
	}
	blocks_result_free(&r);
	step(e);
}

bool
engine_owner_search(struct engine *e)
{
	struct engine_owner *o;
	char *cmd = NULL;
	size_t i, pass, n = model_nsites(e->owner_model);

	if (!e->owner_vgdb || !owner_enabled())
		return false;
	if (!e->owner)
		e->owner = xcalloc(1, sizeof *e->owner);
	o = e->owner;
	o->n = 0;
	o->round_commands = 0;
	o->round_ns = 0;
	/* growing sites first, then bounded ones */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && o->n < OWNER_MAX_SITES; i++) {
			const struct model_site *s = model_site(e->owner_model, i);
			char *next;

			if (!wanted(s) || (s->growth == GROWTH_GROWING) != (pass == 0))
				continue;
			memset(&o->s[o->n], 0, sizeof o->s[o->n]);
			o->s[o->n].site = i;
			o->s[o->n++].commands = 1;
			next = xasprintf("%s%sblock_list %u limited 2", cmd ? cmd : "", cmd ? "\n" : "",
				s->recno);
			free(cmd);
			cmd = next;
		}
	if (!o->n)
		return false;
	o->running = true;
	o->round_commands = (unsigned)o->n;
	vgdb_command(e->owner_vgdb, cmd, engine_check_timeout(e), on_lists, e);
	free(cmd);
	return true;
}

bool
engine_owner_running(const struct engine *e)
{
	return e->owner && e->owner->running;
}

void
engine_owner_free(struct engine *e)
{
	if (e->owner)
		free(e->owner->per_round);
	free(e->owner);
	e->owner = NULL;
}

void
engine_owner_cost(const struct engine *e, struct engine_owner_cost *c)
{
	const struct engine_owner *o = e->owner;

	memset(c, 0, sizeof *c);
	if (!o)
		return;
	c->last_commands = o->last_commands;
	c->last_ms = (double)o->last_ns / 1e6;
	c->rounds = o->rounds;
	c->commands = o->total_commands;
	c->ms = (double)o->total_ns / 1e6;
	c->per_round = o->per_round;
}
