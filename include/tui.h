/* tui.h - the screen: "htop for nginx leaks".
 *
 * struct tui is the screen itself - views over a model, the action table,
 * the header - and knows no engine and no terminal loop. What it asks of
 * nginx under valgrind goes through target ops, what it asks of the
 * terminal it runs in (suspend, the editor, quitting) through term ops:
 * the live front end (live.h) fills both, tests fill them with fakes. It
 * never draws by itself: input returns a TUI_DRAW_* mask, the front end
 * collects the masks of a loop pass and calls tui_frame() once. */
#ifndef LT_TUI_H
#define LT_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct memerrors;
struct model;
struct report_gate;
struct report_meta;
struct sbuf;
struct tui;

/* The state of nginx under valgrind, as the header tells it. */
enum tui_phase {
	TUI_PHASE_NEW,
	TUI_PHASE_STARTING,
	TUI_PHASE_READY,	/* idle, nothing running */
	TUI_PHASE_BURST,	/* requests in flight */
	TUI_PHASE_CHECK,	/* a leak check runs in valgrind */
	TUI_PHASE_DEBUG,	/* gdb is attached (the debugger view) */
	TUI_PHASE_RELOAD,	/* SIGHUP sent, waiting for the new cycle */
	TUI_PHASE_STOPPING,
	TUI_PHASE_EXITED,	/* nginx is not running (see reason) */
};

/* What the header shows of nginx under valgrind, filled by the target ops
 * before each frame. Strings stay valid until the next fill. */
struct tui_live {
	bool present;		/* false: no nginx (a recorded model) */
	enum tui_phase phase;
	long pid;
	bool auto_mode;
	unsigned long requests;	/* per burst */
	unsigned concurrency;
	char *const *urls;
	size_t nurls;
	/* the kinds of request (the kind editor, u), and how they go:
	 * "HTTP/1.1", "HTTPS + TCP", ... (engine_protocol) */
	const struct tui_kind *kinds;
	size_t nkinds;
	const char *protocol;
	bool have_burst;	/* the stats below are of a burst */
	unsigned long burst_done, burst_sent, burst_failed;
	double rps;
	int64_t busy_ms;	/* elapsed in the running burst or check */
	uint64_t total_requests, total_failed;
	const char *reason;	/* why nginx is not running, "" if it is */
	const char *log_tail;	/* last lines of its logs once it died */
	/* nginx's processes (engine_proc): more than one with a master */
	const struct tui_proc *procs;
	size_t nprocs;
	unsigned reloads;	/* that succeeded */
	bool attached;		/* --attach: someone else's nginx, checks only */
};

/* A kind of request, as the kind editor lists it (reqset.h). */
struct tui_kind {
	const char *name;	/* what attribution calls it (the TOP URL column) */
	const char *proto;	/* "http", "https", "h2", "h2c", "tcp" */
	const char *method;	/* NULL for tcp */
	const char *target;	/* the URL or HOST:PORT, as resolved */
	unsigned long weight;
	const char *source;	/* "-u", "api.http:12", "--send hello.bin" */
	const char *entry;	/* the editor text that makes it again */
};

/* A process of nginx, as the header lists it. */
struct tui_proc {
	long pid;
	const char *role;	/* "master", "worker", "single" */
	const char *state;	/* "ready", "exited", "killed by signal 11 (SIGSEGV)" */
	bool alive;
	unsigned long long requests;	/* answered (when known) */
	bool requests_known;
};

/* The debugger, as its view shows it (filled by the target ops' debug()
 * before each frame; strings and arrays stay valid until the next fill).
 * The states are the engine's (engine.h, enum engine_debug_state). */
enum tui_debug_state {
	TUI_DEBUG_OFF,
	TUI_DEBUG_LOADING,	/* gdb reads nginx's symbols, attaches */
	TUI_DEBUG_WAITING,	/* requests go out until the line is reached */
	TUI_DEBUG_STOPPED,
	TUI_DEBUG_STEPPING,
	TUI_DEBUG_RUNNING,	/* continued under gdb */
	TUI_DEBUG_DETACHING,
	TUI_DEBUG_HANDOFF,	/* a full gdb has the terminal */
};
struct gdbmi_frame;
struct gdbmi_var;
struct tui_debug_bp {
	const char *file;
	unsigned line;
	unsigned hits;
};
struct tui_debug {
	enum tui_debug_state state;
	const char *url;	/* where requests go, NULL: the URL set */
	const char *why;	/* why nginx stopped */
	const char *note;	/* last progress or answer */
	bool note_error;
	const struct gdbmi_frame *frames;
	size_t nframes, frame;	/* frame: the selected level */
	const struct gdbmi_var *vars;
	size_t nvars;
	const struct tui_debug_bp *bps;
	size_t nbps;
	unsigned long requests, answered;
	int last_status;
	int64_t load_ms, stop_ms, step_ms;	/* see engine_debug_info */
};
enum tui_debug_cmd { TUI_DEBUG_NEXT, TUI_DEBUG_STEP, TUI_DEBUG_FINISH, TUI_DEBUG_CONTINUE,
	TUI_DEBUG_AGAIN };

/* What the screen asks of nginx under valgrind. Any may be NULL; without
 * them the screen says so in the status line. Return false with a one-line
 * reason in err. */
struct tui_target_ops {
	void (*live)(void *ctx, struct tui_live *out);
	bool (*burst)(void *ctx, bool then_check, char *err, size_t errlen);
	bool (*check)(void *ctx, char *err, size_t errlen);
	void (*set_auto)(void *ctx, bool on);
	void (*set_shape)(void *ctx, unsigned long requests, unsigned concurrency);
	bool (*set_urls)(void *ctx, char **urls, size_t n, char *err, size_t errlen);
	/* Replace the kinds by these editor entries (reqset.h's forms). */
	bool (*set_kinds)(void *ctx, char **entries, size_t n, char *err, size_t errlen);
	bool (*restart)(void *ctx, char *err, size_t errlen);
	/* Stop nginx gracefully and stay: valgrind's exit report follows. */
	bool (*stop)(void *ctx, char *err, size_t errlen);
	/* The debugger (engine_debug_* in engine.h): start at file:line with
	 * requests to url (NULL: the URL set); fill out (false: it is off). */
	bool (*debug_start)(void *ctx, const char *file, unsigned line, const char *url,
		char *err, size_t errlen);
	bool (*debug)(void *ctx, struct tui_debug *out);
	bool (*debug_run)(void *ctx, enum tui_debug_cmd c, char *err, size_t errlen);
	bool (*debug_frame)(void *ctx, size_t level, char *err, size_t errlen);
	bool (*debug_eval)(void *ctx, const char *expr, char *err, size_t errlen);
	bool (*debug_toggle)(void *ctx, const char *file, unsigned line, char *err, size_t errlen);
	bool (*debug_check)(void *ctx, char *err, size_t errlen);
	void (*debug_detach)(void *ctx);
	/* The views over the processes (engine_view in engine.h): the model
	 * of view v and its name ("all", "workers", "worker 1234"); NULL
	 * past the last. The sites table shows the view picked (P). */
	struct model *(*view)(void *ctx, size_t v, char *name, size_t len);
	/* Reload nginx (SIGHUP to the master), then a check. */
	bool (*reload)(void *ctx, char *err, size_t errlen);
	/* Hide what valgrind suppressions text (named name: the file it was
	 * written to) matches: add it to the set that judges the models
	 * (engine_supp_add, or report_supp_add for a recorded run) and judge
	 * every site again. The only op a recorded run's screen has. */
	bool (*supp_add)(void *ctx, const char *name, const char *text, char *err, size_t errlen);
};

/* What the screen asks of the terminal and the loop it runs in. */
struct tui_term_ops {
	/* End the screen (the front end stops nginx first, if it runs). */
	void (*quit)(void *ctx);
	/* Stop as a shell job (^Z) until fg; false with a reason if it cannot. */
	bool (*suspend)(void *ctx, char *err, size_t errlen);
	/* Run the editor on path:line; the front end gives the terminal back. */
	bool (*edit)(void *ctx, const char *path, unsigned line, char *err, size_t errlen);
	/* Hand the terminal to a full gdb attached like the debugger's (the
	 * front end asks the engine for its argv); the screen comes back
	 * when it exits. */
	bool (*gdb)(void *ctx, char *err, size_t errlen);
};

struct tui_config {
	struct model *model;		/* not owned */
	const struct memerrors *errors;	/* memcheck errors (frames in model), or NULL */
	const struct model *exit_model;	/* valgrind's exit leak report, or NULL */
	const struct tui_target_ops *target;	/* NULL: a recorded model, no nginx */
	void *target_ctx;
	const struct tui_term_ops *term;	/* NULL: tests without a terminal */
	void *term_ctx;
	char *const *source_dirs;
	size_t nsource_dirs;
	const struct report_meta *meta;	/* for the saved JSON report */
	const char *nginx_version;	/* "nginx/1.22.1" for the header */
	/* --fail-on and the budgets (report.h): a growing row under budget
	 * says so in its verdict and sorts after the failing ones. NULL: no
	 * budgets. */
	const struct report_gate *gate;
	/* --baseline: the run the model is compared with (report_diff_new),
	 * its path for the header; NULL: no change columns. */
	const struct model *baseline;
	const char *baseline_name;
};

/* What the next frame must draw after a key, a mouse event or an engine
 * event; the front end ORs the masks of a loop pass together. */
enum {
	TUI_DRAW_HEADER = 1,
	TUI_DRAW_BODY = 2,
	TUI_DRAW_STATUS = 4,
	TUI_DRAW_ALL = TUI_DRAW_HEADER | TUI_DRAW_BODY | TUI_DRAW_STATUS,
	TUI_REPAINT = 8,	/* the terminal was used by someone else */
};

struct tui_mouse {
	int y, x;
	enum { TUI_MOUSE_CLICK, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN } what;
};

/* ---- the terminal (tui_draw.c) ---- */

/* Open curses on a terminal: out/in NULL = stdout/stdin (the live
 * screen); tests and the benchmark pass /dev/null and a terminal name.
 * color: use colors if the terminal has them (false: monochrome). */
bool tui_draw_open(FILE *out, FILE *in, const char *term, bool color);
/* The input side the live loop needs: raw keys, no delay, keypad, mouse. */
void tui_draw_input_mode(void);
/* Colors unless NO_COLOR is set to anything non-empty (no-color.org). */
bool tui_draw_color_wanted(void);
void tui_draw_close(void);
/* Give the terminal to another program (the editor) and take it back. */
void tui_draw_suspend(void);
void tui_draw_resume(void);

/* Keys as tui_key takes them: characters, or curses' key codes (from
 * wget_wch's KEY_CODE_YES) with this bit, which keeps KEY_DOWN (0402)
 * apart from U+0102. */
#define TUI_KEYCODE 0x40000000
#define TK(code) (TUI_KEYCODE | (code))

/* ---- the screen ---- */

struct tui *tui_new(const struct tui_config *cfg);
void tui_free(struct tui *t);
/* A new model (nginx restarted): views over the old one are closed. */
void tui_set_model(struct tui *t, struct model *m);
/* The model got a round (or lost one): caches are rebuilt on next draw. */
void tui_model_changed(struct tui *t);
/* The memcheck errors of the run (a restart brings new ones). */
void tui_set_errors(struct tui *t, const struct memerrors *e);
/* valgrind's exit report came in (NULL: a restarted nginx has none yet);
 * show opens its table at once. Returns a TUI_DRAW_* mask. */
unsigned tui_set_exit_model(struct tui *t, const struct model *m, bool show);

/* Input; each returns a TUI_DRAW_* mask for tui_frame. */
unsigned tui_key(struct tui *t, int key);
unsigned tui_mouse(struct tui *t, const struct tui_mouse *m);
unsigned tui_resize(struct tui *t, int rows, int cols);
/* Status line message (error: shown as one). */
unsigned tui_message(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One frame: compose the parts in mask on curses' screen and flush it. */
void tui_frame(struct tui *t, unsigned mask);
/* Memory the screen holds beyond the model (row caches), for the bench. */
size_t tui_memory(const struct tui *t);

#endif
