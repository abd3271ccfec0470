/* live_host.c - the engine behind the live screen: what the screen asks
 * of nginx under valgrind (the target ops), and the engine's events turned
 * into messages and marks for the next frame. It draws nothing itself. */
#include "live_int.h"
#include "cli.h"
#include "engine.h"
#include "evloop.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAIL_LINES 12

static enum tui_phase
tui_phase_of(enum engine_phase p)
{
	switch (p) {
	case ENGINE_NEW:
		return TUI_PHASE_NEW;
	case ENGINE_STARTING:
		return TUI_PHASE_STARTING;
	case ENGINE_IDLE:
		return TUI_PHASE_READY;
	case ENGINE_BURST:
		return TUI_PHASE_BURST;
	case ENGINE_CHECK:
		return TUI_PHASE_CHECK;
	case ENGINE_DEBUG:
		return TUI_PHASE_DEBUG;
	case ENGINE_RELOAD:
		return TUI_PHASE_RELOAD;
	case ENGINE_STOPPING:
		return TUI_PHASE_STOPPING;
	case ENGINE_DEAD:
	default:
		return TUI_PHASE_EXITED;
	}
}

static void
host_live(void *ctx, struct tui_live *l)
{
	struct app *a = ctx;
	const struct burst_spec *spec = engine_burst_spec(a->engine);
	const struct burst_stats *st = engine_burst_stats(a->engine);
	enum engine_phase p = engine_phase(a->engine);

	l->present = true;
	l->phase = tui_phase_of(p);
	l->pid = engine_pid(a->engine);
	l->auto_mode = engine_auto(a->engine);
	l->requests = spec->requests;
	l->concurrency = spec->concurrency;
	l->urls = spec->urls;
	l->nurls = spec->nurls;
	if (st) {
		l->have_burst = true;
		l->burst_done = st->done;
		l->burst_sent = st->sent;
		l->burst_failed = engine_burst_failed(a->engine);
		l->rps = st->rps;
	}
	if (p == ENGINE_CHECK)
		l->busy_ms = engine_check_running_ms(a->engine);
	else if (p == ENGINE_BURST)
		l->busy_ms = util_now_ms() - a->busy_since;
	l->total_requests = engine_total_requests(a->engine);
	l->total_failed = engine_total_failed(a->engine);
	if (a->start_error[0]) {
		l->phase = TUI_PHASE_EXITED;
		l->reason = a->start_error;
	} else if (p == ENGINE_DEAD) {
		l->reason = engine_end_reason(a->engine);
	}
	l->log_tail = a->log_tail ? a->log_tail : "";
	live_procs_fill(a, l);
	live_kinds_fill(a, l);
}

static void
busy_error(struct app *a, char *err, size_t errlen)
{
	snprintf(err, errlen, "nginx is not idle (%s): wait, or press a to stop auto mode",
		engine_phase_name(engine_phase(a->engine)));
}

static bool
host_burst(void *ctx, bool then_check, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (then_check ? engine_burst_check(a->engine) : engine_burst(a->engine))
		return true;
	if (engine_attached(a->engine))
		snprintf(err, errlen, "attached: the traffic is the other program's; c checks (and "
			"--every SEC checks by itself)");
	else
		busy_error(a, err, errlen);
	return false;
}

static bool
host_check(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (engine_check(a->engine))
		return true;
	busy_error(a, err, errlen);
	return false;
}

static void
host_set_auto(void *ctx, bool on)
{
	struct app *a = ctx;

	engine_set_auto(a->engine, on);
}

static void
host_set_shape(void *ctx, unsigned long requests, unsigned concurrency)
{
	struct app *a = ctx;

	engine_set_shape(a->engine, requests, concurrency);
}

static bool
host_set_urls(void *ctx, char **urls, size_t n, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (engine_set_urls(a->engine, urls, n))
		return true;
	if (*engine_message(a->engine))
		snprintf(err, errlen, "%s", engine_message(a->engine));
	else
		snprintf(err, errlen, "URLs change between bursts, once nginx is up");
	return false;
}

/* Each run writes its own session file: a restart must not reuse the
 * first one's, which is created O_EXCL. FILE.jsonl -> FILE-2.jsonl, ... */
static void
next_sessionfile(struct app *a)
{
	const char *base = a->o->no_session ? NULL : a->o->session ? a->o->session :
		a->o->session_default;
	size_t n, ext;

	if (!base)
		return;
	n = strlen(base);
	ext = n > 6 && !strcmp(base + n - 6, ".jsonl") ? 6 : 0;
	free(a->sessionfile);
	a->sessionfile = xasprintf("%.*s-%u%s", (int)(n - ext), base, ++a->runs + 1,
		ext ? ".jsonl" : "");
	a->eo.sessionfile = a->sessionfile;
}

/* From a timer: the old engine may be inside its own callback when the
 * restart is decided. */
static void
do_restart(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;
	char err[512];

	(void)loop;
	a->restart_timer = 0;
	a->restart_pending = false;
	/* the screen must not draw the old engine's errors and report once freed */
	tui_set_errors(a->tui, NULL);
	tui_set_exit_model(a->tui, NULL, false);
	engine_free(a->engine);
	free(a->log_tail);
	a->log_tail = NULL;
	a->start_error[0] = '\0';
	next_sessionfile(a);
	a->engine = engine_new(a->loop, &a->eo, live_host_on_engine, a);
	a->stop_asked = false;
	a->errors_seen = 0;
	tui_set_model(a->tui, engine_model(a->engine));
	if (!engine_start(a->engine, err, sizeof err)) {
		snprintf(a->start_error, sizeof a->start_error, "%s", err);
		tui_message(a->tui, true, "%s", err);
	} else {
		tui_set_errors(a->tui, engine_errors(a->engine));	/* there once started */
		tui_message(a->tui, false, "new session: starting nginx under valgrind");
	}
	a->pending |= TUI_DRAW_ALL;
}

static bool
host_restart(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;
	enum engine_phase p = engine_phase(a->engine);

	(void)err;
	(void)errlen;
	a->restart_pending = true;
	if (p == ENGINE_DEAD || p == ENGINE_NEW || a->start_error[0]) {
		if (!a->restart_timer)
			a->restart_timer = evloop_timer_add(a->loop, 0, do_restart, a);
	} else {
		engine_stop(a->engine);	/* the restart follows ENGINE_DEAD */
	}
	return true;
}

static bool
host_stop(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;
	enum engine_phase p = engine_phase(a->engine);

	if (p == ENGINE_DEAD || p == ENGINE_NEW || p == ENGINE_STOPPING || a->start_error[0]) {
		snprintf(err, errlen, "nginx is not running (%s): R starts it again",
			engine_phase_name(p));
		return false;
	}
	a->stop_asked = true;
	a->restart_pending = false;
	engine_stop(a->engine);
	return true;
}

void
live_host_quit(struct app *a)
{
	enum engine_phase p = engine_phase(a->engine);

	if (a->quitting && p == ENGINE_STOPPING) {
		/* asked twice: do not wait; engine_free kills what is left */
		evloop_stop(a->loop, 0);
		return;
	}
	a->quitting = true;
	a->restart_pending = false;
	if (p == ENGINE_DEAD || p == ENGINE_NEW || a->start_error[0])
		evloop_stop(a->loop, 0);
	else
		engine_stop(a->engine);
}

/* W: the suppressions the screen wrote hide their sites from now on. */
static bool
host_supp_add(void *ctx, const char *name, const char *text, char *err, size_t errlen)
{
	struct app *a = ctx;

	return engine_supp_add(a->engine, name, text, err, errlen);
}

const struct tui_target_ops live_host_target_ops = {
	.live = host_live,
	.burst = host_burst,
	.check = host_check,
	.set_auto = host_set_auto,
	.set_shape = host_set_shape,
	.set_urls = host_set_urls,
	.set_kinds = live_kinds_set,
	.restart = host_restart,
	.stop = host_stop,
	.debug_start = live_debug_start,
	.debug = live_debug_fill,
	.debug_run = live_debug_run,
	.debug_frame = live_debug_frame,
	.debug_eval = live_debug_eval,
	.debug_toggle = live_debug_toggle,
	.debug_check = live_debug_check,
	.debug_detach = live_debug_detach,
	.view = live_procs_view,
	.reload = live_procs_reload,
	.supp_add = host_supp_add,
};

void
live_host_free(struct app *a)
{
	engine_free(a->engine);
	a->engine = NULL;
	free(a->log_tail);
	a->log_tail = NULL;
	free(a->sessionfile);
	a->sessionfile = NULL;
	live_debug_free(a);
	live_procs_free(a);
	live_kinds_free(a);
}

/* ---- events ---- */

static unsigned
on_round(struct app *a)
{
	const struct model *m = engine_model(a->engine);
	size_t i, growing = 0, n = model_nrounds(m);

	for (i = 0; i < model_nsites(m); i++)
		growing += model_site(m, i)->growth == GROWTH_GROWING;
	tui_model_changed(a->tui);
	if (n == 1)
		return tui_message(a->tui, false, "baseline check done: %zu sites; r runs a round "
			"(burst + check), a auto mode", model_nsites(m));
	return tui_message(a->tui, false, "check #%zu: %zu growing site%s", n - 1, growing,
		growing == 1 ? "" : "s");
}

/* A new kind + stack of memcheck error: named in the status line. */
static unsigned
on_memerror(struct app *a)
{
	const struct memerrors *errs = engine_errors(a->engine);
	const struct memerror *r;
	const struct model_frame *f;
	char *loc;
	unsigned mask;

	if (memerrors_count(errs) <= a->errors_seen)
		return TUI_DRAW_HEADER | TUI_DRAW_BODY;	/* a repeat: counts change */
	a->errors_seen = memerrors_count(errs);
	r = memerrors_get(errs, a->errors_seen - 1);
	f = r->nstacks && r->stacks[0].nframes ?
		model_frame(engine_model(a->engine), r->stacks[0].frames[r->at]) : NULL;
	loc = report_frame_location(f);
	mask = tui_message(a->tui, true, "memcheck: %s in %s (%s); E lists the errors",
		r->kind_name, f && *f->fn ? f->fn : "???", loc);
	free(loc);
	return mask | TUI_DRAW_HEADER | TUI_DRAW_BODY;
}

static unsigned
on_exit_report(struct app *a)
{
	const struct model *m = engine_exit_model(a->engine);
	unsigned mask = tui_set_exit_model(a->tui, m, a->stop_asked && !a->quitting);

	return mask | tui_message(a->tui, false, "valgrind's exit report: %zu records; x shows "
		"it, R starts nginx again", model_nsites(m));
}

static void
on_phase(struct app *a)
{
	enum engine_phase p = engine_phase(a->engine);

	if (p == ENGINE_BURST)
		a->busy_since = util_now_ms();
	if (p == ENGINE_DEAD) {
		free(a->log_tail);
		a->log_tail = engine_log_tail(a->engine, LOG_TAIL_LINES);
		if (a->quitting && !a->editing)
			evloop_stop(a->loop, 0);
		else if (a->restart_pending && !a->restart_timer)
			a->restart_timer = evloop_timer_add(a->loop, 0, do_restart, a);
	}
}

void
live_host_on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct app *a = ctx;
	unsigned mask = TUI_DRAW_ALL;

	if (!a->tui)	/* engine_start reports its first phase before the screen is up */
		return;
	switch (ev) {
	case ENGINE_EV_PHASE:
		on_phase(a);
		break;
	case ENGINE_EV_ROUND:
		mask |= on_round(a);
		break;
	case ENGINE_EV_ERROR:
		mask |= tui_message(a->tui, true, "%s", engine_message(e));
		break;
	case ENGINE_EV_WARNING:
		mask |= tui_message(a->tui, false, "warning: %s", engine_message(e));
		break;
	case ENGINE_EV_MEMERROR:
		mask = on_memerror(a);
		break;
	case ENGINE_EV_EXIT_REPORT:
		mask |= on_exit_report(a);
		break;
	case ENGINE_EV_DEBUG:
		/* the debugger view and the header's phase: redrawn with the rest */
		break;
	}
	a->pending |= mask;
}

