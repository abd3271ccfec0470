/* tui_srcview.c - the source pane: a file around a line, the line lit. The
 * backtrace view shows the selected frame's; the debugger view the
 * stopped frame's, with its breakpoints and a cursor in a gutter. */
#include "tui_int.h"
#include "sbuf.h"
#include "tui_source.h"

#include <stdio.h>
#include <string.h>

static bool
is_mark(const struct tui_srcview *p, size_t line)
{
	size_t i;

	for (i = 0; i < p->nmarks; i++)
		if (p->marks[i] == line)
			return true;
	return false;
}

/* The first line shown: the line in the middle, the window inside the file. */
static size_t
first_line(size_t line, size_t n, size_t h)
{
	size_t first = line > h / 2 ? line - h / 2 : 1;

	if (first + h > n + 1)
		first = n + 1 > h ? n + 1 - h : 1;
	return first;
}

/* "*>" before the number: a breakpoint, the cursor. */
static int
draw_gutter(const struct tui_srcview *p, int y, int x, size_t line)
{
	char g[3] = { is_mark(p, line) ? '*' : ' ', line == p->cursor ? '>' : ' ', '\0' };

	return tui_draw_text(y, x, 2, is_mark(p, line) ? TUI_ROLE_UP : TUI_ROLE_SRC_LINENO, g, 0);
}

static void
draw_lines(struct tui *t, const struct tui_srcview *p, const struct tui_source_file *src,
	int y0, int y1, int x, int w)
{
	size_t n = tui_source_nlines(src), line = p->line, cur;
	size_t first = first_line(p->cursor ? p->cursor : line, n, (size_t)(y1 - y0));
	int y;

	(void)t;
	for (y = y0; y < y1 && first <= n; y++, first++) {
		size_t len;
		const char *text = tui_source_line(src, first, &len);
		bool here = first == line;
		enum tui_role role = here ? TUI_ROLE_SRC_CURRENT : TUI_ROLE_SRC_LINENO;
		char num[16];
		int xx = x;

		cur = p->gutter && first == p->cursor && !here ? TUI_TEXT_CURSOR : 0;
		snprintf(num, sizeof num, "%5zu ", first);
		if (here)
			tui_draw_text(y, x, w, TUI_ROLE_SRC_CURRENT, "", TUI_TEXT_PAD);
		if (p->gutter)
			xx += draw_gutter(p, y, xx, first);
		xx += tui_draw_text(y, xx, x + w - xx, role, num, (unsigned)cur);
		tui_draw_textn(y, xx, x + w - xx, here ? TUI_ROLE_SRC_CURRENT : TUI_ROLE_NORMAL, text,
			len, TUI_TEXT_TABS);
	}
	if (line > n)
		tui_draw_text(y0, x, w, TUI_ROLE_STATUS_WARN,
			"the file is shorter than this line: not the source of this build?", 0);
}

void
tui_srcview_draw(struct tui *t, const struct tui_srcview *p, int y0, int y1, int x, int w)
{
	const struct tui_source_file *src;
	struct sbuf b = SBUF_INIT;
	char err[600];

	if (y1 <= y0)
		return;
	if (!p->file || !*p->file) {
		tui_draw_text(y0, x, w, TUI_ROLE_DETAIL, p->none ? p->none : "no source", 0);
		return;
	}
	src = tui_source_get(t->sources, p->file, err, sizeof err);
	sbuf_printf(&b, "%s:%u", src ? tui_source_path(src) : p->file, p->line);
	tui_draw_text(y0, x, w, TUI_ROLE_SRC_TITLE, b.data, TUI_TEXT_CLIP_LEFT | TUI_TEXT_PAD);
	sbuf_free(&b);
	if (!src) {
		if (y0 + 1 < y1)
			tui_draw_text(y0 + 1, x, w, TUI_ROLE_STATUS_WARN, err, 0);
		return;
	}
	draw_lines(t, p, src, y0 + 1, y1, x, w);
}
