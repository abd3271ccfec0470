/* tui_debug.c - the debugger view: nginx stopped at a line under gdb,
 * with the source, the backtrace, the locals and the line's live leak
 * numbers. It reads the debugger through the target's debug() before each
 * frame and each key, and asks the target to step, continue, print and
 * break; the engine does the gdb/MI work. Drawing: tui_debug_draw.c. */
#include "tui_debug.h"
#include "gdbmi.h"
#include "memerrors.h"
#include "model.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- where d stops ---- */

static bool
has_line(const struct model_frame *f)
{
	return f && *f->file && f->line;
}

/* Where an error happened: the first frame from valgrind's "at" on that
 * has a source line (a libc frame has none to stop at). */
static const struct model_frame *
error_frame(const struct model *m, const struct memerrors *e, size_t i)
{
	const struct memerror *r = memerrors_get(e, i);
	size_t k;

	if (!r || !r->nstacks)
		return NULL;
	for (k = r->at; k < r->stacks[0].nframes; k++)
		if (has_line(model_frame(m, r->stacks[0].frames[k])))
			return model_frame(m, r->stacks[0].frames[k]);
	return NULL;
}

bool
tui_debug_where(const struct tui_selection *sel, struct tui_debug_where *w, char *err,
	size_t errlen)
{
	const struct model_frame *f = sel->frame;

	memset(w, 0, sizeof *w);
	if (sel->errors && !sel->nsites)
		f = error_frame(sel->model, sel->errors, sel->error);
	if (!has_line(f)) {
		snprintf(err, errlen, "%s has no source line to stop at (no debug info)",
			f && *f->fn ? f->fn : "this frame");
		return false;
	}
	w->file = f->file;
	w->line = f->line;
	w->fn = f->fn;
	w->url = sel->nsites ? sel->url : NULL;
	return true;
}

void *
tui_debug_new(struct tui *t, const struct model *m, const struct tui_debug_where *w)
{
	struct tui_debug_view *v = xcalloc(1, sizeof *v);

	v->ops = t->cfg.target;
	v->ctx = t->cfg.target_ctx;
	v->m = m;
	v->file = xstrdup(w->file);
	v->line = w->line;
	v->url = w->url ? xstrdup(w->url) : NULL;
	v->fn = xstrdup(w->fn ? w->fn : "");
	v->nums.dirty = true;
	return v;
}

static void
debug_done(struct tui_view *view)
{
	struct tui_debug_view *v = view->priv;

	/* however the view closes (q, Esc, E, a restart, the end): gdb lets go */
	tui_debug_fill(v);
	if (v->on && v->d.state != TUI_DEBUG_OFF && v->ops->debug_detach)
		v->ops->debug_detach(v->ctx);
	free(v->file);
	free(v->url);
	free(v->fn);
	free(v);
}

/* ---- what the target says ---- */

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Breakpoints of the shown file: gdb's files are as asked (a basename
 * or a path), so basenames are compared. */
static void
collect_marks(struct tui_debug_view *v, const char *file)
{
	size_t i;

	v->nmarks = 0;
	for (i = 0; file && i < v->d.nbps && v->nmarks < LT_ARRAY_SIZE(v->marks); i++)
		if (v->d.bps[i].file && !strcmp(base_name(v->d.bps[i].file), base_name(file)))
			v->marks[v->nmarks++] = v->d.bps[i].line;
}

void
tui_debug_fill(struct tui_debug_view *v)
{
	const char *file;
	unsigned line;

	memset(&v->d, 0, sizeof v->d);
	v->on = v->ops && v->ops->debug && v->ops->debug(v->ctx, &v->d);
	if (!v->on)
		memset(&v->d, 0, sizeof v->d);
	/* the cursor follows the engine's selected frame when that changes (a
	 * stop resets it); a move waits for the engine meanwhile */
	if (v->d.frame != v->seen_frame || v->d.nframes != v->frames.n)
		v->frames.cur = v->d.frame;
	v->seen_frame = v->d.frame;
	v->frames.n = v->d.nframes;
	if (v->frames.cur >= v->frames.n)
		v->frames.cur = v->frames.n ? v->frames.n - 1 : 0;
	file = tui_debug_src_file(v, &line);
	if (line != v->cursor_of || strcmp(file, v->cursor_file)) {
		v->cursor = v->cursor_of = line;
		snprintf(v->cursor_file, sizeof v->cursor_file, "%s", file);
	}
	collect_marks(v, file);
}

const char *
tui_debug_src_file(const struct tui_debug_view *v, unsigned *line)
{
	const struct gdbmi_frame *f;

	if (v->frames.cur < v->d.nframes) {
		f = &v->d.frames[v->frames.cur];
		*line = f->line;
		/* gdb's absolute path when it found one, else as compiled */
		return f->fullname ? f->fullname : f->file ? f->file : "";
	}
	*line = v->line;
	return v->file;
}

void
tui_debug_numbers(struct tui_debug_view *v)
{
	struct tui_debug_numbers *n = &v->nums;
	size_t rounds = model_nrounds(v->m), i;

	if (!n->dirty && n->stamp == rounds)
		return;
	memset(n, 0, sizeof *n);
	n->stamp = rounds;
	n->round = rounds ? rounds - 1 : 0;
	n->have_prev = rounds > 1;
	for (i = 0; i < model_nsites(v->m) && rounds; i++) {
		const struct model_site *s = model_site(v->m, i);
		uint32_t at = model_site_alloc_frame(s);
		const struct model_frame *f = at == UINT32_MAX ? NULL : model_frame(v->m, at);

		/* the sites of the line, any kind (a leak moves from reachable
		 * to definite when its pointer dies) */
		if (!f || f->line != v->line || strcmp(f->file, v->file) ||
			!model_site_on_line(s, s->kind, at))
			continue;
		n->nsites++;
		n->bytes += model_site_bytes(v->m, i, n->round);
		n->blocks += model_site_blocks(v->m, i, n->round);
		if (n->have_prev) {
			n->dbytes += (int64_t)model_site_bytes(v->m, i, n->round) -
				(int64_t)model_site_bytes(v->m, i, n->round - 1);
			n->dblocks += (int64_t)model_site_blocks(v->m, i, n->round) -
				(int64_t)model_site_blocks(v->m, i, n->round - 1);
		}
	}
}

/* ---- keys ---- */

static unsigned
answer(struct tui *t, bool ok, const char *err, const char *done)
{
	if (!ok)
		return tui_message(t, true, "%s", err);
	return tui_message(t, false, "%s", done) | TUI_DRAW_BODY | TUI_DRAW_HEADER;
}

static unsigned
run(struct tui *t, struct tui_debug_view *v, enum tui_debug_cmd c, const char *what)
{
	char err[512];

	if (!v->ops->debug_run)
		return tui_message(t, true, "this session cannot debug");
	return answer(t, v->ops->debug_run(v->ctx, c, err, sizeof err), err, what);
}

static unsigned
eval_done(struct tui *t, const char *text)
{
	const struct tui_target_ops *ops = t->cfg.target;
	char err[512];

	if (!*text)
		return tui_message(t, false, "nothing to print");
	if (!ops || !ops->debug_eval)
		return tui_message(t, true, "this session cannot debug");
	/* the answer comes as the debugger's note */
	return answer(t, ops->debug_eval(t->cfg.target_ctx, text, err, sizeof err), err,
		"printing...");
}

static unsigned
toggle(struct tui *t, struct tui_debug_view *v)
{
	char err[512], done[64];
	unsigned line;
	const char *file = tui_debug_src_file(v, &line);

	if (!v->ops->debug_toggle)
		return tui_message(t, true, "this session cannot debug");
	if (!*file || !v->cursor)
		return tui_message(t, true, "no source line here to break at");
	snprintf(done, sizeof done, "breakpoint at line %u toggled", v->cursor);
	return answer(t, v->ops->debug_toggle(v->ctx, file, v->cursor, err, sizeof err), err, done);
}

static unsigned
select_frame(struct tui *t, struct tui_debug_view *v, size_t before)
{
	char err[512];

	if (v->frames.cur == before || !v->ops->debug_frame)
		return TUI_DRAW_BODY;
	if (!v->ops->debug_frame(v->ctx, v->frames.cur, err, sizeof err))
		return tui_message(t, true, "%s", err) | TUI_DRAW_BODY;
	return TUI_DRAW_BODY;
}

static unsigned
debug_request(struct tui *t, struct tui_view *view, enum tui_action a)
{
	struct tui_debug_view *v = view->priv;
	size_t before;
	unsigned mask;

	tui_debug_fill(v);
	switch (a) {
	case TUI_ACT_DBG_NEXT:
		return run(t, v, TUI_DEBUG_NEXT, "next");
	case TUI_ACT_DBG_STEP:
		return run(t, v, TUI_DEBUG_STEP, "step");
	case TUI_ACT_DBG_FINISH:
		return run(t, v, TUI_DEBUG_FINISH, "finish");
	case TUI_ACT_DBG_CONTINUE:
		return run(t, v, TUI_DEBUG_CONTINUE, "continued: the request runs on (r sends more)");
	case TUI_ACT_DBG_AGAIN:
		return run(t, v, TUI_DEBUG_AGAIN, "requests again until a breakpoint is hit");
	case TUI_ACT_DBG_CHECK:
		if (!v->ops->debug_check)
			return tui_message(t, true, "this session cannot debug");
		{
			char err[512];

			return answer(t, v->ops->debug_check(v->ctx, err, sizeof err), err,
				"leak check through gdb's monitor");
		}
	case TUI_ACT_DBG_EVAL:
		tui_prompt_open(t, "print: ", "", eval_done);
		return TUI_DRAW_STATUS;
	case TUI_ACT_DBG_BREAK:
		return toggle(t, v);
	case TUI_ACT_DBG_SRC_DOWN:
		v->cursor++;
		return TUI_DRAW_BODY;
	case TUI_ACT_DBG_SRC_UP:
		v->cursor -= v->cursor > 1;
		return TUI_DRAW_BODY;
	case TUI_ACT_ROUND:
	case TUI_ACT_BURST:
	case TUI_ACT_CHECK:
	case TUI_ACT_AUTO:
		/* one client per gdbserver: vgdb is gdb's while it is attached */
		return tui_message(t, true, "gdb holds nginx: L checks, r sends requests, q detaches");
	default:
		before = v->frames.cur;
		mask = tui_list_move(&v->frames, a, v->frames_h > 0 ? v->frames_h : 1);
		if (mask & TUI_UNHANDLED)
			return mask;
		return mask | select_frame(t, v, before);
	}
}

static unsigned
debug_mouse(struct tui *t, struct tui_view *view, const struct tui_mouse *m)
{
	struct tui_debug_view *v = view->priv;
	size_t before = v->frames.cur;

	if (m->what != TUI_MOUSE_CLICK || m->y < v->frames_y || m->y >= v->frames_y + v->frames_h)
		return 0;
	if (tui_list_click(&v->frames, m->y, v->frames_y, v->frames_h) == TUI_LIST_MISS)
		return 0;
	return select_frame(t, v, before);
}

static void
debug_model_changed(struct tui *t, struct tui_view *view)
{
	struct tui_debug_view *v = view->priv;

	(void)t;
	v->nums.dirty = true;
}

const struct tui_view_ops tui_debug_ops = {
	.name = "debugger",
	.scope = TUI_SC_DEBUG,
	.draw = tui_debug_draw,
	.request = debug_request,
	.mouse = debug_mouse,
	.model_changed = debug_model_changed,
	.done = debug_done,
};
