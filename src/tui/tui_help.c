/* tui_help.c - keys and verdicts. The key part is generated from the
 * action table (tui_action.h): it lists exactly what is bound. */
#include "tui_int.h"
#include "util.h"

#include <stdlib.h>

#define HELP_MAX_LINES 128
#define KEYS_WIDTH 24

/* What the table's words mean: not keys, so written here once. */
static const char *const legend[] = {
	"",
	"#Verdicts (from the baseline check on)",
	"growing: its bytes rose in each of the last two checks - a leak per request",
	"bounded: it grew, then stopped (a cache that filled, a lazy init)",
	"stable: no growth since the baseline",
	"",
	"#Columns",
	"DELTA: bytes since the previous check; B/REQ: growth per request sent",
	"HISTORY: the bytes at each check, oldest left; KIND: memcheck's word",
	"(def definitely, ind indirectly, pos possibly lost, rch still reachable)",
	"Grouped rows merge the stacks that reach one allocating line (m toggles).",
	"Frames marked > are the allocation site; allocator frames are dimmed.",
};

struct help {
	struct tui_help_line lines[HELP_MAX_LINES];
	size_t n;
	size_t top;
	int height;
};

void *
tui_help_new(void)
{
	struct help *h = xcalloc(1, sizeof *h);
	size_t i;

	h->n = tui_action_help_lines(h->lines, HELP_MAX_LINES);
	for (i = 0; i < LT_ARRAY_SIZE(legend) && h->n < HELP_MAX_LINES; i++) {
		bool title = legend[i][0] == '#';

		h->lines[h->n++] = (struct tui_help_line){ .title = title,
			.text = legend[i] + (title ? 1 : 0) };
	}
	return h;
}

static void
help_done(struct tui_view *v)
{
	free(v->priv);
}

static void
help_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct help *h = v->priv;
	size_t i;
	int y;

	h->height = y1 - y0 - 1;
	if (h->top + (size_t)h->height > h->n)
		h->top = h->n > (size_t)h->height ? h->n - (size_t)h->height : 0;
	tui_draw_text(y0, 0, t->cols, TUI_ROLE_COLUMN,
		"Keys (from the action table)   q Esc: back   j k PgUp PgDn: scroll",
		TUI_TEXT_PAD);
	for (y = y0 + 1, i = h->top; i < h->n && y < y1; i++, y++) {
		const struct tui_help_line *l = &h->lines[i];

		if (l->title) {
			tui_draw_text(y, 1, t->cols - 1, TUI_ROLE_HELP_TITLE, l->text, 0);
			continue;
		}
		if (l->keys[0]) {
			tui_draw_text(y, 2, KEYS_WIDTH, TUI_ROLE_HELP_KEY, l->keys, 0);
			tui_draw_text(y, 2 + KEYS_WIDTH, t->cols - 2 - KEYS_WIDTH, TUI_ROLE_NORMAL, l->text, 0);
		} else {
			tui_draw_text(y, 2, t->cols - 2, TUI_ROLE_NORMAL, l->text, 0);
		}
	}
}

static unsigned
help_request(struct tui *t, struct tui_view *v, enum tui_action a)
{
	struct help *h = v->priv;
	size_t page = h->height > 1 ? (size_t)h->height - 1 : 1;
	size_t max = h->n > (size_t)h->height ? h->n - (size_t)h->height : 0;

	(void)t;

	/* a text to scroll, not a list to pick from: no cursor */
	switch (a) {
	case TUI_ACT_UP:
		h->top = h->top ? h->top - 1 : 0;
		return TUI_DRAW_BODY;
	case TUI_ACT_DOWN:
		h->top = h->top < max ? h->top + 1 : max;
		return TUI_DRAW_BODY;
	case TUI_ACT_PAGE_UP:
		h->top = h->top > page ? h->top - page : 0;
		return TUI_DRAW_BODY;
	case TUI_ACT_PAGE_DOWN:
		h->top = h->top + page < max ? h->top + page : max;
		return TUI_DRAW_BODY;
	case TUI_ACT_FIRST:
		h->top = 0;
		return TUI_DRAW_BODY;
	case TUI_ACT_LAST:
		h->top = max;
		return TUI_DRAW_BODY;
	default:
		return TUI_UNHANDLED;
	}
}

static unsigned
help_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	if (m->what == TUI_MOUSE_CLICK)
		return 0;
	return help_request(t, v, m->what == TUI_MOUSE_WHEEL_UP ? TUI_ACT_UP : TUI_ACT_DOWN);
}

const struct tui_view_ops tui_help_ops = {
	.name = "help",
	.scope = TUI_SC_HELP,
	.draw = help_draw,
	.request = help_request,
	.mouse = help_mouse,
	.done = help_done,
};
