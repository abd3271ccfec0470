/* engine_procs.c - nginx's processes: the master and its workers, each
 * with its gdbserver, its vgdb and (with a master) its own model. A check
 * asks every live process at once - one vgdb per pid, so the pids run in
 * parallel while each gets one command at a time - and the round is built
 * once all have answered: each answer goes to its process's model, to
 * the model of all (engine_model) and, for a worker, to the workers'
 * merged model, parsed once (one callback feeds them all). */
#include "engine_int.h"
#include "follow.h"
#include "leakcheck.h"
#include "model.h"
#include "target.h"
#include "util.h"
#include "vgdb.h"
#include "xmlstream.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Worker deaths said one by one before one line says they go on. */
#define CRASH_SAID 3

/* The models one process's answer feeds, for the parse's one pass. */
struct fan {
	struct model *m[3];
	size_t n;
};

static int
fan_cb(void *ctx, const struct leakcheck_record *rec)
{
	struct fan *f = ctx;
	size_t i;

	for (i = 0; i < f->n; i++)
		model_round_add(f->m[i], rec);
	return 0;
}

bool
engine_procs_multi(const struct engine *e)
{
	return e->target && target_master(e->target);
}

static struct eproc *
proc_by_pid(struct engine *e, long pid)
{
	size_t i;

	for (i = 0; i < e->nprocs; i++)
		if (e->procs[i]->pub.pid == pid)
			return e->procs[i];
	return NULL;
}

struct model *
engine_model_new(const struct engine *e)
{
	struct model *m = model_new();
	size_t i;

	for (i = 0; i < e->opts.nalloc_fns; i++)
		model_add_alloc_fn(m, e->opts.alloc_fns[i]);
	model_set_suppressions(m, e->opts.supp);
	return m;
}

static void
on_worker_xml(void *ctx, const char *buf, size_t len)
{
	xmlstream_feed(((struct eproc *)ctx)->xml, buf, len);
}

static void
on_worker_error(void *ctx, bool is_new)
{
	(void)is_new;
	engine_emit(((struct eproc *)ctx)->e, ENGINE_EV_MEMERROR);
}

/* A forked worker writes its own XML file (vg.PID.xml: valgrind's %p):
 * its memcheck errors - a module's bad read happens in a worker - join
 * the master's list. */
static void
follow_worker_xml(struct engine *e, struct eproc *p)
{
	static const struct xmlstream_cb xcb = { .error = on_worker_error };
	char *path;

	if (!e->xml || !target_xml_path(e->target))
		return;
	path = xasprintf("%s/vg.%ld.xml", target_dir(e->target), p->pub.pid);
	p->xml = xmlstream_new_into(e->model, xmlstream_errors(e->xml), &xcb, p);
	engine_exit_follow(e, p->xml, p->pub.pid);
	p->follow = follow_new(e->loop, path, on_worker_xml, p);
	free(path);
}

void
engine_procs_finish_xml(struct eproc *p)
{
	if (p->follow)
		follow_drain(p->follow);
	if (p->xml)
		xmlstream_finish(p->xml);
}

static void
proc_new(struct engine *e, const struct target_proc *tp)
{
	struct eproc *p = xcalloc(1, sizeof *p);

	p->e = e;
	p->pub.pid = tp->pid;
	p->pub.role = tp->role;
	p->pub.alive = true;
	p->pub.generation = tp->generation;
	p->pub.first_round = p->pub.last_round = -1;
	p->pub.model = tp->role == TARGET_ROLE_SINGLE ? e->model : engine_model_new(e);
	p->vgdb = vgdb_new(e->loop, e->opts.vgdb, target_vgdb_prefix(e->target), (pid_t)tp->pid);
	xgrow((void **)&e->procs, &e->cap_procs, e->nprocs + 1, sizeof *e->procs);
	e->procs[e->nprocs++] = p;
	if (tp->role == TARGET_ROLE_MASTER && !e->workers_model)
		e->workers_model = engine_model_new(e);
	if (tp->role == TARGET_ROLE_MASTER)
		model_set_lasting_source(e->model, (uint32_t)tp->pid);
	if (tp->role != TARGET_ROLE_WORKER)
		e->vgdb = p->vgdb;
	else
		follow_worker_xml(e, p);
}

/* A worker that died on its own (not at a reload or a stop) is news:
 * the master starts another, whose rounds begin at its own baseline. */
static void
proc_exit(struct engine *e, struct eproc *p, const struct target_proc *tp)
{
	bool leaving = tp->role == TARGET_ROLE_WORKER && tp->generation < target_reloads(e->target);

	p->pub.alive = false;
	target_proc_end(tp, p->pub.end, sizeof p->pub.end);
	engine_procs_finish_xml(p);	/* what it wrote last: its fatal signal, its exit report */
	if (p->in_check) {
		p->cancelled = true;
		vgdb_cancel_all(p->vgdb);
	}
	if (tp->role != TARGET_ROLE_WORKER || leaving || e->phase == ENGINE_STOPPING ||
		e->phase == ENGINE_DEAD || tp->exit_status == 0)
		return;
	/* a worker that crashes on every request would flood: three, then one line */
	if (++e->worker_deaths == CRASH_SAID + 1)
		engine_report(e, ENGINE_EV_WARNING, "workers keep dying (%u so far): no more is said of "
			"each; the JSON's processes lists them all", e->worker_deaths);
	if (e->worker_deaths <= CRASH_SAID)
		engine_report(e, ENGINE_EV_WARNING, "worker %ld %s%s%s: the master starts another, "
			"checked from the next round on; its %ld rounds are kept", tp->pid, p->pub.end,
			p->xml && *xmlstream_fatal(p->xml) ? ": " : "",
			p->xml ? xmlstream_fatal(p->xml) : "",
			p->pub.first_round < 0 ? 0L : p->pub.last_round - p->pub.first_round + 1);
}

static void
on_proc(struct target *s, enum target_proc_event ev, const struct target_proc *tp, void *ctx)
{
	struct engine *e = ctx;
	struct eproc *p = proc_by_pid(e, tp->pid);

	(void)s;
	if (ev == TARGET_PROC_NEW && !p)
		proc_new(e, tp);
	else if (ev == TARGET_PROC_EXIT && p && p->pub.alive)
		proc_exit(e, p, tp);
	engine_emit(e, ENGINE_EV_PHASE);	/* the process list changed */
}

void
engine_procs_init(struct engine *e)
{
	target_set_proc_cb(e->target, on_proc, e);
}

/* A vgdb killed while it held its process in ptrace leaves that process
 * stopped (the attach's SIGSTOP, pending): an nginx someone else started
 * is given its SIGCONT; ours is stopped by us anyway. */
static void
let_go(struct engine *e, struct eproc *p)
{
	if (p->pub.alive && e->target && target_attached(e->target))
		kill((pid_t)p->pub.pid, SIGCONT);
}

void
engine_procs_free(struct engine *e)
{
	size_t i;

	/* A check still in flight would end, cancelled, in on_proc_check of
	 * each process in turn: the last one would build the round from
	 * processes already freed. Cancel the round first, as a whole. */
	engine_procs_cancel(e);
	for (i = 0; i < e->nprocs; i++) {
		struct eproc *p = e->procs[i];

		vgdb_free(p->vgdb);
		follow_free(p->follow);
		xmlstream_free(p->xml);
		if (p->pub.model != e->model)
			model_free(p->pub.model);
		free(p->out);
		free(p);
	}
	free(e->procs);
	e->procs = NULL;
	e->nprocs = 0;
	e->vgdb = NULL;
	model_free(e->workers_model);
	e->workers_model = NULL;
}

void
engine_procs_cancel(struct engine *e)
{
	size_t i;

	e->pending = 0;
	for (i = 0; i < e->nprocs; i++) {
		bool was = vgdb_busy(e->procs[i]->vgdb);

		e->procs[i]->in_check = false;
		vgdb_cancel_all(e->procs[i]->vgdb);
		if (was)
			let_go(e, e->procs[i]);
	}
}

/* Checked in this round: alive, and not a worker of a cycle a reload
 * replaced (it only finishes its requests, then exits). */
static bool
proc_current(const struct engine *e, const struct eproc *p)
{
	return p->pub.alive && (p->pub.role != TARGET_ROLE_WORKER ||
		p->pub.generation >= target_reloads(e->target));
}

static void build_round(struct engine *e);

static void
on_proc_check(struct vgdb *v, const struct vgdb_result *res, void *ctx)
{
	struct eproc *p = ctx;
	struct engine *e = p->e;

	(void)v;
	if (!p->in_check)
		return;		/* the whole round was cancelled */
	p->in_check = false;
	free(p->out);
	p->out = NULL;
	p->ok = res->status == VGDB_OK && !p->cancelled;
	if (p->ok) {
		p->out = xmalloc(res->outlen + 1);
		memcpy(p->out, res->out, res->outlen);
		p->out[res->outlen] = '\0';
		p->outlen = res->outlen;
		p->check_ns = res->elapsed_ns;
	} else {
		snprintf(p->fail, sizeof p->fail, "%s", p->cancelled ? "it exited" : res->message);
	}
	if (--e->pending == 0)
		build_round(e);
}

void
engine_procs_check(struct engine *e)
{
	size_t i;

	engine_set_phase(e, ENGINE_CHECK);
	e->pending = 0;
	e->round_t0 = util_now_ns();
	for (i = 0; i < e->nprocs; i++) {
		struct eproc *p = e->procs[i];

		p->asked = proc_current(e, p);
		p->cancelled = false;
		if (!p->asked)
			continue;
		p->in_check = true;
		e->pending++;
	}
	/* counted first: an answer from the loop must not see a partial count */
	for (i = 0; i < e->nprocs; i++)
		if (e->procs[i]->asked)
			vgdb_command(e->procs[i]->vgdb, engine_check_command(e, e->procs[i]->pub.pid),
				engine_check_timeout(e), on_proc_check, e->procs[i]);
	if (!e->pending)
		engine_check_failed(e, "no nginx process is alive to check");
}

static bool
answer_complete(const struct eproc *p)
{
	return memmem(p->out, p->outlen, "LEAK SUMMARY", 12) ||
		memmem(p->out, p->outlen, "All heap blocks were freed", 26);
}

/* One process's answer into its model and the merged ones; false (a
 * one-line why) if it is not a leak check's whole answer. */
static bool
feed_proc(struct engine *e, struct eproc *p, struct leak_summary *total, char *why, size_t len)
{
	struct fan f = { .m = { p->pub.model, e->model }, .n = 2 };
	struct leak_summary sum;
	struct leakcheck_error perr;
	enum leakcheck_status st;
	bool delta = engine_check_delta(e, p->pub.pid);

	engine_check_taken(e, p->pub.pid, false);	/* until taken whole */
	if (!p->ok) {
		snprintf(why, len, "%s", p->fail);
		return false;
	}
	if (!answer_complete(p)) {
		snprintf(why, len, "the answer has no LEAK SUMMARY");
		return false;
	}
	if (p->pub.role == TARGET_ROLE_WORKER)
		f.m[f.n++] = e->workers_model;
	model_round_source(e->model, (uint32_t)p->pub.pid);
	if (p->pub.role == TARGET_ROLE_WORKER)
		model_round_source(e->workers_model, (uint32_t)p->pub.pid);
	model_round_begin(p->pub.model, p->round_requests, 0);
	if (p->pub.role == TARGET_ROLE_MASTER)
		model_round_reloads(p->pub.model, e->round_reloads);
	for (size_t k = 0; delta && k < f.n; k++)
		model_round_delta(f.m[k]);	/* for this source */
	st = leakcheck_text(p->out, p->outlen, fan_cb, &f, &sum, &perr);
	if (st != LEAKCHECK_OK) {
		model_round_abort(p->pub.model);
		snprintf(why, len, "line %u: %s", perr.line, perr.msg);
		return false;
	}
	if (delta && !model_round_follows(p->pub.model, &sum)) {
		/* its next check is full (taken stays false) */
		model_round_abort(p->pub.model);
		snprintf(why, len, "another leak search of it came after the last check (someone "
			"else's vgdb leak_check?)");
		return false;
	}
	model_round_end(p->pub.model, &sum, p->check_ns);
	engine_check_taken(e, p->pub.pid, true);
	leak_summary_add(total, &sum);
	return true;
}

static void
begin_merged(struct engine *e, struct model *m)
{
	model_round_begin(m, e->burst_requests, e->burst_failed);
	engine_urls_round(e, m);
	model_round_reloads(m, e->round_reloads);
}

/* Every asked process answered (or failed): the round. The master's
 * answer is needed; a worker's failure (it died meanwhile) leaves it out. */
static void
build_round(struct engine *e)
{
	struct leak_summary total = { 0 }, workers = { 0 };
	/* the round trip: asked to the last answer, the processes in parallel */
	int64_t t0 = util_now_ns(), slowest = t0 - e->round_t0;
	long round = (long)model_nrounds(e->model);
	char why[320];
	size_t i;

	begin_merged(e, e->model);
	begin_merged(e, e->workers_model);
	for (i = 0; i < e->nprocs; i++) {
		struct eproc *p = e->procs[i];

		if (!p->asked)
			continue;
		p->asked = false;
		if (!feed_proc(e, p, p->pub.role == TARGET_ROLE_WORKER ? &workers : &total, why,
			sizeof why)) {
			if (p->pub.role != TARGET_ROLE_WORKER) {
				model_round_abort(e->model);
				model_round_abort(e->workers_model);
				engine_check_failed(e, why);
				return;
			}
			if (p->pub.alive)
				engine_report(e, ENGINE_EV_WARNING, "worker %ld: its check failed (%s): "
					"left out of round %ld", p->pub.pid, why, round);
			continue;
		}
		if (p->pub.first_round < 0)
			p->pub.first_round = round;
		p->pub.last_round = round;
		p->round_requests = 0;
		free(p->out);
		p->out = NULL;
	}
	workers.seen = total.seen = 1;
	model_round_end(e->workers_model, &workers, slowest);
	leak_summary_add(&total, &workers);
	model_round_end(e->model, &total, slowest);
	e->round_reloads = 0;
	e->last_check_ns = slowest;
	e->last_update_ns = util_now_ns() - t0;
	engine_round_in(e, true);
}

const char *
engine_role_name(enum target_role r)
{
	return target_role_name(r);
}

size_t
engine_nprocs(const struct engine *e)
{
	return e->nprocs;
}

const struct engine_proc *
engine_proc(const struct engine *e, size_t i)
{
	return i < e->nprocs ? &e->procs[i]->pub : NULL;
}

size_t
engine_nviews(const struct engine *e)
{
	if (!engine_procs_multi(e))
		return 1;
	return 2 + e->nprocs;
}

struct model *
engine_view(const struct engine *e, size_t v, char *name, size_t len)
{
	const struct engine_proc *p;

	if (v == 0) {
		snprintf(name, len, "all");
		return e->model;
	}
	if (!engine_procs_multi(e))
		return NULL;
	if (v == 1) {
		snprintf(name, len, "workers");
		return e->workers_model;
	}
	p = engine_proc(e, v - 2);
	if (!p)
		return NULL;
	snprintf(name, len, "%s %ld%s", target_role_name(p->role), p->pid, p->alive ? "" : " (exited)");
	return p->model;
}

/* The owner search needs the loss record numbers of one process's check
 * and that process's gdbserver: a worker (requests leak there) of the
 * current cycle, else the main process. Single process: the one model. */
bool
engine_procs_owner(struct engine *e)
{
	size_t i;

	e->owner_model = e->model;
	e->owner_vgdb = e->vgdb;
	if (!engine_procs_multi(e))
		return true;
	for (i = 0; i < e->nprocs; i++) {
		struct eproc *p = e->procs[i];

		if (p->pub.role == TARGET_ROLE_WORKER && proc_current(e, p) &&
			p->pub.last_round == (long)model_nrounds(e->model) - 1) {
			e->owner_model = p->pub.model;
			e->owner_vgdb = p->vgdb;
			return true;
		}
	}
	for (i = 0; i < e->nprocs; i++)
		if (e->procs[i]->pub.role == TARGET_ROLE_MASTER) {
			e->owner_model = e->procs[i]->pub.model;
			return true;
		}
	return false;
}

static bool
same_stack(const struct model *a, const struct model_site *sa, const struct model *b,
	const struct model_site *sb)
{
	uint32_t i;

	if (sa->kind != sb->kind || sa->nframes != sb->nframes)
		return false;
	for (i = 0; i < sa->nframes; i++)
		if (model_frame(a, sa->frames[i])->ip != model_frame(b, sb->frames[i])->ip)
			return false;
	return true;
}

/* A holder found in one process's model holds the same stack's blocks
 * in every process forked from the same master (same binary, same
 * addresses): the merged views show it too. */
static void
copy_holders(const struct model *from, struct model *to)
{
	size_t i, j, n = model_nsites(from), nto = model_nsites(to);

	for (i = 0; to && i < n; i++) {
		const struct model_site *s = model_site(from, i);

		if (!s->holder.searched)
			continue;
		for (j = 0; j < nto && !same_stack(from, s, to, model_site(to, j)); j++)
			;
		if (j < nto) {
			struct model_holder h = s->holder;

			/* frame ids are the other model's: keep the pool, not where */
			h.created_at = UINT32_MAX;
			model_site_set_holder(to, j, &h);
		}
	}
}

void
engine_procs_holders(struct engine *e)
{
	if (!e->owner_model || e->owner_model == e->model)
		return;
	copy_holders(e->owner_model, e->model);
	copy_holders(e->owner_model, e->workers_model);
}

/* One process: every round is its round, every request its request. */
void
engine_procs_single_round(struct engine *e)
{
	struct eproc *p = e->nprocs == 1 && !engine_procs_multi(e) ? e->procs[0] : NULL;
	long round = (long)model_nrounds(e->model) - 1;

	if (!p)
		return;
	if (p->pub.first_round < 0)
		p->pub.first_round = round;
	p->pub.last_round = round;
	p->pub.requests = e->total_requests;
	p->pub.requests_known = true;
}

long
engine_procs_debug_pid(const struct engine *e)
{
	size_t i;

	for (i = 0; engine_procs_multi(e) && i < e->nprocs; i++)
		if (e->procs[i]->pub.role == TARGET_ROLE_WORKER && proc_current(e, e->procs[i]))
			return e->procs[i]->pub.pid;
	return (long)target_pid(e->target);
}
