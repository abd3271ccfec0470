/* tui_prompt.c - the status line: a message, or the one-line prompt that
 * edits a filter, a kind of request or the burst shape (htop's
 * LineEditor: its state, keys and drawing together). */
#include "tui_int.h"

#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

unsigned
tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_role = error ? TUI_ROLE_STATUS_ERROR : TUI_ROLE_STATUS_INFO;
	return TUI_DRAW_STATUS;
}

void
tui_prompt_open(struct tui *t, const char *label, const char *initial, tui_prompt_cb done)
{
	t->prompt.active = true;
	snprintf(t->prompt.label, sizeof t->prompt.label, "%s", label);
	snprintf(t->prompt.buf, sizeof t->prompt.buf, "%s", initial ? initial : "");
	t->prompt.len = strlen(t->prompt.buf);
	t->prompt.done = done;
}

static void
prompt_backspace(struct tui *t)
{
	/* drop one UTF-8 character: continuation bytes, then its lead byte */
	while (t->prompt.len && ((unsigned char)t->prompt.buf[t->prompt.len - 1] & 0xc0) == 0x80)
		t->prompt.len--;
	if (t->prompt.len)
		t->prompt.len--;
	t->prompt.buf[t->prompt.len] = '\0';
}

unsigned
tui_prompt_key(struct tui *t, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t l;

	switch (key) {
	case '\n':
	case '\r':
	case TK(KEY_ENTER):
		t->prompt.active = false;
		t->status[0] = '\0';
		return t->prompt.done(t, t->prompt.buf) | TUI_DRAW_STATUS;
	case 27:
	case TUI_CTRL('g'):
		t->prompt.active = false;
		return tui_message(t, false, "cancelled");
	case TK(KEY_BACKSPACE):
	case 127:
	case TUI_CTRL('h'):
		prompt_backspace(t);
		return TUI_DRAW_STATUS;
	case TUI_CTRL('u'):
		t->prompt.len = 0;
		t->prompt.buf[0] = '\0';
		return TUI_DRAW_STATUS;
	}
	if ((key & TUI_KEYCODE) || key < 0x20 || key == 0x7f)
		return 0;
	memset(&st, 0, sizeof st);
	l = wcrtomb(mb, (wchar_t)key, &st);
	if (l == (size_t)-1 || t->prompt.len + l >= sizeof t->prompt.buf)
		return 0;
	memcpy(t->prompt.buf + t->prompt.len, mb, l);
	t->prompt.len += l;
	t->prompt.buf[t->prompt.len] = '\0';
	return TUI_DRAW_STATUS;
}

void
tui_prompt_draw(struct tui *t, int y)
{
	int x;

	if (t->prompt.active) {
		x = tui_draw_text(y, 0, t->cols, TUI_ROLE_PROMPT, t->prompt.label, 0);
		x += tui_draw_text(y, x, t->cols - x - 1, TUI_ROLE_NORMAL, t->prompt.buf, TUI_TEXT_CLIP_LEFT);
		tui_draw_text(y, x, t->cols - x, TUI_ROLE_CURSOR, " ", 0);
		return;
	}
	tui_draw_text(y, 0, t->cols, t->status_role, t->status, 0);
}

