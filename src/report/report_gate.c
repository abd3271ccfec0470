/* report_gate.c - what fails a run, and the rows every report shares.
 *
 * One rule for batch, --load, --diff and the CI formats: a row (the sites
 * of one kind and allocation frame) fails when a site of it matches
 * --fail-on and grows more than the budgets allow. */
#include "report.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *
report_verdict_name(enum report_verdict v)
{
	switch (v) {
	case REPORT_FAIL: return "fail";
	case REPORT_UNDER_BUDGET: return "under budget";
	default: return "pass";
	}
}

const char *
report_change_name(enum report_change c)
{
	static const char *const names[] = { "new", "fixed", "worse", "better", "unchanged" };

	return (size_t)c < LT_ARRAY_SIZE(names) ? names[c] : "?";
}

struct report_gate
report_gate_rounds(const struct report_gate *g, size_t nrounds)
{
	struct report_gate one = *g;

	if (nrounds <= 1 && one.fail_on == FAIL_ON_GROWING)
		one.fail_on = FAIL_ON_DEFINITE;
	return one;
}

bool
report_gate_core_reload(const struct model_site *s)
{
	return s->core_only && s->bytes_per_request <= 0 && s->bytes_per_reload > 0;
}

static bool
over_budget(const struct model_site *s, const struct report_gate *g)
{
	bool per_req = s->bytes_per_request > 0, per_reload = s->bytes_per_reload > 0;

	if (per_req && (g->max_per_request < 0 || s->bytes_per_request > g->max_per_request))
		return true;
	if (per_reload && (g->max_per_reload < 0 || s->bytes_per_reload > g->max_per_reload))
		return true;
	/* growing with neither figure (too few rounds to say): no budget can excuse it */
	return !per_req && !per_reload;
}

enum report_verdict
report_gate_site(const struct model_site *s, const struct report_gate *g)
{
	bool growing = s->growth == GROWTH_GROWING;

	if (s->suppressed)
		return REPORT_PASS;
	switch (g->fail_on) {
	case FAIL_ON_GROWING:
		if (!growing || report_gate_core_reload(s))
			return REPORT_PASS;
		break;
	case FAIL_ON_DEFINITE:
		if (!s->present || (s->kind != LEAK_DEFINITE && s->kind != LEAK_INDIRECT))
			return REPORT_PASS;
		/* a one-off definite loss fails whatever the budgets */
		if (!growing)
			return REPORT_FAIL;
		break;
	default:
		return REPORT_PASS;
	}
	return over_budget(s, g) ? REPORT_FAIL : REPORT_UNDER_BUDGET;
}

enum report_verdict
report_gate_row(const struct model_group *g, enum report_verdict sites,
	const struct report_gate *gate)
{
	if (sites != REPORT_UNDER_BUDGET)
		return sites;
	if (g->bytes_per_request > 0 && gate->max_per_request >= 0 &&
		g->bytes_per_request > gate->max_per_request)
		return REPORT_FAIL;
	if (g->bytes_per_reload > 0 && gate->max_per_reload >= 0 &&
		g->bytes_per_reload > gate->max_per_reload)
		return REPORT_FAIL;
	return REPORT_UNDER_BUDGET;
}

static enum report_verdict
stronger(enum report_verdict a, enum report_verdict b)
{
	if (a == REPORT_FAIL || b == REPORT_FAIL)
		return REPORT_FAIL;
	return a == REPORT_UNDER_BUDGET || b == REPORT_UNDER_BUDGET ? REPORT_UNDER_BUDGET :
		REPORT_PASS;
}

struct report_row *
report_rows(const struct model *m, const struct report_gate *g, bool all, size_t *n)
{
	size_t nidx, i, j, nrows = 0;
	size_t *idx = report_order(m, all, &nidx);
	struct report_row *rows = xcalloc(nidx + 1, sizeof *rows);

	/* idx is in display order; a row takes the place of its first site */
	for (i = 0; i < nidx; i++) {
		const struct model_site *s = model_site(m, idx[i]);
		uint32_t at = model_site_alloc_frame(s);
		struct report_row *r;

		if (s->suppressed)
			continue;
		for (j = 0; j < nrows; j++)
			if (rows[j].g.kind == s->kind && rows[j].g.at == at)
				break;
		r = &rows[j];
		if (j == nrows) {
			model_group_init(&r->g, s);
			r->site = idx[i];
			r->verdict = REPORT_PASS;
			nrows++;
		} else {
			model_group_add(&r->g, s);
		}
		r->sites = xrealloc(r->sites, (r->nsites + 1) * sizeof *r->sites);
		r->sites[r->nsites++] = idx[i];
		r->verdict = stronger(r->verdict, report_gate_site(s, g));
	}
	for (i = 0; i < nrows; i++)
		rows[i].verdict = report_gate_row(&rows[i].g, rows[i].verdict, g);
	free(idx);
	*n = nrows;
	return rows;
}

void
report_rows_free(struct report_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		free(rows[i].sites);
	free(rows);
}

bool
report_gate_fails(const struct report_row *rows, size_t n, const struct memerrors *errs,
	const struct report_gate *g)
{
	size_t i;

	if (g->fail_on == FAIL_ON_ERROR)
		return errs && memerrors_count(errs) > 0;
	for (i = 0; i < n; i++)
		if (rows[i].verdict == REPORT_FAIL)
			return true;
	return false;
}

size_t
report_entry_frame(const struct model *m, const struct model_site *s)
{
	size_t i, entry = s->alloc_at;

	/* the outermost frame that is not core, below the core frames that
	 * reach the stack's end (nginx's event loop calling into the module) */
	for (i = s->alloc_at; i < s->nframes; i++) {
		const struct model_frame *f = model_site_frame(m, s, i);

		if (*f->file && !f->core)
			entry = i;
	}
	return entry;
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

char *
report_row_key(const struct model *m, const struct report_row *r)
{
	const struct model_site *s = model_site(m, r->site);
	const struct model_frame *at = model_site_frame(m, s, s->alloc_at);
	size_t i, last = report_entry_frame(m, s);
	struct sbuf b = SBUF_INIT;

	if (s->core_only)
		last = s->alloc_at + 7 < s->nframes ? s->alloc_at + 7 : s->nframes - 1;
	sbuf_printf(&b, "%s|%s|", leak_kind_short(s->kind), at ? base_name(at->file) : "");
	for (i = s->alloc_at; s->nframes && i <= last; i++) {
		const struct model_frame *f = model_site_frame(m, s, i);

		sbuf_printf(&b, "%s%s", i > s->alloc_at ? "<" : "", *f->fn ? f->fn : "?");
	}
	return sbuf_detach(&b);
}
