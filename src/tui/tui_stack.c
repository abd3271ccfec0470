/* tui_stack.c - a site's backtrace, and the source of the selected
 * frame: moving down the frames walks the code from the allocation up to
 * the event loop. */
#include "tui_int.h"
#include "escape.h"
#include "memerrors.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "tui_source.h"
#include "tui_fmt.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Source beside the frames from this width on, below them otherwise. */
#define SIDE_BY_SIDE_COLS 160

struct stack {
	const struct model *m;	/* the frames' table */
	/* a row of a sites table: its sites, biggest first */
	uint32_t *sites;
	/* or a memcheck error: its stacks */
	const struct memerrors *errs;
	size_t err;
	size_t nstacks, which;	/* stacks to flip through (n p), the one shown */
	bool multi;		/* several processes fed m: the header names a site's pids */
	struct tui_list frames;
	int frames_y, frames_h;	/* where the frame list was drawn */
};

/* The stack shown: frame ids, and the frame marked ">" (the site). */
struct shown {
	const uint32_t *ids;
	size_t n;
	size_t mark;
};

static const struct memerror *
cur_error(const struct stack *st)
{
	return memerrors_get(st->errs, st->err);
}

/* The first frame of an error's note stack that is not an allocator:
 * "Block was alloc'd at" means the caller of malloc. */
static size_t
first_caller(const struct model *m, const struct memerror_stack *ms)
{
	size_t i;

	for (i = 0; i < ms->nframes; i++)
		if (!model_frame(m, ms->frames[i])->alloc)
			return i;
	return 0;
}

static struct shown
cur_stack(const struct stack *st)
{
	struct shown sh;

	if (st->errs) {
		const struct memerror *r = cur_error(st);
		const struct memerror_stack *ms = &r->stacks[st->which];

		sh.ids = ms->frames;
		sh.n = ms->nframes;
		sh.mark = st->which ? first_caller(st->m, ms) : r->at;
	} else {
		const struct model_site *s = model_site(st->m, st->sites[st->which]);

		sh.ids = s->frames;
		sh.n = s->nframes;
		sh.mark = s->alloc_at;
	}
	return sh;
}

static const struct model_frame *
shown_frame(const struct stack *st, const struct shown *sh, size_t i)
{
	return i < sh->n ? model_frame(st->m, sh->ids[i]) : NULL;
}

static void
show_stack(struct stack *st, size_t which)
{
	struct shown sh;

	st->which = which;
	sh = cur_stack(st);
	st->frames.n = sh.n;
	/* start where the leak or error is made, not in malloc */
	st->frames.cur = sh.mark;
	st->frames.top = 0;
}

void *
tui_stack_new_sites(const struct model *m, const uint32_t *sites, size_t n)
{
	struct stack *st = xcalloc(1, sizeof *st);

	st->m = m;
	st->sites = xmalloc((n ? n : 1) * sizeof *st->sites);
	memcpy(st->sites, sites, n * sizeof *sites);
	st->nstacks = n;
	st->multi = tui_procs_model_multi(m);
	show_stack(st, 0);
	return st;
}

void *
tui_stack_new_error(const struct model *m, const struct memerrors *e, size_t i)
{
	struct stack *st = xcalloc(1, sizeof *st);

	st->m = m;
	st->errs = e;
	st->err = i;
	st->nstacks = memerrors_get(e, i)->nstacks;
	show_stack(st, 0);
	return st;
}

static void
stack_done(struct tui_view *v)
{
	struct stack *st = v->priv;

	free(st->sites);
	free(st);
}

/* ---- drawing ---- */

static void
site_summary(struct tui *t, struct stack *st, int y)
{
	const struct model_site *s = model_site(st->m, st->sites[st->which]), *hs;
	struct sbuf b = SBUF_INIT;
	char n1[32], n2[32], n3[32], n4[32], *holder;

	/* what matters first: a narrow screen cuts the end */
	if (st->nstacks > 1)
		sbuf_printf(&b, "stack %zu/%zu (n p) | ", st->which + 1, st->nstacks);
	sbuf_printf(&b, "%s | %s B/req", model_growth_name(s->growth),
		tui_fmt_rate(n4, sizeof n4, s->bytes_per_request, 12));
	if (s->bytes_per_reload > 0)
		sbuf_printf(&b, " | +%s B/reload", tui_fmt_rate(n4, sizeof n4, s->bytes_per_reload, 12));
	tui_procs_site_pids(&b, s, st->multi);
	sbuf_adds(&b, " | ");
	if (tui_fmt_urls(&b, st->m, s->urls, s->nurls, s->attrib))
		sbuf_adds(&b, " | ");
	sbuf_printf(&b, "%s | %s B in %s blocks | %s since last check | "
		"first in check #%u", leak_kind_short(s->kind),
		tui_fmt_grouped(n1, sizeof n1, s->bytes), tui_fmt_grouped(n2, sizeof n2, s->blocks),
		tui_fmt_delta(n3, sizeof n3, s->delta_bytes, 20), s->first_round);
	/* its own holder, else the one found for another stack of its line */
	holder = report_holder_text(st->m, &s->holder, s->growth == GROWTH_GROWING);
	if (!holder && (hs = report_group_holder(st->m, s->kind, model_site_alloc_frame(s))))
		holder = report_holder_text(st->m, &hs->holder, s->growth == GROWTH_GROWING);
	if (holder)
		sbuf_printf(&b, " | held: %s", holder);
	free(holder);
	tui_draw_text(y, 0, t->cols, s->growth == GROWTH_GROWING ? TUI_ROLE_GROWING : TUI_ROLE_DETAIL,
		b.data, 0);
	sbuf_free(&b);
}

/* "InvalidRead x3 | Invalid read of size 1", then the shown stack's note. */
static void
error_summary(struct tui *t, struct stack *st, int y)
{
	const struct memerror *r = cur_error(st);
	const char *note = r->stacks[st->which].note;
	struct sbuf b = SBUF_INIT;
	char n1[32];

	if (st->nstacks > 1)
		sbuf_printf(&b, "stack %zu/%zu (n p) | ", st->which + 1, st->nstacks);
	sbuf_printf(&b, "%s x%s | %s", r->kind_name, tui_fmt_grouped(n1, sizeof n1, r->count),
		st->which && *note ? note : r->what);
	if (r->remarks && *r->remarks)
		sbuf_printf(&b, " | %s", r->remarks);
	tui_draw_text(y, 0, t->cols, TUI_ROLE_GROWING, b.data, 0);
	sbuf_free(&b);
}

/* Function column: as wide as the longest name, at most 55%. */
static int
function_width(struct stack *st, int w)
{
	struct shown sh = cur_stack(st);
	size_t i, max = 8;

	for (i = 0; i < sh.n; i++) {
		const char *fn = shown_frame(st, &sh, i)->fn;
		char *shown = escape_dup(fn, strlen(fn), 0);	/* as wide as drawn */
		size_t n = strlen(shown);

		max = n > max ? n : max;
		free(shown);
	}
	return (int)max + 2 < w * 55 / 100 ? (int)max + 2 : w * 55 / 100;
}

static void
draw_frame(struct stack *st, int y, int w, int fn_w, size_t i)
{
	struct shown sh = cur_stack(st);
	const struct model_frame *f = shown_frame(st, &sh, i);
	unsigned cur = i == st->frames.cur ? TUI_TEXT_CURSOR : 0;
	enum tui_role fn_role = f->alloc ? TUI_ROLE_ALLOC_FRAME : TUI_ROLE_FRAME_FN;
	enum tui_role loc_role = f->alloc ? TUI_ROLE_ALLOC_FRAME : TUI_ROLE_FRAME_LOC;
	char idx[32], *loc;
	int x = 0;

	if (cur)
		tui_draw_text(y, 0, w, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	/* ">" marks the allocation site: where the leak is made */
	snprintf(idx, sizeof idx, "%s#%-3zu", i == sh.mark ? ">" : " ", i);
	x += tui_draw_text(y, x, 6, loc_role, idx, TUI_TEXT_PAD | cur);
	tui_draw_text(y, x, fn_w - 1, fn_role, *f->fn ? f->fn : "???", cur);
	x += fn_w;
	loc = report_frame_location(f);	/* "file.c:123", "(object)" without debug info */
	tui_draw_text(y, x, w - x, loc_role, loc, TUI_TEXT_CLIP_LEFT | cur);
	free(loc);
}

/* The selected frame's file around its line, the line highlighted. */
static void
draw_source(struct tui *t, struct stack *st, int y0, int y1, int x, int w)
{
	struct shown sh = cur_stack(st);
	const struct model_frame *f = shown_frame(st, &sh, st->frames.cur);
	char none[600];
	struct tui_srcview p;

	if (!f)
		return;
	snprintf(none, sizeof none, "no source for %s: no debug info in %s", *f->fn ? f->fn : "???",
		*f->obj ? f->obj : "?");
	p = (struct tui_srcview){ .file = f->file, .line = f->line, .none = none };
	tui_srcview_draw(t, &p, y0, y1, x, w);
}

static void
stack_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct stack *st = v->priv;
	bool beside = t->cols >= SIDE_BY_SIDE_COLS;
	int fw = beside ? t->cols * 45 / 100 : t->cols, y, h, max_h, fn_w;
	size_t i;

	if (st->errs)
		error_summary(t, st, y0);
	else
		site_summary(t, st, y0);
	st->frames_y = y0 + 1;
	max_h = y1 - st->frames_y;
	h = beside ? max_h : (int)st->frames.n < max_h * 2 / 5 ? (int)st->frames.n : max_h * 2 / 5;
	if (h < 3 && max_h >= 3)
		h = 3;
	st->frames_h = h;
	tui_list_fit(&st->frames, h);
	fn_w = function_width(st, fw - 6);
	for (y = st->frames_y, i = st->frames.top; i < st->frames.n && y < st->frames_y + h; i++, y++)
		draw_frame(st, y, fw, fn_w, i);
	if (beside)
		draw_source(t, st, st->frames_y, y1, fw + 1, t->cols - fw - 1);
	else
		draw_source(t, st, st->frames_y + h, y1, 0, t->cols);
}

/* ---- actions ---- */

static unsigned
stack_request(struct tui *t, struct tui_view *v, enum tui_action a)
{
	struct stack *st = v->priv;

	switch (a) {
	case TUI_ACT_NEXT_STACK:
	case TUI_ACT_PREV_STACK:
		if (st->nstacks < 2)
			return tui_message(t, false, st->errs ? "this error has one stack" :
				"this site has one stack");
		show_stack(st, (st->which + (a == TUI_ACT_NEXT_STACK ? 1 : st->nstacks - 1)) %
			st->nstacks);
		return TUI_DRAW_BODY;
	default:
		return tui_list_move(&st->frames, a, st->frames_h);
	}
}

/* The selected frame (EDIT); a backtrace opens nothing further. */
static bool
stack_select(struct tui *t, struct tui_view *v, struct tui_selection *out)
{
	struct stack *st = v->priv;
	struct shown sh = cur_stack(st);

	(void)t;
	out->model = st->m;
	out->frame = shown_frame(st, &sh, st->frames.cur);
	return true;
}

static unsigned
stack_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	struct stack *st = v->priv;

	(void)t;
	if (m->what != TUI_MOUSE_CLICK)
		return tui_list_wheel(&st->frames, m, st->frames_h);
	return tui_list_click(&st->frames, m->y, st->frames_y, st->frames_h) == TUI_LIST_MISS ? 0 :
		TUI_DRAW_BODY;
}

const struct tui_view_ops tui_stack_ops = {
	.name = "stack",
	.scope = TUI_SC_STACK,
	.draw = stack_draw,
	.request = stack_request,
	.mouse = stack_mouse,
	.select = stack_select,
	/* Sites only grow in number and a stack never changes: nothing to
	 * refresh when a round comes in (a new model closes this view). */
	.model_changed = NULL,
	.done = stack_done,
};
