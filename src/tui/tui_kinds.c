/* tui_kinds.c - the kind editor (u): the kinds of request the bursts send,
 * one row each (what attribution calls it, protocol, method, target,
 * weight, where it came from), and a pending list of changes - entries
 * added, edited, deleted - that A applies through the target's set_kinds
 * (a host without it: set_urls, the entries being URLs). Until something
 * changes the rows are a copy of the session's, taken at each frame;
 * leaving drops what was not applied, and says so. Names, targets and
 * files come from request files and nginx: untrusted, drawn escaped. */
#include "tui_int.h"
#include "sbuf.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Columns: mark, name, protocol, method, target, weight, from. */
enum {
	COL_MARK,
	COL_NAME,
	COL_PROTO,
	COL_METHOD,
	COL_TARGET,
	COL_WEIGHT,
	COL_FROM,
	NCOLS
};

static const char *const titles[NCOLS] = { "", "NAME", "PROTO", "METHOD", "TARGET", "WEIGHT",
	"FROM" };

/* FROM is left out below this width (the detail line names it). */
#define FROM_MIN_COLS 72
#define FROM_MAX 32
#define NO_ROW SIZE_MAX

enum mark { KEPT, ADDED, EDITED, DELETED };

struct krow {
	char *name, *proto, *method, *target, *source;
	char *entry;		/* as it will be applied */
	char *orig;		/* the session's entry; NULL: added here */
	unsigned long weight;
	enum mark mark;
};

struct kinds_view {
	struct tui *t;		/* for the word on what leaving drops */
	struct tui_list list;
	int height, head_y;
	struct krow *rows;
	size_t n, cap;
	/* true: rows are the pending list; false: the session's, copied anew */
	bool held;
	size_t editing;		/* the prompt's row; NO_ROW: it adds one */
	int x[NCOLS], w[NCOLS];
};

/* ---- the rows ---- */

static void
row_free(struct krow *r)
{
	free(r->name);
	free(r->proto);
	free(r->method);
	free(r->target);
	free(r->source);
	free(r->entry);
	free(r->orig);
}

static void
rows_clear(struct kinds_view *kv)
{
	size_t i;

	for (i = 0; i < kv->n; i++)
		row_free(&kv->rows[i]);
	kv->n = 0;
}

static struct krow *
row_add(struct kinds_view *kv)
{
	xgrow((void **)&kv->rows, &kv->cap, kv->n + 1, sizeof *kv->rows);
	kv->rows[kv->n] = (struct krow){ .weight = 1 };
	return &kv->rows[kv->n++];
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static size_t
pending(const struct kinds_view *kv)
{
	size_t i, n = 0;

	for (i = 0; i < kv->n; i++)
		n += kv->rows[i].mark != KEPT;
	return n;
}

/* A host that has URLs but no kinds: each URL is a GET kind of -u. */
static void
rows_from_urls(struct kinds_view *kv, const struct tui_live *lv)
{
	size_t i;

	for (i = 0; i < lv->nurls; i++) {
		const char *u = lv->urls[i];
		struct krow *r = row_add(kv);

		r->name = xstrdup(u);
		r->proto = xstrdup(!strncmp(u, "https:", 6) ? "https" : !strncmp(u, "tcp:", 4) ?
			"tcp" : "http");
		r->method = xstrdup("GET");
		r->target = xstrdup(u);
		r->source = xstrdup("-u");
		r->entry = xstrdup(u);
		r->orig = xstrdup(u);
	}
}

/* Not held: the session's kinds as they are now (fill_live ran). */
static void
sync_rows(struct tui *t, struct kinds_view *kv)
{
	const struct tui_live *lv = &t->live;
	size_t i;

	/* held for a prompt that was cancelled: nothing to keep */
	if (kv->held && !pending(kv) && !t->prompt.active)
		kv->held = false;
	if (kv->held)
		return;
	rows_clear(kv);
	if (!lv->nkinds)
		rows_from_urls(kv, lv);
	for (i = 0; i < lv->nkinds; i++) {
		const struct tui_kind *k = &lv->kinds[i];
		struct krow *r = row_add(kv);

		r->name = dup_or_null(k->name);
		r->proto = dup_or_null(k->proto);
		r->method = dup_or_null(k->method);
		r->target = dup_or_null(k->target);
		r->source = dup_or_null(k->source);
		r->entry = xstrdup(k->entry ? k->entry : "");
		r->orig = xstrdup(r->entry);
		r->weight = k->weight ? k->weight : 1;
	}
	kv->list.n = kv->n;
}

/* Nothing pending any more (edited back, deleted then kept): the rows
 * follow the session again. */
static void
settle_rows(struct kinds_view *kv)
{
	kv->held = pending(kv) > 0;
}

void *
tui_kinds_new(struct tui *t)
{
	struct kinds_view *kv = xcalloc(1, sizeof *kv);

	kv->t = t;
	kv->editing = NO_ROW;
	return kv;
}

static void
kinds_done(struct tui_view *v)
{
	struct kinds_view *kv = v->priv;
	size_t n = pending(kv);

	if (n) {
		tui_message(kv->t, false, "%zu kind change%s dropped: never applied (A applies)",
			n, n == 1 ? "" : "s");
		kv->t->status_role = TUI_ROLE_STATUS_WARN;
	}
	rows_clear(kv);
	free(kv->rows);
	free(kv);
}

/* ---- drawing ---- */

/* The widest name (or source: COL_FROM) of the rows, within [min, max]. */
static int
widest(const struct kinds_view *kv, int col, int min, int max)
{
	int w = min;
	size_t i;

	for (i = 0; i < kv->n; i++) {
		const char *s = col == COL_FROM ? kv->rows[i].source : kv->rows[i].name;
		int c = s ? tui_draw_cols(s) : 0;

		w = c > w ? c : w;
	}
	return w < max ? w : max;
}

static void
lay_out(struct tui *t, struct kinds_view *kv)
{
	int rest, c;

	kv->w[COL_MARK] = 1;
	kv->w[COL_PROTO] = 5;
	kv->w[COL_METHOD] = 7;
	kv->w[COL_WEIGHT] = 6;
	kv->w[COL_FROM] = t->cols >= FROM_MIN_COLS ?
		widest(kv, COL_FROM, 4, FROM_MAX) : 0;
	rest = t->cols - kv->w[COL_MARK] - kv->w[COL_PROTO] - kv->w[COL_METHOD] -
		kv->w[COL_WEIGHT] - kv->w[COL_FROM] - (NCOLS - 1);
	/* the name as wide as it needs up to two fifths; the target the rest */
	kv->w[COL_NAME] = widest(kv, COL_NAME, 4, rest * 2 / 5);
	kv->w[COL_TARGET] = rest - kv->w[COL_NAME];
	for (c = 0; c < NCOLS; c++)
		kv->x[c] = c ? kv->x[c - 1] + kv->w[c - 1] + 1 : 0;
}

/* What the list is, and what is pending (the header has the protocol). */
static void
draw_info(struct tui *t, struct kinds_view *kv, int y)
{
	char text[160];
	size_t n = pending(kv);
	int x;

	snprintf(text, sizeof text, "kinds of request (u: back) | %zu kind%s", kv->n,
		kv->n == 1 ? "" : "s");
	x = tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, text, 0);
	if (!n)
		return;
	snprintf(text, sizeof text, " | %zu change%s pending: A applies, q drops", n,
		n == 1 ? "" : "s");
	tui_draw_text(y, x, t->cols - x, TUI_ROLE_STATUS_WARN, text, 0);
}

static void
draw_titles(struct tui *t, struct kinds_view *kv, int y)
{
	int c;

	tui_draw_text(y, 0, t->cols, TUI_ROLE_COLUMN, "", TUI_TEXT_PAD);
	for (c = 0; c < NCOLS; c++)
		tui_draw_text(y, kv->x[c], kv->w[c], TUI_ROLE_COLUMN, titles[c],
			c == COL_WEIGHT ? TUI_TEXT_RIGHT : 0);
}

static void
draw_row(struct tui *t, struct kinds_view *kv, int y, size_t i)
{
	static const char *const marks[] = { [KEPT] = "", [ADDED] = "+", [EDITED] = "~",
		[DELETED] = "-" };
	const struct krow *r = &kv->rows[i];
	unsigned cur = i == kv->list.cur ? TUI_TEXT_CURSOR : 0;
	enum tui_role role = r->mark == DELETED ? TUI_ROLE_DIMMED : TUI_ROLE_NORMAL;
	/* added or edited: the session has not resolved it yet */
	bool fresh = r->mark == ADDED || r->mark == EDITED;
	char weight[32];

	if (cur)
		tui_draw_text(y, 0, t->cols, TUI_ROLE_NORMAL, "", TUI_TEXT_PAD | cur);
	tui_draw_text(y, kv->x[COL_MARK], kv->w[COL_MARK], TUI_ROLE_STATUS_WARN, marks[r->mark], cur);
	tui_draw_text(y, kv->x[COL_NAME], kv->w[COL_NAME], r->name ? role : TUI_ROLE_DIMMED,
		r->name ? r->name : "(new)", cur);
	if (!fresh) {
		tui_draw_text(y, kv->x[COL_PROTO], kv->w[COL_PROTO], role, r->proto ? r->proto : "?",
			cur);
		tui_draw_text(y, kv->x[COL_METHOD], kv->w[COL_METHOD], role, r->method ? r->method :
			"-", cur);
		snprintf(weight, sizeof weight, "%lu", r->weight);
		tui_draw_text(y, kv->x[COL_WEIGHT], kv->w[COL_WEIGHT], role, weight,
			TUI_TEXT_RIGHT | cur);
	}
	/* a URL's end tells kinds apart, its scheme and host less */
	tui_draw_text(y, kv->x[COL_TARGET], kv->w[COL_TARGET], role, fresh ? r->entry :
		r->target ? r->target : "", fresh ? cur : TUI_TEXT_CLIP_LEFT | cur);
	tui_draw_text(y, kv->x[COL_FROM], kv->w[COL_FROM], TUI_ROLE_DETAIL, fresh ? "editor" :
		r->source ? r->source : "", TUI_TEXT_CLIP_LEFT | cur);
}

static void
draw_detail(struct tui *t, struct kinds_view *kv, int y)
{
	static const char *const said[] = { [KEPT] = "", [ADDED] = " | added, not applied",
		[EDITED] = " | edited, not applied", [DELETED] = " | deleted, not applied" };
	struct sbuf b = SBUF_INIT;
	const struct krow *r;

	if (kv->list.cur >= kv->n)
		return;
	r = &kv->rows[kv->list.cur];
	sbuf_printf(&b, "entry: %s", r->entry);
	if (r->mark == EDITED)
		sbuf_printf(&b, " (was: %s)", r->orig);
	if (r->source && r->mark != ADDED)
		sbuf_printf(&b, " | from %s", r->source);
	sbuf_adds(&b, said[r->mark]);
	tui_draw_text(y, 0, t->cols, TUI_ROLE_DETAIL, b.data, 0);
	sbuf_free(&b);
}

/* What the view says instead of rows. */
static const char *
empty_text(const struct tui *t)
{
	if (!t->live.present)
		return "no kinds of request: this screen shows a recorded model (--load), "
			"which sends none";
	return "no kinds of request yet: a adds one";
}

static void
kinds_draw(struct tui *t, struct tui_view *v, int y0, int y1)
{
	struct kinds_view *kv = v->priv;
	size_t i;
	int y;

	sync_rows(t, kv);
	kv->head_y = y0 + 1;
	kv->height = y1 - y0 - 4;
	kv->list.n = kv->n;
	tui_list_fit(&kv->list, kv->height);
	lay_out(t, kv);
	draw_info(t, kv, y0);
	draw_titles(t, kv, kv->head_y);
	if (!kv->n)
		tui_draw_text(kv->head_y + 1, 1, t->cols - 1, TUI_ROLE_NORMAL, empty_text(t), 0);
	for (y = kv->head_y + 1, i = kv->list.top; i < kv->n && y < y1 - 2; i++, y++)
		draw_row(t, kv, y, i);
	draw_detail(t, kv, y1 - 2);
	tui_draw_text(y1 - 1, 0, t->cols, TUI_ROLE_LABEL, "entries: /path  METHOD URL  "
		"@file.http[#title]  tcp [HOST:PORT] < file", 0);
}

/* ---- changes ---- */

/* The prompt's answer, without the blanks around it; NULL if none. */
static char *
entry_text(const char *text)
{
	size_t len;

	text += strspn(text, " \t");
	len = strlen(text);
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	return len ? xstrndup(text, len) : NULL;
}

/* The status after a change: what was done, what is pending. */
static unsigned
changed(struct tui *t, const struct kinds_view *kv, const char *what)
{
	size_t n = pending(kv);

	if (!n)
		return tui_message(t, false, "kind %s: nothing pending, as the session has it",
			what) | TUI_DRAW_BODY;
	return tui_message(t, false, "kind %s: %zu change%s pending (A applies them)", what, n,
		n == 1 ? "" : "s") | TUI_DRAW_BODY;
}

static unsigned
prompt_done(struct tui *t, const char *text)
{
	struct tui_view *v = tui_top(t);
	struct kinds_view *kv;
	struct krow *r;
	char *entry;
	bool adding;

	if (v->ops != &tui_kinds_ops)
		return 0;
	kv = v->priv;
	entry = entry_text(text);
	if (!entry) {
		settle_rows(kv);
		return tui_message(t, true, "an empty entry: nothing changed (d deletes a kind)") |
			TUI_DRAW_BODY;
	}
	adding = kv->editing == NO_ROW || kv->editing >= kv->n;
	if (adding) {
		r = row_add(kv);
		r->entry = entry;
		r->mark = ADDED;
		kv->list.cur = kv->n - 1;
	} else {
		r = &kv->rows[kv->editing];
		free(r->entry);
		r->entry = entry;
		/* edited back to what the session has: no change */
		if (r->mark != ADDED)
			r->mark = r->orig && !strcmp(r->orig, entry) ? KEPT : EDITED;
	}
	settle_rows(kv);
	kv->list.n = kv->n;
	return changed(t, kv, adding ? "added" : "edited");
}

/* The session can take kinds (or URLs) from here; else the status says why. */
static bool
can_change(struct tui *t)
{
	const struct tui_target_ops *ops = t->cfg.target;

	if (ops && t->live.present && (ops->set_kinds || ops->set_urls))
		return true;
	tui_message(t, true, ops && t->live.present ? "this session cannot change its kinds" :
		"no nginx session: this screen shows a recorded model");
	return false;
}

static unsigned
add(struct tui *t, struct kinds_view *kv)
{
	if (!can_change(t))
		return TUI_DRAW_STATUS;
	kv->held = true;	/* rows stay put while the prompt is open */
	kv->editing = NO_ROW;
	tui_prompt_open(t, "add kind: ", "", prompt_done);
	return TUI_DRAW_STATUS;
}

static unsigned
edit(struct tui *t, struct kinds_view *kv)
{
	const struct krow *r = kv->list.cur < kv->n ? &kv->rows[kv->list.cur] : NULL;

	if (!can_change(t))
		return TUI_DRAW_STATUS;
	if (!r)
		return tui_message(t, true, "no kind selected (a adds one)");
	if (r->mark == DELETED)
		return tui_message(t, true, "this kind is deleted: d keeps it, then e edits it");
	kv->held = true;
	kv->editing = kv->list.cur;
	tui_prompt_open(t, "edit kind: ", r->entry, prompt_done);
	return TUI_DRAW_STATUS;
}

static unsigned
remove_row(struct tui *t, struct kinds_view *kv)
{
	struct krow *r = kv->list.cur < kv->n ? &kv->rows[kv->list.cur] : NULL;
	const char *what;

	if (!can_change(t))
		return TUI_DRAW_STATUS;
	if (!r)
		return tui_message(t, true, "no kind selected");
	what = r->mark == DELETED ? "kept" : "deleted";
	if (r->mark == ADDED) {
		/* never applied: it goes at once */
		row_free(r);
		memmove(r, r + 1, (kv->n - kv->list.cur - 1) * sizeof *r);
		kv->n--;
	} else if (r->mark == DELETED) {
		r->mark = r->orig && strcmp(r->orig, r->entry) ? EDITED : KEPT;
	} else {
		r->mark = DELETED;
	}
	kv->held = true;
	settle_rows(kv);
	kv->list.n = kv->n;
	tui_list_fit(&kv->list, kv->height);
	return changed(t, kv, what);
}

/* One line: the session's reason may span several. */
static void
one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static unsigned
apply(struct tui *t, struct kinds_view *kv)
{
	const struct tui_target_ops *ops = t->cfg.target;
	char **entries, err[512] = "";
	size_t n = 0, i;
	bool ok;

	if (!can_change(t))
		return TUI_DRAW_STATUS;
	if (!pending(kv))
		return tui_message(t, false, "no change to apply");
	entries = xcalloc(kv->n, sizeof *entries);
	for (i = 0; i < kv->n; i++)
		if (kv->rows[i].mark != DELETED)
			entries[n++] = kv->rows[i].entry;
	if (!n) {
		free(entries);
		return tui_message(t, true, "no kind left: the bursts need one (d on a deleted "
			"row keeps it)");
	}
	ok = ops->set_kinds ? ops->set_kinds(t->cfg.target_ctx, entries, n, err, sizeof err) :
		ops->set_urls(t->cfg.target_ctx, entries, n, err, sizeof err);
	free(entries);
	if (!ok) {
		one_line(err);
		/* the list stays: fix the entry, apply again */
		return tui_message(t, true, "%s", err[0] ? err : "the session refused these kinds");
	}
	rows_clear(kv);
	kv->held = false;
	return tui_message(t, false, "%zu kind%s for the next bursts", n, n == 1 ? "" : "s") |
		TUI_DRAW_ALL;
}

/* ---- actions ---- */

static unsigned
kinds_request(struct tui *t, struct tui_view *v, enum tui_action a)
{
	struct kinds_view *kv = v->priv;

	sync_rows(t, kv);
	switch (a) {
	case TUI_ACT_KIND_ADD:
		return add(t, kv);
	case TUI_ACT_KIND_CHANGE:
		return edit(t, kv);
	case TUI_ACT_KIND_DELETE:
		return remove_row(t, kv);
	case TUI_ACT_KIND_APPLY:
		return apply(t, kv);
	default:
		kv->list.n = kv->n;
		return tui_list_move(&kv->list, a, kv->height);
	}
}

static unsigned
kinds_mouse(struct tui *t, struct tui_view *v, const struct tui_mouse *m)
{
	struct kinds_view *kv = v->priv;

	sync_rows(t, kv);
	kv->list.n = kv->n;
	if (m->what != TUI_MOUSE_CLICK)
		return tui_list_wheel(&kv->list, m, kv->height);
	switch (tui_list_click(&kv->list, m->y, kv->head_y + 1, kv->height)) {
	case TUI_LIST_OPEN:	/* a second click edits */
		return edit(t, kv) | TUI_DRAW_BODY;
	case TUI_LIST_MOVED:
		return TUI_DRAW_BODY;
	default:
		return 0;
	}
}

const struct tui_view_ops tui_kinds_ops = {
	.name = "kinds",
	.scope = TUI_SC_KINDS,
	.draw = kinds_draw,
	.request = kinds_request,
	.mouse = kinds_mouse,
	.done = kinds_done,
};
