/* engine_debug_req.c - the requests that bring nginx to a breakpoint, one
 * at a time with no timeout that would cut a request held at a breakpoint
 * while the user thinks (a day), bounded in count and time while none is
 * hit; the batch's --break rounds; the argv of the full gdb.
 *
 * The requests count in the next round as a burst's do (they reached
 * nginx between two checks), so growth per request stays true. */
#include "engine.h"
#include "engine_int.h"
#include "engine_debug_int.h"
#include "burst.h"
#include "evloop.h"
#include "model.h"
#include "report.h"
#include "target.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HELD_REQUEST_MS (24L * 3600 * 1000)

static void fire(struct engine *e);

static size_t
url_of(const struct engine *e, size_t i)
{
	return e->debug->url ? e->debug->url_index : i;
}

static void
account(struct engine *e, const struct burst *b, const struct burst_stats *st)
{
	unsigned long failed = burst_failed(st);
	size_t i, n = e->debug->url ? 1 : e->spec.nurls;

	e->burst_requests += st->done;
	e->burst_failed += failed;
	e->total_requests += st->done;
	e->total_failed += failed;
	for (i = 0; i < n; i++)
		e->url_acc[e->url_ids[url_of(e, i)]] += burst_url_reached(b, i);
}

static const char *
where(const struct engine_debug *d)
{
	static char buf[300];

	if (d->nbps)
		snprintf(buf, sizeof buf, "%s:%u", d->bps[0].file, d->bps[0].line);
	else
		snprintf(buf, sizeof buf, "the breakpoints");
	return buf;
}

static void
on_req_done(struct burst *b, const struct burst_stats *st, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	account(e, b, st);
	d->answered += st->done - st->transport_errors;
	if (st->last_code)
		d->last_status = (int)st->last_code;
	if (d->closing) {
		engine_debug_close(e);
		return;
	}
	if (st->transport_errors)
		engine_debug_set_note(e, true, "request %lu failed: %s", d->requests, st->last_error);
	else
		engine_debug_set_note(e, false, "request %lu answered %ld", d->requests, st->last_code);
	if (!d->sending)
		return;
	if (d->requests - d->sent_before < d->send_budget && !d->send_expired) {
		fire(e);
		return;
	}
	engine_debug_req_stop(e);
	if (d->state == ENGINE_DEBUG_WAITING)
		d->state = ENGINE_DEBUG_RUNNING;
	engine_debug_set_note(e, true, "%s was not reached by %lu requests to %s: "
		"another URL (u), more requests (a) or leave (q)", where(d),
		d->requests - d->sent_before, d->url ? d->url : "the URL set");
}

static void
fire(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (burst_running(d->req))
		return;	/* the one in flight goes on */
	if (!burst_start(d->req, on_req_done, e)) {
		engine_debug_set_note(e, true, "cannot send a request");
		return;
	}
	d->requests++;
	engine_debug_changed(e);
}

static void
on_send_timer(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;

	(void)loop;
	e->debug->send_timer = 0;
	e->debug->send_expired = true;
}

static void
make_req(struct engine *e)
{
	struct engine_debug *d = e->debug;
	struct burst_spec sp = e->spec;

	if (d->req)
		return;
	if (d->url) {
		sp.urls = &e->urls[d->url_index];
		sp.reqs = sp.reqs ? &sp.reqs[d->url_index] : NULL;
		sp.nurls = 1;
	}
	sp.requests = 1;
	sp.concurrency = 1;
	sp.keepalive = sp.hold = false;
	sp.timeout_ms = HELD_REQUEST_MS;
	d->req = burst_new(e->loop, &sp);
}

void
engine_debug_req_send(struct engine *e)
{
	struct engine_debug *d = e->debug;

	make_req(e);
	engine_debug_req_stop(e);
	d->sending = true;
	d->send_expired = false;
	d->send_budget = ENGINE_DEBUG_MAX_REQUESTS;
	d->sent_before = d->requests;
	d->send_timer = evloop_timer_add(e->loop, ENGINE_DEBUG_MAX_MS, on_send_timer, e);
	fire(e);
}

void
engine_debug_req_stop(struct engine *e)
{
	struct engine_debug *d = e->debug;

	d->sending = false;
	if (d->send_timer) {
		evloop_timer_cancel(e->loop, d->send_timer);
		d->send_timer = 0;
	}
}

void
engine_debug_req_free(struct engine *e)
{
	struct engine_debug *d = e->debug;

	engine_debug_req_stop(e);
	if (d->req && burst_running(d->req))
		burst_abort(d->req);
	burst_free(d->req);
	d->req = NULL;
}

bool
engine_debug_req_in_flight(const struct engine *e)
{
	return e->debug && e->debug->req && burst_running(e->debug->req);
}

/* ---- the full gdb ---- */

char **
engine_debug_req_gdb_argv(const struct engine *e)
{
	const struct engine_debug *d = e->debug;
	size_t i, n = 0, cap = 12 + 2 * d->nbps;
	char **argv = xcalloc(cap, sizeof *argv);

	argv[n++] = xstrdup(e->opts.gdb ? e->opts.gdb : "gdb");
	argv[n++] = xstrdup("-q");
	argv[n++] = xstrdup("-ex");
	argv[n++] = xasprintf("target remote | %s --vgdb-prefix=%s --pid=%ld", e->opts.vgdb,
		target_vgdb_prefix(e->target), engine_procs_debug_pid(e));
	for (i = 0; i < d->nbps; i++) {
		argv[n++] = xstrdup("-ex");
		argv[n++] = xasprintf("break %s:%u", d->bps[i].file, d->bps[i].line);
	}
	/* attached and the breakpoints set: now a request can reach them */
	argv[n++] = xstrdup("-ex");
	argv[n++] = xasprintf("python import os, signal; os.kill(%ld, signal.SIGUSR1)",
		(long)getpid());
	argv[n++] = xstrdup("-ex");
	argv[n++] = xasprintf("echo \\nngx-leaktop: nginx (pid %ld) is stopped; 'continue' lets "
		"it take the request ngx-leaktop sends; 'quit' gives nginx back and returns to "
		"the screen.\\n", engine_procs_debug_pid(e));
	argv[n++] = xstrdup(e->opts.target.nginx);
	return argv;
}

/* ---- batch: --break ---- */

bool
engine_debug_breaks_pending(const struct engine *e)
{
	size_t i;

	for (i = 0; i < e->opts.nbreaks && !e->breaks_off; i++)
		if (!e->breaks || !e->breaks[i].hit)
			return true;
	return false;
}

void
engine_debug_breaks_free(struct engine *e)
{
	size_t i;

	for (i = 0; e->breaks && i < e->opts.nbreaks; i++) {
		free(e->breaks[i].at);
		free(e->breaks[i].why);
		gdbmi_frames_free(e->breaks[i].frames, e->breaks[i].nframes);
		gdbmi_vars_free(e->breaks[i].vars, e->breaks[i].nvars);
	}
	free(e->breaks);
	e->breaks = NULL;
}

const struct report_break *
engine_breaks(const struct engine *e, size_t *n)
{
	*n = e->breaks ? e->opts.nbreaks : 0;
	return e->breaks;
}

/* The stop's evidence outlives the stop: the break takes the backtrace
 * and locals over (the stop forgets them when nginx goes on anyway). */
static void
keep_evidence(struct engine *e, struct report_break *b)
{
	struct engine_debug *d = e->debug;

	b->hit = true;
	b->round = (unsigned)model_nrounds(e->model);	/* the check after this burst */
	b->why = xstrdup(d->why);
	b->frames = d->frames;
	b->nframes = d->nframes;
	b->vars = d->vars;
	b->nvars = d->nvars;
	d->frames = NULL;
	d->vars = NULL;
	d->nframes = d->nvars = d->frame = 0;
}

static bool
split_break(const char *spec, char **file, unsigned *line)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long l;

	if (!colon || colon == spec)
		return false;
	l = strtoul(colon + 1, &end, 10);
	if (*end || !l || l > 10000000)
		return false;
	*file = xasprintf("%.*s", (int)(colon - spec), spec);
	*line = (unsigned)l;
	return true;
}

bool
engine_debug_batch_attach(struct engine *e, bool then_check)
{
	struct engine_debug *d;
	char err[512];
	size_t i;

	if (!e->breaks) {
		e->breaks = xcalloc(e->opts.nbreaks, sizeof *e->breaks);
		for (i = 0; i < e->opts.nbreaks; i++)
			e->breaks[i].at = xstrdup(e->opts.breaks[i]);
	}
	d = e->debug = xcalloc(1, sizeof *d);
	d->batch_then_check = then_check;
	for (i = 0; i < e->opts.nbreaks; i++) {
		char *file;
		unsigned line;

		if (!e->breaks[i].hit && split_break(e->opts.breaks[i], &file, &line)) {
			engine_debug_bp_add(d, file, line);
			free(file);
		}
	}
	if (!engine_debug_open(e, true, err, sizeof err)) {
		engine_debug_free(e);
		/* no gdb: the rounds go on without the breakpoints */
		e->breaks_off = true;
		engine_report(e, ENGINE_EV_ERROR, "--break: %s", err);
		return false;
	}
	engine_set_phase(e, ENGINE_DEBUG);
	return true;
}

/* The first hit of a --break point was told: delete it, go on. */
void
engine_debug_batch_resume(struct engine *e, const struct engine_debug_bp *bp)
{
	struct engine_debug *d = e->debug;
	size_t i;

	for (i = 0; bp && i < e->opts.nbreaks; i++) {
		char *file;
		unsigned line;

		if (split_break(e->opts.breaks[i], &file, &line)) {
			if (line == bp->line && !strcmp(file, bp->file) && !e->breaks[i].hit)
				keep_evidence(e, &e->breaks[i]);
			free(file);
		}
	}
	if (bp) {
		char cmd[48];

		snprintf(cmd, sizeof cmd, "-break-delete %u", bp->number);
		engine_debug_command(e, cmd, CMD_TIMEOUT_MS, NULL);
		engine_debug_bp_remove(d, engine_debug_bp_find(d, bp->file, bp->line));
	}
	engine_debug_run_on(e, ENGINE_DEBUG_RUNNING);
}

bool
engine_debug_batch_detach(struct engine *e)
{
	struct engine_debug *d = e->debug;

	if (!d || !d->batch)
		return false;
	d->batch_then_check = e->check_after_burst;
	d->after_close_check = e->check_after_burst;
	engine_set_phase(e, ENGINE_DEBUG);
	engine_debug_detach(e);
	return true;
}

bool
engine_break_hit(const struct engine *e, size_t i)
{
	return e->breaks && i < e->opts.nbreaks && e->breaks[i].hit;
}
