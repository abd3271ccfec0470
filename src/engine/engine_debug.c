/* engine_debug.c - the debugger: gdb/MI attached to nginx through its own
 * valgrind gdbserver (shared VALGRIND.md, "gdb through the same
 * gdbserver"). One client per gdbserver: while gdb is attached the engine
 * is in ENGINE_DEBUG and its leak checks go through gdb's monitor. gdb
 * runs with mi-async on, so that a check, a breakpoint or a detach asked
 * while nginx runs first interrupts it (the pause), does the job, and lets
 * it run on. */
#include "engine.h"
#include "engine_int.h"
#include "engine_debug_int.h"
#include "evloop.h"
#include "gdbmi.h"
#include "proc.h"
#include "target.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



const char *
engine_debug_state_name(enum engine_debug_state s)
{
	static const char *const names[] = {
		"off", "loading", "waiting", "stopped", "stepping", "running", "detaching", "handoff",
	};

	return (size_t)s < LT_ARRAY_SIZE(names) ? names[s] : "?";
}

void
engine_debug_changed(struct engine *e)
{
	engine_emit(e, ENGINE_EV_DEBUG);
}

void
engine_debug_set_note(struct engine *e, bool error, const char *fmt, ...)
{
	struct engine_debug *d = e->debug;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->note, sizeof d->note, fmt, ap);
	va_end(ap);
	d->note_error = error;
	engine_debug_changed(e);
}

/* gdb's ^error text, or why there was no answer. */
const char *
engine_debug_why(struct engine *e, const struct gdbmi_record *res)
{
	const char *msg = res ? gdbmi_str(res->results, "msg") : NULL;

	if (msg)
		return msg;
	return *gdbmi_error(e->debug->gdb) ? gdbmi_error(e->debug->gdb) : "gdb gave no answer";
}

bool
engine_debug_failed(const struct gdbmi_record *res)
{
	return !res || !res->klass || !strcmp(res->klass, "error");
}

/* A command whose answer nothing waits for: an ^error shows as the note. */
static void
on_any(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;

	(void)g, (void)s, (void)n;
	if (res && engine_debug_failed(res) && e->debug)
		engine_debug_set_note(e, true, "%s", engine_debug_why(e, res));
}

bool
engine_debug_command(struct engine *e, const char *cmd, int64_t timeout_ms, gdbmi_done_cb cb)
{
	return gdbmi_command(e->debug->gdb, cmd, timeout_ms, cb ? cb : on_any, e);
}

/* ---- where nginx stopped ---- */

void
engine_debug_clear_stop(struct engine_debug *d)
{
	gdbmi_frames_free(d->frames, d->nframes);
	gdbmi_vars_free(d->vars, d->nvars);
	d->frames = NULL;
	d->vars = NULL;
	d->nframes = d->nvars = d->frame = 0;
}

/* The stop is on the screen: how long it took, and what follows. */
static void
stop_shown(struct engine *e)
{
	struct engine_debug *d = e->debug;
	int64_t ms = (util_now_ns() - d->step_sent_ns) / 1000000;

	if (!d->first_stop_seen) {
		d->first_stop_seen = true;
		if (!d->note_error)
			d->note[0] = 0;	/* "reading nginx's symbols" is over */
		d->stop_ms = (util_now_ns() - d->started_ns) / 1000000;
	} else if (d->timing_step)
		d->step_ms = ms;
	d->timing_step = false;	/* a stop after continue is no step's */
	const struct engine_debug_bp *hit = d->hit;

	d->state = ENGINE_DEBUG_STOPPED;
	engine_debug_changed(e);
	d->hit = NULL;
	if (d->then != DEBUG_THEN_NONE)
		engine_debug_do_job(e);
	else if (d->batch)
		engine_debug_batch_resume(e, hit);
}

static void
on_vars(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)g, (void)s, (void)n;
	gdbmi_vars_free(d->vars, d->nvars);
	d->vars = NULL;
	d->nvars = 0;
	if (engine_debug_failed(res))
		engine_debug_set_note(e, true, "no locals: %s", engine_debug_why(e, res));
	else
		d->nvars = gdbmi_vars(res->results, &d->vars);
	if (d->state != ENGINE_DEBUG_STOPPED)
		stop_shown(e);
	else
		engine_debug_changed(e);
}

void
engine_debug_ask_vars(struct engine *e)
{
	struct engine_debug *d = e->debug;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "-stack-list-variables --thread %s --frame %zu --simple-values",
		d->thread[0] ? d->thread : "1", d->frame);
	engine_debug_command(e, cmd, CMD_TIMEOUT_MS, on_vars);
}

static void
on_frames(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res))
		engine_debug_set_note(e, true, "no backtrace: %s", engine_debug_why(e, res));
	else
		d->nframes = gdbmi_frames(res->results, &d->frames);
	engine_debug_ask_vars(e);
}

/* Why, in words: "breakpoint 1 hit", "function finished: $1 = 0". */
static void
say_why(struct engine_debug *d, const struct gdbmi_value *r)
{
	const char *reason = gdbmi_str(r, "reason");
	const char *bkpt = gdbmi_str(r, "bkptno");
	const char *sig = gdbmi_str(r, "signal-name");
	const char *rv = gdbmi_str(r, "return-value");

	if (!reason)
		snprintf(d->why, sizeof d->why, "stopped");
	else if (!strcmp(reason, "breakpoint-hit"))
		snprintf(d->why, sizeof d->why, "breakpoint %s hit", bkpt ? bkpt : "?");
	else if (!strcmp(reason, "end-stepping-range"))
		snprintf(d->why, sizeof d->why, "end of step");
	else if (!strcmp(reason, "function-finished"))
		snprintf(d->why, sizeof d->why, "function finished%s%s", rv ? ", returned " : "",
			rv ? rv : "");
	else if (!strcmp(reason, "signal-received"))
		snprintf(d->why, sizeof d->why, "signal %s (%s)", sig ? sig : "?",
			gdbmi_str(r, "signal-meaning") ? gdbmi_str(r, "signal-meaning") : "");
	else
		snprintf(d->why, sizeof d->why, "%s", reason);
}

static void
on_stopped(struct engine *e, const struct gdbmi_value *r)
{
	struct engine_debug *d = e->debug;
	const char *reason = gdbmi_str(r, "reason");
	const char *thread = gdbmi_str(r, "thread-id");
	bool at_bp = reason && !strcmp(reason, "breakpoint-hit");
	struct engine_debug_bp *bp;

	if (reason && !strncmp(reason, "exited", 6))
		return;	/* nginx is gone: the target tells the engine */
	if (d->attaching)
		return;	/* valgrind stops nginx for a new gdb: the continue follows */
	if (d->pause_timer) {
		evloop_timer_cancel(e->loop, d->pause_timer);
		d->pause_timer = 0;
	}
	if (d->interrupting && !at_bp) {
		/* our own pause: nginx was only running idle or mid-request */
		d->interrupting = false;
		d->state = ENGINE_DEBUG_STOPPED;
		engine_debug_do_job(e);
		return;
	}
	d->interrupting = false;
	d->resume_after = false;	/* a breakpoint was hit meanwhile: stay there */
	engine_debug_req_stop(e);
	snprintf(d->thread, sizeof d->thread, "%s", thread ? thread : "1");
	say_why(d, r);
	bp = at_bp ? engine_debug_bp_by_number(d, (unsigned)strtoul(gdbmi_str(r, "bkptno") ?
		gdbmi_str(r, "bkptno") : "0", NULL, 10)) : NULL;
	if (bp)
		bp->hits++;
	d->hit = d->batch ? bp : NULL;
	engine_debug_clear_stop(d);
	engine_debug_command(e, "-stack-list-frames", CMD_TIMEOUT_MS, on_frames);
}

static void
on_async(struct gdbmi *g, const struct gdbmi_record *rec, void *ctx)
{
	struct engine *e = ctx;

	(void)g;
	if (!e->debug || rec->type != GDBMI_EXEC || !rec->klass)
		return;
	if (!strcmp(rec->klass, "stopped"))
		on_stopped(e, rec->results);
}

/* ---- attach and detach ---- */

static void
on_continued(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res)) {
		engine_debug_set_note(e, true, "nginx did not go on: %s", engine_debug_why(e, res));
		d->state = ENGINE_DEBUG_STOPPED;
		engine_debug_changed(e);
		return;
	}
	/* nginx runs (^running): the first requests go out now */
	if (d->state == ENGINE_DEBUG_WAITING && !d->first_stop_seen && !d->sending)
		engine_debug_req_send(e);
}

/* nginx runs under gdb: the breakpoints wait for a request. */
void
engine_debug_run_on(struct engine *e, enum engine_debug_state st)
{
	struct engine_debug *d = e->debug;

	d->state = st;
	engine_debug_clear_stop(d);
	engine_debug_command(e, "-exec-continue", CMD_TIMEOUT_MS, on_continued);
	engine_debug_changed(e);
}

static void
on_attached(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;
	size_t i;

	(void)g, (void)s, (void)n;
	d->attaching = false;
	if (engine_debug_failed(res)) {
		engine_report(e, ENGINE_EV_ERROR, "gdb could not attach to nginx through vgdb: %s",
			engine_debug_why(e, res));
		engine_debug_close(e);
		return;
	}
	for (i = 0; i < d->nbps; i++)
		engine_debug_bp_insert(e, &d->bps[i]);
	if (d->batch) {
		engine_debug_run_on(e, ENGINE_DEBUG_RUNNING);
		engine_set_phase(e, ENGINE_IDLE);
		engine_start_burst(e, d->batch_then_check);
		return;
	}
	engine_debug_run_on(e, ENGINE_DEBUG_WAITING);
}

static void
on_gdb_exit(struct gdbmi *g, int status, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;
	char why[96];

	(void)g;
	if (!d)
		return;
	if (d->state == ENGINE_DEBUG_DETACHING) {
		engine_debug_gdb_gone(e);
		return;
	}
	/* gdbmi's error repeats the status and adds gdb's log tail: noise here */
	engine_report(e, ENGINE_EV_ERROR, "gdb %s: the debugger is off, nginx runs on",
		proc_status_text(status, why, sizeof why));
	engine_debug_close_later(e);
}

bool
engine_debug_open(struct engine *e, bool batch, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;
	struct gdbmi_spec spec = { .gdb = e->opts.gdb ? e->opts.gdb : "gdb",
		.program = e->opts.target.nginx, .on_async = on_async, .on_exit = on_gdb_exit,
		.ctx = e };
	char *remote, *q, *cmd;

	d->gdb = gdbmi_start(e->loop, &spec, err, errlen);
	if (!d->gdb)
		return false;
	d->batch = batch;
	d->started_ns = d->step_sent_ns = util_now_ns();
	d->stop_ms = d->step_ms = -1;
	d->state = ENGINE_DEBUG_LOADING;
	d->attaching = true;
	engine_debug_command(e, "-gdb-set mi-async on", CMD_TIMEOUT_MS, NULL);
	engine_debug_command(e, "-gdb-set confirm off", CMD_TIMEOUT_MS, NULL);
	engine_debug_command(e, "-gdb-set print elements 200", CMD_TIMEOUT_MS, NULL);
	/* gdb runs `| cmd` with sh -c: the words are our own paths (checked) */
	remote = xasprintf("target remote | %s --vgdb-prefix=%s --pid=%ld", e->opts.vgdb,
		target_vgdb_prefix(e->target), engine_procs_debug_pid(e));
	q = gdbmi_quote(remote);
	cmd = xasprintf("-interpreter-exec console %s", q);
	engine_debug_command(e, cmd, ATTACH_TIMEOUT_MS, on_attached);
	free(cmd);
	free(q);
	free(remote);
	if (!batch) {
		d->auto_was = d->auto_was || e->auto_mode;
		e->auto_mode = false;
		engine_set_phase(e, ENGINE_DEBUG);
	}
	engine_debug_changed(e);
	return true;
}

/* Paths gdb hands to sh: only these characters, so sh reads them as words. */
static bool
shell_safe(const char *s)
{
	return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789_./+-=") == strlen(s);
}

static bool
location_ok(const char *file, unsigned line, char *err, size_t errlen)
{
	size_t i;

	if (!file || !*file || !line) {
		snprintf(err, errlen, "no source line to stop at (the frame has no file:line)");
		return false;
	}
	for (i = 0; file[i]; i++)
		if ((unsigned char)file[i] < 0x20 || file[i] == 0x7f || file[i] == ':') {
			snprintf(err, errlen, "cannot stop in a file whose name has a control "
				"character or a colon");
			return false;
		}
	return true;
}

bool
engine_debug_start(struct engine *e, const char *file, unsigned line, const char *url,
	char *err, size_t errlen)
{
	struct engine_debug *d;
	size_t i;

	if (e->debug) {
		snprintf(err, errlen, "the debugger is on already");
		return false;
	}
	/* a burst or check in flight (always, in auto mode: auto stops) is
	 * not cut: the debugger starts once it is done */
	bool after_round = e->phase == ENGINE_BURST || e->phase == ENGINE_CHECK;

	if ((e->phase != ENGINE_IDLE && !after_round) || !e->vgdb) {
		snprintf(err, errlen, "nginx is %s: debug once it is ready", engine_phase_name(e->phase));
		return false;
	}
	if (!location_ok(file, line, err, errlen))
		return false;
	if (!shell_safe(e->opts.vgdb) || !shell_safe(target_vgdb_prefix(e->target))) {
		snprintf(err, errlen, "vgdb's path or prefix has characters gdb's `target remote |` "
			"would pass to sh: use a plain TMPDIR and vgdb path");
		return false;
	}
	d = e->debug = xcalloc(1, sizeof *d);
	for (i = 0; url && i < e->spec.nurls; i++)
		if (!strcmp(model_url(e->model, e->url_ids[i]), url))
			break;
	if (url && i < e->spec.nurls) {
		d->url = xstrdup(url);
		d->url_index = i;
	}
	engine_debug_bp_add(d, file, line);
	if (after_round) {
		d->auto_was = e->auto_mode;
		e->auto_mode = false;
		d->deferred = true;
		d->state = ENGINE_DEBUG_LOADING;
		engine_debug_set_note(e, false, "%sgdb attaches once the %s in flight is done",
			d->auto_was ? "auto mode paused: " : "", e->phase == ENGINE_BURST ? "burst" : "leak check");
		return true;
	}
	if (!engine_debug_open(e, false, err, errlen)) {
		engine_debug_close(e);
		return false;
	}
	engine_debug_set_note(e, false, "reading nginx's symbols");
	return true;
}

bool
engine_debug_waits_round(const struct engine *e)
{
	return e->debug && e->debug->deferred;
}

/* The round in flight when d came in auto mode is in: attach now. */
bool
engine_debug_deferred(struct engine *e)
{
	struct engine_debug *d = e->debug;
	char err[512];

	if (!d || !d->deferred)
		return false;
	d->deferred = false;
	if (!engine_debug_open(e, false, err, sizeof err)) {
		engine_report(e, ENGINE_EV_ERROR, "%s", err);
		engine_debug_close(e);
		return true;
	}
	engine_debug_set_note(e, false, "reading nginx's symbols");
	return true;
}

