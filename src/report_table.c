/* report_table.c - display order and the plain-text table. */
#include "report.h"
#include "escape.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <inttypes.h>
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
	const struct model_frame *f = model_site_frame(m, s, s->alloc_at);
	struct sbuf b = SBUF_INIT;
	const char *base;

	if (!f)
		return xstrdup("?");
	if (*f->file) {
		base = strrchr(f->file, '/');
		base = base ? base + 1 : f->file;
		esc_append(&b, base, strlen(base), 0);
		sbuf_printf(&b, ":%u", f->line);
	} else if (*f->obj) {
		base = strrchr(f->obj, '/');
		base = base ? base + 1 : f->obj;
		sbuf_adds(&b, "(");
		esc_append(&b, base, strlen(base), 0);
		sbuf_adds(&b, ")");
	} else {
		sbuf_printf(&b, "0x%" PRIx64, f->ip);
	}
	return sbuf_detach(&b);
}

/* Clip an already escaped string to width columns (ASCII-safe: escaped
 * text of a name is mostly ASCII; UTF-8 is cut at a character start). */
static void
put_clipped(FILE *out, const char *s, int width)
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

void
rtable_print(FILE *out, const struct model *m, size_t max_rows)
{
	size_t n, i, total = model_nsites(m);
	size_t *idx = report_order(m, false, &n);

	fprintf(out, "%-28s %-28s %-9s %10s %9s %9s %s\n", "SITE", "FUNCTION", "KIND", "BYTES",
		"DELTA", "B/REQ", "VERDICT");
	for (i = 0; i < n && (!max_rows || i < max_rows); i++) {
		const struct model_site *s = model_site(m, idx[i]);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);
		char *loc = report_site_location(m, s);
		char *fn = esc_dup(f && *f->fn ? f->fn : "???", f && *f->fn ? strlen(f->fn) : 3, 0);

		put_clipped(out, loc, 28);
		fputc(' ', out);
		put_clipped(out, fn, 28);
		fprintf(out, " %-9s %10" PRIu64 " %+9" PRId64 " %9.1f %s\n", leak_kind_short(s->kind),
			s->bytes, s->delta_bytes, s->bytes_per_request, growth_name(s->growth));
		free(loc);
		free(fn);
	}
	if (i < n)
		fprintf(out, "... %zu more sites (see --json)\n", n - i);
	fprintf(out, "%zu sites shown of %zu (stable still-reachable sites hidden: nginx's own "
		"start-up heap)\n", i, total);
	free(idx);
}
