/* live.c - the live front end's loop: one evloop for the terminal, the
 * signals, the animation and the editor, and one frame per loop pass,
 * drawn by the hook that runs before the loop sleeps. The engine behind
 * the screen is live_host.c's; the screen itself is struct tui (tui.h). */
#include "live.h"
#include "live_int.h"
#include "recorded.h"
#include "cli.h"
#include "evloop.h"
#include "proc.h"
#include "trace.h"
#include "model.h"
#include "report.h"
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
#define EDITOR_MAX_ARGS 16
/* ERR from wget_wch on a readable tty this many times in a row: EOF. */
#define STDIN_EOF_READS 64

static void gdb_handoff(struct app *a);

/* ---- the frame: one per loop pass ---- */

static void
on_anim(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;

	(void)loop;
	a->anim_timer = 0;
	/* the debugger's progress is in the body */
	a->pending |= TUI_DRAW_HEADER | (live_debug_busy(a) ? TUI_DRAW_BODY : 0);
}

/* Arm the animation timer while a burst or check runs, or gdb loads
 * symbols and requests go out for the debugger; disarm it after. */
static void
arm_anim(struct app *a)
{
	enum engine_phase p = a->engine ? engine_phase(a->engine) : ENGINE_NEW;
	bool busy = p == ENGINE_BURST || p == ENGINE_CHECK || live_debug_busy(a);

	if (busy && !a->anim_timer)
		a->anim_timer = evloop_timer_add(a->loop, ANIM_MS, on_anim, a);
	if (!busy && a->anim_timer) {
		evloop_timer_cancel(a->loop, a->anim_timer);
		a->anim_timer = 0;
	}
}

/* Before the loop sleeps: everything the pass's callbacks marked, in one
 * frame (twenty memcheck errors read at once draw once). While the editor
 * has the terminal the marks wait. */
static void
before_sleep(struct evloop *loop, void *ctx)
{
	struct app *a = ctx;

	(void)loop;
	arm_anim(a);
	gdb_handoff(a);
	if (a->editing || !a->tui || !a->pending)
		return;
	tui_frame(a->tui, a->pending);
	trace_event("frame", NULL);
	a->pending = 0;
}

/* ---- the term ops: what the screen asks of the terminal ---- */

static void on_stdin(struct evloop *loop, int fd, int events, void *ctx);

/* Stop nginx first when there is one; the loop ends once it is down. */
static void
loop_quit(struct app *a)
{
	if (a->engine)
		live_host_quit(a);
	else
		evloop_stop(a->loop, 0);
}

static void
term_quit(void *ctx)
{
	loop_quit(ctx);
}

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
	bool gdb = a->gdb_running;

	(void)loop;
	(void)pid;
	a->editing = false;
	a->gdb_running = false;
	if (gdb && a->engine)
		engine_debug_handoff_done(a->engine);	/* the MI gdb takes over again */
	tui_draw_resume();
	watch_stdin(a, true);
	resize_from_tty(a);	/* the window may have changed meanwhile */
	if (gdb)
		tui_message(a->tui, status != 0, "gdb %s; the debugger view is back",
			proc_status_text(status, why, sizeof why));
	else if (status)
		tui_message(a->tui, true, "editor %s", proc_status_text(status, why, sizeof why));
	a->pending |= TUI_DRAW_ALL | TUI_REPAINT;
	if (a->quitting)
		loop_quit(a);
}

/* Hand the terminal to argv (no shell) until it exits: the loop (and the
 * engine's bursts, checks and the debugger's requests) go on meanwhile,
 * drawing held back. -1 with errno if it cannot run. */
static pid_t
hand_terminal(struct app *a, char *const *argv)
{
	struct proc_spec spec = { .argv = argv, .stdin_fd = STDIN_FILENO,
		.stdout_fd = STDOUT_FILENO, .stderr_fd = STDERR_FILENO };
	pid_t pid;
	int e;

	watch_stdin(a, false);
	tui_draw_suspend();
	pid = proc_spawn(&spec);
	if (pid < 0) {
		e = errno;
		tui_draw_resume();
		watch_stdin(a, true);
		errno = e;
		return -1;
	}
	a->editing = true;
	a->editor = pid;
	evloop_watch_child(a->loop, pid, on_editor_exit, a);
	return pid;
}

static bool
term_edit(void *ctx, const char *path, unsigned line, char *err, size_t errlen)
{
	struct app *a = ctx;
	const char *env = getenv("EDITOR");
	char *words = xstrdup(env && *env ? env : "vi"), *save = NULL, *w;
	char *argv[EDITOR_MAX_ARGS + 3], plus[32];
	size_t n = 0;
	bool ok;

	/* $EDITOR split on blanks ("code -w" works); never through a shell */
	for (w = strtok_r(words, " \t", &save); w && n < EDITOR_MAX_ARGS;
		w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	snprintf(plus, sizeof plus, "+%u", line);
	argv[n++] = plus;
	argv[n++] = (char *)path;
	argv[n] = NULL;
	ok = hand_terminal(a, argv) >= 0;
	if (!ok)
		snprintf(err, errlen, "cannot run %s: %s (set $EDITOR)", argv[0], strerror(errno));
	free(words);
	return ok;
}

/* G: the MI gdb lets nginx go first (engine_debug_handoff); once the
 * engine is in HANDOFF its argv is a full gdb attached the same way with
 * the same breakpoints, run on the terminal by gdb_handoff() below. */
static bool
term_gdb(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;

	if (!a->engine) {
		snprintf(err, errlen, "no nginx to debug: this screen shows a recorded run");
		return false;
	}
	if (!engine_debug_handoff(a->engine, err, errlen))
		return false;
	a->gdb_wanted = true;
	return true;
}

/* Before the loop sleeps: the hand-off G asked for, once the engine has
 * its argv ready. The engine keeps sending the requests while gdb runs;
 * ^C is gdb's meanwhile (it interrupts nginx), as it is the editor's. */
static void
gdb_handoff(struct app *a)
{
	const struct engine_debug_info *d;
	char *const *argv;

	if (!a->gdb_wanted || a->editing)
		return;
	d = a->engine ? engine_debug(a->engine) : NULL;
	argv = a->engine ? engine_debug_handoff_argv(a->engine) : NULL;
	if (!argv) {
		if (!d) {	/* the debugger ended before the hand-off */
			a->gdb_wanted = false;
			tui_message(a->tui, true, "no full gdb: the debugger ended first");
			a->pending |= TUI_DRAW_ALL;
		}
		return;
	}
	a->gdb_wanted = false;
	if (hand_terminal(a, argv) < 0) {
		tui_message(a->tui, true, "cannot run %s: %s", argv[0], strerror(errno));
		engine_debug_handoff_done(a->engine);
		a->pending |= TUI_DRAW_ALL;
		return;
	}
	a->gdb_running = true;
}

/* ^Z arrives as a key (raw mode): stop as a shell's job would. curses'
 * SIGTSTP handler gives the terminal back, stops, and takes it again on
 * fg; the window may have changed meanwhile. */
static bool
term_suspend(void *ctx, char *err, size_t errlen)
{
	struct app *a = ctx;
	struct sigaction sa;

	if (sigaction(SIGTSTP, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
		snprintf(err, errlen, "^Z: no job control here (SIGTSTP is ignored)");
		return false;
	}
	raise(SIGTSTP);
	resize_from_tty(a);
	return true;
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
		loop_quit(a);
		return;
	}
	while (!a->editing && (r = get_wch(&ch)) != ERR) {
		keys++;
		trace_event("key", NULL);
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
		loop_quit(a);
	}
	(void)loop;
	a->pending |= mask;
}

static void
on_signal(struct evloop *loop, int signo, void *ctx)
{
	struct app *a = ctx;

	(void)loop;
	/* SIGCONT: back from a stop (^Z, or SIGTSTP sent), the window may have
	 * changed meanwhile and no SIGWINCH reached a stopped job */
	if (signo == SIGWINCH || signo == SIGCONT) {
		if (!a->editing) {
			resize_from_tty(a);
			a->pending |= TUI_DRAW_ALL | TUI_REPAINT;
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
		loop_quit(a);
	a->pending |= TUI_DRAW_ALL;
}

/* ---- setup and teardown ---- */

static bool
open_loop(struct app *a)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ngx-leaktop: the live screen needs a terminal; use --batch\n");
		return false;
	}
	setlocale(LC_ALL, "");
	a->loop = evloop_new();
	/* Before curses starts: it installs its own handlers only where none is. */
	evloop_on_signal(a->loop, SIGINT, on_signal, a);
	evloop_on_signal(a->loop, SIGTERM, on_signal, a);
	evloop_on_signal(a->loop, SIGHUP, on_signal, a);
	evloop_on_signal(a->loop, SIGWINCH, on_signal, a);
	evloop_on_signal(a->loop, SIGCONT, on_signal, a);
	evloop_before_sleep(a->loop, before_sleep, a);
	return true;
}

static bool
open_screen(struct app *a, const struct tui_config *cfg)
{
	if (!tui_draw_open(NULL, NULL, NULL, tui_draw_color_wanted())) {
		const char *term = getenv("TERM");

		fprintf(stderr, "ngx-leaktop: cannot drive the terminal (TERM %s%s: unknown, or it "
			"cannot move the cursor): set TERM, e.g. TERM=xterm-256color, or use --batch\n",
			term && *term ? "is " : "is not set", term && *term ? term : "");
		return false;
	}
	tui_draw_input_mode();
	a->tui = tui_new(cfg);
	watch_stdin(a, true);
	return true;
}

/* Run until quit; the terminal is given back first, whatever follows. */
static void
run_screen(struct app *a)
{
	a->pending |= TUI_DRAW_ALL;
	evloop_run(a->loop);
	tui_free(a->tui);
	tui_draw_close();
}

/* Why the run ended, when it was not the user's doing: the exit
 * status is 2 then, as in batch mode. */
static int
print_end(struct app *a)
{
	if (a->start_error[0]) {
		fprintf(stderr, "ngx-leaktop: %s\n", a->start_error);
		return 2;
	}
	if (engine_ended_unasked(a->engine)) {
		const char *why = engine_end_reason(a->engine), *m = engine_message(a->engine);

		/* the engine's message is the reason with the crash location */
		fprintf(stderr, "ngx-leaktop: %s\n", !strncmp(m, why, strlen(why)) ? m : why);
		return 2;
	}
	return 0;
}

/* The terminal's part of the screen's ops, the same live and browsing. */
static const struct tui_term_ops term_ops = {
	.quit = term_quit,
	.suspend = term_suspend,
	.edit = term_edit,
	.gdb = term_gdb,
};

int
live_run(const struct cli_opts *o, const struct engine_opts *eo)
{
	struct app a = { .o = o, .eo = *eo };
	struct tui_config cfg = {
		.target = &live_host_target_ops, .target_ctx = &a, .term = &term_ops,
		.term_ctx = &a, .source_dirs = o->source_dirs.v, .nsource_dirs = o->source_dirs.n,
		.meta = &a.meta, .nginx_version = eo->nginx_version, .gate = &o->gate,
	};
	char err[512];
	int rc;

	if (!open_loop(&a))
		return 2;
	a.meta = (struct report_meta){ .nginx = eo->target.nginx,
		.nginx_version = eo->nginx_version, .debug_palloc = eo->debug_palloc };
	a.engine = engine_new(a.loop, &a.eo, live_host_on_engine, &a);
	cfg.model = engine_model(a.engine);
	/* The terminal first: a screen that cannot open must not cost a start
	 * of nginx under valgrind. */
	if (!open_screen(&a, &cfg) || !engine_start(a.engine, err, sizeof err)) {
		if (a.tui) {
			tui_free(a.tui);
			tui_draw_close();
			fprintf(stderr, "ngx-leaktop: %s\n", err);
		}
		live_host_free(&a);
		evloop_free(a.loop);
		return 2;
	}
	tui_set_errors(a.tui, engine_errors(a.engine));	/* there once started */
	if (!eo->debug_palloc)
		tui_message(a.tui, true, "%s was not built with -DNGX_DEBUG_PALLOC=1: pool "
			"allocations show as a few opaque blocks", eo->target.nginx);
	else
		tui_message(a.tui, false, "starting nginx under valgrind; ? for help");
	run_screen(&a);
	rc = print_end(&a);
	live_host_free(&a);
	evloop_free(a.loop);
	return rc;
}

/* W on a recorded run: no engine, the run's model judged again. */
static bool
browse_supp_add(void *ctx, const char *name, const char *text, char *err, size_t errlen)
{
	struct app *a = ctx;

	return report_supp_add(a->browsed, a->o->supp, name, text, err, errlen);
}

static const struct tui_target_ops browse_ops = {
	.supp_add = browse_supp_add,
};

int
live_browse(struct model *m, const struct cli_opts *o, const struct report_meta *meta)
{
	struct app a = { .o = o, .browsed = m };
	struct tui_config cfg = {
		.model = m, .errors = meta->errors, .exit_model = meta->exit_model,
		.target = &browse_ops, .target_ctx = &a,
		.term = &term_ops, .term_ctx = &a, .source_dirs = o->source_dirs.v,
		.nsource_dirs = o->source_dirs.n, .meta = meta, .nginx_version = meta->nginx,
		.gate = &o->gate, .baseline_name = o->baseline,
	};
	struct model *old = NULL;
	char *old_nginx = NULL;

	if (o->baseline && !(old = recorded_load(o, o->baseline, "--baseline", &old_nginx)))
		return 2;
	free(old_nginx);
	cfg.baseline = old;
	if (!open_loop(&a)) {
		model_free(old);
		return 2;
	}
	if (!open_screen(&a, &cfg)) {
		evloop_free(a.loop);
		model_free(old);
		return 2;
	}
	if (old)
		tui_message(a.tui, false, "a recorded run against %s: CHANGE says what changed, C "
			"shows only new and worse; ? for help", o->baseline);
	else
		tui_message(a.tui, false, "a recorded run: browse, sort, filter, read the sources; "
			"? for help");
	run_screen(&a);
	evloop_free(a.loop);
	model_free(old);
	return 0;
}
