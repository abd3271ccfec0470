/* tui.h - the live screen: "htop for nginx leaks".
 *
 * Two layers. tui_run() is the front end main() calls: an evloop, an
 * engine, the terminal. Below it, struct tui is the screen itself - views
 * over a model, the action table, the header - and knows no engine: what
 * it needs from a live session comes through a host (struct tui_host) and
 * a snapshot (struct tui_live). Tests drive struct tui with a model built
 * from captured leak checks, scripted keys and a fake host. */
#ifndef LT_TUI_H
#define LT_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine.h"

struct cli_opts;
struct preflight;
struct merrors;
struct model;
struct report_meta;
struct sbuf;
struct tui;

/* The live front end; returns the exit status (0, or 2 on a setup error). */
int tui_run(const struct cli_opts *o, const struct preflight *pf);
/* The same screen over a recorded model, no session (e.g. --load FILE):
 * browse, sort, filter, backtraces, sources, editor, save. meta->nginx
 * names what was recorded in the header. */
int tui_browse(struct model *m, const struct cli_opts *o, const struct report_meta *meta);

/* What the header shows of the live session, filled by the host before
 * each frame. Strings stay valid until the next fill. */
struct tui_live {
	bool present;		/* false: no session (a model replayed in tests) */
	enum engine_phase phase;
	long pid;
	bool auto_mode;
	unsigned long requests;	/* per burst */
	unsigned concurrency;
	char *const *urls;
	size_t nurls;
	bool have_burst;	/* the stats below are of a burst */
	unsigned long burst_done, burst_sent, burst_failed;
	double rps;
	int64_t busy_ms;	/* elapsed in the running burst or check */
	uint64_t total_requests, total_failed;
	const char *reason;	/* why nginx is not running, "" if it is */
	const char *log_tail;	/* last lines of its logs once it died */
};

/* Actions that need a session. Any may be NULL; without a host the screen
 * says so in the status line. Return false with a reason in err. */
struct tui_host {
	void (*live)(void *ctx, struct tui_live *out);
	bool (*burst)(void *ctx, bool then_check, char *err, size_t errlen);
	bool (*check)(void *ctx, char *err, size_t errlen);
	void (*set_auto)(void *ctx, bool on);
	void (*set_shape)(void *ctx, unsigned long requests, unsigned concurrency);
	bool (*set_urls)(void *ctx, char **urls, size_t n, char *err, size_t errlen);
	bool (*restart)(void *ctx, char *err, size_t errlen);
	/* Stop nginx gracefully and stay: valgrind's exit report follows. */
	bool (*stop)(void *ctx, char *err, size_t errlen);
	void (*quit)(void *ctx);
	/* Stop as a shell job (^Z) until fg; false with a reason if it cannot. */
	bool (*suspend)(void *ctx, char *err, size_t errlen);
	/* Run the editor on path:line; the host gives the terminal back. */
	bool (*edit)(void *ctx, const char *path, unsigned line, char *err, size_t errlen);
};

struct tui_config {
	struct model *model;		/* not owned */
	const struct merrors *errors;	/* memcheck errors (frames in model), or NULL */
	const struct model *exit_model;	/* valgrind's exit leak report, or NULL */
	const struct tui_host *host;	/* NULL: a model without a session */
	void *host_ctx;
	char *const *source_dirs;
	size_t nsource_dirs;
	const struct report_meta *meta;	/* for the saved JSON report */
	const char *nginx_version;	/* "nginx/1.22.1" for the header */
};

/* What the loop must do after a key, a mouse event or an engine event. */
enum {
	TUI_DRAW_HEADER = 1,
	TUI_DRAW_BODY = 2,
	TUI_DRAW_STATUS = 4,
	TUI_DRAW_ALL = TUI_DRAW_HEADER | TUI_DRAW_BODY | TUI_DRAW_STATUS,
	TUI_UNHANDLED = 8,	/* a view passes the action on */
	TUI_REPAINT = 16,	/* the terminal was used by someone else */
};

struct tui_mouse {
	int y, x;
	enum { TUI_MOUSE_CLICK, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN } what;
};

struct tui *tui_new(const struct tui_config *cfg);
void tui_free(struct tui *t);
/* A new model (session restarted): views over the old one are closed. */
void tui_set_model(struct tui *t, struct model *m);
/* The model got a round (or lost one): caches are rebuilt on next draw. */
void tui_model_changed(struct tui *t);
/* The memcheck errors of the session (a restart brings new ones). */
void tui_set_errors(struct tui *t, const struct merrors *e);
/* valgrind's exit report came in (NULL: a new session has none yet);
 * show opens its table at once. Returns a TUI_DRAW_* mask. */
unsigned tui_set_exit_model(struct tui *t, const struct model *m, bool show);

/* Input; each returns a TUI_DRAW_* mask for tui_draw. */
unsigned tui_key(struct tui *t, int key);
unsigned tui_mouse(struct tui *t, const struct tui_mouse *m);
unsigned tui_resize(struct tui *t, int rows, int cols);
/* Status line message (error: shown as one). */
unsigned tui_message(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Compose the parts in mask on curses' screen and flush it. */
void tui_draw(struct tui *t, unsigned mask);
/* Memory the screen holds beyond the model (row caches), for the bench. */
size_t tui_memory(const struct tui *t);

#endif
