/* engine.c - rounds of burst + leak check on the evloop: start, bursts,
 * checks, stop; what the front ends read of it is engine_query.c's. */
#include "engine.h"
#include "supp.h"
#include "engine_int.h"
#include "evloop.h"
#include "sessionfile.h"
#include "leakcheck.h"
#include "model.h"
#include "util.h"
#include "vgdb.h"
#include "follow.h"
#include "xmlstream.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void
engine_emit(struct engine *e, enum engine_event ev)
{
	if (e->cb)
		e->cb(e, ev, e->ctx);
}

void
engine_set_phase(struct engine *e, enum engine_phase p)
{
	if (e->phase == p)
		return;
	e->phase = p;
	engine_emit(e, ENGINE_EV_PHASE);
}

void
engine_report(struct engine *e, enum engine_event ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	engine_emit(e, ev);
}

static void on_target_state(struct target *s, enum target_state st, void *ctx);

struct engine *
engine_new(struct evloop *loop, const struct engine_opts *opts, engine_cb cb, void *ctx)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->loop = loop;
	e->opts = *opts;
	e->cb = cb;
	e->ctx = ctx;
	e->model = engine_model_new(e);
	e->opts.target.supp_files = opts->supp_files;
	e->opts.target.nsupp_files = opts->nsupp_files;
	e->opts.target.supp_text = opts->default_supp ? supp_default_text() : NULL;
	e->target = target_new(loop, &e->opts.target, on_target_state, e);
	engine_procs_init(e);
	return e;
}

void
engine_free_urls(struct engine *e)
{
	size_t i;

	for (i = 0; e->urls && i < e->spec.nurls; i++)
		free(e->urls[i]);
	free(e->urls);
	e->urls = NULL;
}

/* A stop no longer waits for the check in flight (see engine_stop). */
static void
cancel_stop_wait(struct engine *e)
{
	e->stop_after_check = false;
	if (e->stop_wait_timer) {
		evloop_timer_cancel(e->loop, e->stop_wait_timer);
		e->stop_wait_timer = 0;
	}
}

void
engine_free(struct engine *e)
{
	if (!e)
		return;
	cancel_stop_wait(e);
	burst_free(e->burst);
	engine_reload_free(e);
	engine_procs_free(e);
	engine_checkstream_free(e);
	follow_free(e->follow);
	xmlstream_free(e->xml);
	engine_exit_free(e);
	sessionfile_close(e->sessionfile, NULL);
	target_free(e->target);
	model_free(e->model);
	engine_owner_free(e);
	engine_debug_free(e);
	engine_debug_breaks_free(e);
	engine_free_urls(e);
	engine_urls_free(e);
	engine_kinds_free(e);
	engine_supp_free(e);
	free(e->chains);
	free(e);
}

static void
on_xml_error(void *ctx, bool is_new)
{
	(void)is_new;
	engine_emit(ctx, ENGINE_EV_MEMERROR);
}

/* valgrind's counts of the errors, from its exit: the same errors, counted. */
static void
on_xml_counts(void *ctx)
{
	engine_emit(ctx, ENGINE_EV_MEMERROR);
}

static void
on_xml_bytes(void *ctx, const char *buf, size_t len)
{
	struct engine *e = ctx;

	xmlstream_feed(e->xml, buf, len);
}

/* Every request in flight is a socket here and one in nginx: a low
 * `ulimit -n` fails requests by the hundred with nothing said. */
static void
check_nofile(struct engine *e)
{
	unsigned long have = util_raise_nofile(), need = e->opts.burst.concurrency + 64UL;

	if (have && have < need)
		engine_report(e, ENGINE_EV_WARNING, "the open files limit is %lu (ulimit -n): concurrency "
			"%u needs about %lu, requests will fail; raise it or lower -C", have,
			e->opts.burst.concurrency, need);
}

bool
engine_start(struct engine *e, char *err, size_t errlen)
{
	static const struct xmlstream_cb xcb = { .error = on_xml_error, .counts = on_xml_counts };

	if (e->opts.sessionfile) {
		struct sessionfile_meta jm = { .nginx = e->opts.target.nginx,
			.nginx_version = e->opts.nginx_version, .debug_palloc = e->opts.debug_palloc };

		e->sessionfile = sessionfile_open(e->opts.sessionfile, &jm, err, errlen);
		if (!e->sessionfile)
			return false;
	}
	check_nofile(e);	/* before nginx starts: it inherits the limit */
	if (!target_start(e->target, err, errlen))
		return false;
	engine_set_phase(e, ENGINE_STARTING);
	if (!target_xml_path(e->target))
		return true;	/* attached: someone else's valgrind writes no XML for us */
	e->xml = xmlstream_new(e->model, false, &xcb, e);
	engine_exit_start(e);
	/* Errors are shown as they happen: follow the file valgrind writes. */
	e->follow = follow_new(e->loop, target_xml_path(e->target), on_xml_bytes, e);
	if (!e->follow)
		engine_report(e, ENGINE_EV_WARNING, "cannot follow valgrind's XML (%s): memcheck errors "
			"will show when nginx exits", strerror(errno));
	return true;
}


/* The held connections are open: nginx's memory for them is part of the
 * baseline, not growth in round 1. Their requests count in no round. */
static void
on_warm_done(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	struct engine *e = ctx;

	(void)burst;
	(void)st;
	if (target_state(e->target) != TARGET_READY || engine_reload_warm_again(e, on_warm_done))
		return;
	engine_start_check(e);
}

static void
on_ready(struct engine *e)
{
	e->spec = e->opts.burst;
	/* attached, no URL given: the traffic is someone else's, checks only */
	if (target_attached(e->target) && !e->opts.burst.nurls) {
		engine_start_check(e);
		return;
	}
	/* keepalive connections stay open across rounds: what lives as long
	 * as a connection shows (see burst.h) */
	e->spec.hold = e->spec.keepalive;
	if (!engine_resolve_reqs(e, e->opts.burst.urls, e->opts.burst.reqs, e->opts.burst.nurls)) {
		engine_stop(e);
		return;
	}
	e->burst = burst_new(e->loop, &e->spec);
	/* Round 0: the heap before the bursts, the baseline of every verdict;
	 * with held connections, taken with them open (burst_warm). */
	e->burst_requests = e->burst_failed = 0;
	if (!burst_warm(e->burst, on_warm_done, e))
		engine_start_check(e);
}

static void
on_target_state(struct target *s, enum target_state st, void *ctx)
{
	struct engine *e = ctx;

	(void)s;
	switch (st) {
	case TARGET_READY:
		on_ready(e);
		break;
	case TARGET_STOPPING:
		engine_set_phase(e, ENGINE_STOPPING);
		break;
	case TARGET_EXITED:
		e->auto_mode = false;
		cancel_stop_wait(e);
		engine_debug_free(e);
		if (e->burst)
			burst_abort(e->burst);
		engine_procs_cancel(e);
		engine_exit_finish(e);
		if (!target_stopped_by_us(e->target))
			engine_report(e, ENGINE_EV_ERROR, "%s%s%s", target_reason(e->target),
				*xmlstream_fatal(e->xml) ? ": " : "", xmlstream_fatal(e->xml));
		sessionfile_close(e->sessionfile, target_stopped_by_us(e->target) ? "stopped" : e->message);
		e->sessionfile = NULL;
		engine_set_phase(e, ENGINE_DEAD);
		break;
	default:
		break;
	}
}

static void
on_burst_done(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	struct engine *e = ctx;
	unsigned long failed = burst_failed(st);

	e->burst_requests += st->done;
	e->burst_failed += failed;
	e->total_requests += st->done;
	e->total_failed += failed;
	engine_reload_burst_done(e);
	engine_proto_burst_done(e, st);
	if (engine_urls_burst_done(e, burst, st))
		engine_report(e, ENGINE_EV_WARNING, "nginx closed kept-alive connections (keepalive_requests "
			"or keepalive_timeout reached): growth that lives as long as a connection "
			"restarts when nginx closes one");
	if (st->transport_errors && st->transport_errors == st->done)
		engine_report(e, ENGINE_EV_WARNING, "every request of the burst failed: %s", st->last_error);
	if (e->phase != ENGINE_BURST)
		return;	/* nginx died meanwhile */
	/* --break: gdb gives nginx back before the check (vgdb's) */
	if (e->debug && engine_debug_batch_detach(e))
		return;
	if (e->check_after_burst) {
		engine_start_check(e);
		return;
	}
	engine_set_phase(e, ENGINE_IDLE);
	engine_debug_deferred(e);	/* d came during the burst */
}

static void on_rewarm(struct burst *burst, const struct burst_stats *st, void *ctx);

bool
engine_start_burst(struct engine *e, bool then_check)
{
	/* the round is in while its owner search runs: the burst follows it */
	if (e->phase == ENGINE_CHECK && engine_owner_running(e) && !e->stop_after_check && e->burst) {
		e->burst_after_search = then_check ? 2 : 1;
		return true;
	}
	if (e->phase != ENGINE_IDLE || !e->burst)
		return false;
	/* --break points not hit yet: this burst runs under gdb */
	if (!e->debug && engine_debug_breaks_pending(e)) {
		if (engine_debug_batch_attach(e, then_check))
			return true;
		if (e->phase != ENGINE_IDLE)
			return false;	/* its error stopped the run */
	}
	e->check_after_burst = then_check;
	e->have_stats = true;
	engine_set_phase(e, ENGINE_BURST);
	/* after a reload: new connections to the new workers first (every
	 * worker one), as part of this burst - its requests are this round's */
	if (e->rewarm) {
		e->rewarm = false;
		e->warm_tries = 0;
		if (burst_reconnect(e->burst) && burst_warm(e->burst, on_rewarm, e))
			return true;
	}
	if (!burst_start(e->burst, on_burst_done, e)) {
		engine_set_phase(e, ENGINE_IDLE);
		return false;
	}
	return true;
}

/* The warm-up of the burst after a reload is done: once every worker
 * holds a connection, the rest of the burst. Its requests (and those of
 * a warm-up tried again) count in the round. */
static void
on_rewarm(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	struct engine *e = ctx;
	size_t i;

	if (e->phase != ENGINE_BURST)
		return;		/* stopping meanwhile */
	for (i = 0; i < e->spec.nurls; i++)
		e->url_acc[e->url_ids[i]] += burst_url_reached(burst, i);
	if (engine_reload_warm_again(e, on_rewarm)) {
		e->burst_requests += st->done;	/* the new warm-up's stats start again */
		e->total_requests += st->done;
		return;
	}
	/* the rest: its per-URL counts start at the resume (no double count) */
	if (!burst_start(e->burst, on_burst_done, e))
		engine_set_phase(e, ENGINE_IDLE);
}

static void stop_now(struct engine *e);

void
engine_check_failed(struct engine *e, const char *what)
{
	model_round_abort(e->model);
	/* valgrind may have searched all the same: the next checks are full */
	engine_check_full_next(e);
	e->auto_mode = false;
	engine_report(e, ENGINE_EV_ERROR, "leak check failed: %s", what);
	if (e->stop_after_check)
		stop_now(e);
	else if (e->phase == ENGINE_CHECK) {
		engine_set_phase(e, ENGINE_IDLE);
		engine_debug_deferred(e);
	}
}

/* Every completed check reaches the disk before anything else happens. */
static void
save_round(struct engine *e)
{
	char err[512];

	if (!e->sessionfile || e->sessionfile_failed)
		return;
	if (!sessionfile_round(e->sessionfile, e->model, err, sizeof err)) {
		e->sessionfile_failed = true;
		engine_report(e, ENGINE_EV_WARNING, "%s: later checks are not saved", err);
	}
}

void
engine_check_text(struct engine *e, const char *out, size_t outlen, int64_t elapsed_ns,
	bool search)
{
	struct leak_summary sum;
	struct leakcheck_error perr;
	enum leakcheck_status st;
	int64_t t0 = util_now_ns();

	engine_check_round_begin(e);
	st = leakcheck_text(out, outlen, model_leakcheck_cb, e->model, &sum, &perr);
	if (st != LEAKCHECK_OK) {
		engine_check_parse_failed(e, st, &perr);
		return;
	}
	if (engine_check_broken(e, 0, e->model, &sum)) {
		model_round_abort(e->model);
		engine_start_check(e);	/* full now; the burst's requests wait for it */
		return;
	}
	model_round_end(e->model, &sum, elapsed_ns);
	engine_check_taken(e, 0, true);
	e->last_check_ns = elapsed_ns;
	e->last_update_ns = util_now_ns() - t0;
	engine_round_in(e, search);
}

void
engine_round_in(struct engine *e, bool search)
{
	engine_procs_single_round(e);
	save_round(e);
	e->burst_requests = e->burst_failed = 0;
	engine_urls_clear(e);
	/* nginx idles: what holds the round's sites, before anything frees */
	if (search && !e->stop_after_check && engine_procs_owner(e) && engine_owner_search(e))
		return;
	engine_check_finished(e);
}

/* What the owner search found goes to the session file as well. */
static void
save_holders(struct engine *e)
{
	char err[512];

	if (!e->sessionfile || e->sessionfile_failed)
		return;
	if (!sessionfile_holders(e->sessionfile, e->model, err, sizeof err)) {
		e->sessionfile_failed = true;
		engine_report(e, ENGINE_EV_WARNING, "%s: later checks are not saved", err);
	}
}

void
engine_check_finished(struct engine *e)
{
	int deferred = e->burst_after_search;

	e->burst_after_search = 0;
	engine_procs_holders(e);
	save_holders(e);
	if (e->debug && !engine_debug_waits_round(e)) {	/* through gdb's monitor: the debugger goes on */
		engine_emit(e, ENGINE_EV_ROUND);
		return;
	}
	if (e->stop_after_check) {
		engine_emit(e, ENGINE_EV_ROUND);
		stop_now(e);
		return;
	}
	engine_set_phase(e, ENGINE_IDLE);
	engine_emit(e, ENGINE_EV_ROUND);
	if (engine_debug_deferred(e))
		return;
	if (e->auto_mode && e->phase == ENGINE_IDLE)
		engine_start_burst(e, true);
	else if (deferred && e->phase == ENGINE_IDLE)
		engine_start_burst(e, deferred == 2);
	else if (e->phase == ENGINE_IDLE)
		engine_reload_every(e);
}

void
engine_start_check(struct engine *e)
{
	if (engine_procs_multi(e)) {
		engine_procs_check(e);
		return;
	}
	engine_set_phase(e, ENGINE_CHECK);
	engine_checkstream_start(e);
}

bool
engine_burst(struct engine *e)
{
	return engine_start_burst(e, false);
}

bool
engine_burst_check(struct engine *e)
{
	return engine_start_burst(e, true);
}

bool
engine_check(struct engine *e)
{
	if (e->phase != ENGINE_IDLE)
		return false;
	engine_start_check(e);
	return true;
}

void
engine_set_auto(struct engine *e, bool on)
{
	e->auto_mode = on;
	if (on && e->phase == ENGINE_IDLE)
		engine_start_burst(e, true);
}

static void
stop_now(struct engine *e)
{
	cancel_stop_wait(e);
	engine_procs_cancel(e);
	if (target_state(e->target) == TARGET_NEW) {
		engine_set_phase(e, ENGINE_DEAD);
		return;
	}
	target_stop(e->target);
}

static void
on_stop_wait(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->stop_wait_timer = 0;
	engine_report(e, ENGINE_EV_WARNING, "the leak check did not end within %d ms of the stop: "
		"cut short, valgrind's exit report may be missing", STOP_CHECK_WAIT_MS);
	stop_now(e);
}

void
engine_stop(struct engine *e)
{
	e->auto_mode = false;
	/* gdb gives nginx back first; the detach's end stops it */
	if (engine_debug_stop(e))
		return;
	engine_debug_free(e);
	if (e->burst)
		burst_abort(e->burst);
	/* valgrind answering a monitor command is inside its gdbserver: a vgdb
	 * killed there and a QUIT make valgrind exit (status 1) before its exit
	 * leak report. A check takes a fraction of a second: let it end (and
	 * keep its round); a second stop, or the wait running out, cuts it. */
	if (e->phase == ENGINE_CHECK && !e->stop_after_check &&
		target_state(e->target) == TARGET_READY) {
		e->stop_after_check = true;
		e->stop_wait_timer = evloop_timer_add(e->loop, STOP_CHECK_WAIT_MS, on_stop_wait, e);
		return;
	}
	stop_now(e);
}

void
engine_set_shape(struct engine *e, unsigned long requests, unsigned concurrency)
{
	e->opts.burst.requests = e->spec.requests = requests;
	e->opts.burst.concurrency = e->spec.concurrency = concurrency;
	if (e->burst)
		burst_set_shape(e->burst, requests, concurrency);
}
