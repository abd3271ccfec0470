/* tui_int.h - inside the screen: the tui context, views as ops structs,
 * the services views use. Private to src/tui/.
 *
 * Calls go one way, as in tig: the top (tui.c) takes every key and mouse
 * event, hands it to the view on top, and runs what the view passes on
 * (TUI_UNHANDLED) as a global command - switching views (tui.c) or acting
 * on nginx and the terminal (tui_command.c). Only the top names every view
 * and opens and closes them; views never call the top or the commands,
 * they tell what they show through their ops (select) and return what they
 * do not handle. Below both sit the services: drawing (tui_draw.c), the
 * list cursor (tui_list.c), the status line and its prompt (tui_prompt.c),
 * the header and key bar (tui_header.c), rows, formats, sources, actions.
 * Views draw through tui_draw.h only and answer with a TUI_DRAW_* mask;
 * only the top composes a frame. */
#ifndef LT_TUI_INT_H
#define LT_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui.h"
#include "tui_action.h"
#include "tui_draw.h"

struct memerrors;
struct model;
struct model_frame;
struct model_group;
struct model_site;
struct sbuf;
struct tui_source_cache;
struct tui_view;

/* Mask bits of the inside: never returned by the public entry points. */
enum {
	TUI_UNHANDLED = 0x100,	/* a view passes the action on to the top */
	TUI_MODEL_CHANGED = 0x200,	/* views must refresh what they cached */
};

/* What a view shows under its cursor: what OPEN opens and EDIT edits. */
struct tui_selection {
	const struct model *model;	/* whose sites and frames these are */
	const uint32_t *sites;		/* a row of a sites table: its sites */
	size_t nsites;
	const struct memerrors *errors;	/* or a memcheck error of errors */
	size_t error;
	const struct model_frame *frame;	/* the source line, NULL: none */
	const char *url;	/* the URL that drives the row most, NULL: unknown */
};

struct tui_view_ops {
	const char *name;
	unsigned scope;		/* TUI_SC_* bit of the bindings it uses */
	/* Body rows [y0, y1) of the screen. */
	void (*draw)(struct tui *t, struct tui_view *v, int y0, int y1);
	/* TUI_UNHANDLED passes the action on to the top. */
	unsigned (*request)(struct tui *t, struct tui_view *v, enum tui_action a);
	/* TUI_UNHANDLED: the click asks to open the selection. */
	unsigned (*mouse)(struct tui *t, struct tui_view *v, const struct tui_mouse *m);
	/* What is under the cursor; false (with a message shown) if nothing. */
	bool (*select)(struct tui *t, struct tui_view *v, struct tui_selection *out);
	/* The model has a new round: refresh what is cached. */
	void (*model_changed)(struct tui *t, struct tui_view *v);
	/* The root view gets a new model (nginx restarted). */
	void (*set_model)(struct tui_view *v, const struct model *m);
	/* Memory held beyond the model (row caches), for the bench. */
	size_t (*memory)(const struct tui_view *v);
	void (*done)(struct tui_view *v);
};

struct tui_view {
	const struct tui_view_ops *ops;
	void *priv;
	int y0, y1;		/* where it was drawn last (for the mouse) */
};

/* A cursor in a list of n lines shown in a window of height lines. */
struct tui_list {
	size_t n, cur, top;
};

/* The one-line editor of the status line (filter, kinds, burst shape). */
typedef unsigned (*tui_prompt_cb)(struct tui *t, const char *text);

#define TUI_MAX_VIEWS 5
#define TUI_MAX_BAR 16

struct tui {
	struct tui_config cfg;
	struct model *model;	/* every process merged: errors, exit report, save */
	/* The process view the sites table shows (P): its index in the
	 * target's views (0: all, the model above), name and model. */
	size_t view;
	char view_name[64];
	struct model *shown;
	const struct memerrors *errors;	/* NULL: none to show */
	const struct model *exit_model;	/* NULL until nginx stopped */
	struct tui_source_cache *sources;
	struct tui_view views[TUI_MAX_VIEWS];
	size_t nviews;
	struct tui_live live;
	int rows, cols;
	char status[512];
	enum tui_role status_role;
	struct {
		bool active;
		char label[48];
		char buf[1024];
		size_t len;
		tui_prompt_cb done;
	} prompt;
	struct {
		int x0, x1;
		enum tui_action a;
	} bar[TUI_MAX_BAR];
	size_t nbar;
	int last_header, last_log;	/* layout of the last frame */
	bool quit;		/* asked to quit (without term ops: tests) */
	/* burst shape when no target keeps it */
	unsigned long requests;
	unsigned concurrency;
};

/* The view on top (there is always the root view, the sites table). */
static inline struct tui_view *
tui_top(struct tui *t)
{
	return &t->views[t->nviews - 1];
}

/* ---- views: constructors (for the top) and their ops ---- */

extern const struct tui_view_ops tui_sites_ops;	/* the live rounds (the root) */
extern const struct tui_view_ops tui_exit_ops;	/* valgrind's exit report */
extern const struct tui_view_ops tui_stack_ops;
extern const struct tui_view_ops tui_help_ops;
extern const struct tui_view_ops tui_errors_ops;
extern const struct tui_view_ops tui_debug_ops;
extern const struct tui_view_ops tui_kinds_ops;	/* the kind editor (u) */
/* The sites table over m; exit_report: m is valgrind's exit report (push
 * it with tui_exit_ops then). */
void *tui_sites_new(const struct model *m, bool exit_report);
/* Backtrace of a row: its sites in m (biggest first), copied. */
void *tui_stack_new_sites(const struct model *m, const uint32_t *sites, size_t n);
/* Backtraces of memcheck error i (where it happened, then its notes');
 * the frames are m's. */
void *tui_stack_new_error(const struct model *m, const struct memerrors *e, size_t i);
void *tui_errors_new(void);
void *tui_help_new(void);
/* The kinds of the session t (live.kinds, else its URLs); leaving drops
 * changes not applied, which the status line of t says. */
void *tui_kinds_new(struct tui *t);

/* Where d stops (tui_debug.c): the selection's line - a row's allocation
 * frame, a backtrace's selected frame, the first frame with a source line
 * where an error happened - and the URL that drives the row. False with a
 * one-line reason in err. */
struct tui_debug_where {
	const char *file;	/* as the frame names it (the model's, interned) */
	unsigned line;
	const char *url;	/* NULL: the URL set, round robin */
	const char *fn;
};
bool tui_debug_where(const struct tui_selection *sel, struct tui_debug_where *w, char *err,
	size_t errlen);
/* The debugger view over the live model m, started at w. Its end
 * (however it is closed) detaches gdb through the target ops. */
void *tui_debug_new(struct tui *t, const struct model *m, const struct tui_debug_where *w);

/* ---- commands: the actions on nginx and the terminal (tui_command.c) ---- */

/* Run a global command; 0 if a is not one. */
unsigned tui_command_run(struct tui *t, enum tui_action a);
/* Open the editor at a frame's file and line. */
unsigned tui_command_edit(struct tui *t, const struct model_frame *f);

/* ---- the list cursor (tui_list.c) ---- */

/* Moving a list cursor by a TUI_SC_LIST action; TUI_UNHANDLED if it is
 * not one. Keeps the cursor inside a window of height lines. */
unsigned tui_list_move(struct tui_list *l, enum tui_action a, int height);
void tui_list_fit(struct tui_list *l, int height);
/* Mouse wheel over a list. */
unsigned tui_list_wheel(struct tui_list *l, const struct tui_mouse *m, int height);
/* A click at row y of a list drawn from row y0, height rows: the cursor
 * goes there. TUI_LIST_OPEN if it was there already (a second click opens
 * it), TUI_LIST_MISS if no line is there. */
enum { TUI_LIST_MISS, TUI_LIST_MOVED, TUI_LIST_OPEN };
int tui_list_click(struct tui_list *l, int y, int y0, int height);
/* The detail line under a table: text, then the frame's full path:line
 * cut at its start when the line is short. */
void tui_list_detail(struct tui *t, int y, const char *text, int text_w,
	const struct model_frame *f);

/* ---- the status line: messages and the prompt (tui_prompt.c) ---- */

/* Prompt in the status line; done gets the text on Enter. */
void tui_prompt_open(struct tui *t, const char *label, const char *initial, tui_prompt_cb done);
/* A key while the prompt is open. */
unsigned tui_prompt_key(struct tui *t, int key);
void tui_prompt_draw(struct tui *t, int y);

/* ---- the source pane (tui_srcview.c) ---- */

struct tui_srcview {
	const char *file;	/* as the frame names it; NULL or "": none */
	unsigned line;		/* lit */
	const char *none;	/* what to say when there is no file */
	/* the debugger's: a gutter with breakpoints (marks) and a cursor line,
	 * which the window follows */
	bool gutter;
	unsigned cursor;
	const unsigned *marks;
	size_t nmarks;
};
/* Title (the path read, :line) on y0, the lines below, in columns [x, x+w). */
void tui_srcview_draw(struct tui *t, const struct tui_srcview *p, int y0, int y1, int x, int w);

/* ---- nginx's processes and the views over them (tui_procs.c) ---- */

/* The header's process line is there: several processes, or a view
 * other than all of them. */
bool tui_procs_line_shown(const struct tui *t);
/* "view: workers (P)  master 1201 ready · worker 1205 ready 812 req · +2 more" */
void tui_procs_line_draw(struct tui *t, int y);
/* More than one process fed m (its sites' sources differ). */
bool tui_procs_model_multi(const struct model *m);
/* What each reload adds to a row (group g of sites in m): 0 if nothing. */
double tui_procs_per_reload(const struct model *m, const struct model_group *g,
	const uint32_t *sites);
/* " | in 1201 1205 1206" of a site into b when m is multi. */
void tui_procs_site_pids(struct sbuf *b, const struct model_site *s, bool multi);

/* ---- header, log panel, key bar (tui_header.c) ---- */

int tui_header_height(const struct tui *t);
void tui_header_draw(struct tui *t, int y0, int y1);
int tui_header_log_height(const struct tui *t, int avail);
void tui_header_log_draw(struct tui *t, int y0, int y1);
void tui_header_bar_draw(struct tui *t, int y);

#endif
