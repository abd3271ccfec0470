/* tui_debug_draw.c - the debugger view drawn: what the debugger does, the
 * line's leak numbers, gdb's last answer, then the source (the source
 * pane), the backtrace and the selected frame's variables - below each
 * other on a small terminal, the source beside the others on a wide one.
 * Every string from gdb is escaped before its width is measured (and the
 * drawing escapes again, whatever comes). */
#include "tui_debug.h"
#include "escape.h"
#include "gdbmi.h"
#include "report.h"
#include "sbuf.h"
#include "tui_fmt.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Source beside the backtrace and variables from this width on. */
#define DEBUG_BESIDE_COLS 140
/* Name and type columns of the variables at most this wide. */
#define VAR_NAME_MAX 18
#define VAR_TYPE_MAX 28

static const char *
base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p ? p : "";
}

/* A string from gdb, escaped; NULL gives "". Malloc'd. */
static char *
esc(const char *s)
{
	return escape_dup(s ? s : "", s ? strlen(s) : 0, 0);
}

static const char *const state_names[] = {
	[TUI_DEBUG_OFF] = "OFF", [TUI_DEBUG_LOADING] = "LOADING", [TUI_DEBUG_WAITING] = "WAITING",
	[TUI_DEBUG_STOPPED] = "STOPPED", [TUI_DEBUG_STEPPING] = "STEPPING",
	[TUI_DEBUG_RUNNING] = "RUNNING", [TUI_DEBUG_DETACHING] = "DETACHING",
	[TUI_DEBUG_HANDOFF] = "GDB",
};

static enum tui_role
state_role(enum tui_debug_state s)
{
	return s == TUI_DEBUG_STOPPED ? TUI_ROLE_STATE_OK : s == TUI_DEBUG_OFF ?
		TUI_ROLE_STATE_DEAD : TUI_ROLE_STATE_BUSY;
}

/* What the state means, in words. */
static void
state_text(const struct tui_debug_view *v, struct sbuf *b)
{
	const struct tui_debug *d = &v->d;
	char n1[32];

	switch (d->state) {
	case TUI_DEBUG_LOADING:
		sbuf_printf(b, "%s loading nginx's symbols %.1f s",
			tui_fmt_spinner(d->load_ms, tui_draw_utf8()), (double)d->load_ms / 1000);
		break;
	case TUI_DEBUG_WAITING:
		sbuf_printf(b, "waiting for %s:%u - request %lu to %s", base_name(v->file), v->line,
			d->requests, d->url ? report_url_path(d->url) : "the URL set");
		break;
	case TUI_DEBUG_STOPPED:
		sbuf_printf(b, "%s |", d->why && *d->why ? d->why : "stopped");
		if (d->stop_ms >= 0)
			sbuf_printf(b, " stop %s", tui_fmt_duration_ms(n1, sizeof n1, d->stop_ms));
		if (d->step_ms >= 0)
			sbuf_printf(b, " step %s", tui_fmt_duration_ms(n1, sizeof n1, d->step_ms));
		sbuf_adds(b, d->stop_ms >= 0 || d->step_ms >= 0 ? " |" : "");
		break;
	case TUI_DEBUG_STEPPING:
		sbuf_adds(b, "stepping...");
		break;
	case TUI_DEBUG_RUNNING:
		sbuf_adds(b, "running under gdb, breakpoints armed (r sends requests)");
		break;
	case TUI_DEBUG_DETACHING:
		sbuf_adds(b, "detaching: breakpoints removed, nginx runs on");
		break;
	case TUI_DEBUG_HANDOFF:
		sbuf_adds(b, "a full gdb has the terminal");
		break;
	case TUI_DEBUG_OFF:
	default:
		sbuf_adds(b, "the debugger is off (q closes this view)");
		break;
	}
	if (d->state != TUI_DEBUG_STOPPED)
		sbuf_adds(b, " |");
	sbuf_printf(b, " requests %lu sent, %lu answered", d->requests, d->answered);
	if (d->last_status)
		sbuf_printf(b, ", last HTTP %d", d->last_status);
}

static void
draw_state(struct tui *t, struct tui_debug_view *v, int y)
{
	struct sbuf b = SBUF_INIT;
	const char *name = (size_t)v->d.state < LT_ARRAY_SIZE(state_names) ?
		state_names[v->d.state] : "?";
	int x;

	x = tui_draw_text(y, 0, t->cols, state_role(v->d.state), name, 0);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_NORMAL, " ", 0);
	state_text(v, &b);
	tui_draw_text(y, x, t->cols - x, TUI_ROLE_NORMAL, b.data, 0);
	sbuf_free(&b);
}

/* "ngx_http_leaky_module.c:188 leaks 6,000 B (+2,000) in 60 blocks (+20)
 * at check #2": what the line leaks, live; the change is since the check
 * before, so a check while stopped shows what the step allocated. */
static void
draw_numbers(struct tui *t, struct tui_debug_view *v, int y)
{
	const struct tui_debug_numbers *n = &v->nums;
	struct sbuf b = SBUF_INIT;
	char n1[32], n2[32], n3[32], n4[32];

	tui_debug_numbers(v);
	sbuf_printf(&b, "%s:%u ", base_name(v->file), v->line);
	if (!n->nsites)
		sbuf_printf(&b, "leaks nothing at check #%zu (L checks now)", n->round);
	else if (!n->have_prev)
		sbuf_printf(&b, "leaks %s B in %s blocks at check #%zu",
			tui_fmt_grouped(n1, sizeof n1, n->bytes), tui_fmt_grouped(n2, sizeof n2, n->blocks),
			n->round);
	else
		sbuf_printf(&b, "leaks %s B (%s) in %s blocks (%s) at check #%zu",
			tui_fmt_grouped(n1, sizeof n1, n->bytes), tui_fmt_delta(n3, sizeof n3, n->dbytes, 12),
			tui_fmt_grouped(n2, sizeof n2, n->blocks), tui_fmt_delta(n4, sizeof n4, n->dblocks, 12),
			n->round);
	sbuf_printf(&b, " | %s", *v->fn ? v->fn : "???");
	tui_draw_text(y, 0, t->cols, n->dbytes > 0 ? TUI_ROLE_GROWING : TUI_ROLE_DETAIL, b.data, 0);
	sbuf_free(&b);
}

static void
draw_note(struct tui *t, struct tui_debug_view *v, int y)
{
	char *note = esc(v->d.note);

	if (*note)
		tui_draw_text(y, 0, t->cols, v->d.note_error ? TUI_ROLE_STATUS_ERROR : TUI_ROLE_VALUE, note,
			0);
	free(note);
}

static void
draw_source(struct tui *t, struct tui_debug_view *v, int y0, int y1, int x, int w)
{
	unsigned line;
	struct tui_srcview p = { .gutter = true, .cursor = v->cursor, .marks = v->marks,
		.nmarks = v->nmarks, .none = "no source file for this frame (no debug info)" };

	p.file = tui_debug_src_file(v, &line);
	p.line = line;
	tui_srcview_draw(t, &p, y0, y1, x, w);
}

/* The function column: as wide as the longest name, at most half. */
static int
function_width(const struct tui_debug_view *v, int w)
{
	size_t i;
	int max = 8;

	for (i = 0; i < v->d.nframes; i++) {
		char *fn = esc(v->d.frames[i].func);

		max = (int)strlen(fn) > max ? (int)strlen(fn) : max;
		free(fn);
	}
	return max + 2 < w / 2 ? max + 2 : w / 2;
}

static void
draw_frame(struct tui_debug_view *v, size_t i, int y, int x, int w, int fw)
{
	const struct gdbmi_frame *f = &v->d.frames[i];
	unsigned cur = i == v->frames.cur ? TUI_TEXT_CURSOR : 0;
	char *fn = esc(f->func), *file = esc(base_name(f->file));
	struct sbuf b = SBUF_INIT;
	int xx = x;

	if (cur)
		tui_draw_text(y, x, w, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	sbuf_printf(&b, "%s#%-3u", i == v->d.frame ? ">" : " ", f->level);
	xx += tui_draw_text(y, xx, 5, TUI_ROLE_FRAME_LOC, b.data, TUI_TEXT_PAD | cur);
	tui_draw_text(y, xx, fw - 1, TUI_ROLE_FRAME_FN, *fn ? fn : "???", cur);
	xx += fw;
	sbuf_reset(&b);
	if (*file)
		sbuf_printf(&b, "%s:%u", file, f->line);
	else
		sbuf_printf(&b, "%s", f->addr ? f->addr : "");
	tui_draw_text(y, xx, x + w - xx, TUI_ROLE_FRAME_LOC, b.data, TUI_TEXT_CLIP_LEFT | cur);
	sbuf_free(&b);
	free(fn);
	free(file);
}

static void
draw_frames(struct tui_debug_view *v, int y0, int h, int x, int w)
{
	size_t i;
	int y, fw = function_width(v, w - 5);

	v->frames_y = y0;
	v->frames_h = h;
	if (!v->d.nframes) {
		if (h > 0)
			tui_draw_text(y0, x, w, TUI_ROLE_DETAIL, "no stopped thread yet", 0);
		return;
	}
	tui_list_fit(&v->frames, h);
	for (y = y0, i = v->frames.top; i < v->d.nframes && y < y0 + h; i++, y++)
		draw_frame(v, i, y, x, w, fw);
}

static int
column_width(const struct tui_debug_view *v, bool type, int max)
{
	size_t i;
	int wid = 4;

	for (i = 0; i < v->d.nvars; i++) {
		char *s = esc(type ? v->d.vars[i].type : v->d.vars[i].name);
		int n = (int)strlen(s);

		wid = n > wid ? n : wid;
		free(s);
	}
	return wid < max ? wid : max;
}

/* "locals of #0 ngx_http_leaky_leak_alloc", then name, type, value. */
static void
draw_vars(struct tui_debug_view *v, int y0, int y1, int x, int w)
{
	const struct gdbmi_frame *f = v->frames.cur < v->d.nframes ? &v->d.frames[v->frames.cur] : NULL;
	int nw = column_width(v, false, VAR_NAME_MAX), tw = column_width(v, true, VAR_TYPE_MAX), y;
	char *fn = esc(f ? f->func : NULL);
	struct sbuf b = SBUF_INIT;
	size_t i;

	if (y1 <= y0 || !f) {
		free(fn);
		return;
	}
	sbuf_printf(&b, "arguments and locals of #%u %s", f->level, *fn ? fn : "???");
	tui_draw_text(y0, x, w, TUI_ROLE_SRC_TITLE, b.data, TUI_TEXT_PAD);
	if (!v->d.nvars && y0 + 1 < y1)
		tui_draw_text(y0 + 1, x, w, TUI_ROLE_DETAIL, "none (or not read yet)", 0);
	for (i = 0, y = y0 + 1; i < v->d.nvars && y < y1; i++, y++) {
		const struct gdbmi_var *var = &v->d.vars[i];
		char *name = esc(var->name), *type = esc(var->type), *val = esc(var->value);
		int xx = x;

		xx += tui_draw_text(y, xx, nw + 1, var->arg ? TUI_ROLE_LABEL : TUI_ROLE_FRAME_FN, name,
			TUI_TEXT_PAD);
		xx += tui_draw_text(y, xx, tw + 1, TUI_ROLE_FRAME_LOC, type, TUI_TEXT_PAD);
		tui_draw_text(y, xx, x + w - xx, TUI_ROLE_NORMAL, var->value ? val : "{...}", 0);
		free(name);
		free(type);
		free(val);
	}
	sbuf_free(&b);
	free(fn);
}

void
tui_debug_draw(struct tui *t, struct tui_view *view, int y0, int y1)
{
	struct tui_debug_view *v = view->priv;
	int h, src_h, fr_h, want, sw;

	tui_debug_fill(v);
	draw_state(t, v, y0);
	if (y0 + 1 < y1)
		draw_numbers(t, v, y0 + 1);
	if (y0 + 2 < y1)
		draw_note(t, v, y0 + 2);
	y0 += 3;
	h = y1 - y0;
	if (h <= 0)
		return;
	want = v->d.nframes ? (int)v->d.nframes : 1;
	if (t->cols >= DEBUG_BESIDE_COLS) {
		sw = t->cols * 55 / 100;
		draw_source(t, v, y0, y1, 0, sw);
		fr_h = want < h / 2 ? want : h / 2;
		draw_frames(v, y0, fr_h, sw + 1, t->cols - sw - 1);
		draw_vars(v, y0 + fr_h, y1, sw + 1, t->cols - sw - 1);
		return;
	}
	/* nothing stopped yet: the line waited for, as much as fits */
	src_h = !v->d.nframes ? h - 1 : h < 8 ? (h + 1) / 2 : h * 2 / 5 > 4 ? h * 2 / 5 : 4;
	fr_h = (h - src_h) / 2 > 2 ? (h - src_h) / 2 : h - src_h;
	fr_h = want < fr_h ? want : fr_h;
	draw_source(t, v, y0, y0 + src_h, 0, t->cols);
	draw_frames(v, y0 + src_h, fr_h, 0, t->cols);
	draw_vars(v, y0 + src_h + fr_h, y1, 0, t->cols);
}
