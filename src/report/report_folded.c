/* report_folded.c - folded stacks for flame graphs (flamegraph.pl,
 * inferno, speedscope).
 *
 * A line per stack: its frames root first (the outermost caller first,
 * the allocator last), ';'-joined function names (a frame without one:
 * its object's basename, else 0xADDR), a space, the bytes it holds in the
 * latest round. Only the sites of the rows that fail the gate. Identical
 * stacks (two sites whose frames differ only in lines) are one line, their
 * bytes summed. With a diff: the differential form difffolded.pl and
 * inferno-diff-folded write, "stack OLD_BYTES NEW_BYTES", for every row
 * that fails in either run, 0 where a run lacks it. Names are untrusted:
 * ';', white space, control bytes and anything outside printable ASCII
 * become '_', so a line always has exactly the fields a reader expects. */
#include "report.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct folded_line {
	char *stack;
	uint64_t bytes[2];	/* OLD, NEW (one run: [1]) */
};

struct folded {
	struct folded_line *v;
	size_t n, cap;
};

static void
add_name(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		sbuf_addc(b, c <= ' ' || c >= 0x7f || c == ';' ? '_' : (char)c);
	}
}

static void
add_frame(struct sbuf *b, const struct model_frame *f)
{
	const char *base;

	if (*f->fn) {
		add_name(b, f->fn);
	} else if (*f->obj) {
		base = strrchr(f->obj, '/');
		add_name(b, base ? base + 1 : f->obj);
	} else {
		sbuf_printf(b, "0x%" PRIx64, f->ip);
	}
}

static char *
folded_stack(const struct model *m, const struct model_site *s)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	for (i = s->nframes; i-- > 0;) {
		add_frame(&b, model_site_frame(m, s, i));
		if (i)
			sbuf_addc(&b, ';');
	}
	if (!s->nframes)
		sbuf_adds(&b, "???");
	return sbuf_detach(&b);
}

static void
folded_add(struct folded *f, char *stack, int side, uint64_t bytes)
{
	xgrow((void **)&f->v, &f->cap, f->n + 1, sizeof *f->v);
	f->v[f->n] = (struct folded_line){ .stack = stack };
	f->v[f->n++].bytes[side] = bytes;
}

static void
folded_row(struct folded *f, const struct model *m, const struct report_row *r, int side)
{
	size_t k;

	for (k = 0; r && k < r->nsites; k++) {
		const struct model_site *s = model_site(m, r->sites[k]);

		folded_add(f, folded_stack(m, s), side, s->bytes);
	}
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->stack, ((const struct folded_line *)b)->stack);
}

/* Sorted, identical stacks merged (their bytes summed), one a line. */
static char *
folded_text(struct folded *f, bool two)
{
	struct sbuf b = SBUF_INIT;
	size_t i, j;

	if (f->n)
		qsort(f->v, f->n, sizeof *f->v, cmp_lines);
	for (i = 0; i < f->n; i = j) {
		uint64_t old = 0, new = 0;

		for (j = i; j < f->n && !strcmp(f->v[j].stack, f->v[i].stack); j++) {
			old += f->v[j].bytes[0];
			new += f->v[j].bytes[1];
		}
		/* a stack with no bytes draws nothing; flamegraph.pl warns on 0 */
		if (two ? old || new : new > 0) {
			sbuf_adds(&b, f->v[i].stack);
			if (two)
				sbuf_printf(&b, " %" PRIu64, old);
			sbuf_printf(&b, " %" PRIu64 "\n", new);
		}
	}
	for (i = 0; i < f->n; i++)
		free(f->v[i].stack);
	free(f->v);
	return b.data ? sbuf_detach(&b) : xstrdup("");
}

char *
report_folded_render(const struct report_set *s)
{
	struct folded f = { NULL, 0, 0 };
	size_t i;

	if (s->diff) {
		const struct model *old = report_diff_model(s->diff, false);
		const struct model *new = report_diff_model(s->diff, true);

		for (i = 0; i < report_diff_nrows(s->diff); i++) {
			const struct report_diff_row *r = report_diff_row(s->diff, i);

			if ((!r->old || r->old->verdict != REPORT_FAIL) &&
				(!r->new || r->new->verdict != REPORT_FAIL))
				continue;
			folded_row(&f, old, r->old, 0);
			folded_row(&f, new, r->new, 1);
		}
		return folded_text(&f, true);
	}
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].verdict == REPORT_FAIL)
			folded_row(&f, s->m, &s->rows[i], 1);
	return folded_text(&f, false);
}
