/* tui_sites.c - the sites table: what leaks, how fast, since when. */
#include "tui_int.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "tui_fmt.h"
#include "tui_rows.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Below this width the numbers get narrow columns and kinds 3 letters. */
#define WIDE_COLS 110
#define MIN_FUNCTION 10
#define URL_MAX 18
#define MIN_HISTORY 7	/* "HISTORY" */

struct sites {
	const struct model *m;	/* the live rounds, or valgrind's exit report */
	bool exit_report;
	struct tui_rows rows;
	struct tui_list list;
	uint32_t sel_site;	/* a site of the selected row: kept across rebuilds */
	bool have_sel;
	int height;		/* table rows of the last frame */
	int head_y;		/* row of the column titles */
	int col_x[TUI_COL_COUNT + 1];
};

struct layout {
	bool wide;
	int x[TUI_COL_COUNT], w[TUI_COL_COUNT];
};

static const char *const kind_narrow[LEAK_KIND_COUNT] = { "def", "ind", "pos", "rch" };

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
	tui_rows_invalidate(&s->rows);
}

static void
sites_done(struct tui_view *v)
{
	struct sites *s = v->priv;

	tui_rows_free(&s->rows);
	free(s);
}

static size_t
sites_memory(const struct tui_view *v)
{
	const struct sites *s = v->priv;

	return sizeof *s + tui_rows_memory(&s->rows);
}

static const struct tui_row *
sel_row(const struct sites *s)
{
	return s->list.cur < s->rows.nrows ? &s->rows.rows[s->list.cur] : NULL;
}

static void
remember(struct sites *s)
{
	const struct tui_row *row = sel_row(s);

	if (row) {
		s->sel_site = s->rows.members[row->first];
		s->have_sel = true;
	}
}

/* Rows up to date, the cursor on the row it was on (by site). */
static void
sync(struct sites *s)
{
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

/* ---- drawing ---- */

static char *
row_location(const struct sites *s, const struct tui_row *row)
{
	return report_site_location(s->m, model_site(s->m, s->rows.members[row->first]));
}

static const struct model_frame *
row_frame(const struct sites *s, const struct tui_row *row)
{
	return row->g.at != UINT32_MAX ? model_frame(s->m, row->g.at) : NULL;
}

/* What the TOP URL cell of a row needs: "/leak/pool 1088", "more rounds". */
static int
url_width(const struct sites *s, const struct model_group *g)
{
	char rate[32];

	if (!g->nurls)
		return g->attrib == MODEL_ATTRIB_FEW_ROUNDS ? 11 : 0;
	tui_fmt_rate(rate, sizeof rate, g->urls[0].bytes_per_request, 6);
	return (int)(strlen(report_url_path(model_url(s->m, g->urls[0].url))) + 1 + strlen(rate));
}

static void
lay_out(struct tui *t, struct sites *s, struct layout *L)
{
	int fixed = 0, flex, c, site_max = 4, fn_max = 8, url_max = 0, spare = 0;
	size_t k;

	memset(L, 0, sizeof *L);
	L->wide = t->cols >= WIDE_COLS;
	L->w[TUI_COL_KIND] = L->wide ? 9 : 4;
	L->w[TUI_COL_BYTES] = L->wide ? 8 : 6;
	L->w[TUI_COL_BLOCKS] = L->wide ? 7 : 5;
	L->w[TUI_COL_DELTA] = L->wide ? 8 : 6;
	L->w[TUI_COL_BPR] = L->wide ? 7 : 5;
	L->w[TUI_COL_VERDICT] = 8;	/* "VERDICT" and the sort arrow */
	L->w[TUI_COL_HISTORY] = L->wide ? 12 : 6;
	/* Text columns as wide as what is on screen needs, within the rest. */
	for (k = s->list.top; k < s->rows.nrows && k < s->list.top + (size_t)s->height; k++) {
		const struct model_frame *f = row_frame(s, &s->rows.rows[k]);
		char *loc = row_location(s, &s->rows.rows[k]);
		int uw = url_width(s, &s->rows.rows[k].g);

		site_max = (int)strlen(loc) > site_max ? (int)strlen(loc) : site_max;
		if (f && (int)strlen(f->fn) > fn_max)
			fn_max = (int)strlen(f->fn);
		url_max = uw > url_max ? uw : url_max;
		free(loc);
	}
	for (c = TUI_COL_KIND; c < TUI_COL_COUNT; c++)
		fixed += L->w[c] ? L->w[c] + 1 : 0;
	flex = t->cols - fixed - 1;
	L->w[TUI_COL_SITE] = site_max < flex - MIN_FUNCTION ? site_max : flex - MIN_FUNCTION;
	L->w[TUI_COL_FUNCTION] = flex - L->w[TUI_COL_SITE];
	if (L->w[TUI_COL_FUNCTION] > fn_max) {
		spare = L->w[TUI_COL_FUNCTION] - fn_max;
		L->w[TUI_COL_FUNCTION] = fn_max;
	}
	/* TOP URL when a row has one and there is room without clipping the
	 * site or the function (the detail line names the URLs anyway): from
	 * the room to spare, then from a wide history. */
	if (L->wide && url_max) {
		int want = (url_max < 8 ? 8 : url_max > URL_MAX ? URL_MAX : url_max) + 1;
		int room = spare + L->w[TUI_COL_HISTORY] - MIN_HISTORY, w = want < room ? want : room;

		if (w >= 9) {
			L->w[TUI_COL_URL] = w - 1;
			L->w[TUI_COL_HISTORY] -= w > spare ? w - spare : 0;
			spare = w > spare ? 0 : spare - w;
		}
	}
	/* room to spare: a longer history */
	L->w[TUI_COL_HISTORY] += spare;
	for (c = 0; c < TUI_COL_COUNT; c++) {
		L->x[c] = c ? L->x[c - 1] + L->w[c - 1] + (L->w[c - 1] ? 1 : 0) : 0;
		s->col_x[c] = L->x[c];
	}
	s->col_x[TUI_COL_COUNT] = t->cols;
}

static bool
right_aligned(enum tui_column c)
{
	return c >= TUI_COL_BYTES && c <= TUI_COL_BPR;
}

static void
draw_titles(struct tui *t, struct sites *s, const struct layout *L, int y)
{
	int c;

	tui_draw_text(y, 0, t->cols, TUI_ROLE_COLUMN, "", TUI_TEXT_PAD);
	for (c = 0; c < TUI_COL_COUNT; c++) {
		bool sorted = (int)s->rows.sort == c;
		char title[32];
		const char *arrow = s->rows.invert ? (tui_draw_utf8() ? "\xe2\x96\xb2" : "^") :
			(tui_draw_utf8() ? "\xe2\x96\xbc" : "v");

		/* the arrow where it fits; the color and the info line say it anyway */
		snprintf(title, sizeof title, "%s", tui_column_title(c, !L->wide));
		if (sorted && (int)strlen(title) < L->w[c])
			snprintf(title, sizeof title, "%s%s", tui_column_title(c, !L->wide), arrow);
		tui_draw_text(y, L->x[c], L->w[c], sorted ? TUI_ROLE_COLUMN_SORTED : TUI_ROLE_COLUMN, title,
			right_aligned(c) ? TUI_TEXT_RIGHT : 0);
	}
}

static void
history(const struct sites *s, const struct tui_row *row, int width, char *buf,
	size_t len)
{
	size_t n = model_nrounds(s->m), w = (size_t)width < n ? (size_t)width : n, r, i;
	uint64_t v[64];

	if (w > LT_ARRAY_SIZE(v))
		w = LT_ARRAY_SIZE(v);
	for (r = 0; r < w; r++) {
		v[r] = 0;
		for (i = 0; i < row->g.nsites; i++)
			v[r] += model_site_bytes(s->m, s->rows.members[row->first + i], n - w + r);
	}
	tui_fmt_spark(buf, len, v, w, tui_draw_utf8());
}

static enum tui_role
verdict_role(enum growth g)
{
	return g == GROWTH_GROWING ? TUI_ROLE_GROWING : g == GROWTH_BOUNDED ? TUI_ROLE_BOUNDED :
		TUI_ROLE_STABLE;
}

/* TOP URL: the path of the URL that drives the row most, and its bytes
 * per request at the right. */
static void
draw_url(const struct sites *s, const struct layout *L, int y, const struct model_group *g,
	enum tui_role base, unsigned cur)
{
	int x = L->x[TUI_COL_URL], w = L->w[TUI_COL_URL], rw;
	char rate[32];

	if (!g->nurls) {
		tui_draw_text(y, x, w, TUI_ROLE_DETAIL,
			g->attrib == MODEL_ATTRIB_FEW_ROUNDS ? "more rounds" : "", cur);
		return;
	}
	tui_fmt_rate(rate, sizeof rate, g->urls[0].bytes_per_request, 6);
	rw = (int)strlen(rate);
	tui_draw_text(y, x, w - rw - 1, base, report_url_path(model_url(s->m, g->urls[0].url)), cur);
	tui_draw_text(y, x + w - rw - 1, rw + 1, base, rate, TUI_TEXT_RIGHT | cur);
}

static void
draw_row(struct tui *t, struct sites *s, const struct layout *L, int y, size_t k)
{
	const struct tui_row *row = &s->rows.rows[k];
	const struct model_group *g = &row->g;
	const struct model_frame *f = row_frame(s, row);
	unsigned cur = k == s->list.cur ? TUI_TEXT_CURSOR : 0;
	enum tui_role base = g->growth == GROWTH_GROWING ? TUI_ROLE_GROWING :
		g->growth == GROWTH_STABLE ? TUI_ROLE_STABLE : TUI_ROLE_NORMAL;
	char buf[256];
	char *loc = row_location(s, row);

	if (cur)
		tui_draw_text(y, 0, t->cols, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	tui_draw_text(y, L->x[TUI_COL_SITE], L->w[TUI_COL_SITE], base, loc, TUI_TEXT_CLIP_LEFT | cur);
	free(loc);
	tui_draw_text(y, L->x[TUI_COL_FUNCTION], L->w[TUI_COL_FUNCTION], base,
		f && *f->fn ? f->fn : "???", TUI_TEXT_CLIP_LEFT | cur);
	tui_draw_text(y, L->x[TUI_COL_KIND], L->w[TUI_COL_KIND], base,
		L->wide ? leak_kind_short(g->kind) : kind_narrow[g->kind], cur);
	tui_fmt_size(buf, sizeof buf, g->bytes, L->w[TUI_COL_BYTES]);
	tui_draw_text(y, L->x[TUI_COL_BYTES], L->w[TUI_COL_BYTES], base, buf, TUI_TEXT_RIGHT | cur);
	tui_fmt_size(buf, sizeof buf, g->blocks, L->w[TUI_COL_BLOCKS]);
	tui_draw_text(y, L->x[TUI_COL_BLOCKS], L->w[TUI_COL_BLOCKS], base, buf, TUI_TEXT_RIGHT | cur);
	tui_fmt_delta(buf, sizeof buf, g->delta_bytes, L->w[TUI_COL_DELTA]);
	tui_draw_text(y, L->x[TUI_COL_DELTA], L->w[TUI_COL_DELTA],
		g->delta_bytes > 0 ? TUI_ROLE_UP : base, buf, TUI_TEXT_RIGHT | cur);
	tui_fmt_rate(buf, sizeof buf, g->bytes_per_request, L->w[TUI_COL_BPR]);
	tui_draw_text(y, L->x[TUI_COL_BPR], L->w[TUI_COL_BPR], base, buf, TUI_TEXT_RIGHT | cur);
	tui_draw_text(y, L->x[TUI_COL_VERDICT], L->w[TUI_COL_VERDICT], verdict_role(g->growth),
		model_growth_name(g->growth), cur);
	if (L->w[TUI_COL_URL])
		draw_url(s, L, y, g, base, cur);
	history(s, row, L->w[TUI_COL_HISTORY], buf, sizeof buf);
	tui_draw_text(y, L->x[TUI_COL_HISTORY], L->w[TUI_COL_HISTORY], TUI_ROLE_SPARK, buf, cur);
}

static void
draw_info(struct tui *t, struct sites *s, int y)
{
	const struct tui_filter *f = &s->rows.filter;
	struct sbuf b = SBUF_INIT;

	if (s->exit_report)
		sbuf_adds(&b, "valgrind's exit report (x: back) | ");
	sbuf_printf(&b, "%zu row%s from %zu of %zu %s, %s", s->rows.nrows,
		s->rows.nrows == 1 ? "" : "s", s->rows.nlisted, model_nsites(s->m),
		s->exit_report ? "records" : "sites",
		s->rows.group ? "by allocation site" : "one per stack");
	if (f->text[0])
		sbuf_printf(&b, " | text \"%s\"", f->text);
	if (f->kind >= 0)
		sbuf_printf(&b, " | kind %s", leak_kind_short(f->kind));
	if (f->growth >= 0)
		sbuf_printf(&b, " | %s only", model_growth_name(f->growth));
	else if (f->growth == TUI_VERDICT_DEFAULT)
		sbuf_printf(&b, " | stable reachable hidden");
	if (f->hide_core && s->rows.nhidden_core)
		sbuf_printf(&b, " | %zu nginx-core stacks hidden", s->rows.nhidden_core);
	if (s->rows.sort != TUI_COL_VERDICT || s->rows.invert)
		sbuf_printf(&b, " | sort %s%s", tui_column_title(s->rows.sort, false),
			s->rows.invert ? " inverted" : "");
	tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, b.data, 0);
	sbuf_free(&b);
}

/* "held: per request from the cycle pool: ... | " when the owner search named it */
static void
holder_note(struct sbuf *b, const struct model *m, const struct model_site *site, bool growing)
{
	char *text = report_holder_text(m, site ? &site->holder : NULL, growing);

	if (text)
		sbuf_printf(b, "held: %s | ", text);
	free(text);
}

static void
draw_detail(struct tui *t, struct sites *s, int y)
{
	const struct tui_row *row = sel_row(s);
	const struct model_frame *f;
	struct sbuf b = SBUF_INIT;
	char n1[32], n2[32];
	double per_reload;

	if (!row) {
		tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, model_nrounds(s->m) ?
			"no site matches (t kind, v verdict, H core, / text)" :
			"no leak check yet", 0);
		return;
	}
	f = row_frame(s, row);
	/* the URLs early: a narrow screen cuts the end */
	sbuf_printf(&b, "%s | %s | ", f && *f->fn ? f->fn : "???", leak_kind_short(row->g.kind));
	per_reload = tui_procs_per_reload(s->m, &row->g, s->rows.members + row->first);
	if (per_reload > 0)
		sbuf_printf(&b, "+%s B/reload | ", tui_fmt_rate(n1, sizeof n1, per_reload, 12));
	if (tui_fmt_urls(&b, s->m, row->g.urls, row->g.nurls, row->g.attrib))
		sbuf_adds(&b, " | ");
	sbuf_printf(&b, "%s B in %s blocks | %zu stack%s | ",
		tui_fmt_grouped(n1, sizeof n1, row->g.bytes), tui_fmt_grouped(n2, sizeof n2, row->g.blocks),
		row->g.nsites, row->g.nsites == 1 ? "" : "s");
	holder_note(&b, s->m, report_group_holder(s->m, row->g.kind, row->g.at),
		row->g.growth == GROWTH_GROWING);
	tui_list_detail(t, y, b.data, t->cols, f);
	sbuf_free(&b);
}

static void
sites_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct sites *s = v->priv;
	struct layout L;
	size_t k;
	int y;

	s->head_y = y0 + 1;
	s->height = y1 - y0 - 3;
	sync(s);
	lay_out(t, s, &L);
	draw_info(t, s, y0);
	draw_titles(t, s, &L, s->head_y);
	for (y = s->head_y + 1, k = s->list.top; k < s->rows.nrows && y < y1 - 1; k++, y++)
		draw_row(t, s, &L, y, k);
	draw_detail(t, s, y1 - 1);
}

/* ---- actions ---- */

static unsigned
filter_done(struct tui *t, const char *text)
{
	struct tui_view *v = tui_top(t);
	/* the prompt belongs to the top table; a restart meanwhile leaves the main one */
	struct sites *s = (v->ops->scope == TUI_SC_SITES ? v : &t->views[0])->priv;

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

static unsigned
sort_by(struct tui *t, struct sites *s, int col, bool invert, int step)
{
	/* HISTORY is drawn, not sorted on; TOP URL only when shown */
	col = (col + TUI_COL_HISTORY) % TUI_COL_HISTORY;
	if (col == TUI_COL_URL && step && s->col_x[TUI_COL_URL] == s->col_x[TUI_COL_URL + 1])
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

	sync(s);
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

	sync(s);
	row = sel_row(s);
	if (!row) {
		tui_message(t, true, "no site selected");
		return false;
	}
	out->model = s->m;
	out->sites = s->rows.members + row->first;
	out->nsites = row->g.nsites;
	out->frame = row_frame(s, row);
	/* the TOP URL: where the debugger sends requests to reach the line */
	out->url = row->g.nurls ? model_url(s->m, row->g.urls[0].url) : NULL;
	return true;
}

static unsigned
sites_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	struct sites *s = v->priv;
	int c;

	sync(s);
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
