/* engine_debug_end.c - how a debug session ends: the detach (breakpoints
 * removed, nginx runs on, the request in flight completes), the hand-off
 * to a full gdb on the terminal, gdb or nginx going away. The engine is
 * idle again only once gdb has left and the held request was answered:
 * no burst or check is sent while either is still in the way. */
#include "engine.h"
#include "engine_int.h"
#include "engine_debug_int.h"
#include "evloop.h"
#include "gdbmi.h"
#include "target.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
free_argv(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static void
free_debug(struct engine *e)
{
	struct engine_debug *d = e->debug;
	size_t i;

	if (d->detach_timer)
		evloop_timer_cancel(e->loop, d->detach_timer);
	if (d->close_timer)
		evloop_timer_cancel(e->loop, d->close_timer);
	if (d->pause_timer)
		evloop_timer_cancel(e->loop, d->pause_timer);
	gdbmi_free(d->gdb);
	engine_debug_req_free(e);
	engine_debug_clear_stop(d);
	for (i = 0; i < d->nbps; i++)
		free(d->bps[i].file);
	free(d->bps);
	free(d->url);
	free(d->toggle_file);
	free_argv(d->handoff_argv);
	free(d);
	e->debug = NULL;
}

void
engine_debug_close(struct engine *e)
{
	struct engine_debug *d = e->debug;
	bool resume_auto, stop, check;

	if (!d)
		return;
	if (d->gdb) {
		gdbmi_free(d->gdb);
		d->gdb = NULL;
	}
	/* the held request completes now that nginx runs free: wait for it */
	if (engine_debug_req_in_flight(e) && target_state(e->target) == TARGET_READY) {
		d->state = ENGINE_DEBUG_DETACHING;
		d->closing = true;
		engine_debug_changed(e);
		return;
	}
	resume_auto = d->auto_was;
	stop = d->stopping;
	check = d->after_close_check;
	free_debug(e);
	if (e->phase == ENGINE_DEBUG)
		engine_set_phase(e, ENGINE_IDLE);
	engine_debug_changed(e);
	if (stop)
		engine_stop(e);
	else if (check && e->phase == ENGINE_IDLE)
		engine_start_check(e);
	else if (resume_auto && e->phase == ENGINE_IDLE)
		engine_set_auto(e, true);
}

/* gdb's own exit callback must not free gdb under its feet: the close
 * runs from the loop's next pass. */
static void
on_close_timer(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->debug->close_timer = 0;
	engine_debug_close(e);
}

void
engine_debug_close_later(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (!d->close_timer)
		d->close_timer = evloop_timer_add(e->loop, 0, on_close_timer, e);
}

/* The full gdb said it is attached (SIGUSR1 from its python): requests. */
static void
on_usr1(struct evloop *loop, int signo, void *ctx)
{
	struct engine *e = ctx;

	(void)loop, (void)signo;
	if (e->debug && e->debug->state == ENGINE_DEBUG_HANDOFF && !e->debug->sending)
		engine_debug_req_send(e);
}

/* gdb left (the detach's -gdb-exit, or the wait ran out): hand off, or end. */
void
engine_debug_gdb_gone(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (d->detach_timer) {
		evloop_timer_cancel(e->loop, d->detach_timer);
		d->detach_timer = 0;
	}
	if (d->handoff && target_state(e->target) == TARGET_READY) {
		gdbmi_free(d->gdb);
		d->gdb = NULL;
		d->handoff_argv = engine_debug_req_gdb_argv(e);
		d->state = ENGINE_DEBUG_HANDOFF;
		evloop_on_signal(e->loop, SIGUSR1, on_usr1, e);
		engine_debug_set_note(e, false, "a full gdb has the terminal");
		return;
	}
	engine_debug_close_later(e);
}

static void
on_detach_timer(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->debug->detach_timer = 0;
	engine_report(e, ENGINE_EV_WARNING, "gdb did not detach within %d ms: killed",
		DETACH_WAIT_MS);
	gdbmi_free(e->debug->gdb);
	e->debug->gdb = NULL;
	engine_debug_gdb_gone(e);
}

static void
on_detached(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res))
		engine_report(e, ENGINE_EV_WARNING, "gdb's detach: %s", engine_debug_why(e, res));
}

/* nginx is stopped: remove the breakpoints, detach, and let gdb go. */
void
engine_debug_detach_now(struct engine *e)
{
	struct engine_debug *d = e->debug;

	engine_debug_req_stop(e);
	d->state = ENGINE_DEBUG_DETACHING;
	engine_debug_clear_stop(d);
	engine_debug_command(e, "-break-delete", CMD_TIMEOUT_MS, NULL);
	engine_debug_command(e, "-target-detach", CMD_TIMEOUT_MS, on_detached);
	engine_debug_command(e, "-gdb-exit", CMD_TIMEOUT_MS, NULL);
	d->detach_timer = evloop_timer_add(e->loop, DETACH_WAIT_MS, on_detach_timer, e);
	engine_debug_changed(e);
}

void
engine_debug_detach(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (!d || d->state == ENGINE_DEBUG_DETACHING)
		return;
	switch (d->state) {
	case ENGINE_DEBUG_LOADING:
		/* not attached yet: nothing of nginx to give back */
		engine_debug_close(e);
		return;
	case ENGINE_DEBUG_HANDOFF:
		return;	/* the full gdb's exit ends it (engine_debug_handoff_done) */
	default:
		engine_debug_set_note(e, false, "detaching");
		engine_debug_pause(e, DEBUG_THEN_DETACH, false);
	}
}

bool
engine_debug_handoff(struct engine *e, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;

	if (!d || (d->state != ENGINE_DEBUG_STOPPED && d->state != ENGINE_DEBUG_WAITING &&
		d->state != ENGINE_DEBUG_RUNNING)) {
		snprintf(err, errlen, "a full gdb needs the debugger attached (it is %s)",
			d ? engine_debug_state_name(d->state) : "off");
		return false;
	}
	d->handoff = true;
	engine_debug_set_note(e, false, "handing nginx to a full gdb");
	engine_debug_pause(e, DEBUG_THEN_DETACH, false);
	return true;
}

char *const *
engine_debug_handoff_argv(const struct engine *e)
{
	return e->debug && e->debug->state == ENGINE_DEBUG_HANDOFF ? e->debug->handoff_argv : NULL;
}

void
engine_debug_handoff_done(struct engine *e)
{
	if (!e->debug || e->debug->state != ENGINE_DEBUG_HANDOFF)
		return;
	evloop_on_signal(e->loop, SIGUSR1, NULL, NULL);
	engine_debug_req_stop(e);
	engine_debug_close(e);
}

/* nginx exited (or the engine goes): no detach, nothing to wait for. */
void
engine_debug_free(struct engine *e)
{
	if (!e->debug)
		return;
	if (e->debug->state == ENGINE_DEBUG_HANDOFF)
		evloop_on_signal(e->loop, SIGUSR1, NULL, NULL);
	free_debug(e);
}

/* A stop while debugging: give nginx back first (bounded by the detach
 * wait), then the stop goes on. False: nothing to wait for. */
bool
engine_debug_stop(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (!d || target_state(e->target) != TARGET_READY)
		return false;
	d->stopping = true;
	d->auto_was = false;
	if (d->state == ENGINE_DEBUG_HANDOFF)
		return false;
	engine_debug_detach(e);
	return e->debug != NULL;
}
