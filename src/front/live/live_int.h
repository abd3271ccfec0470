/* live_int.h - the live front end's state, shared by live.c (the loop: the
 * terminal, signals, the animation timer, the editor, the frame drawn once
 * per loop pass) and live_host.c (the engine behind the screen: the target
 * ops and the engine's events). Calls go one way: live.c calls live_host.c;
 * live_host.c only marks what to draw in `pending`. Private to
 * src/front/live/. */
#ifndef LT_LIVE_INT_H
#define LT_LIVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "engine.h"
#include "report.h"
#include "tui.h"

struct app {
	const struct cli_opts *o;
	struct engine_opts eo;
	struct report_meta meta;
	struct evloop *loop;
	struct engine *engine;		/* NULL when browsing a loaded model */
	struct tui *tui;
	unsigned pending;	/* TUI_DRAW_* marks for the next frame */
	uint64_t anim_timer, restart_timer;
	int64_t busy_since;
	char *log_tail;
	char start_error[512];
	bool quitting, restart_pending, editing, stdin_watched;
	bool stop_asked;	/* S: show the exit report when it comes */
	size_t errors_seen;	/* memcheck errors already announced */
	pid_t editor;
	int empty_reads;
	int quit_signals;
	char *sessionfile;	/* session file of a restarted run */
	unsigned runs;		/* restarts so far */
};

/* live_host.c */
extern const struct tui_target_ops live_host_target_ops;
void live_host_on_engine(struct engine *e, enum engine_event ev, void *ctx);
/* Stop nginx, then end the loop; asked twice, end it at once. */
void live_host_quit(struct app *a);
/* Free what the engine side holds (the engine, its log tail). */
void live_host_free(struct app *a);

#endif
