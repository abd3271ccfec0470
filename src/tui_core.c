/* tui_core.c - the screen without a session: views, key dispatch, layout,
 * the status-line prompt. The live loop (tui.c) and the tests drive it. */
#include "tui_view.h"
#include "model.h"
#include "sbuf.h"
#include "source.h"
#include "util.h"

#include <curses.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Below this the screen says so instead of drawing a broken layout. */
#define TUI_MIN_ROWS 10
#define TUI_MIN_COLS 50

struct tui *
tui_new(const struct tui_config *cfg)
{
	struct tui *t = xcalloc(1, sizeof *t);

	t->cfg = *cfg;
	t->model = cfg->model;
	t->errors = cfg->errors;
	t->exit_model = cfg->exit_model;
	t->sources = source_cache_new(cfg->source_dirs, cfg->nsource_dirs);
	t->requests = 200;
	t->concurrency = 4;
	t->status_role = TUI_ROLE_STATUS_INFO;
	t->last_header = t->last_log = -1;
	tui_view_push(t, &tui_sites_ops, tui_sites_new(cfg->model, false));
	if (draw_is_open())
		draw_size(&t->rows, &t->cols);
	return t;
}

void
tui_free(struct tui *t)
{
	if (!t)
		return;
	while (t->nviews)
		tui_view_pop(t);
	source_cache_free(t->sources);
	free(t);
}

void
tui_view_push(struct tui *t, const struct tui_view_ops *ops, void *priv)
{
	if (t->nviews == TUI_MAX_VIEWS) {
		free(priv);	/* cannot happen with the views there are */
		return;
	}
	t->views[t->nviews++] = (struct tui_view){ .ops = ops, .priv = priv };
}

void
tui_view_pop(struct tui *t)
{
	struct tui_view *v;

	if (!t->nviews)
		return;
	v = &t->views[--t->nviews];
	if (v->ops->done)
		v->ops->done(v);
	v->priv = NULL;
}

struct tui_view *
tui_view_top(struct tui *t)
{
	return &t->views[t->nviews - 1];
}

void
tui_model_changed(struct tui *t)
{
	size_t i;

	for (i = 0; i < t->nviews; i++)
		if (t->views[i].ops->model_changed)
			t->views[i].ops->model_changed(t, &t->views[i]);
}

void
tui_set_model(struct tui *t, struct model *m)
{
	/* Views above the table point at sites of the old model. */
	while (t->nviews > 1)
		tui_view_pop(t);
	t->model = m;
	tui_sites_set_model(&t->views[0], m);
	tui_model_changed(t);
}

void
tui_set_errors(struct tui *t, const struct merrors *e)
{
	/* the errors view and backtraces of errors index the old list */
	while (t->nviews > 1)
		tui_view_pop(t);
	t->errors = e;
}

unsigned
tui_set_exit_model(struct tui *t, const struct model *m, bool show)
{
	size_t i;

	/* a table of the old report closes, with what was opened from it */
	for (i = 1; i < t->nviews; i++)
		if (tui_sites_is_exit(&t->views[i])) {
			while (t->nviews > i)
				tui_view_pop(t);
			break;
		}
	t->exit_model = m;
	if (m && show) {
		while (t->nviews > 1)
			tui_view_pop(t);
		tui_view_push(t, &tui_sites_ops, tui_sites_new(m, true));
	}
	return TUI_DRAW_ALL;
}

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

/* ---- lists ---- */

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
tui_detail_draw(struct tui *t, int y, const char *text, int text_w, const struct model_frame *f)
{
	struct sbuf b = SBUF_INIT;
	int x = draw_text(y, 0, text_w, TUI_ROLE_DETAIL, text, 0);

	sbuf_printf(&b, "%s:%u", f && *f->file ? f->file : "?", f ? f->line : 0);
	draw_text(y, x, t->cols - x, TUI_ROLE_DETAIL, b.data, DRAW_CLIP_LEFT);
	sbuf_free(&b);
}

/* ---- prompt ---- */

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

static unsigned
prompt_key(struct tui *t, int key)
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
	case TUI_CTRL('c'):
		t->prompt.active = false;
		return tui_session_action(t, TUI_ACT_QUIT);
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

/* ---- input ---- */

static void fill_live(struct tui *t);

static unsigned
run_action(struct tui *t, enum tui_action a)
{
	struct tui_view *v = tui_view_top(t);
	unsigned mask;

	fill_live(t);	/* actions read the session's current shape and state */
	mask = v->ops->request(t, v, a);

	if (mask & TUI_UNHANDLED)
		mask = tui_session_action(t, a);
	return mask & ~(unsigned)TUI_UNHANDLED;
}

unsigned
tui_key(struct tui *t, int key)
{
	enum tui_action a;

	if (t->prompt.active)
		return prompt_key(t, key);
	a = tui_action_for_key(key, tui_view_top(t)->ops->scope);
	if (a == TUI_ACT_NONE) {
		char name[16];

		return tui_message(t, false, "%s: no such key here (? for help)",
			tui_key_name(key, name, sizeof name));
	}
	return run_action(t, a);
}

unsigned
tui_mouse(struct tui *t, const struct tui_mouse *m)
{
	struct tui_view *v = tui_view_top(t);
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
	return v->ops->mouse(t, v, m);
}

unsigned
tui_resize(struct tui *t, int rows, int cols)
{
	if (draw_is_open())
		draw_resize(rows, cols);
	t->rows = rows;
	t->cols = cols;
	return TUI_DRAW_ALL;
}

/* ---- drawing ---- */

static void
fill_live(struct tui *t)
{
	const struct tui_host *h = t->cfg.host;

	memset(&t->live, 0, sizeof t->live);
	t->live.requests = t->requests;
	t->live.concurrency = t->concurrency;
	t->live.reason = "";
	t->live.log_tail = "";
	if (h && h->live)
		h->live(t->cfg.host_ctx, &t->live);
}

static void
draw_too_small(struct tui *t)
{
	char msg[64];

	draw_clear(0, t->rows);
	snprintf(msg, sizeof msg, "too small: %dx%d, need %dx%d", t->cols, t->rows, TUI_MIN_COLS,
		TUI_MIN_ROWS);
	draw_text(0, 0, t->cols, TUI_ROLE_STATUS_ERROR, msg, 0);
	draw_flush();
}

void
tui_draw(struct tui *t, unsigned mask)
{
	struct tui_view *v;
	int header, log, body0, body1;

	if (!draw_is_open() || !mask)
		return;
	draw_size(&t->rows, &t->cols);
	fill_live(t);
	if (mask & TUI_REPAINT)
		draw_repaint();
	if (t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS) {
		draw_too_small(t);
		return;
	}
	header = tui_header_height(t);
	log = tui_log_height(t, t->rows - header - 2);
	/* A part that moved (the log panel opened) takes the rest with it. */
	if (header != t->last_header || log != t->last_log)
		mask |= TUI_DRAW_ALL;
	t->last_header = header;
	t->last_log = log;
	body0 = header + log;
	body1 = t->rows - 2;
	if (mask & TUI_DRAW_HEADER) {
		draw_clear(0, header);
		tui_header_draw(t, 0, header);
	}
	if (mask & TUI_DRAW_BODY) {
		draw_clear(header, body1);
		if (log)
			tui_log_draw(t, header, body0);
		v = tui_view_top(t);
		v->y0 = body0;
		v->y1 = body1;
		v->ops->draw(t, v, body0, body1);
	}
	if (mask & TUI_DRAW_STATUS) {
		draw_clear(body1, t->rows);
		tui_status_draw(t, body1);
		tui_bar_draw(t, t->rows - 1);
	}
	draw_flush();
}

size_t
tui_memory(const struct tui *t)
{
	/* The table's row cache dominates; the source cache is a few files. */
	return sizeof *t + tui_sites_memory(&t->views[0]);
}
