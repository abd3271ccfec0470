/* tui_list.c - the list cursor of the tables (htop's widget: its state,
 * its keys, its mouse), and the detail line under a table. */
#include "tui_int.h"
#include "model.h"
#include "sbuf.h"

#include <stddef.h>

void
tui_list_fit(struct tui_list *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	if (!l->n) {
		l->cur = l->top = 0;
		return;
	}
	if (l->cur >= l->n)
		l->cur = l->n - 1;
	if (l->top > l->cur)
		l->top = l->cur;
	if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
	/* no blank rows at the end while the list could fill them */
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
}

unsigned
tui_list_move(struct tui_list *l, enum tui_action a, int height)
{
	size_t h = height > 1 ? (size_t)height - 1 : 1;

	switch (a) {
	case TUI_ACT_UP:
		if (l->cur)
			l->cur--;
		break;
	case TUI_ACT_DOWN:
		if (l->cur + 1 < l->n)
			l->cur++;
		break;
	case TUI_ACT_PAGE_UP:
		l->cur = l->cur > h ? l->cur - h : 0;
		l->top = l->top > h ? l->top - h : 0;
		break;
	case TUI_ACT_PAGE_DOWN:
		l->cur = l->n && l->cur + h >= l->n ? l->n - 1 : l->cur + h;
		l->top += h;
		break;
	case TUI_ACT_FIRST:
		l->cur = 0;
		break;
	case TUI_ACT_LAST:
		l->cur = l->n ? l->n - 1 : 0;
		break;
	default:
		return TUI_UNHANDLED;
	}
	tui_list_fit(l, height);
	return TUI_DRAW_BODY;
}

unsigned
tui_list_wheel(struct tui_list *l, const struct tui_mouse *m, int height)
{
	int i;

	for (i = 0; i < 3; i++)
		tui_list_move(l, m->what == TUI_MOUSE_WHEEL_UP ? TUI_ACT_UP : TUI_ACT_DOWN, height);
	return TUI_DRAW_BODY;
}

int
tui_list_click(struct tui_list *l, int y, int y0, int height)
{
	size_t i;

	if (y < y0 || y >= y0 + height)
		return TUI_LIST_MISS;
	i = l->top + (size_t)(y - y0);
	if (i >= l->n)
		return TUI_LIST_MISS;
	if (i == l->cur)
		return TUI_LIST_OPEN;
	l->cur = i;
	return TUI_LIST_MOVED;
}

void
tui_list_detail(struct tui *t, int y, const char *text, int text_w, const struct model_frame *f)
{
	struct sbuf b = SBUF_INIT;
	int x = tui_draw_text(y, 0, text_w, TUI_ROLE_DETAIL, text, 0);

	sbuf_printf(&b, "%s:%u", f && *f->file ? f->file : "?", f ? f->line : 0);
	tui_draw_text(y, x, t->cols - x, TUI_ROLE_DETAIL, b.data, TUI_TEXT_CLIP_LEFT);
	sbuf_free(&b);
}

