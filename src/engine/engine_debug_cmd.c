/* engine_debug_cmd.c - what the front ends ask of the debugger: steps,
 * frames, expressions, breakpoints, leak checks through gdb's monitor, the
 * detach and the full gdb; the pause that lets a job that needs nginx
 * stopped run while it runs. */
#include "engine.h"
#include "engine_int.h"
#include "engine_debug_int.h"
#include "evloop.h"
#include "gdbmi.h"
#include "model.h"
#include "escape.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the pause and its jobs ---- */

/* nginx did not stop for gdb: gdb goes (valgrind lets nginx run on when
 * its gdb dies, VALGRIND.md), and what waited for the stop with it. */
static void
on_pause_timer(struct evloop *loop, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)loop;
	d->pause_timer = 0;
	engine_report(e, ENGINE_EV_WARNING, "nginx did not stop for gdb within %d ms: gdb killed, "
		"the debugger is off", PAUSE_WAIT_MS);
	gdbmi_free(d->gdb);
	d->gdb = NULL;
	d->interrupting = false;
	if (d->then == DEBUG_THEN_DETACH)
		engine_debug_gdb_gone(e);
	else
		engine_debug_close_later(e);
}

void
engine_debug_pause(struct engine *e, enum debug_then then, bool resume)
{
	struct engine_debug *d = e->debug;

	d->then = then;
	d->resume_after = resume;
	if (d->state == ENGINE_DEBUG_STOPPED) {
		engine_debug_do_job(e);
		return;
	}
	if (d->interrupting)
		return;
	d->interrupting = true;
	engine_debug_command(e, "-exec-interrupt", CMD_TIMEOUT_MS, NULL);
	d->pause_timer = evloop_timer_add(e->loop, PAUSE_WAIT_MS, on_pause_timer, e);
}

static void
on_monitor(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)g;
	if (engine_debug_failed(res))
		engine_debug_set_note(e, true, "leak check through gdb failed: %s", engine_debug_why(e, res));
	else {
		engine_check_text(e, s, n, (util_now_ns() - d->step_sent_ns), false);
		engine_debug_set_note(e, false, "leak check done (round %zu)",
			model_nrounds(e->model) ? model_nrounds(e->model) - 1 : 0);
	}
	if (d->resume_after) {
		d->resume_after = false;
		engine_debug_run_on(e, d->sending ? ENGINE_DEBUG_WAITING : ENGINE_DEBUG_RUNNING);
	}
}

static void
monitor_check(struct engine *e)
{
	char *mon = xasprintf("monitor %s", e->opts.check_command ? e->opts.check_command :
		DEFAULT_CHECK);
	char *q = gdbmi_quote(mon);
	char *cmd = xasprintf("-interpreter-exec console %s", q);

	/* a full check of the process gdb holds: taken whole, it is a new
	 * start for that process, but not for the others (with workers it
	 * is one of them): all start again from full checks */
	engine_check_full_next(e);
	e->debug->step_sent_ns = util_now_ns();
	engine_debug_command(e, cmd, e->opts.check_timeout_ms, on_monitor);
	free(cmd);
	free(q);
	free(mon);
}

void
engine_debug_do_job(struct engine *e)
{
	struct engine_debug *d = e->debug;
	enum debug_then then = d->then;

	d->then = DEBUG_THEN_NONE;
	switch (then) {
	case DEBUG_THEN_CHECK:
		monitor_check(e);
		return;
	case DEBUG_THEN_TOGGLE:
		engine_debug_toggle_now(e, d->toggle_file, d->toggle_line);
		free(d->toggle_file);
		d->toggle_file = NULL;
		break;
	case DEBUG_THEN_DETACH:
		engine_debug_detach_now(e);
		return;
	case DEBUG_THEN_NONE:
		break;
	}
	if (d->resume_after) {
		d->resume_after = false;
		engine_debug_run_on(e, d->sending ? ENGINE_DEBUG_WAITING : ENGINE_DEBUG_RUNNING);
	}
}

/* ---- what the front ends ask ---- */

static bool
need(struct engine *e, bool ok, const char *what, char *err, size_t errlen)
{
	if (ok)
		return true;
	snprintf(err, errlen, "%s: the debugger is %s", what, e->debug ?
		engine_debug_state_name(e->debug->state) : "off");
	return false;
}

static void
on_step(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;
	struct engine_debug *d = e->debug;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res) && d->state == ENGINE_DEBUG_STEPPING) {
		d->state = ENGINE_DEBUG_STOPPED;
		engine_debug_set_note(e, true, "%s", engine_debug_why(e, res));
	}
}

bool
engine_debug_run(struct engine *e, enum engine_debug_cmd c, char *err, size_t errlen)
{
	static const char *const cmds[] = { "-exec-next", "-exec-step", "-exec-finish" };
	struct engine_debug *d = e->debug;
	bool stopped = d && d->state == ENGINE_DEBUG_STOPPED;

	if (c == ENGINE_DEBUG_AGAIN) {
		if (!need(e, d && d->state == ENGINE_DEBUG_RUNNING, "send requests", err, errlen))
			return false;
		d->state = ENGINE_DEBUG_WAITING;
		engine_debug_req_send(e);
		return true;
	}
	if (!need(e, stopped, "nginx is not stopped", err, errlen))
		return false;
	if (c == ENGINE_DEBUG_CONTINUE) {
		engine_debug_run_on(e, ENGINE_DEBUG_RUNNING);
		engine_debug_set_note(e, false, "nginx runs on");
		return true;
	}
	d->state = ENGINE_DEBUG_STEPPING;
	d->step_sent_ns = util_now_ns();
	d->timing_step = true;
	d->note[0] = 0;
	engine_debug_command(e, cmds[c], CMD_TIMEOUT_MS, on_step);
	engine_debug_changed(e);
	return true;
}

bool
engine_debug_frame(struct engine *e, size_t level, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;

	if (!need(e, d && d->state == ENGINE_DEBUG_STOPPED, "select a frame", err, errlen))
		return false;
	if (level >= d->nframes) {
		snprintf(err, errlen, "no frame %zu (the backtrace has %zu)", level, d->nframes);
		return false;
	}
	d->frame = level;
	engine_debug_ask_vars(e);
	engine_debug_changed(e);
	return true;
}

static void
on_eval(struct gdbmi *g, const struct gdbmi_record *res, const char *s, size_t n, void *ctx)
{
	struct engine *e = ctx;

	(void)g, (void)s, (void)n;
	if (engine_debug_failed(res))
		engine_debug_set_note(e, true, "%s", engine_debug_why(e, res));
	else
		engine_debug_set_note(e, false, "%s = %s", e->debug->eval_expr,
			gdbmi_str(res->results, "value") ? gdbmi_str(res->results, "value") : "?");
}

bool
engine_debug_eval(struct engine *e, const char *expr, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;
	char *q, *cmd;

	if (!need(e, d && d->state == ENGINE_DEBUG_STOPPED, "print", err, errlen))
		return false;
	if (!expr || !*expr) {
		snprintf(err, errlen, "no expression to print");
		return false;
	}
	snprintf(d->eval_expr, sizeof d->eval_expr, "%s", expr);
	q = gdbmi_quote(expr);
	cmd = xasprintf("-data-evaluate-expression --thread %s --frame %zu %s",
		d->thread[0] ? d->thread : "1", d->frame, q);
	engine_debug_command(e, cmd, CMD_TIMEOUT_MS, on_eval);
	free(cmd);
	free(q);
	return true;
}

static bool
attached(const struct engine_debug *d)
{
	return d && (d->state == ENGINE_DEBUG_STOPPED || d->state == ENGINE_DEBUG_WAITING ||
		d->state == ENGINE_DEBUG_RUNNING);
}

bool
engine_debug_toggle(struct engine *e, const char *file, unsigned line, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;

	if (!need(e, attached(d), "breakpoint", err, errlen))
		return false;
	if (!file || !*file || !line || strchr(file, ':')) {
		snprintf(err, errlen, "no source line there to break at");
		return false;
	}
	free(d->toggle_file);
	d->toggle_file = xstrdup(file);
	d->toggle_line = line;
	engine_debug_pause(e, DEBUG_THEN_TOGGLE, d->state != ENGINE_DEBUG_STOPPED);
	return true;
}

bool
engine_debug_check(struct engine *e, char *err, size_t errlen)
{
	struct engine_debug *d = e->debug;

	if (!need(e, attached(d), "leak check", err, errlen))
		return false;
	if (engine_procs_multi(e)) {
		/* gdb holds one worker; a round asks every process */
		snprintf(err, errlen, "with a master and workers a check asks every process: detach "
			"(q), then check (c)");
		return false;
	}
	engine_debug_set_note(e, false, "leak check through gdb's monitor");
	engine_debug_pause(e, DEBUG_THEN_CHECK, d->state != ENGINE_DEBUG_STOPPED);
	return true;
}

const struct engine_debug_info *
engine_debug(const struct engine *e)
{
	struct engine_debug *d = e->debug;
	struct engine_debug_info *i;

	if (!d)
		return NULL;
	i = &d->info;
	i->state = d->state;
	i->url = d->url;
	i->why = d->state == ENGINE_DEBUG_STOPPED || d->state == ENGINE_DEBUG_STEPPING ? d->why : "";
	i->note = d->note;
	i->note_error = d->note_error;
	i->frames = d->frames;
	i->nframes = d->nframes;
	i->frame = d->frame;
	i->vars = d->vars;
	i->nvars = d->nvars;
	i->bps = d->bps;
	i->nbps = d->nbps;
	i->requests = d->requests;
	i->answered = d->answered;
	i->last_status = d->last_status;
	i->load_ms = d->gdb && d->state == ENGINE_DEBUG_LOADING ? gdbmi_age_ms(d->gdb) : 0;
	i->stop_ms = d->stop_ms;
	i->step_ms = d->step_ms;
	i->hit = d->hit;
	return i;
}

/* ---- the evidence of a stop, as text (batch, --break) ---- */

static void
add_escaped(struct sbuf *b, const char *s)
{
	if (s)
		escape_append(b, s, strlen(s), 0);
	else
		sbuf_adds(b, "?");
}

char *
engine_debug_text(const struct engine *e)
{
	const struct engine_debug *d = e->debug;
	struct sbuf b = { 0 };
	size_t i;

	if (!d)
		return xstrdup("");
	for (i = 0; i < d->nframes; i++) {
		const struct gdbmi_frame *f = &d->frames[i];

		sbuf_printf(&b, "  #%u ", f->level);
		add_escaped(&b, f->func);
		if (f->file) {
			sbuf_adds(&b, " at ");
			add_escaped(&b, f->file);
			sbuf_printf(&b, ":%u", f->line);
		}
		sbuf_addc(&b, '\n');
	}
	if (d->nvars)
		sbuf_printf(&b, "  arguments and locals of #%zu:\n", d->frame);
	for (i = 0; i < d->nvars; i++) {
		const struct gdbmi_var *v = &d->vars[i];

		sbuf_adds(&b, "    ");
		add_escaped(&b, v->name);
		sbuf_adds(&b, " (");
		add_escaped(&b, v->type);
		sbuf_adds(&b, v->arg ? ", argument) = " : ") = ");
		add_escaped(&b, v->value ? v->value : "{...}");
		sbuf_addc(&b, '\n');
	}
	return sbuf_detach(&b);
}
