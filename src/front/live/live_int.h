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
	bool gdb_wanted;	/* G: a full gdb once the engine handed nginx off */
	bool gdb_running;	/* the editor's place is a full gdb's (G) */
	struct tui_debug_bp *debug_bps;	/* the screen's copy of the engine's */
	size_t debug_capbps;
	unsigned runs;		/* restarts so far */
	struct tui_proc *procs;	/* the header's process list (live_procs.c) */
	size_t cap_procs;
	struct tui_kind *kinds;	/* the header's and the editor's list, per frame */
	struct model *browsed;	/* --load: the recorded run on the screen */
};

/* live_host.c */
extern const struct tui_target_ops live_host_target_ops;
void live_host_on_engine(struct engine *e, enum engine_event ev, void *ctx);
/* Stop nginx, then end the loop; asked twice, end it at once. */
void live_host_quit(struct app *a);
/* Free what the engine side holds (the engine, its log tail). */
void live_host_free(struct app *a);

/* live_debug.c: the debug target ops on engine_debug_* */
bool live_debug_start(void *ctx, const char *file, unsigned line, const char *url, char *err,
	size_t errlen);
bool live_debug_fill(void *ctx, struct tui_debug *out);
bool live_debug_run(void *ctx, enum tui_debug_cmd c, char *err, size_t errlen);
bool live_debug_frame(void *ctx, size_t level, char *err, size_t errlen);
bool live_debug_eval(void *ctx, const char *expr, char *err, size_t errlen);
bool live_debug_toggle(void *ctx, const char *file, unsigned line, char *err, size_t errlen);
bool live_debug_check(void *ctx, char *err, size_t errlen);
void live_debug_detach(void *ctx);
/* gdb loads symbols or requests go out: progress to animate. */
bool live_debug_busy(const struct app *a);
void live_debug_free(struct app *a);

/* live_procs.c: the header's process list, the views, the reload. */
void live_procs_fill(struct app *a, struct tui_live *l);
struct model *live_procs_view(void *ctx, size_t v, char *name, size_t len);
bool live_procs_reload(void *ctx, char *err, size_t errlen);
void live_procs_free(struct app *a);

/* live_kinds.c: the kinds for the header and the editor; the editor's
 * entries to the engine (the set_kinds op); free. */
void live_kinds_fill(struct app *a, struct tui_live *l);
bool live_kinds_set(void *ctx, char **entries, size_t n, char *err, size_t errlen);
void live_kinds_free(struct app *a);

#endif
