/* tui.c - the live front end: one evloop for the terminal, the engine,
 * signals and the editor; struct tui (tui_core.c) is the screen. */
#include "tui_view.h"
#include "cli.h"
#include "engine.h"
#include "evloop.h"
#include "load.h"
#include "model.h"
#include "preflight.h"
#include "proc.h"
#include "report.h"
#include "session.h"
#include "util.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Spinner and elapsed time redraw while a burst or check runs: nothing
 * else wakes the loop then (load and vgdb progress are not events of
 * their own), and a frozen spinner would look like a hung tool. It is a
 * redraw deadline, not a poll: it is armed only while busy. */
#define ANIM_MS 100
#define LOG_TAIL_LINES 12
#define EDITOR_MAX_ARGS 16
/* ERR from wget_wch on a readable tty this many times in a row: EOF. */
#define STDIN_EOF_READS 64

struct app {
	const struct cli_opts *o;
	const struct preflight *pf;
	struct engine_opts eo;
	struct report_meta meta;
	struct evloop *loop;
	struct engine *engine;
	struct tui *tui;
	uint64_t anim_timer, restart_timer;
	int64_t busy_since;
	char *log_tail;
	char start_error[512];
	bool quitting, restart_pending, editing, stdin_watched;
	pid_t editor;
	unsigned pending;	/* draws held back while the editor runs */
	int empty_reads;
	int quit_signals;
};

static void
app_draw(struct app *a, unsigned mask)
{
	if (a->editing) {
		a->pending |= mask;
		return;
	}
	tui_draw(a->tui, mask | a->pending);
	a->pending = 0;
}

/* ---- the animation timer ---- */

static void anim_update(struct app *a);

static void
on_anim(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;

	(void)loop;
	a->anim_timer = 0;
	app_draw(a, TUI_DRAW_HEADER);
	anim_update(a);
}

static void
anim_update(struct app *a)
{
	enum engine_phase p = engine_phase(a->engine);
	bool busy = p == ENGINE_BURST || p == ENGINE_CHECK;

	if (busy && !a->anim_timer)
		a->anim_timer = evloop_timer_add(a->loop, ANIM_MS, on_anim, a);
	if (!busy && a->anim_timer) {
		evloop_timer_cancel(a->loop, a->anim_timer);
		a->anim_timer = 0;
	}
}

/* ---- the host: what the screen asks of the session ---- */

static void
host_live(void *ctx, struct tui_live *l)
{
	struct app *a = ctx;
	const struct load_spec *spec = engine_load_spec(a->engine);
	const struct load_stats *st = engine_load_stats(a->engine);
	const struct session *s = engine_session(a->engine);

	l->present = true;
	l->phase = engine_phase(a->engine);
	l->pid = s ? (long)session_pid(s) : 0;
	l->auto_mode = engine_auto(a->engine);
	l->stopping_to_quit = a->quitting;
	l->requests = spec->requests;
	l->concurrency = spec->concurrency;
	l->urls = spec->urls;
	l->nurls = spec->nurls;
	if (st) {
		l->have_burst = true;
		l->burst_done = st->done;
		l->burst_sent = st->sent;
		l->burst_failed = load_failed(st);
		l->rps = st->rps;
	}
	if (l->phase == ENGINE_CHECK)
		l->busy_ms = engine_check_running_ms(a->engine);
	else if (l->phase == ENGINE_BURST)
		l->busy_ms = util_now_ms() - a->busy_since;
	l->total_requests = engine_total_requests(a->engine);
	l->total_failed = engine_total_failed(a->engine);
	if (a->start_error[0]) {
		l->phase = ENGINE_DEAD;
		l->reason = a->start_error;
	} else if (l->phase == ENGINE_DEAD) {
		l->reason = s && *session_reason(s) ? session_reason(s) : engine_message(a->engine);
	}
	l->log_tail = a->log_tail ? a->log_tail : "";
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

static void on_engine(struct engine *e, enum engine_event ev, void *ctx);

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
	engine_free(a->engine);
	free(a->log_tail);
	a->log_tail = NULL;
	a->start_error[0] = '\0';
	a->engine = engine_new(a->loop, &a->eo, on_engine, a);
	tui_set_model(a->tui, engine_model(a->engine));
	if (!engine_start(a->engine, err, sizeof err)) {
		snprintf(a->start_error, sizeof a->start_error, "%s", err);
		tui_message(a->tui, true, "%s", err);
	} else {
		tui_message(a->tui, false, "new session: starting nginx under valgrind");
	}
	app_draw(a, TUI_DRAW_ALL);
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

static void
host_quit(void *ctx)
{
	struct app *a = ctx;
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

static void on_stdin(struct evloop *loop, int fd, int events, void *ctx);

static void
watch_stdin(struct app *a, bool on)
{
	if (on && !a->stdin_watched)
		evloop_watch_fd(a->loop, STDIN_FILENO, EV_READ, on_stdin, a);
	else if (!on && a->stdin_watched)
		evloop_unwatch_fd(a->loop, STDIN_FILENO);
	a->stdin_watched = on;
}

static void
resize_from_tty(struct app *a)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		tui_resize(a->tui, ws.ws_row, ws.ws_col);
}

static void
on_editor_exit(struct evloop *loop, pid_t pid, int status, void *ctx)
{
	struct app *a = ctx;
	char why[96];

	(void)loop;
	(void)pid;
	a->editing = false;
	draw_resume();
	watch_stdin(a, true);
	resize_from_tty(a);	/* the window may have changed meanwhile */
	if (status)
		tui_message(a->tui, true, "editor %s", proc_status_text(status, why, sizeof why));
	app_draw(a, TUI_DRAW_ALL | TUI_REPAINT);
	if (a->quitting)
		host_quit(a);
}

static bool
host_edit(void *ctx, const char *path, unsigned line, char *err, size_t errlen)
{
	struct app *a = ctx;
	const char *env = getenv("EDITOR");
	char *words = xstrdup(env && *env ? env : "vi"), *save = NULL, *w;
	char *argv[EDITOR_MAX_ARGS + 3], plus[32];
	struct proc_spec spec = { .argv = argv, .stdin_fd = STDIN_FILENO,
		.stdout_fd = STDOUT_FILENO, .stderr_fd = STDERR_FILENO };
	size_t n = 0;
	pid_t pid;

	/* $EDITOR split on blanks ("code -w" works); never through a shell */
	for (w = strtok_r(words, " \t", &save); w && n < EDITOR_MAX_ARGS;
		w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	snprintf(plus, sizeof plus, "+%u", line);
	argv[n++] = plus;
	argv[n++] = (char *)path;
	argv[n] = NULL;
	/* The editor owns the terminal until it exits; the loop (and the
	 * engine's bursts and checks) go on meanwhile, drawing held back. */
	watch_stdin(a, false);
	draw_suspend();
	pid = proc_spawn(&spec);
	if (pid < 0) {
		int e = errno;

		draw_resume();
		watch_stdin(a, true);
		snprintf(err, errlen, "cannot run %s: %s (set $EDITOR)", argv[0], strerror(e));
		free(words);
		return false;
	}
	free(words);
	a->editing = true;
	a->editor = pid;
	evloop_watch_child(a->loop, pid, on_editor_exit, a);
	return true;
}

static const struct tui_host host = {
	.live = host_live,
	.burst = host_burst,
	.check = host_check,
	.set_auto = host_set_auto,
	.set_shape = host_set_shape,
	.set_urls = host_set_urls,
	.restart = host_restart,
	.quit = host_quit,
	.edit = host_edit,
};

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

static void
on_phase(struct app *a)
{
	enum engine_phase p = engine_phase(a->engine);

	if (p == ENGINE_BURST)
		a->busy_since = util_now_ms();
	if (p == ENGINE_DEAD) {
		free(a->log_tail);
		a->log_tail = session_log_tail(engine_session(a->engine), LOG_TAIL_LINES);
		if (a->quitting && !a->editing)
			evloop_stop(a->loop, 0);
		else if (a->restart_pending && !a->restart_timer)
			a->restart_timer = evloop_timer_add(a->loop, 0, do_restart, a);
	}
	anim_update(a);
}

static void
on_engine(struct engine *e, enum engine_event ev, void *ctx)
{
	struct app *a = ctx;
	unsigned mask = TUI_DRAW_ALL;

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
	case ENGINE_EV_MEMERROR:	/* the errors view comes with issue #5 */
	case ENGINE_EV_EXIT_REPORT:
		break;
	}
	app_draw(a, mask);
}

static void
on_stdin(struct evloop *loop, int fd, int events, void *ctx)
{
	struct app *a = ctx;
	unsigned mask = 0;
	int keys = 0;
	wint_t ch;
	int r;

	(void)fd;
	if (events & EV_ERROR) {	/* the terminal went away */
		watch_stdin(a, false);
		host_quit(a);
		return;
	}
	while (!a->editing && (r = get_wch(&ch)) != ERR) {
		keys++;
		if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
			/* queued by our own resizeterm (SIGWINCH): already done */
			mask |= TUI_DRAW_ALL;
		} else if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
			MEVENT me;

			if (getmouse(&me) == OK) {
				struct tui_mouse m = { me.y, me.x, TUI_MOUSE_CLICK };

				if (me.bstate & BUTTON4_PRESSED)
					m.what = TUI_MOUSE_WHEEL_UP;
				else if (me.bstate & BUTTON5_PRESSED)
					m.what = TUI_MOUSE_WHEEL_DOWN;
				mask |= tui_mouse(a->tui, &m);
			}
		} else {
			mask |= tui_key(a->tui, r == KEY_CODE_YES ? TK((int)ch) : (int)ch);
		}
	}
	/* Readable but nothing to read, again and again: EOF on the tty. */
	a->empty_reads = keys ? 0 : a->empty_reads + 1;
	if (a->empty_reads >= STDIN_EOF_READS) {
		watch_stdin(a, false);
		host_quit(a);
	}
	(void)loop;
	app_draw(a, mask);
}

static void
on_signal(struct evloop *loop, int signo, void *ctx)
{
	struct app *a = ctx;

	(void)loop;
	if (signo == SIGWINCH) {
		if (!a->editing) {
			resize_from_tty(a);
			app_draw(a, TUI_DRAW_ALL | TUI_REPAINT);
		}
		return;
	}
	/* ^C typed in the editor's terminal reaches us too: it is the editor's. */
	if (signo == SIGINT && a->editing)
		return;
	if (a->editing) {
		/* TERM/HUP: end the editor first; its exit resumes the quit */
		a->quitting = true;
		kill(a->editor, SIGTERM);
		return;
	}
	tui_message(a->tui, false, "SIG%s: stopping nginx...", sigabbrev_np(signo));
	if (++a->quit_signals > 1)
		evloop_stop(a->loop, 0);
	else
		host_quit(a);
	app_draw(a, TUI_DRAW_ALL);
}

/* ---- setup and teardown ---- */

static void
init_tui(struct app *a)
{
	struct tui_config cfg = {
		.model = engine_model(a->engine),
		.host = &host,
		.host_ctx = a,
		.source_dirs = a->o->source_dirs.v,
		.nsource_dirs = a->o->source_dirs.n,
		.meta = &a->meta,
		.nginx_version = a->pf->version,
	};

	a->tui = tui_new(&cfg);
	if (!a->pf->debug_palloc)
		tui_message(a->tui, true, "%s was not built with -DNGX_DEBUG_PALLOC=1: pool "
			"allocations show as a few opaque blocks", a->pf->nginx);
	else
		tui_message(a->tui, false, "starting nginx under valgrind; ? for help");
}

static void
print_end(struct app *a)
{
	const struct session *s = engine_session(a->engine);

	if (a->start_error[0])
		fprintf(stderr, "ngx-leaktop: %s\n", a->start_error);
	else if (s && session_state(s) == SESSION_EXITED && !session_stopped_by_us(s))
		fprintf(stderr, "ngx-leaktop: nginx exited: %s\n", session_reason(s));
}

int
tui_run(const struct cli_opts *o, const struct preflight *pf)
{
	struct app a = { .o = o, .pf = pf };
	char err[512];

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ngx-leaktop: the live screen needs a terminal; use --batch\n");
		return 2;
	}
	setlocale(LC_ALL, "");
	a.loop = evloop_new();
	/* Before curses starts: it installs its own handlers only where none is. */
	evloop_on_signal(a.loop, SIGINT, on_signal, &a);
	evloop_on_signal(a.loop, SIGTERM, on_signal, &a);
	evloop_on_signal(a.loop, SIGHUP, on_signal, &a);
	evloop_on_signal(a.loop, SIGWINCH, on_signal, &a);
	cli_engine_opts(o, pf, &a.eo);
	a.meta = (struct report_meta){ .nginx = pf->nginx, .nginx_version = pf->version,
		.debug_palloc = pf->debug_palloc };
	a.engine = engine_new(a.loop, &a.eo, on_engine, &a);
	if (!engine_start(a.engine, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		engine_free(a.engine);
		evloop_free(a.loop);
		return 2;
	}
	if (!draw_open(NULL, NULL, NULL, draw_color_wanted())) {
		fprintf(stderr, "ngx-leaktop: cannot use the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		engine_free(a.engine);
		evloop_free(a.loop);
		return 2;
	}
	draw_input_mode();
	init_tui(&a);
	watch_stdin(&a, true);
	app_draw(&a, TUI_DRAW_ALL);
	evloop_run(a.loop);
	/* The terminal first: whatever follows, the user gets a sane shell. */
	tui_free(a.tui);
	draw_close();
	print_end(&a);
	engine_free(a.engine);
	free(a.log_tail);
	evloop_free(a.loop);
	return 0;
}
