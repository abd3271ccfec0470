/* tui_view.h - inside the screen: the tui context, views as ops structs.
 *
 * As in tig, a view is a const ops struct plus private state; views draw
 * through tui_draw.h only, and answer actions with a TUI_DRAW_* mask (as
 * htop's handlers do) - only the loop draws. Not for use outside src/tui*. */
#ifndef LT_TUI_VIEW_H
#define LT_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tui.h"
#include "tui_action.h"
#include "tui_draw.h"

struct merrors;
struct model;
struct model_frame;
struct source_cache;
struct tui_view;

struct tui_view_ops {
	const char *name;
	unsigned scope;		/* TUI_SC_* bit of the bindings it uses */
	/* Body rows [y0, y1) of the screen. */
	void (*draw)(struct tui *t, struct tui_view *v, int y0, int y1);
	/* TUI_UNHANDLED passes the action on to the session actions. */
	unsigned (*request)(struct tui *t, struct tui_view *v, enum tui_action a);
	unsigned (*mouse)(struct tui *t, struct tui_view *v, const struct tui_mouse *m);
	/* The model has a new round: refresh what is cached. */
	void (*model_changed)(struct tui *t, struct tui_view *v);
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

/* The one-line editor of the status line (filter, URLs, burst shape). */
typedef unsigned (*tui_prompt_cb)(struct tui *t, const char *text);

#define TUI_MAX_VIEWS 4
#define TUI_MAX_BAR 16

struct tui {
	struct tui_config cfg;
	struct model *model;
	const struct merrors *errors;	/* NULL: none to show */
	const struct model *exit_model;	/* NULL until nginx stopped */
	struct source_cache *sources;
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
	bool quit;		/* asked to quit (without a host: tests) */
	/* burst shape when no host keeps it */
	unsigned long requests;
	unsigned concurrency;
};

/* Views. */
extern const struct tui_view_ops tui_sites_ops;
extern const struct tui_view_ops tui_stack_ops;
extern const struct tui_view_ops tui_help_ops;
extern const struct tui_view_ops tui_errors_ops;
/* The sites table over m; exit_report: m is valgrind's exit report. */
void *tui_sites_new(const struct model *m, bool exit_report);
void tui_sites_set_model(struct tui_view *v, const struct model *m);
bool tui_sites_is_exit(const struct tui_view *v);
size_t tui_sites_memory(const struct tui_view *v);
/* Backtrace of a row: its sites in m (biggest first), copied. */
void tui_stack_open(struct tui *t, const struct model *m, const uint32_t *sites, size_t n);
/* Backtraces of memcheck error i (where it happened, then its notes'). */
void tui_stack_open_error(struct tui *t, const struct merrors *e, size_t i);
void tui_errors_open(struct tui *t);
void tui_help_open(struct tui *t);
void tui_view_push(struct tui *t, const struct tui_view_ops *ops, void *priv);
void tui_view_pop(struct tui *t);
struct tui_view *tui_view_top(struct tui *t);

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
void tui_detail_draw(struct tui *t, int y, const char *text, int text_w,
	const struct model_frame *f);

/* Prompt in the status line; done gets the text on Enter. */
void tui_prompt_open(struct tui *t, const char *label, const char *initial, tui_prompt_cb done);

/* Session actions (burst, check, shape, URLs, save, ...). */
unsigned tui_session_action(struct tui *t, enum tui_action a);
/* Open the editor at a frame's file and line. */
unsigned tui_edit_frame(struct tui *t, const struct model_frame *f);

/* Header, log panel, status line, key bar (tui_header.c). */
int tui_header_height(const struct tui *t);
void tui_header_draw(struct tui *t, int y0, int y1);
int tui_log_height(const struct tui *t, int avail);
void tui_log_draw(struct tui *t, int y0, int y1);
void tui_status_draw(struct tui *t, int y);
void tui_bar_draw(struct tui *t, int y);

#endif
