/* tui.c - the top of the screen: it takes every key and mouse event, gives
 * it to the view on top, and runs what the view passes on: switching views
 * here (only the top names every view), commands on nginx and the terminal
 * in tui_command.c. It composes a frame when the front end asks for one. */
#include "tui_int.h"
#include "model.h"
#include "tui_source.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this the screen says so instead of drawing a broken layout. */
#define TUI_MIN_ROWS 10
#define TUI_MIN_COLS 50

static void
view_push(struct tui *t, const struct tui_view_ops *ops, void *priv)
{
	if (t->nviews == TUI_MAX_VIEWS) {
		/* cannot happen: the deepest path is sites, errors, stack, debugger, help */
		struct tui_view v = { .ops = ops, .priv = priv };

		ops->done(&v);
		return;
	}
	t->views[t->nviews++] = (struct tui_view){ .ops = ops, .priv = priv };
}

static void
view_pop(struct tui *t)
{
	struct tui_view *v;

	if (!t->nviews)
		return;
	v = &t->views[--t->nviews];
	v->ops->done(v);
	v->priv = NULL;
}

/* Close every view above the root table. */
static void
views_close(struct tui *t)
{
	while (t->nviews > 1)
		view_pop(t);
}

struct tui *
tui_new(const struct tui_config *cfg)
{
	struct tui *t = xcalloc(1, sizeof *t);

	t->cfg = *cfg;
	t->model = cfg->model;
	t->shown = cfg->model;
	t->errors = cfg->errors;
	t->exit_model = cfg->exit_model;
	t->sources = tui_source_cache_new(cfg->source_dirs, cfg->nsource_dirs);
	t->requests = 200;
	t->concurrency = 4;
	t->status_role = TUI_ROLE_STATUS_INFO;
	t->last_header = t->last_log = -1;
	view_push(t, &tui_sites_ops, tui_sites_new(cfg->model, false));
	if (tui_draw_is_open())
		tui_draw_size(&t->rows, &t->cols);
	return t;
}

void
tui_free(struct tui *t)
{
	if (!t)
		return;
	while (t->nviews)
		view_pop(t);
	tui_source_cache_free(t->sources);
	free(t);
}

/* ---- the process views (P): which model the sites table shows ---- */

/* Views are looked for this far when the one shown moved. */
#define VIEW_SEARCH_MAX 4096

static bool
debugging(const struct tui *t)
{
	size_t i;

	for (i = 0; i < t->nviews; i++)
		if (t->views[i].ops == &tui_debug_ops)
			return true;
	return false;
}

/* The target's view v: its model and name; NULL past the last. */
static struct model *
target_view(struct tui *t, size_t v, char *name, size_t len)
{
	const struct tui_target_ops *ops = t->cfg.target;

	name[0] = '\0';
	return ops && ops->view ? ops->view(t->cfg.target_ctx, v, name, len) : NULL;
}

/* Show view v (model m, named name) in the sites table; view 0 is always
 * the main model, which the errors and the exit report share. */
static void
view_show(struct tui *t, size_t v, struct model *m, const char *name)
{
	char name0[sizeof t->view_name];

	if (!v) {
		m = t->model;
		if (!target_view(t, 0, name0, sizeof name0) || !name0[0])
			snprintf(name0, sizeof name0, "all");
		name = name0;
	}
	t->view = v;
	snprintf(t->view_name, sizeof t->view_name, "%s", name);
	if (m == t->shown)
		return;
	t->shown = m;
	/* A backtrace opened from the table shows a site of the old view. The
	 * debugger stays (gdb is attached; its own view is the main model). */
	if (t->nviews > 1 && t->views[1].ops == &tui_stack_ops && !debugging(t))
		views_close(t);
	t->views[0].ops->set_model(&t->views[0], m);
}

/* The view shown may have moved (a master's workers came after it was
 * alone) or gone; its model is what it is known by. Gone, the table
 * falls back to all of them. */
static void
view_find(struct tui *t)
{
	char name[sizeof t->view_name], gone[sizeof t->view_name];
	struct model *m;
	size_t v;

	if (!t->view) {
		view_show(t, 0, NULL, NULL);	/* its name only */
		return;
	}
	m = target_view(t, t->view, name, sizeof name);
	if (m && m == t->shown) {
		view_show(t, t->view, m, name);
		return;
	}
	for (v = 1; v < VIEW_SEARCH_MAX && (m = target_view(t, v, name, sizeof name)); v++)
		if (m == t->shown) {
			view_show(t, v, m, name);
			return;
		}
	snprintf(gone, sizeof gone, "%s", t->view_name);
	view_show(t, 0, NULL, NULL);
	tui_message(t, true, "view %s is gone: the table shows %s (P: next view)", gone,
		t->view_name);
}

/* Before a frame and on a round; true if the view or its name changed. */
static bool
view_refresh(struct tui *t)
{
	char was[sizeof t->view_name];
	const struct model *shown = t->shown;

	snprintf(was, sizeof was, "%s", t->view_name);
	view_find(t);
	return shown != t->shown || strcmp(was, t->view_name);
}

/* P: the next view, after the last the first. */
static unsigned
view_next(struct tui *t)
{
	char name[sizeof t->view_name];
	struct model *m;
	size_t v;

	if (!t->cfg.target || !t->cfg.target->view)
		return tui_message(t, true, "no processes to switch between: %s",
			t->cfg.target && t->cfg.target->live ?
			"this session has one view" : "this screen shows a recorded model");
	if (debugging(t))
		return tui_message(t, true, "not while debugging: q detaches gdb, then P");
	view_refresh(t);
	v = t->view + 1;
	m = target_view(t, v, name, sizeof name);
	if (!m)
		v = 0;
	if (v == t->view)
		return tui_message(t, false, "one view only: %s (one process)", t->view_name);
	view_show(t, v, m, name);
	return tui_message(t, false, "view: %s (P: next)", t->view_name) | TUI_DRAW_ALL;
}

void
tui_model_changed(struct tui *t)
{
	size_t i;

	view_refresh(t);
	for (i = 0; i < t->nviews; i++)
		if (t->views[i].ops->model_changed)
			t->views[i].ops->model_changed(t, &t->views[i]);
}

void
tui_set_model(struct tui *t, struct model *m)
{
	/* Views above the table point at sites of the old model. */
	views_close(t);
	t->model = m;
	/* a new session: its processes and views are new too */
	t->view = 0;
	t->shown = m;
	t->views[0].ops->set_model(&t->views[0], m);
	tui_model_changed(t);
}

void
tui_set_errors(struct tui *t, const struct memerrors *e)
{
	/* the errors view and backtraces of errors index the old list */
	views_close(t);
	t->errors = e;
}

static void
exit_table_open(struct tui *t)
{
	views_close(t);
	view_push(t, &tui_exit_ops, tui_sites_new(t->exit_model, true));
}

unsigned
tui_set_exit_model(struct tui *t, const struct model *m, bool show)
{
	size_t i;

	/* a table of the old report closes, with what was opened from it */
	for (i = 1; i < t->nviews; i++)
		if (t->views[i].ops == &tui_exit_ops) {
			while (t->nviews > i)
				view_pop(t);
			break;
		}
	t->exit_model = m;
	if (m && show)
		exit_table_open(t);
	return TUI_DRAW_ALL;
}

/* ---- global commands that switch views ---- */

/* What the view on top has under its cursor; false if nothing (the view
 * said why in the status line). */
static bool
selection(struct tui *t, struct tui_selection *sel)
{
	struct tui_view *v = tui_top(t);

	*sel = (struct tui_selection){ 0 };
	return v->ops->select && v->ops->select(t, v, sel);
}

static unsigned
open_selection(struct tui *t)
{
	struct tui_selection sel;

	if (!selection(t, &sel))
		return TUI_DRAW_STATUS;
	if (sel.nsites)
		view_push(t, &tui_stack_ops, tui_stack_new_sites(sel.model, sel.sites, sel.nsites));
	else if (sel.errors)
		view_push(t, &tui_stack_ops, tui_stack_new_error(sel.model, sel.errors, sel.error));
	else
		return tui_message(t, true, "nothing to open here");
	return TUI_DRAW_BODY | TUI_DRAW_STATUS;
}

/* d: gdb to the selection's line, then the debugger view over it. */
static unsigned
debug_selection(struct tui *t)
{
	struct tui_selection sel;
	struct tui_debug_where w;
	char err[512];

	if (!selection(t, &sel))
		return TUI_DRAW_STATUS;
	if (!tui_debug_where(&sel, &w, err, sizeof err))
		return tui_message(t, true, "%s", err);
	if (!t->cfg.target || !t->cfg.target->debug_start)
		return tui_message(t, true, "no nginx to debug: this screen shows a recorded model");
	if (!t->cfg.target->debug_start(t->cfg.target_ctx, w.file, w.line, w.url, err, sizeof err))
		return tui_message(t, true, "%s", err);
	view_push(t, &tui_debug_ops, tui_debug_new(t, t->model, &w));
	return tui_message(t, false, "debugging %s:%u with requests to %s; q detaches",
		strrchr(w.file, '/') ? strrchr(w.file, '/') + 1 : w.file, w.line,
		w.url ? w.url : "the URL set") | TUI_DRAW_ALL;
}

static unsigned
edit_selection(struct tui *t)
{
	struct tui_selection sel;

	if (!selection(t, &sel))
		return TUI_DRAW_STATUS;
	return tui_command_edit(t, sel.frame);
}

/* E, x, u and ?: from wherever to the view asked for, or back to the
 * table when it is the one shown. */
static unsigned
toggle_view(struct tui *t, const struct tui_view_ops *ops)
{
	bool shown = tui_top(t)->ops == ops;
	size_t i;

	if (ops == &tui_help_ops) {
		if (shown)
			view_pop(t);
		else
			view_push(t, &tui_help_ops, tui_help_new());
		return TUI_DRAW_BODY | TUI_DRAW_STATUS;
	}
	/* u in the help over the kind editor: back to it, its changes kept */
	for (i = 1; !shown && ops == &tui_kinds_ops && i + 1 < t->nviews; i++)
		if (t->views[i].ops == ops) {
			while (t->nviews > i + 1)
				view_pop(t);
			return TUI_DRAW_BODY | TUI_DRAW_STATUS;
		}
	/* nothing to show: the views stay (the kind editor keeps its changes) */
	if (!shown && ops == &tui_errors_ops && !t->errors)
		return tui_message(t, true, "no memcheck errors in what was loaded");
	if (!shown && ops == &tui_exit_ops && !t->exit_model)
		return tui_message(t, true, t->cfg.target && t->cfg.target->stop ?
			"no exit report yet: valgrind writes it when nginx exits (S stops nginx)" :
			"no separate exit report here: a loaded XML file's table is its exit report");
	views_close(t);
	if (shown)
		return TUI_DRAW_BODY | TUI_DRAW_STATUS;
	if (ops == &tui_errors_ops) {
		view_push(t, &tui_errors_ops, tui_errors_new());
		return TUI_DRAW_BODY | TUI_DRAW_STATUS;
	}
	if (ops == &tui_kinds_ops) {
		view_push(t, &tui_kinds_ops, tui_kinds_new(t));
		return TUI_DRAW_BODY | TUI_DRAW_STATUS;
	}
	exit_table_open(t);
	return TUI_DRAW_ALL;
}

static unsigned
view_command(struct tui *t, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_OPEN:
		return open_selection(t);
	case TUI_ACT_EDIT:
		return edit_selection(t);
	case TUI_ACT_DEBUG:
		return debug_selection(t);
	case TUI_ACT_BACK:
	case TUI_ACT_DBG_DETACH:
	case TUI_ACT_CLOSE:
		if (t->nviews > 1) {
			bool debugger = tui_top(t)->ops == &tui_debug_ops;

			view_pop(t);	/* the debugger's end detaches gdb */
			if (debugger)
				tui_message(t, false, "gdb detached: nginx runs on, the held request "
					"completes");
			return TUI_DRAW_ALL;
		}
		return a == TUI_ACT_CLOSE ? tui_command_run(t, TUI_ACT_QUIT) : 0;
	case TUI_ACT_HELP:
		return toggle_view(t, &tui_help_ops);
	case TUI_ACT_ERRORS:
		return toggle_view(t, &tui_errors_ops);
	case TUI_ACT_EXIT_REPORT:
		return toggle_view(t, &tui_exit_ops);
	case TUI_ACT_KIND_EDITOR:
		return toggle_view(t, &tui_kinds_ops);
	case TUI_ACT_VIEW:
		return view_next(t);
	default:
		return tui_command_run(t, a);
	}
}

/* ---- input ---- */

static void
fill_live(struct tui *t)
{
	const struct tui_target_ops *ops = t->cfg.target;

	memset(&t->live, 0, sizeof t->live);
	t->live.requests = t->requests;
	t->live.concurrency = t->concurrency;
	t->live.reason = "";
	t->live.log_tail = "";
	if (ops && ops->live)
		ops->live(t->cfg.target_ctx, &t->live);
}

/* What the top's own bits ask for, then the mask for the front end. */
static unsigned
settle(struct tui *t, unsigned mask)
{
	if (mask & TUI_MODEL_CHANGED)
		tui_model_changed(t);
	return mask & (TUI_DRAW_ALL | TUI_REPAINT);
}

/* The view first; what it passes on is a global command. */
static unsigned
run_action(struct tui *t, enum tui_action a)
{
	struct tui_view *v = tui_top(t);
	unsigned mask;

	fill_live(t);	/* commands read nginx's current shape and state */
	mask = v->ops->request(t, v, a);
	if (mask & TUI_UNHANDLED)
		mask = view_command(t, a);
	return settle(t, mask);
}

unsigned
tui_key(struct tui *t, int key)
{
	enum tui_action a;

	if (t->prompt.active && key == TUI_CTRL('c')) {
		t->prompt.active = false;
		return run_action(t, TUI_ACT_QUIT);
	}
	if (t->prompt.active)
		return settle(t, tui_prompt_key(t, key));
	a = tui_action_for_key(key, tui_top(t)->ops->scope);
	if (a == TUI_ACT_NONE) {
		char name[16];

		return tui_message(t, false, "%s: no such key here (? for help)",
			tui_action_key_name(key, name, sizeof name));
	}
	return run_action(t, a);
}

unsigned
tui_mouse(struct tui *t, const struct tui_mouse *m)
{
	struct tui_view *v = tui_top(t);
	unsigned mask;
	size_t i;

	if (t->prompt.active)
		return 0;
	if (m->y == t->rows - 1 && m->what == TUI_MOUSE_CLICK) {
		for (i = 0; i < t->nbar; i++)
			if (m->x >= t->bar[i].x0 && m->x < t->bar[i].x1)
				return run_action(t, t->bar[i].a);
		return 0;
	}
	if (m->y < v->y0 || m->y >= v->y1 || !v->ops->mouse)
		return 0;
	mask = v->ops->mouse(t, v, m);
	if (mask & TUI_UNHANDLED)	/* a second click on a row opens it */
		return run_action(t, TUI_ACT_OPEN);
	return settle(t, mask);
}

unsigned
tui_resize(struct tui *t, int rows, int cols)
{
	if (tui_draw_is_open())
		tui_draw_resize(rows, cols);
	t->rows = rows;
	t->cols = cols;
	return TUI_DRAW_ALL;
}

/* ---- a frame ---- */

static void
draw_too_small(struct tui *t)
{
	char msg[64];

	tui_draw_clear(0, t->rows);
	snprintf(msg, sizeof msg, "too small: %dx%d, need %dx%d", t->cols, t->rows, TUI_MIN_COLS,
		TUI_MIN_ROWS);
	tui_draw_text(0, 0, t->cols, TUI_ROLE_STATUS_ERROR, msg, 0);
	tui_draw_flush();
}

void
tui_frame(struct tui *t, unsigned mask)
{
	struct tui_view *v;
	int header, log, body0, body1;

	if (!tui_draw_is_open() || !mask)
		return;
	tui_draw_size(&t->rows, &t->cols);
	fill_live(t);
	if (view_refresh(t))
		mask |= TUI_DRAW_ALL;
	if (mask & TUI_REPAINT)
		tui_draw_repaint();
	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS) {
		draw_too_small(t);
		return;
	}
	header = tui_header_height(t);
	log = tui_header_log_height(t, t->rows - header - 2);
	/* A part that moved (the log panel opened) takes the rest with it. */
	if (header != t->last_header || log != t->last_log)
		mask |= TUI_DRAW_ALL;
	t->last_header = header;
	t->last_log = log;
	body0 = header + log;
	body1 = t->rows - 2;
	if (mask & TUI_DRAW_HEADER) {
		tui_draw_clear(0, header);
		tui_header_draw(t, 0, header);
	}
	if (mask & TUI_DRAW_BODY) {
		tui_draw_clear(header, body1);
		if (log)
			tui_header_log_draw(t, header, body0);
		v = tui_top(t);
		v->y0 = body0;
		v->y1 = body1;
		v->ops->draw(t, v, body0, body1);
	}
	if (mask & TUI_DRAW_STATUS) {
		tui_draw_clear(body1, t->rows);
		tui_prompt_draw(t, body1);
		tui_header_bar_draw(t, t->rows - 1);
	}
	tui_draw_flush();
}

size_t
tui_memory(const struct tui *t)
{
	/* The table's row cache dominates; the source cache is a few files. */
	return sizeof *t + t->views[0].ops->memory(&t->views[0]);
}
