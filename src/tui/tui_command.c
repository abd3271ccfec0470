/* tui_command.c - the global commands on nginx under valgrind (bursts,
 * checks, shape, restart, stop) through the target ops, on the
 * terminal (editor, suspend, quit) through the term ops, and on the model
 * (baseline, save). The top (tui.c) runs them; they open no view. Without
 * target ops (a recorded model) the commands on nginx say why not. */
#include "tui_int.h"
#include "model.h"
#include "report.h"
#include "tui_source.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUESTS 10000000UL
#define MAX_CONCURRENCY 1024U

/* The ops if they have the operation; else the status line says why not. */
#define TARGET_HAS(t, op) ((t)->cfg.target && (t)->cfg.target->op)
#define TERM_HAS(t, op) ((t)->cfg.term && (t)->cfg.term->op)

static unsigned
no_target(struct tui *t)
{
	return tui_message(t, true, "no nginx session: this screen shows a recorded model");
}

static unsigned
no_term(struct tui *t)
{
	return tui_message(t, true, "no terminal to hand over here");
}

/* The ops' answer: their error, or what was done. */
static unsigned __attribute__((format(printf, 5, 6)))
answer(struct tui *t, bool ok, const char *err, unsigned mask, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		return tui_message(t, true, "%s", err);
	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_role = TUI_ROLE_STATUS_INFO;
	return mask | TUI_DRAW_STATUS;
}

static unsigned
burst(struct tui *t, bool then_check)
{
	char err[256];

	if (!TARGET_HAS(t, burst))
		return no_target(t);
	return answer(t, t->cfg.target->burst(t->cfg.target_ctx, then_check, err, sizeof err), err,
		TUI_DRAW_HEADER, "%s: %lu requests, concurrency %u", then_check ? "round" : "burst",
		t->live.requests, t->live.concurrency);
}

static unsigned
check(struct tui *t)
{
	char err[256];

	if (!TARGET_HAS(t, check))
		return no_target(t);
	return answer(t, t->cfg.target->check(t->cfg.target_ctx, err, sizeof err), err,
		TUI_DRAW_HEADER, "leak check running");
}

static unsigned
toggle_auto(struct tui *t)
{
	if (!TARGET_HAS(t, set_auto))
		return no_target(t);
	t->cfg.target->set_auto(t->cfg.target_ctx, !t->live.auto_mode);
	return tui_message(t, false, "auto mode %s", t->live.auto_mode ? "off" : "on") |
		TUI_DRAW_HEADER;
}

static unsigned
set_shape(struct tui *t, unsigned long requests, unsigned concurrency)
{
	requests = requests < 1 ? 1 : requests > MAX_REQUESTS ? MAX_REQUESTS : requests;
	concurrency = concurrency < 1 ? 1 : concurrency > MAX_CONCURRENCY ? MAX_CONCURRENCY :
		concurrency;
	t->requests = requests;
	t->concurrency = concurrency;
	if (TARGET_HAS(t, set_shape))
		t->cfg.target->set_shape(t->cfg.target_ctx, requests, concurrency);
	return tui_message(t, false, "next bursts: %lu requests, concurrency %u", requests,
		concurrency) | TUI_DRAW_HEADER;
}

static unsigned
shape_done(struct tui *t, const char *text)
{
	unsigned long req;
	unsigned conc;
	char extra;

	if (sscanf(text, "%lu %u %c", &req, &conc, &extra) != 2 || !req || !conc)
		return tui_message(t, true, "want two numbers: requests concurrency, e.g. 400 8");
	return set_shape(t, req, conc);
}

static unsigned
reset_baseline(struct tui *t)
{
	size_t n = model_nrounds(t->model);

	if (!n)
		return tui_message(t, true, "no leak check yet: nothing to take as the baseline");
	model_set_baseline(t->model, n - 1);
	/* the view the table shows too (its rounds are its own) */
	if (t->shown != t->model && model_nrounds(t->shown))
		model_set_baseline(t->shown, model_nrounds(t->shown) - 1);
	return tui_message(t, false, "baseline: check #%zu; verdicts count growth from here",
		n - 1) | TUI_DRAW_ALL | TUI_MODEL_CHANGED;
}

static unsigned
save_report(struct tui *t)
{
	struct report_meta meta = { .nginx = "", .nginx_version = "" };
	char stamp[32], path[64], err[512];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (t->cfg.meta)
		meta = *t->cfg.meta;
	/* the screen's own: a restart brings new errors and no exit report */
	meta.errors = t->errors;
	meta.exit_model = t->exit_model;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(path, sizeof path, "ngx-leaktop-%s.json", stamp);
	/* two saves in one second keep both */
	for (n = 2; access(path, F_OK) == 0 && n < 100; n++)
		snprintf(path, sizeof path, "ngx-leaktop-%s-%d.json", stamp, n);
	if (!report_json_write(t->model, &meta, path, err, sizeof err))
		return tui_message(t, true, "cannot save the report: %s", err);
	return tui_message(t, false, "saved %s (%zu checks, %zu sites)", path,
		model_nrounds(t->model), model_nsites(t->model));
}

static unsigned
quit(struct tui *t)
{
	t->quit = true;
	if (!TERM_HAS(t, quit))
		return 0;
	t->cfg.term->quit(t->cfg.term_ctx);
	return tui_message(t, false, "stopping nginx...") | TUI_DRAW_HEADER;
}

static unsigned
restart(struct tui *t)
{
	char err[512];

	if (!TARGET_HAS(t, restart))
		return no_target(t);
	return answer(t, t->cfg.target->restart(t->cfg.target_ctx, err, sizeof err), err,
		TUI_DRAW_ALL, "restarting nginx under valgrind");
}

unsigned
tui_command_edit(struct tui *t, const struct model_frame *f)
{
	char err[512];
	char *path;
	unsigned mask;

	if (!f || !*f->file)
		return tui_message(t, true, "this frame has no source file");
	path = tui_source_resolve(f->file, t->cfg.source_dirs, t->cfg.nsource_dirs);
	if (!path)
		return tui_message(t, true, "source not found: %s (try --source-dir)", f->file);
	if (!TERM_HAS(t, edit))
		mask = no_term(t);
	else
		mask = answer(t, t->cfg.term->edit(t->cfg.term_ctx, path, f->line, err, sizeof err),
			err, TUI_DRAW_ALL | TUI_REPAINT, "edited %s", path);
	free(path);
	return mask;
}

static unsigned
stop(struct tui *t)
{
	char err[512];

	if (!TARGET_HAS(t, stop))
		return no_target(t);
	return answer(t, t->cfg.target->stop(t->cfg.target_ctx, err, sizeof err), err,
		TUI_DRAW_HEADER, "stopping nginx: valgrind's exit report follows (R starts again)");
}

/* ^R: SIGHUP to the master; the engine says why not in one line (one
 * process, busy), which the status line shows as one line. */
static unsigned
reload(struct tui *t)
{
	char err[512] = "", *nl;
	bool ok;

	if (!TARGET_HAS(t, reload))
		return no_target(t);
	ok = t->cfg.target->reload(t->cfg.target_ctx, err, sizeof err);
	if (!ok && !err[0])
		snprintf(err, sizeof err, "nginx cannot reload now");
	if (!ok)
		for (nl = strchr(err, '\n'); nl; nl = strchr(nl, '\n'))
			*nl = ' ';
	return answer(t, ok, err, TUI_DRAW_HEADER,
		"reloading nginx (SIGHUP to the master); a check of the new cycle follows");
}

static unsigned
suspend(struct tui *t)
{
	char err[128];

	if (!TERM_HAS(t, suspend))
		return no_term(t);
	if (!t->cfg.term->suspend(t->cfg.term_ctx, err, sizeof err))
		return tui_message(t, true, "%s", err);
	return TUI_DRAW_ALL | TUI_REPAINT;
}

/* G in the debugger: a full gdb attached the same way; the front end
 * gives the screen back when it exits. */
static unsigned
gdb(struct tui *t)
{
	char err[512];

	if (!TERM_HAS(t, gdb))
		return no_term(t);
	return answer(t, t->cfg.term->gdb(t->cfg.term_ctx, err, sizeof err), err,
		TUI_DRAW_ALL | TUI_REPAINT, "a full gdb takes the terminal once nginx is handed over; "
		"the screen comes back when it exits");
}

unsigned
tui_command_run(struct tui *t, enum tui_action a)
{
	char shape[64];

	switch (a) {
	case TUI_ACT_QUIT:
		return quit(t);
	case TUI_ACT_ROUND:
		return burst(t, true);
	case TUI_ACT_BURST:
		return burst(t, false);
	case TUI_ACT_CHECK:
		return check(t);
	case TUI_ACT_AUTO:
		return toggle_auto(t);
	case TUI_ACT_MORE_REQ:
		return set_shape(t, t->live.requests * 2, t->live.concurrency);
	case TUI_ACT_LESS_REQ:
		return set_shape(t, t->live.requests / 2, t->live.concurrency);
	case TUI_ACT_MORE_CONC:
		return set_shape(t, t->live.requests, t->live.concurrency * 2);
	case TUI_ACT_LESS_CONC:
		return set_shape(t, t->live.requests, t->live.concurrency / 2);
	case TUI_ACT_SHAPE:
		snprintf(shape, sizeof shape, "%lu %u", t->live.requests, t->live.concurrency);
		tui_prompt_open(t, "requests concurrency: ", shape, shape_done);
		return TUI_DRAW_STATUS;
	case TUI_ACT_BASELINE:
		return reset_baseline(t);
	case TUI_ACT_SAVE:
		return save_report(t);
	case TUI_ACT_RESTART:
		return restart(t);
	case TUI_ACT_STOP:
		return stop(t);
	case TUI_ACT_SUSPEND:
		return suspend(t);
	case TUI_ACT_RELOAD:
		return reload(t);
	case TUI_ACT_DBG_GDB:
		return gdb(t);
	default:
		return 0;
	}
}
