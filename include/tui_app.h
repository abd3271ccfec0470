/* tui_app.h - the live front end's state, shared by tui.c (the loop: the
 * terminal, signals, the animation timer, the editor) and tui_host.c (the
 * engine behind the screen). Not for use outside src/tui*. */
#ifndef LT_TUI_APP_H
#define LT_TUI_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "engine.h"
#include "report.h"
#include "tui_view.h"

struct app {
	const struct cli_opts *o;
	const struct preflight *pf;	/* NULL when browsing a loaded model */
	struct engine_opts eo;
	struct report_meta meta;
	struct evloop *loop;
	struct engine *engine;		/* NULL when browsing a loaded model */
	struct tui *tui;
	uint64_t anim_timer, restart_timer;
	int64_t busy_since;
	char *log_tail;
	char start_error[512];
	bool quitting, restart_pending, editing, stdin_watched;
	bool stop_asked;	/* S: show the exit report when it comes */
	size_t errors_seen;	/* memcheck errors already announced */
	pid_t editor;
	unsigned pending;	/* draws held back while the editor runs */
	int empty_reads;
	int quit_signals;
	char *journal;		/* session file of a restarted session */
	unsigned sessions;	/* restarts so far */
};

/* tui.c */
void tui_loop_draw(struct app *a, unsigned mask);
/* Arm the animation timer while a burst or check runs, disarm it after. */
void tui_loop_anim(struct app *a);
bool tui_loop_edit(void *ctx, const char *path, unsigned line, char *err, size_t errlen);
bool tui_loop_suspend(void *ctx, char *err, size_t errlen);

/* tui_host.c */
extern const struct tui_host tui_engine_host;
void tui_host_on_engine(struct engine *e, enum engine_event ev, void *ctx);
void tui_host_quit(void *ctx);

#endif
