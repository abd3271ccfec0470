/* tui_sites_draw.c - the sites table drawn: columns as wide as what is
 * on screen needs, a row per line, the info and detail lines. */
#include "tui_sites.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "tui_fmt.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Below this width the numbers get narrow columns and kinds 3 letters. */
#define WIDE_COLS 110
#define MIN_FUNCTION 10
#define URL_MAX 18
#define MIN_HISTORY 7	/* "HISTORY" */

struct layout {
	bool wide;
	int x[TUI_COL_COUNT], w[TUI_COL_COUNT];
};

static const char *const kind_narrow[LEAK_KIND_COUNT] = { "def", "ind", "pos", "rch" };

const struct model *
tui_sites_row_model(const struct sites *s, const struct tui_row *row)
{
	return row->old_only ? s->rows.old : s->m;
}

static char *
row_location(const struct sites *s, const struct tui_row *row)
{
	const struct model *m = tui_sites_row_model(s, row);

	return report_site_location(m, model_site(m, s->rows.members[row->first]));
}

const struct model_frame *
tui_sites_row_frame(const struct sites *s, const struct tui_row *row)
{
	return row->g.at != UINT32_MAX ? model_frame(tui_sites_row_model(s, row), row->g.at) : NULL;
}

/* What the TOP URL cell of a row needs: "/leak/pool 1088", "more rounds". */
static int
url_width(const struct model *m, const struct model_group *g)
{
	char rate[32];

	if (!g->nurls)
		return g->attrib == MODEL_ATTRIB_FEW_ROUNDS ? 11 : 0;
	tui_fmt_rate(rate, sizeof rate, g->urls[0].bytes_per_request, 6);
	return (int)(strlen(report_url_path(model_url(m, g->urls[0].url))) + 1 + strlen(rate));
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
	/* "VERDICT" and the sort arrow; "under budget" when a row is */
	L->w[TUI_COL_VERDICT] = s->rows.under_budget ? 12 : 8;
	/* --baseline: B/REQ in the baseline run, and what changed */
	if (s->rows.diff) {
		L->w[TUI_COL_BEFORE] = L->wide ? 7 : 6;
		L->w[TUI_COL_CHANGE] = L->wide ? 9 : 6;
	}
	/* with the change columns, the history gives them its room */
	L->w[TUI_COL_HISTORY] = !L->wide ? 6 : s->rows.diff ? MIN_HISTORY : 12;
	/* Text columns as wide as what is on screen needs, within the rest. */
	for (k = s->list.top; k < s->rows.nrows && k < s->list.top + (size_t)s->height; k++) {
		const struct model_frame *f = tui_sites_row_frame(s, &s->rows.rows[k]);
		char *loc = row_location(s, &s->rows.rows[k]);
		int uw = url_width(tui_sites_row_model(s, &s->rows.rows[k]), &s->rows.rows[k].g);

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
	return c >= TUI_COL_BYTES && c <= TUI_COL_BEFORE;
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
	const struct model *m = tui_sites_row_model(s, row);
	size_t n = model_nrounds(m), w = (size_t)width < n ? (size_t)width : n, r, i;
	uint64_t v[64];

	if (w > LT_ARRAY_SIZE(v))
		w = LT_ARRAY_SIZE(v);
	for (r = 0; r < w; r++) {
		v[r] = 0;
		for (i = 0; i < row->g.nsites; i++)
			v[r] += model_site_bytes(m, s->rows.members[row->first + i], n - w + r);
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
draw_url(const struct model *m, const struct layout *L, int y, const struct model_group *g,
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
	tui_draw_text(y, x, w - rw - 1, base, report_url_path(model_url(m, g->urls[0].url)), cur);
	tui_draw_text(y, x + w - rw - 1, rw + 1, base, rate, TUI_TEXT_RIGHT | cur);
}

/* --baseline: B/REQ before, and the change (new, worse: up; fixed,
 * better: down). */
static void
draw_change(const struct layout *L, int y, const struct tui_row *row, enum tui_role base,
	unsigned cur)
{
	char buf[32];
	enum tui_role role = base;

	if (!L->w[TUI_COL_CHANGE])
		return;
	buf[0] = '\0';
	if (row->before >= 0)
		tui_fmt_rate(buf, sizeof buf, row->before, L->w[TUI_COL_BEFORE]);
	tui_draw_text(y, L->x[TUI_COL_BEFORE], L->w[TUI_COL_BEFORE], base, row->before >= 0 ? buf : "-",
		TUI_TEXT_RIGHT | cur);
	if (row->change == REPORT_NEW || row->change == REPORT_WORSE)
		role = TUI_ROLE_UP;
	else if (row->change == REPORT_FIXED || row->change == REPORT_BETTER)
		role = TUI_ROLE_DOWN;
	tui_draw_text(y, L->x[TUI_COL_CHANGE], L->w[TUI_COL_CHANGE], role,
		row->change == TUI_NO_CHANGE ? "" : row->change == REPORT_SAME && !L->wide ? "same" :
		report_change_name((enum report_change)row->change), cur);
}

static void
draw_row(struct tui *t, struct sites *s, const struct layout *L, int y, size_t k)
{
	const struct tui_row *row = &s->rows.rows[k];
	const struct model_group *g = &row->g;
	const struct model_frame *f = tui_sites_row_frame(s, row);
	unsigned cur = k == s->list.cur ? TUI_TEXT_CURSOR : 0;
	enum tui_role base = g->growth == GROWTH_GROWING ? TUI_ROLE_GROWING :
		g->growth == GROWTH_STABLE ? TUI_ROLE_STABLE : TUI_ROLE_NORMAL;
	char buf[256];
	char *loc = row_location(s, row);
	int mark = !row->old_only && tui_marks_has(&s->marks, tui_marks_key(row));

	if (row->old_only)	/* fixed: the baseline's numbers, in the past */
		base = TUI_ROLE_STABLE;
	if (cur)
		tui_draw_text(y, 0, t->cols, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	if (mark)	/* marked (space): W writes its suppression */
		tui_draw_text(y, L->x[TUI_COL_SITE], 1, TUI_ROLE_MARKED, "*", cur);
	tui_draw_text(y, L->x[TUI_COL_SITE] + mark, L->w[TUI_COL_SITE] - mark,
		mark ? TUI_ROLE_MARKED : base, loc, TUI_TEXT_CLIP_LEFT | cur);
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
	draw_change(L, y, row, base, cur);
	/* a growing row the budgets excuse says so */
	tui_draw_text(y, L->x[TUI_COL_VERDICT], L->w[TUI_COL_VERDICT],
		row->verdict == REPORT_UNDER_BUDGET ? TUI_ROLE_BOUNDED : verdict_role(g->growth),
		row->verdict == REPORT_UNDER_BUDGET ? report_verdict_name(row->verdict) :
		model_growth_name(g->growth), cur);
	if (L->w[TUI_COL_URL])
		draw_url(tui_sites_row_model(s, row), L, y, g, base, cur);
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
	if (s->rows.nsuppressed)
		sbuf_printf(&b, " | %zu suppressed", s->rows.nsuppressed);
	if (f->changes_only)
		sbuf_printf(&b, " | new and worse only (C: all), %zu hidden", s->rows.nchanges_hidden);
	if (s->marks.n)
		sbuf_printf(&b, " | %zu marked (W: suppress, U: unmark)", s->marks.n);
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
	const struct tui_row *row = tui_sites_sel(s);
	const struct model *m = row ? tui_sites_row_model(s, row) : s->m;
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
	f = tui_sites_row_frame(s, row);
	/* the URLs early: a narrow screen cuts the end */
	if (row->old_only)
		sbuf_adds(&b, "fixed: in the baseline run only, its numbers | ");
	sbuf_printf(&b, "%s | %s | ", f && *f->fn ? f->fn : "???", leak_kind_short(row->g.kind));
	per_reload = tui_procs_per_reload(m, &row->g, s->rows.members + row->first);
	if (per_reload > 0)
		sbuf_printf(&b, "+%s B/reload | ", tui_fmt_rate(n1, sizeof n1, per_reload, 12));
	if (tui_fmt_urls(&b, m, row->g.urls, row->g.nurls, row->g.attrib))
		sbuf_adds(&b, " | ");
	sbuf_printf(&b, "%s B in %s blocks | %zu stack%s | ",
		tui_fmt_grouped(n1, sizeof n1, row->g.bytes), tui_fmt_grouped(n2, sizeof n2, row->g.blocks),
		row->g.nsites, row->g.nsites == 1 ? "" : "s");
	holder_note(&b, m, report_group_holder(m, row->g.kind, row->g.at),
		row->g.growth == GROWTH_GROWING);
	tui_list_detail(t, y, b.data, t->cols, f);
	sbuf_free(&b);
}

void
tui_sites_paint(struct tui *t, struct sites *s, int y0, int y1)
{
	struct layout L;
	size_t k;
	int y;

	lay_out(t, s, &L);
	draw_info(t, s, y0);
	draw_titles(t, s, &L, s->head_y);
	for (y = s->head_y + 1, k = s->list.top; k < s->rows.nrows && y < y1 - 1; k++, y++)
		draw_row(t, s, &L, y, k);
	draw_detail(t, s, y1 - 1);
}
