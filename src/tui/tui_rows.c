/* tui_rows.c - filter, group and sort the sites once per change. */
#include "tui_rows.h"
#include "intern.h"
#include "report.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const column_titles[][2] = {
#define TUI_COL_TITLE(id, title, narrow) { title, narrow },
	TUI_COLUMNS(TUI_COL_TITLE)
#undef TUI_COL_TITLE
};

const char *
tui_column_title(enum tui_column c, bool narrow)
{
	return c < TUI_COL_COUNT ? column_titles[c][narrow] : "";
}

void
tui_rows_init(struct tui_rows *r)
{
	memset(r, 0, sizeof *r);
	r->filter.kind = -1;
	r->filter.growth = TUI_VERDICT_DEFAULT;
	r->filter.hide_core = true;
	r->sort = TUI_COL_VERDICT;
	r->group = true;
	r->dirty = true;
}

void
tui_rows_free(struct tui_rows *r)
{
	free(r->rows);
	free(r->members);
	free(r->slots);
	free(r->site_row);
	memset(r, 0, sizeof *r);
}

void
tui_rows_invalidate(struct tui_rows *r)
{
	r->dirty = true;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The text filter looks at what the table shows of a site: its
 * allocation frame. Every request stack runs through the same event loop
 * functions, so matching any frame would match nearly everything. */
static bool
site_matches(const struct model *m, const struct model_site *s, const char *text)
{
	const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

	return f && (strstr(f->fn, text) || strstr(base_name(f->file), text) ||
		strstr(base_name(f->obj), text));
}

/* The site-level filters; hide_core is counted apart so the screen can
 * say how many it hides. */
static bool
site_listed(struct tui_rows *r, const struct model *m, const struct model_site *s)
{
	/* Gone in the latest round and not a leak: nothing to look at. */
	if (!s->present && s->growth != GROWTH_GROWING)
		return false;
	/* hidden and counted: the header says how many */
	if (s->suppressed) {
		r->nsuppressed++;
		return false;
	}
	/* The default view hides what the batch table hides: stable still
	 * reachable memory is the process's start-up heap, not a leak. */
	if (r->filter.growth == TUI_VERDICT_DEFAULT && s->growth == GROWTH_STABLE &&
		s->kind == LEAK_REACHABLE)
		return false;
	if (r->filter.kind >= 0 && (int)s->kind != r->filter.kind)
		return false;
	if (r->filter.text[0] && !site_matches(m, s, r->filter.text))
		return false;
	if (r->filter.hide_core && s->core_only) {
		r->nhidden_core++;
		return false;
	}
	return true;
}

static uint32_t
row_for(struct tui_rows *r, const struct model *m, uint32_t site, const struct model_site *s)
{
	uint64_t key = ((uint64_t)s->kind << 32) | model_site_alloc_frame(s);
	size_t j = 0, mask = r->nslots - 1;
	struct tui_row *row;

	if (r->group) {
		for (j = intern_hash(&key, sizeof key, 7) & mask; r->slots[j]; j = (j + 1) & mask) {
			row = &r->rows[r->slots[j] - 1];
			if (model_site_on_line(s, row->g.kind, row->g.at)) {
				model_group_add(&row->g, s);
				return r->slots[j] - 1;
			}
		}
	}
	xgrow((void **)&r->rows, &r->caprows, r->nrows + 1, sizeof *r->rows);
	row = &r->rows[r->nrows];
	model_group_init(&row->g, s);
	row->file = "";
	if (row->g.at != UINT32_MAX)
		row->file = base_name(model_frame(m, row->g.at)->file);
	row->first = site;	/* provisional: the first site, until members are laid out */
	row->verdict = REPORT_PASS;
	row->change = TUI_NO_CHANGE;
	row->before = -1;
	row->old_only = false;
	if (r->group)
		r->slots[j] = (uint32_t)r->nrows + 1;
	return (uint32_t)r->nrows++;
}

static void
prepare_scratch(struct tui_rows *r, size_t nsites)
{
	size_t want = 16;

	while (want < nsites * 2)
		want *= 2;
	if (want != r->nslots) {
		free(r->slots);
		r->slots = xmalloc(want * sizeof *r->slots);
		r->nslots = want;
	}
	memset(r->slots, 0, r->nslots * sizeof *r->slots);
	xgrow((void **)&r->site_row, &r->capsite_row, nsites + 1, sizeof *r->site_row);
}

/* members[] in row order: each row's sites contiguous, in site order. */
static void
lay_out_members(struct tui_rows *r, size_t nsites)
{
	size_t k, pos = 0, i;

	xgrow((void **)&r->members, &r->capmembers, r->nlisted + 1, sizeof *r->members);
	for (k = 0; k < r->nrows; k++) {
		pos += r->rows[k].g.nsites;
		r->rows[k].first = (uint32_t)pos;	/* end; filled backwards below */
	}
	for (i = nsites; i-- > 0; )
		if (r->site_row[i] != UINT32_MAX)
			r->members[--r->rows[r->site_row[i]].first] = (uint32_t)i;
}

struct sort_ctx {
	const struct model *m, *old;
	enum tui_column col;
	bool invert;
	const uint32_t *members;
};

static int
cmp_desc_u64(uint64_t a, uint64_t b)
{
	return a == b ? 0 : a < b ? 1 : -1;
}

static int
cmp_desc_f(double a, double b)
{
	return a == b ? 0 : a < b ? 1 : -1;
}

/* Growing rows under the budgets (--max-bytes-per-*) after the failing
 * ones, before the bounded. */
static int
growth_rank(const struct tui_row *r)
{
	if (r->g.growth == GROWTH_GROWING)
		return r->verdict == REPORT_UNDER_BUDGET ? 1 : 0;
	return r->g.growth == GROWTH_BOUNDED ? 2 : 3;
}

/* new, worse, fixed, better, unchanged, then rows without a change */
static int
change_rank(int c)
{
	static const int rank[] = { [REPORT_NEW] = 0, [REPORT_WORSE] = 1, [REPORT_FIXED] = 2,
		[REPORT_BETTER] = 3, [REPORT_SAME] = 4 };

	return c >= 0 && (size_t)c < LT_ARRAY_SIZE(rank) ? rank[c] : 5;
}

/* The report's order (report_order): leaks first, fastest first. */
static int
cmp_verdict(const struct tui_row *a, const struct tui_row *b)
{
	int c = growth_rank(a) - growth_rank(b);

	if (!c)
		c = cmp_desc_f(a->g.bytes_per_request, b->g.bytes_per_request);
	if (!c)
		c = cmp_desc_u64(a->g.bytes, b->g.bytes);
	if (!c)
		c = (int)a->g.kind - (int)b->g.kind;
	return c;
}

static const struct model_frame *
row_frame(const struct model *m, const struct tui_row *row)
{
	static const struct model_frame none = { .fn = "", .file = "", .obj = "" };

	return row->g.at == UINT32_MAX ? &none : model_frame(m, row->g.at);
}

static int
cmp_column(const struct sort_ctx *c, const struct tui_row *a, const struct tui_row *b)
{
	const struct model_frame *fa = row_frame(a->old_only ? c->old : c->m, a);
	const struct model_frame *fb = row_frame(b->old_only ? c->old : c->m, b);
	int r = 0;

	switch (c->col) {
	case TUI_COL_SITE:
		r = strcmp(a->file, b->file);
		if (!r)
			r = fa->line == fb->line ? 0 : fa->line < fb->line ? -1 : 1;
		break;
	case TUI_COL_FUNCTION:
		r = strcmp(fa->fn, fb->fn);
		break;
	case TUI_COL_KIND:
		r = (int)a->g.kind - (int)b->g.kind;
		break;
	case TUI_COL_BYTES:
		r = cmp_desc_u64(a->g.bytes, b->g.bytes);
		break;
	case TUI_COL_BLOCKS:
		r = cmp_desc_u64(a->g.blocks, b->g.blocks);
		break;
	case TUI_COL_DELTA:
		r = a->g.delta_bytes == b->g.delta_bytes ? 0 :
			a->g.delta_bytes < b->g.delta_bytes ? 1 : -1;
		break;
	case TUI_COL_BPR:
		r = cmp_desc_f(a->g.bytes_per_request, b->g.bytes_per_request);
		break;
	case TUI_COL_BEFORE:
		r = cmp_desc_f(a->before, b->before);
		break;
	case TUI_COL_CHANGE:
		r = change_rank(a->change) - change_rank(b->change);
		break;
	case TUI_COL_URL:
		/* rows a URL drives first, by that URL's bytes per request */
		r = cmp_desc_f(a->g.nurls ? a->g.urls[0].bytes_per_request : -1,
			b->g.nurls ? b->g.urls[0].bytes_per_request : -1);
		break;
	default:
		r = cmp_verdict(a, b);
		break;
	}
	return r;
}

static int
cmp_rows(const void *x, const void *y, void *ctx)
{
	const struct sort_ctx *c = ctx;
	const struct tui_row *a = x, *b = y;
	int r = cmp_column(c, a, b);

	if (c->invert)
		r = -r;
	if (!r)
		r = cmp_verdict(a, b);
	if (!r && a->old_only != b->old_only)
		r = a->old_only ? 1 : -1;
	if (!r)	/* a site belongs to one row (of one model): a total order */
		r = c->members[a->first] < c->members[b->first] ? -1 : 1;
	return r;
}

static int
cmp_members(const void *x, const void *y, void *ctx)
{
	const struct model *m = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int r = cmp_desc_u64(model_site(m, a)->bytes, model_site(m, b)->bytes);

	return r ? r : a < b ? -1 : 1;
}

/* Each row by the gate: the strongest verdict of its sites. */
static void
judge(struct tui_rows *r, const struct model *m)
{
	size_t k, i;

	if (!r->gate)
		return;
	for (k = 0; k < r->nrows; k++) {
		struct tui_row *row = &r->rows[k];

		for (i = 0; i < row->g.nsites && row->verdict != REPORT_FAIL; i++) {
			enum report_verdict v = report_gate_site(model_site(m,
				r->members[row->first + i]), r->gate);

			if (v != REPORT_PASS)
				row->verdict = v;
		}
		row->verdict = report_gate_row(&row->g, row->verdict, r->gate);
		r->under_budget |= row->verdict == REPORT_UNDER_BUDGET;
	}
}

/* With a baseline: each row's change (the diff's row on the same line),
 * and the baseline's rows that are not in this run (fixed) added, their
 * sites the baseline model's. */
static void
compare(struct tui_rows *r, const struct model *m)
{
	size_t n = r->diff ? report_diff_nrows(r->diff) : 0, i, k, j;

	(void)m;
	for (i = 0; i < n; i++) {
		const struct report_diff_row *d = report_diff_row(r->diff, i);
		struct tui_row *row;

		if (!d)
			continue;
		if (d->new) {
			for (k = 0; k < r->nrows; k++) {
				row = &r->rows[k];
				if (!row->old_only && row->g.kind == d->new->g.kind &&
					row->g.at == d->new->g.at) {
					row->change = (int)d->change;
					row->before = d->old ? d->old->g.bytes_per_request : -1;
				}
			}
			continue;
		}
		/* a fixed row passes the filters of the rows it stands beside */
		if (!d->old || (r->filter.kind >= 0 && (int)d->old->g.kind != r->filter.kind) ||
			(r->filter.hide_core && d->old->g.core_only) || (r->filter.text[0] &&
			!site_matches(r->old, model_site(r->old, d->old->site), r->filter.text)))
			continue;
		xgrow((void **)&r->rows, &r->caprows, r->nrows + 1, sizeof *r->rows);
		xgrow((void **)&r->members, &r->capmembers, r->nlisted + d->old->nsites + 1,
			sizeof *r->members);
		row = &r->rows[r->nrows++];
		memset(row, 0, sizeof *row);
		row->g = d->old->g;
		row->file = d->old->g.at == UINT32_MAX ? "" :
			base_name(model_frame(r->old, d->old->g.at)->file);
		row->first = (uint32_t)r->nlisted;
		for (j = 0; j < d->old->nsites; j++)
			r->members[r->nlisted++] = (uint32_t)d->old->sites[j];
		row->g.nsites = d->old->nsites;
		row->verdict = REPORT_PASS;
		row->change = REPORT_FIXED;
		row->before = d->old->g.bytes_per_request;
		row->old_only = true;
	}
}

static void
drop_by_verdict(struct tui_rows *r)
{
	size_t k, kept = 0;

	for (k = 0; k < r->nrows; k++) {
		const struct tui_row *row = &r->rows[k];

		if (r->filter.growth >= 0 && (int)row->g.growth != r->filter.growth)
			continue;
		if (r->filter.changes_only && row->change != REPORT_NEW &&
			row->change != REPORT_WORSE) {
			r->nchanges_hidden++;
			continue;
		}
		r->rows[kept++] = *row;
	}
	r->nrows = kept;
}

static void
rebuild(struct tui_rows *r, const struct model *m)
{
	size_t nsites = model_nsites(m), i, k;
	struct sort_ctx c = { m, r->old, r->sort, r->invert, NULL };

	r->nrows = r->nlisted = r->nhidden_core = r->nsuppressed = r->nchanges_hidden = 0;
	r->under_budget = false;
	prepare_scratch(r, nsites);
	for (i = 0; i < nsites; i++) {
		const struct model_site *s = model_site(m, i);

		r->site_row[i] = UINT32_MAX;
		if (!site_listed(r, m, s))
			continue;
		r->site_row[i] = row_for(r, m, (uint32_t)i, s);
		r->nlisted++;
	}
	lay_out_members(r, nsites);
	judge(r, m);
	compare(r, m);
	drop_by_verdict(r);
	for (k = 0; k < r->nrows; k++)
		if (r->rows[k].g.nsites > 1 && !r->rows[k].old_only)
			qsort_r(r->members + r->rows[k].first, r->rows[k].g.nsites,
				sizeof *r->members, cmp_members, (void *)m);
	c.members = r->members;
	if (r->nrows > 1)
		qsort_r(r->rows, r->nrows, sizeof *r->rows, cmp_rows, &c);
	r->rebuilds++;
}

bool
tui_rows_stale(const struct tui_rows *r, const struct model *m)
{
	return r->dirty || r->m != m || r->stamp_rounds != model_nrounds(m) ||
		r->stamp_baseline != model_baseline(m) || r->stamp_sites != model_nsites(m);
}

bool
tui_rows_update(struct tui_rows *r, const struct model *m)
{
	if (!tui_rows_stale(r, m))
		return false;
	r->m = m;
	r->stamp_rounds = model_nrounds(m);
	r->stamp_baseline = model_baseline(m);
	r->stamp_sites = model_nsites(m);
	r->dirty = false;
	rebuild(r, m);
	return true;
}

size_t
tui_rows_find_site(const struct tui_rows *r, uint32_t site)
{
	size_t k, i;

	for (k = 0; k < r->nrows; k++)
		for (i = 0; i < r->rows[k].g.nsites; i++)
			if (r->members[r->rows[k].first + i] == site)
				return k;
	return r->nrows;
}

size_t
tui_rows_memory(const struct tui_rows *r)
{
	return r->caprows * sizeof *r->rows + r->capmembers * sizeof *r->members +
		r->nslots * sizeof *r->slots + r->capsite_row * sizeof *r->site_row;
}
