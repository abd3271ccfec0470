/* tui_header.c - header, log panel of a dead nginx, status line, key bar. */
#include "tui_int.h"
#include "memerrors.h"
#include "model.h"
#include "tui_fmt.h"
#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_MAX_LINES 8

/* A line being filled left to right. */
struct hline {
	int y, x, end;
};

static void __attribute__((format(printf, 3, 4)))
seg(struct hline *h, enum tui_role role, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (h->x >= h->end)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	h->x += tui_draw_text(h->y, h->x, h->end - h->x, role, buf, 0);
}

/* "label value" pairs separated by two spaces */
static void
pair(struct hline *h, const char *label, enum tui_role role, const char *value)
{
	seg(h, TUI_ROLE_LABEL, "%s ", label);
	seg(h, role, "%s", value);
	seg(h, TUI_ROLE_NORMAL, "  ");
}

int
tui_header_height(const struct tui *t)
{
	return 3 + tui_procs_line_shown(t);
}

static const char *
phase_name(enum tui_phase p)
{
	static const char *const names[] = {
		[TUI_PHASE_NEW] = "new", [TUI_PHASE_STARTING] = "starting",
		[TUI_PHASE_READY] = "ready", [TUI_PHASE_BURST] = "burst",
		[TUI_PHASE_CHECK] = "checking", [TUI_PHASE_DEBUG] = "debugging",
		[TUI_PHASE_RELOAD] = "reloading", [TUI_PHASE_STOPPING] = "stopping",
		[TUI_PHASE_EXITED] = "exited",
	};

	return (size_t)p < LT_ARRAY_SIZE(names) ? names[p] : "?";
}

static void
state_text(struct tui *t, char *buf, size_t len, enum tui_role *role)
{
	const struct tui_live *l = &t->live;
	const char *spin = tui_fmt_spinner(l->busy_ms, tui_draw_utf8());
	char dur[32];

	*role = TUI_ROLE_STATE_OK;
	tui_fmt_duration_ms(dur, sizeof dur, l->busy_ms);
	if (!l->present) {
		snprintf(buf, len, "no session");
		*role = TUI_ROLE_NORMAL;
		return;
	}
	switch (l->phase) {
	case TUI_PHASE_BURST:
		*role = TUI_ROLE_STATE_BUSY;
		snprintf(buf, len, "burst %lu/%lu %s %s", l->burst_done, l->requests, spin, dur);
		return;
	case TUI_PHASE_CHECK:
		*role = TUI_ROLE_STATE_BUSY;
		snprintf(buf, len, "leak check %s %s", spin, dur);
		return;
	case TUI_PHASE_RELOAD:
		*role = TUI_ROLE_STATE_BUSY;
		snprintf(buf, len, "reloading %s %s", spin, dur);
		return;
	case TUI_PHASE_EXITED:
		*role = TUI_ROLE_STATE_DEAD;
		/* the session's reason names nginx already ("nginx killed by ...") */
		snprintf(buf, len, "%s", *l->reason ? l->reason : "nginx exited");
		return;
	case TUI_PHASE_NEW:
	case TUI_PHASE_STARTING:
	case TUI_PHASE_STOPPING:
		*role = TUI_ROLE_STATE_BUSY;
		/* fall through */
	default:
		snprintf(buf, len, "%s", phase_name(l->phase));
		return;
	}
}

/* The state line: items after the name, two spaces apart. A narrow
 * terminal drops whole items (higher drop first; 0: never) rather than
 * cut the last ones: the version, the pid, auto off, then the protocol. */
#define STATE_ITEMS 12
struct sitem {
	const char *label;	/* NULL: the value alone */
	char value[320];
	enum tui_role role;
	int drop;
	bool gone;
};
struct sline {
	struct sitem it[STATE_ITEMS];
	size_t n;
};

static void __attribute__((format(printf, 5, 6)))
item(struct sline *l, int drop, const char *label, enum tui_role role, const char *fmt, ...)
{
	struct sitem *it;
	va_list ap;

	if (l->n == STATE_ITEMS)
		return;
	it = &l->it[l->n++];
	*it = (struct sitem){ .label = label, .role = role, .drop = drop };
	va_start(ap, fmt);
	vsnprintf(it->value, sizeof it->value, fmt, ap);
	va_end(ap);
}

static int
item_cols(const struct sitem *it)
{
	return (it->label ? tui_draw_cols(it->label) + 1 : 0) + tui_draw_cols(it->value);
}

/* Drop items, the highest drop first, until the line fits in cols. */
static void
items_fit(struct sline *l, int cols)
{
	for (;;) {
		int w = -2, worst = 0;
		size_t i, at = 0;

		for (i = 0; i < l->n; i++)
			if (!l->it[i].gone) {
				w += item_cols(&l->it[i]) + 2;
				if (l->it[i].drop > worst) {
					worst = l->it[i].drop;
					at = i;
				}
			}
		if (w <= cols || !worst)
			return;
		l->it[at].gone = true;
	}
}

/* What suppressions hide: the sites they match in the model, with
 * what valgrind itself suppressed in the latest check; dropped first. */
static void
suppressed_item(struct tui *t, struct sline *l)
{
	size_t n = model_nrounds(t->model);
	struct model_suppressed sup;
	uint64_t by_valgrind = n ? model_round(t->model, n - 1)->summary.suppressed.bytes : 0;
	char a[32];

	model_suppressed(t->model, &sup);
	if (!sup.sites && !by_valgrind)
		return;
	item(l, 10, "suppressed", TUI_ROLE_VALUE, "%zu site%s (%s B)", sup.sites,
		sup.sites == 1 ? "" : "s", tui_fmt_size(a, sizeof a, sup.bytes + by_valgrind, 8));
}

/* --baseline: what the table is compared with */
static void
baseline_item(struct tui *t, struct sline *l)
{
	const char *name = t->cfg.baseline_name, *slash;

	if (!t->cfg.baseline)
		return;
	slash = name ? strrchr(name, '/') : NULL;
	item(l, 1, "against", TUI_ROLE_VALUE, "%s", slash ? slash + 1 : name ? name : "baseline");
}

static void
state_items(struct tui *t, struct sline *l)
{
	const struct tui_live *lv = &t->live;
	enum tui_role role;
	char state[320];

	if (t->cfg.nginx_version && *t->cfg.nginx_version)
		item(l, 9, NULL, TUI_ROLE_NORMAL, "%s", t->cfg.nginx_version);
	state_text(t, state, sizeof state, &role);
	item(l, 0, NULL, role, "%s", state);
	/* someone else's nginx: the bursts below are not what loads it */
	if (lv->present && lv->attached)
		item(l, 0, NULL, TUI_ROLE_STATE_BUSY, "attached");
	if (lv->present && lv->pid > 0 && lv->phase != TUI_PHASE_EXITED)
		item(l, 8, "pid", TUI_ROLE_VALUE, "%ld", lv->pid);
	baseline_item(t, l);
	suppressed_item(t, l);
	if (!lv->present || lv->phase == TUI_PHASE_EXITED)
		return;
	/* auto on keeps its place: rounds start by themselves */
	item(l, lv->auto_mode ? 2 : 7, "auto", lv->auto_mode ? TUI_ROLE_STATE_BUSY :
		TUI_ROLE_VALUE, "%s", lv->auto_mode ? "on" : "off");
	item(l, 4, "req", TUI_ROLE_VALUE, "%lu", lv->requests);
	item(l, 5, "conc", TUI_ROLE_VALUE, "%u", lv->concurrency);
	/* the kind editor's (u) count when the session has kinds */
	if (lv->nkinds)
		item(l, 3, "kinds", TUI_ROLE_VALUE, "%zu", lv->nkinds);
	else
		item(l, 3, "URLs", TUI_ROLE_VALUE, "%zu", lv->nurls);
	if (lv->protocol && *lv->protocol)
		item(l, 6, NULL, TUI_ROLE_VALUE, "%s", lv->protocol);
}

static void
line_state(struct tui *t, struct hline *h)
{
	static const char title[] = " ngx-leaktop ";
	struct sline l = { .n = 0 };
	size_t i;
	bool first = true;

	seg(h, TUI_ROLE_TITLE_BOLD, "%s", title);
	seg(h, TUI_ROLE_NORMAL, " ");
	state_items(t, &l);
	items_fit(&l, h->end - h->x);
	for (i = 0; i < l.n; i++) {
		if (l.it[i].gone)
			continue;
		if (!first)
			seg(h, TUI_ROLE_NORMAL, "  ");
		first = false;
		if (l.it[i].label)
			seg(h, TUI_ROLE_LABEL, "%s ", l.it[i].label);
		seg(h, l.it[i].role, "%s", l.it[i].value);
	}
}

static void
line_burst(struct tui *t, struct hline *h)
{
	const struct model *m = t->model;
	size_t n = model_nrounds(m);
	const struct model_round *last = n ? model_round(m, n - 1) : NULL;
	const struct tui_live *l = &t->live;
	uint64_t total = l->present ? l->total_requests : last ? last->total_requests : 0;
	uint64_t failed = l->total_failed;
	char v[96], a[32], b[32];
	size_t r;

	if (!l->present)
		for (r = 0, failed = 0; r < n; r++)
			failed += model_round(m, r)->failed;
	snprintf(v, sizeof v, "%s", tui_fmt_grouped(a, sizeof a, total));
	pair(h, "requests", TUI_ROLE_VALUE, v);
	pair(h, "failed", failed ? TUI_ROLE_UP : TUI_ROLE_VALUE, tui_fmt_grouped(a, sizeof a, failed));
	if (l->present && l->reloads) {
		snprintf(v, sizeof v, "%u", l->reloads);
		pair(h, "reloads", TUI_ROLE_VALUE, v);
	}
	if (l->have_burst) {
		snprintf(v, sizeof v, "%.0f req/s", l->rps);
		pair(h, "last burst", TUI_ROLE_VALUE, v);
	}
	if (last) {
		/* "what changed": valgrind printed only the records that changed */
		snprintf(v, sizeof v, "#%zu at %s took %s%s", n - 1, tui_fmt_clock(a, sizeof a,
			last->wall_ms), tui_fmt_duration_ms(b, sizeof b, last->check_ns / 1000000),
			last->delta ? " (what changed)" : "");
		pair(h, "check", TUI_ROLE_VALUE, v);
	} else {
		pair(h, "check", TUI_ROLE_VALUE, "none yet");
	}
}

/* memcheck errors and the exit report: first on the line when there is
 * something to see (a narrow screen cuts the end), last otherwise. */
static void
line_findings(struct tui *t, struct hline *h, bool first)
{
	size_t n = t->errors ? memerrors_count(t->errors) : 0;
	char a[32];

	if (t->errors && (n > 0) == first) {
		if (!first)
			seg(h, TUI_ROLE_NORMAL, "  ");
		seg(h, TUI_ROLE_LABEL, "errors ");
		seg(h, n ? TUI_ROLE_UP : TUI_ROLE_VALUE, "%s", tui_fmt_grouped(a, sizeof a, (uint64_t)n));
		seg(h, TUI_ROLE_LABEL, first ? " (E)  " : "");
	}
	if (t->exit_model && first) {
		seg(h, TUI_ROLE_LABEL, "exit report ");
		seg(h, TUI_ROLE_VALUE, "%zu", model_nsites(t->exit_model));
		seg(h, TUI_ROLE_LABEL, " (x)  ");
	}
}

static void
line_totals(struct tui *t, struct hline *h)
{
	const struct model *m = t->model;
	size_t n = model_nrounds(m);
	const struct model_round *last = n ? model_round(m, n - 1) : NULL;
	const struct model_round *prev = n > 1 ? model_round(m, n - 2) : NULL;
	static const char *const narrow[LEAK_KIND_COUNT] = { "def", "ind", "pos", "reach" };
	char a[32], d[32];
	int k;

	line_findings(t, h, true);
	if (!last || !last->summary.seen) {
		seg(h, TUI_ROLE_LABEL, "leaks: ");
		seg(h, TUI_ROLE_NORMAL, "waiting for the first leak check");
		return;
	}
	for (k = 0; k < LEAK_KIND_COUNT; k++) {
		uint64_t now = last->summary.kind[k].bytes;
		int64_t delta = prev ? (int64_t)now - (int64_t)prev->summary.kind[k].bytes : 0;

		seg(h, TUI_ROLE_LABEL, "%s ", t->cols >= 110 ? leak_kind_short(k) : narrow[k]);
		seg(h, TUI_ROLE_VALUE, "%s", tui_fmt_size(a, sizeof a, now, 8));
		if (delta)
			seg(h, delta > 0 ? TUI_ROLE_UP : TUI_ROLE_DOWN, " %s",
				tui_fmt_delta(d, sizeof d, delta, 7));
		seg(h, TUI_ROLE_NORMAL, "  ");
	}
	seg(h, TUI_ROLE_LABEL, "baseline ");
	seg(h, TUI_ROLE_VALUE, "#%zu", model_baseline(m));
	line_findings(t, h, false);
}

void
tui_header_draw(struct tui *t, int y0, int y1)
{
	struct hline h = { y0, 0, t->cols };

	line_state(t, &h);
	if (y0 + 1 < y1) {
		h = (struct hline){ y0 + 1, 1, t->cols };
		line_burst(t, &h);
	}
	if (y0 + 2 < y1) {
		h = (struct hline){ y0 + 2, 1, t->cols };
		line_totals(t, &h);
	}
	/* last: it names the view of the table below it */
	if (y0 + 3 < y1 && tui_procs_line_shown(t))
		tui_procs_line_draw(t, y0 + 3);
}

/* ---- the log panel, once nginx has died ---- */

static size_t
count_lines(const char *s)
{
	const char *p = s;
	size_t n = 0;

	if (!*s)
		return 0;
	for (; *p; p++)
		n += *p == '\n';
	return n + (p[-1] != '\n');
}

int
tui_header_log_height(const struct tui *t, int avail)
{
	int want;

	if (!t->live.present || t->live.phase != TUI_PHASE_EXITED || !t->live.log_tail[0])
		return 0;
	want = 1 + (int)count_lines(t->live.log_tail);
	if (want > LOG_MAX_LINES + 1)
		want = LOG_MAX_LINES + 1;
	/* the table keeps at least half of what there is */
	if (want > avail / 2)
		want = avail / 2;
	return want > 1 ? want : 0;
}

void
tui_header_log_draw(struct tui *t, int y0, int y1)
{
	const char *s = t->live.log_tail, *nl;
	size_t total = count_lines(s), skip;
	int y = y0 + 1;

	tui_draw_text(y0, 0, t->cols, TUI_ROLE_LOG_TITLE,
		"last lines of nginx's and valgrind's logs (R restarts, data below stays)", TUI_TEXT_PAD);
	/* the newest lines matter: skip the oldest that do not fit */
	skip = total > (size_t)(y1 - y) ? total - (size_t)(y1 - y) : 0;
	for (; *s && y < y1; s = nl ? nl + 1 : s + strlen(s)) {
		nl = strchr(s, '\n');
		if (skip) {
			skip--;
			continue;
		}
		tui_draw_textn(y++, 1, t->cols - 1, TUI_ROLE_LOG, s, nl ? (size_t)(nl - s) : strlen(s), 0);
	}
}

/* ---- status line and key bar ---- */

/* The bar's "KEY name" of an action: its columns (the table is ASCII). */
static int
bar_width(enum tui_action a)
{
	const struct tui_action_info *info = tui_action_info(a);
	char key[16];

	tui_action_key_name(info->keys[0], key, sizeof key);
	return (int)(strlen(key) + 1 + strlen(info->name));
}

/* Draws one entry at x within the line; returns where it ends. */
static int
bar_entry(struct tui *t, int y, int x, enum tui_action a)
{
	const struct tui_action_info *info = tui_action_info(a);
	char key[16];
	int x0 = x;

	tui_action_key_name(info->keys[0], key, sizeof key);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_KEY, key, 0);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_KEY_TEXT, " ", 0);
	x += tui_draw_text(y, x, t->cols - x, TUI_ROLE_KEY_TEXT, info->name, 0);
	if (t->nbar < TUI_MAX_BAR) {
		t->bar[t->nbar].x0 = x0;
		t->bar[t->nbar].x1 = x;
		t->bar[t->nbar++].a = a;
	}
	return x;
}

/* The entries in bar order, each whole or not at all, and "q quit"
 * always: its room is kept first, and it follows the others that fit. */
void
tui_header_bar_draw(struct tui *t, int y)
{
	enum tui_action acts[TUI_MAX_BAR];
	size_t n = tui_action_bar(tui_top(t)->ops->scope, acts, TUI_MAX_BAR), i;
	bool has_quit = false;
	int room = t->cols, x = 0;

	t->nbar = 0;
	/* P only where there are processes to switch between (help lists it always) */
	for (i = 0; i < n; i++)
		if (acts[i] == TUI_ACT_VIEW && !tui_procs_line_shown(t)) {
			memmove(&acts[i], &acts[i + 1], (n - i - 1) * sizeof *acts);
			n--;
			break;
		}
	for (i = 0; i < n; i++)
		if (acts[i] == TUI_ACT_CLOSE) {
			has_quit = true;
			room -= bar_width(acts[i]) + 2;
		}
	for (i = 0; i < n; i++) {
		if (acts[i] == TUI_ACT_CLOSE)
			continue;
		if (x + bar_width(acts[i]) > room)
			break;
		x = bar_entry(t, y, x, acts[i]);
		x += tui_draw_text(y, x, 2, TUI_ROLE_NORMAL, "  ", 0);
	}
	if (has_quit)
		bar_entry(t, y, x, TUI_ACT_CLOSE);
}
