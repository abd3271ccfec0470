/* report_table.c - display order and the plain-text table. */
#include "report.h"
#include "escape.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct model *order_model;	/* qsort has no context argument */

static int
growth_rank(enum growth g)
{
	return g == GROWTH_GROWING ? 0 : g == GROWTH_BOUNDED ? 1 : 2;
}

static int
cmp_sites(const void *a, const void *b)
{
	const struct model_site *x = model_site(order_model, *(const size_t *)a);
	const struct model_site *y = model_site(order_model, *(const size_t *)b);

	if (growth_rank(x->growth) != growth_rank(y->growth))
		return growth_rank(x->growth) - growth_rank(y->growth);
	if (x->bytes_per_request != y->bytes_per_request)
		return x->bytes_per_request < y->bytes_per_request ? 1 : -1;
	if (x->bytes_per_reload != y->bytes_per_reload)
		return x->bytes_per_reload < y->bytes_per_reload ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

size_t *
report_order(const struct model *m, bool all, size_t *n)
{
	size_t total = model_nsites(m), i, k = 0;
	size_t *idx = xmalloc((total ? total : 1) * sizeof *idx);

	for (i = 0; i < total; i++) {
		const struct model_site *s = model_site(m, i);

		if (s->suppressed)	/* hidden, and counted (model_suppressed) */
			continue;
		if (!all && s->growth == GROWTH_STABLE && s->kind == LEAK_REACHABLE)
			continue;
		if (!all && !s->present && s->growth != GROWTH_GROWING)
			continue;
		idx[k++] = i;
	}
	order_model = m;
	qsort(idx, k, sizeof *idx, cmp_sites);
	order_model = NULL;
	*n = k;
	return idx;
}

char *
report_site_location(const struct model *m, const struct model_site *s)
{
	return report_frame_location(model_site_frame(m, s, s->alloc_at));
}

char *
report_frame_location(const struct model_frame *f)
{
	struct sbuf b = SBUF_INIT;
	const char *base;

	if (!f)
		return xstrdup("?");
	if (*f->file) {
		base = strrchr(f->file, '/');
		base = base ? base + 1 : f->file;
		escape_append(&b, base, strlen(base), 0);
		sbuf_printf(&b, ":%u", f->line);
	} else if (*f->obj) {
		base = strrchr(f->obj, '/');
		base = base ? base + 1 : f->obj;
		sbuf_adds(&b, "(");
		escape_append(&b, base, strlen(base), 0);
		sbuf_adds(&b, ")");
	} else {
		sbuf_printf(&b, "0x%" PRIx64, f->ip);
	}
	return sbuf_detach(&b);
}

/* Clip an already escaped string to width columns (ASCII-safe: escaped
 * text of a name is mostly ASCII; UTF-8 is cut at a character start). */
void
report_put_clipped(FILE *out, const char *s, int width)
{
	int len = (int)strlen(s);

	if (len <= width) {
		fprintf(out, "%-*s", width, s);
		return;
	}
	while (len > width - 1 || (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80))
		len--;
	fprintf(out, "%.*s~%*s", len, s, width - len - 1, "");
}

/* Table rows: sites merged by (kind, allocation frame). The same line
 * reached through several call paths (first request vs keepalive) is one
 * leak to a reader; the JSON keeps every stack. */
struct report_table_row {
	struct model_group g;	/* the shared aggregate (model.h) */
	size_t site;		/* first site of the group, for its location */
};

static size_t
group_rows(const struct model *m, const size_t *idx, size_t n, struct report_table_row *rows)
{
	size_t i, j, nrows = 0;

	/* idx is in display order; a group takes the place of its first site.
	 * Quadratic only in the rows shown: fine for a printed table. */
	for (i = 0; i < n; i++) {
		const struct model_site *s = model_site(m, idx[i]);
		uint32_t at = model_site_alloc_frame(s);

		for (j = 0; j < nrows; j++)
			if (rows[j].g.kind == s->kind && rows[j].g.at == at)
				break;
		if (j == nrows) {
			model_group_init(&rows[nrows].g, s);
			rows[nrows++].site = idx[i];
		} else {
			model_group_add(&rows[j].g, s);
		}
	}
	return nrows;
}

const char *
report_url_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/* The row's top URL (its path) and that URL's bytes per request. */
static void
put_top_url(FILE *out, const struct model *m, const struct model_group *g)
{
	int pad = 7 - (int)strlen(model_growth_name(g->growth));
	const char *path;
	char *e;

	if (g->attrib == MODEL_ATTRIB_FEW_ROUNDS && !g->nurls) {
		fprintf(out, "%*s (more rounds)", pad, "");
		return;
	}
	if (!g->nurls)
		return;
	fprintf(out, "%*s", pad, "");
	path = report_url_path(model_url(m, g->urls[0].url));
	e = escape_dup(path, strlen(path), 0);
	fprintf(out, " %s %.1f", e, g->urls[0].bytes_per_request);
	if (g->nurls > 1)
		fprintf(out, " (+%u)", g->nurls - 1);
	free(e);
}

/* Under a row, what holds it, when the owner search found it. */
static void
print_holder(FILE *out, const struct model *m, const struct model_group *r)
{
	const struct model_site *s = report_group_holder(m, r->kind, r->at);
	char *text = report_holder_text(m, s ? &s->holder : NULL, r->growth == GROWTH_GROWING);

	if (text)
		fprintf(out, "  held: %s\n", text);
	free(text);
}

/* Whether a round had reloads: then the table has a B/RELOAD column. */
static bool
any_reloads(const struct model *m)
{
	size_t n = model_nrounds(m);

	return n && model_round(m, n - 1)->total_reloads > 0;
}

void
report_table_print(FILE *out, const struct model *m, size_t max_rows)
{
	size_t n, i, nrows, total = model_nsites(m);
	size_t *idx = report_order(m, false, &n);
	struct report_table_row *rows = xmalloc((n ? n : 1) * sizeof *rows);
	bool reloads = any_reloads(m);
	char note[320];

	nrows = group_rows(m, idx, n, rows);
	fprintf(out, "%-28s %-28s %-9s %10s %9s %9s ", "SITE", "FUNCTION", "KIND", "BYTES",
		"DELTA", "B/REQ");
	if (reloads)
		fprintf(out, "%9s ", "B/RELOAD");
	fprintf(out, "%-7s %s\n", "VERDICT", "TOP URL B/REQ");
	for (i = 0; i < nrows && (!max_rows || i < max_rows); i++) {
		const struct model_group *r = &rows[i].g;
		const struct model_frame *at = model_frame(m, r->at);
		char *loc = report_site_location(m, model_site(m, rows[i].site));
		const char *fn = at && *at->fn ? at->fn : "???";
		char *efn = escape_dup(fn, strlen(fn), 0);

		report_put_clipped(out, loc, 28);
		fputc(' ', out);
		report_put_clipped(out, efn, 28);
		fprintf(out, " %-9s %10" PRIu64 " %+9" PRId64 " %9.1f", leak_kind_short(r->kind),
			r->bytes, r->delta_bytes, r->bytes_per_request);
		if (reloads)
			fprintf(out, " %9.1f", r->bytes_per_reload);
		fprintf(out, " %s", model_growth_name(r->growth));
		put_top_url(out, m, r);
		fputc('\n', out);
		free(loc);
		free(efn);
		print_holder(out, m, r);
	}
	if (i < nrows)
		fprintf(out, "... %zu more rows (see --json)\n", nrows - i);
	fprintf(out, "%zu rows from %zu of %zu sites (stable still-reachable sites hidden: "
		"nginx's own start-up heap)\n", i, n, total);
	if (model_attrib_note(m, note, sizeof note))
		fprintf(out, "which URL leaks: %s\n", note);
	if (report_supp_line(m, note, sizeof note))
		fprintf(out, "%s\n", note);
	free(rows);
	free(idx);
}

void
report_table_print_errors(FILE *out, const struct model *m, const struct memerrors *errs)
{
	size_t i, n = errs ? memerrors_count(errs) : 0;

	if (!n)
		return;
	fprintf(out, "\n%-28s %-28s %-17s %6s  %s\n", "ERROR AT", "FUNCTION", "KIND", "COUNT", "WHAT");
	for (i = 0; i < n; i++) {
		const struct memerror *r = memerrors_get(errs, i);
		const struct model_frame *f = r->stacks[0].nframes ?
			model_frame(m, r->stacks[0].frames[r->at]) : NULL;
		char *loc = report_frame_location(f);
		char *fn = escape_dup(f && *f->fn ? f->fn : "???", f && *f->fn ? strlen(f->fn) : 3, 0);
		char *what = escape_dup(r->what, strlen(r->what), 0);

		report_put_clipped(out, loc, 28);
		fputc(' ', out);
		report_put_clipped(out, fn, 28);
		fprintf(out, " %-17s %6" PRIu64 "  %s\n", r->kind_name, r->count, what);
		free(loc);
		free(fn);
		free(what);
	}
}
