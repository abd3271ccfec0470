/* tui_sites.c - the sites table: what leaks, how fast, since when. */
#include "tui_int.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "tui_fmt.h"
#include "tui_rows.h"
#include "tui_sites.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void *
tui_sites_new(const struct model *m, bool exit_report)
{
	struct sites *s = xcalloc(1, sizeof *s);

	s->m = m;
	s->exit_report = exit_report;
	tui_rows_init(&s->rows);
	/* One round has no growth: every verdict would say stable and the
	 * default filter would hide the reachable records. */
	if (exit_report)
		s->rows.filter.growth = TUI_VERDICT_ALL;
	return s;
}

static void
sites_set_model(struct tui_view *v, const struct model *m)
{
	struct sites *s = v->priv;

	s->m = m;
	s->have_sel = false;
	/* marks are lines of the old model's frames */
	s->marks.n = 0;
	tui_rows_invalidate(&s->rows);
}

static void
sites_done(struct tui_view *v)
{
	struct sites *s = v->priv;

	tui_rows_free(&s->rows);
	tui_marks_free(&s->marks);
	free(s->supp_keys);
	report_diff_free(s->diff);
	free(s);
}

static size_t
sites_memory(const struct tui_view *v)
{
	const struct sites *s = v->priv;

	return sizeof *s + tui_rows_memory(&s->rows);
}

static void
remember(struct sites *s)
{
	const struct tui_row *row = tui_sites_sel(s);

	if (row && !row->old_only) {
		s->sel_site = s->rows.members[row->first];
		s->have_sel = true;
	}
}

/* The gate and the baseline's diff, for a rebuild of the live table
 * (valgrind's exit report is one round: neither applies). */
static void
compare_inputs(struct tui *t, struct sites *s)
{
	if (s->exit_report || !tui_rows_stale(&s->rows, s->m))
		return;
	s->rows.gate = t->cfg.gate;
	if (!t->cfg.baseline)
		return;
	/* new rounds, a new judgement (suppressions): a new diff */
	report_diff_free(s->diff);
	s->diff = report_diff_new(t->cfg.baseline, s->m, t->cfg.gate ? t->cfg.gate :
		&(const struct report_gate)REPORT_GATE_INIT);
	s->rows.old = t->cfg.baseline;
	s->rows.diff = s->diff;
}

/* Rows up to date, the cursor on the row it was on (by site). */
static void
sync(struct tui *t, struct sites *s)
{
	compare_inputs(t, s);
	if (tui_rows_update(&s->rows, s->m)) {
		s->list.n = s->rows.nrows;
		if (s->have_sel) {
			size_t k = tui_rows_find_site(&s->rows, s->sel_site);

			if (k < s->rows.nrows)
				s->list.cur = k;
		}
	}
	tui_list_fit(&s->list, s->height);
}

static void
sites_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct sites *s = v->priv;

	s->head_y = y0 + 1;
	s->height = y1 - y0 - 3;
	sync(t, s);
	tui_sites_paint(t, s, y0, y1);
}

/* ---- actions ---- */

struct sites *
tui_sites_prompt_table(struct tui *t)
{
	struct tui_view *v = tui_top(t);

	/* the prompt belongs to the top table; a restart meanwhile leaves the main one */
	return (v->ops->scope == TUI_SC_SITES ? v : &t->views[0])->priv;
}

static unsigned
filter_done(struct tui *t, const char *text)
{
	struct sites *s = tui_sites_prompt_table(t);

	snprintf(s->rows.filter.text, sizeof s->rows.filter.text, "%s", text);
	tui_rows_invalidate(&s->rows);
	if (!*text)
		return tui_message(t, false, "text filter off") | TUI_DRAW_BODY;
	return tui_message(t, false, "only sites allocated in a function or file matching \"%s\"",
		text) | TUI_DRAW_BODY;
}

static unsigned
cycle_kind(struct tui *t, struct sites *s)
{
	int *k = &s->rows.filter.kind;

	*k = *k + 1 >= LEAK_KIND_COUNT ? -1 : *k + 1;
	tui_rows_invalidate(&s->rows);
	return tui_message(t, false, "kind: %s", *k < 0 ? "all" : leak_kind_text(*k)) |
		TUI_DRAW_BODY;
}

static const char *
verdict_filter_name(int g)
{
	if (g == TUI_VERDICT_DEFAULT)
		return "all but stable still-reachable (start-up heap)";
	if (g == TUI_VERDICT_ALL)
		return "all";
	return model_growth_name(g);
}

static unsigned
cycle_verdict(struct tui *t, struct sites *s)
{
	static const int order[] = { TUI_VERDICT_DEFAULT, GROWTH_GROWING, GROWTH_BOUNDED,
		GROWTH_STABLE, TUI_VERDICT_ALL };
	int *g = &s->rows.filter.growth;
	size_t i;

	for (i = 0; i < LT_ARRAY_SIZE(order) && order[i] != *g; i++)
		;
	*g = order[(i + 1) % LT_ARRAY_SIZE(order)];
	tui_rows_invalidate(&s->rows);
	return tui_message(t, false, "verdict: %s", verdict_filter_name(*g)) | TUI_DRAW_BODY;
}

/* TOP URL only when shown, the change columns with a baseline */
static bool
col_hidden(const struct sites *s, int c)
{
	if (c == TUI_COL_BEFORE || c == TUI_COL_CHANGE)
		return !s->rows.diff;
	return c == TUI_COL_URL && s->col_x[TUI_COL_URL] == s->col_x[TUI_COL_URL + 1];
}

static unsigned
sort_by(struct tui *t, struct sites *s, int col, bool invert, int step)
{
	/* HISTORY is drawn, not sorted on */
	col = (col + TUI_COL_HISTORY) % TUI_COL_HISTORY;
	while (step && col_hidden(s, col))
		col = (col + step + TUI_COL_HISTORY) % TUI_COL_HISTORY;
	s->rows.sort = (enum tui_column)col;
	s->rows.invert = invert;
	tui_rows_invalidate(&s->rows);
	return tui_message(t, false, "sort: %s%s", tui_column_title(col, false),
		invert ? ", inverted" : "") | TUI_DRAW_BODY;
}

static unsigned
sites_request(struct tui *t, struct tui_view *v, enum tui_action a)
{
	struct sites *s = v->priv;
	unsigned mask;

	sync(t, s);
	switch (a) {
	case TUI_ACT_FILTER:
		tui_prompt_open(t, "filter (allocating function or file; empty: off): ", s->rows.filter.text,
			filter_done);
		return TUI_DRAW_STATUS;
	case TUI_ACT_KIND:
		return cycle_kind(t, s);
	case TUI_ACT_VERDICT:
		return cycle_verdict(t, s);
	case TUI_ACT_CORE:
		s->rows.filter.hide_core = !s->rows.filter.hide_core;
		tui_rows_invalidate(&s->rows);
		return tui_message(t, false, "stacks entirely in nginx core: %s",
			s->rows.filter.hide_core ? "hidden" : "shown") | TUI_DRAW_BODY;
	case TUI_ACT_GROUP:
		s->rows.group = !s->rows.group;
		tui_rows_invalidate(&s->rows);
		return tui_message(t, false, "%s", s->rows.group ?
			"grouped by allocation site (kind + allocating line)" :
			"one row per full stack") | TUI_DRAW_BODY;
	case TUI_ACT_SORT_NEXT:
		return sort_by(t, s, (int)s->rows.sort + 1, false, 1);
	case TUI_ACT_SORT_PREV:
		return sort_by(t, s, (int)s->rows.sort - 1, false, -1);
	case TUI_ACT_SORT_INVERT:
		return sort_by(t, s, (int)s->rows.sort, !s->rows.invert, 0);
	case TUI_ACT_MARK:
		return tui_marks_toggle(t, s);
	case TUI_ACT_UNMARK:
		return tui_marks_clear(t, s);
	case TUI_ACT_SUPPRESS:
		return tui_marks_suppress(t, s);
	case TUI_ACT_CHANGES:
		if (!s->rows.diff)
			return tui_message(t, true, "no baseline: --load NEW --baseline OLD compares two runs");
		s->rows.filter.changes_only = !s->rows.filter.changes_only;
		tui_rows_invalidate(&s->rows);
		return tui_message(t, false, "%s", s->rows.filter.changes_only ?
			"only rows new or worse than in the baseline run" : "every row") | TUI_DRAW_BODY;
	default:
		mask = tui_list_move(&s->list, a, s->height);
		remember(s);
		return mask;
	}
}

/* The selected row: its sites (OPEN) and its allocating frame (EDIT, DEBUG). */
static bool
sites_select(struct tui *t, struct tui_view *v, struct tui_selection *out)
{
	struct sites *s = v->priv;
	const struct tui_row *row;

	sync(t, s);
	row = tui_sites_sel(s);
	if (!row) {
		tui_message(t, true, "no site selected");
		return false;
	}
	out->model = s->m;
	out->sites = s->rows.members + row->first;
	out->nsites = row->g.nsites;
	out->model = tui_sites_row_model(s, row);
	out->frame = tui_sites_row_frame(s, row);
	/* the TOP URL: where the debugger sends requests to reach the line */
	out->url = row->g.nurls ? model_url(s->m, row->g.urls[0].url) : NULL;
	return true;
}

static unsigned
sites_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	struct sites *s = v->priv;
	int c;

	sync(t, s);
	if (m->what != TUI_MOUSE_CLICK) {
		tui_list_wheel(&s->list, m, s->height);
		remember(s);
		return TUI_DRAW_BODY;
	}
	if (m->y == s->head_y) {
		for (c = 0; c < TUI_COL_HISTORY; c++)
			if (m->x >= s->col_x[c] && m->x < s->col_x[c + 1])
				return sort_by(t, s, c, (int)s->rows.sort == c && !s->rows.invert, 0);
		return 0;
	}
	switch (tui_list_click(&s->list, m->y, s->head_y + 1, s->height)) {
	case TUI_LIST_OPEN:
		return TUI_UNHANDLED;
	case TUI_LIST_MOVED:
		remember(s);
		return TUI_DRAW_BODY;
	default:
		return 0;
	}
}

static void
sites_model_changed(struct tui *t, struct tui_view *v)
{
	struct sites *s = v->priv;

	(void)t;
	tui_rows_invalidate(&s->rows);
}

/* The live rounds, and the same table over valgrind's exit report: two
 * ops so that the top tells them apart (x shows and hides the second). */
#define SITES_OPS(label) { \
	.name = (label), \
	.scope = TUI_SC_SITES, \
	.draw = sites_draw, \
	.request = sites_request, \
	.mouse = sites_mouse, \
	.select = sites_select, \
	.model_changed = sites_model_changed, \
	.set_model = sites_set_model, \
	.memory = sites_memory, \
	.done = sites_done, \
}

const struct tui_view_ops tui_sites_ops = SITES_OPS("sites");
const struct tui_view_ops tui_exit_ops = SITES_OPS("exit report");
