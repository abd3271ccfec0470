/* tui_errors.c - memcheck errors as they arrive: invalid reads and
 * writes, uninitialised values, bad frees. One row per kind + stack (the
 * grouping memerrors keeps), in the order they first happened; Enter shows
 * the backtraces and the source, as for a leak. */
#include "tui_int.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "tui_fmt.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Columns: where, function, kind, count, first check, what. */
enum {
	COL_AT,
	COL_FN,
	COL_KIND,
	COL_COUNT,
	COL_FIRST,
	COL_WHAT,
	NCOLS
};

static const char *const titles[NCOLS] = { "ERROR AT", "FUNCTION", "KIND", "COUNT", "AFTER",
	"WHAT" };

/* The error's text keeps at least this much of a narrow screen. */
#define WHAT_MIN 24

struct errors_view {
	struct tui_list list;
	int height;		/* rows of the last frame */
	int head_y;
	int x[NCOLS], w[NCOLS];
};

static size_t
nerrors(const struct tui *t)
{
	return t->errors ? memerrors_count(t->errors) : 0;
}

/* The frame where the error happened: the first one outside valgrind. */
static const struct model_frame *
at_frame(const struct tui *t, const struct memerror *r)
{
	return r->nstacks && r->stacks[0].nframes ? model_frame(t->model,
		r->stacks[0].frames[r->at]) : NULL;
}

void *
tui_errors_new(void)
{
	return xcalloc(1, sizeof(struct errors_view));
}

static void
errors_done(struct tui_view *v)
{
	free(v->priv);
}

/* ---- drawing ---- */

static void
lay_out(struct tui *t, struct errors_view *ev)
{
	int at_max = 8, fn_max = 8, c, rest;
	size_t i, n = nerrors(t);

	for (i = ev->list.top; i < n && i < ev->list.top + (size_t)ev->height; i++) {
		const struct model_frame *f = at_frame(t, memerrors_get(t->errors, i));
		char *loc = report_frame_location(f);

		at_max = (int)strlen(loc) > at_max ? (int)strlen(loc) : at_max;
		if (f && (int)strlen(f->fn) > fn_max)
			fn_max = (int)strlen(f->fn);
		free(loc);
	}
	ev->w[COL_KIND] = 15;	/* "UninitCondition" */
	ev->w[COL_COUNT] = 7;
	ev->w[COL_FIRST] = 5;
	rest = t->cols - ev->w[COL_KIND] - ev->w[COL_COUNT] - ev->w[COL_FIRST] - NCOLS;
	/* location and function as wide as they need while the text keeps
	 * WHAT_MIN; else they share what is left in proportion */
	if (at_max + fn_max > rest - WHAT_MIN) {
		int room = rest - WHAT_MIN > 16 ? rest - WHAT_MIN : 16;

		at_max = at_max * room / (at_max + fn_max);
		fn_max = room - at_max;
	}
	ev->w[COL_AT] = at_max;
	ev->w[COL_FN] = fn_max;
	ev->w[COL_WHAT] = rest - at_max - fn_max;
	for (c = 0; c < NCOLS; c++)
		ev->x[c] = c ? ev->x[c - 1] + ev->w[c - 1] + 1 : 0;
}

static void
draw_titles(struct tui *t, struct errors_view *ev, int y)
{
	int c;

	tui_draw_text(y, 0, t->cols, TUI_ROLE_COLUMN, "", TUI_TEXT_PAD);
	for (c = 0; c < NCOLS; c++)
		tui_draw_text(y, ev->x[c], ev->w[c], TUI_ROLE_COLUMN, titles[c],
			c == COL_COUNT || c == COL_FIRST ? TUI_TEXT_RIGHT : 0);
}

static void
draw_row(struct tui *t, struct errors_view *ev, int y, size_t i)
{
	const struct memerror *r = memerrors_get(t->errors, i);
	const struct model_frame *f = at_frame(t, r);
	unsigned cur = i == ev->list.cur ? TUI_TEXT_CURSOR : 0;
	char buf[32], *loc = report_frame_location(f);

	if (cur)
		tui_draw_text(y, 0, t->cols, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	tui_draw_text(y, ev->x[COL_AT], ev->w[COL_AT], TUI_ROLE_GROWING, loc, TUI_TEXT_CLIP_LEFT | cur);
	free(loc);
	tui_draw_text(y, ev->x[COL_FN], ev->w[COL_FN], TUI_ROLE_NORMAL, f && *f->fn ? f->fn : "???",
		TUI_TEXT_CLIP_LEFT | cur);
	tui_draw_text(y, ev->x[COL_KIND], ev->w[COL_KIND], TUI_ROLE_NORMAL, r->kind_name, cur);
	tui_fmt_grouped(buf, sizeof buf, r->count);
	tui_draw_text(y, ev->x[COL_COUNT], ev->w[COL_COUNT], TUI_ROLE_NORMAL, buf, TUI_TEXT_RIGHT | cur);
	/* the last leak check before it first happened */
	if (r->first_round)
		snprintf(buf, sizeof buf, "#%zu", r->first_round - 1);
	else
		snprintf(buf, sizeof buf, "start");
	tui_draw_text(y, ev->x[COL_FIRST], ev->w[COL_FIRST], TUI_ROLE_DETAIL, buf, TUI_TEXT_RIGHT | cur);
	tui_draw_text(y, ev->x[COL_WHAT], ev->w[COL_WHAT], TUI_ROLE_NORMAL, r->what, cur);
}

static void
draw_info(struct tui *t, int y)
{
	struct sbuf b = SBUF_INIT;
	size_t n = nerrors(t);

	if (!t->errors)
		sbuf_adds(&b, "no memcheck errors recorded here");
	else
		sbuf_printf(&b, "memcheck errors (E: back) | %zu error%s by kind and stack, %llu "
			"occurrence%s | AFTER: the last leak check before the first one | COUNT: "
			"valgrind's totals come when nginx exits", n, n == 1 ? "" : "s",
			(unsigned long long)memerrors_total(t->errors),
			memerrors_total(t->errors) == 1 ? "" : "s");
	tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, b.data, 0);
	sbuf_free(&b);
}

/* The selected error in full: its text, its notes, the whole path. */
static void
draw_detail(struct tui *t, struct errors_view *ev, int y)
{
	const struct memerror *r;
	const struct model_frame *f;
	struct sbuf b = SBUF_INIT;

	if (ev->list.cur >= nerrors(t)) {
		tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, "no memcheck error so far: each one "
			"shows here as valgrind reports it", 0);
		return;
	}
	r = memerrors_get(t->errors, ev->list.cur);
	f = at_frame(t, r);
	sbuf_printf(&b, "%s%s%s | ", r->what, r->remarks && *r->remarks ? "; " : "",
		r->remarks ? r->remarks : "");
	tui_list_detail(t, y, b.data, t->cols * 2 / 3, f);
	sbuf_free(&b);
}

static void
errors_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct errors_view *ev = v->priv;
	size_t i;
	int y;

	ev->head_y = y0 + 1;
	ev->height = y1 - y0 - 3;
	ev->list.n = nerrors(t);
	tui_list_fit(&ev->list, ev->height);
	lay_out(t, ev);
	draw_info(t, y0);
	draw_titles(t, ev, ev->head_y);
	for (y = ev->head_y + 1, i = ev->list.top; i < ev->list.n && y < y1 - 1; i++, y++)
		draw_row(t, ev, y, i);
	draw_detail(t, ev, y1 - 1);
}

/* ---- actions ---- */

static unsigned
errors_request(struct tui *t, struct tui_view *v, enum tui_action a)
{
	struct errors_view *ev = v->priv;
	ev->list.n = nerrors(t);
	return tui_list_move(&ev->list, a, ev->height);
}

static bool
errors_select(struct tui *t, struct tui_view *v, struct tui_selection *out)
{
	struct errors_view *ev = v->priv;

	ev->list.n = nerrors(t);
	if (ev->list.cur >= ev->list.n) {
		tui_message(t, true, "no error selected");
		return false;
	}
	out->model = t->model;	/* errors' frames are interned in the live model */
	out->errors = t->errors;
	out->error = ev->list.cur;
	out->frame = at_frame(t, memerrors_get(t->errors, ev->list.cur));
	return true;
}

static unsigned
errors_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	struct errors_view *ev = v->priv;

	ev->list.n = nerrors(t);
	if (m->what != TUI_MOUSE_CLICK)
		return tui_list_wheel(&ev->list, m, ev->height);
	switch (tui_list_click(&ev->list, m->y, ev->head_y + 1, ev->height)) {
	case TUI_LIST_OPEN:
		return TUI_UNHANDLED;
	case TUI_LIST_MOVED:
		return TUI_DRAW_BODY;
	default:
		return 0;
	}
}

const struct tui_view_ops tui_errors_ops = {
	.name = "errors",
	.scope = TUI_SC_ERRORS,
	.draw = errors_draw,
	.request = errors_request,
	.mouse = errors_mouse,
	.select = errors_select,
	/* rows are read from memerrors at each frame: nothing is cached */
	.model_changed = NULL,
	.done = errors_done,
};
