/* fuzz_gdbmi.c - libFuzzer target for the gdb/MI line parser.
 *
 * The input is one line. A parse either fails with a one-line reason and
 * an empty record, or gives a record whose every value is checked against
 * gdbmi.h: strings NUL-terminated at their length, nesting within
 * GDBMI_MAX_DEPTH, names only where results are; the lookups and the
 * frame and variable extractors run on it, and gdbmi_quote of a stream's
 * text parses back to that text. Seeds (tests/fuzz/seeds/gdbmi) are lines
 * of the real session in tests/data/gdbmi. */
#include "gdbmi_int.h"
#include "sbuf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void
walk(const struct gdbmi_value *v, unsigned depth, int in)
{
	if (depth > GDBMI_MAX_DEPTH + 1)
		abort();
	for (; v; v = v->next) {
		/* members of a tuple and top-level results have names */
		if (in != GDBMI_LIST && !v->name)
			abort();
		if (v->kind == GDBMI_CONST) {
			if (!v->str || v->str[v->len] != '\0' || v->child)
				abort();
			sink += v->len;
		} else if (v->kind == GDBMI_TUPLE || v->kind == GDBMI_LIST) {
			if (v->str)
				abort();
			walk(v->child, depth + 1, (int)v->kind);
		} else {
			abort();
		}
	}
}

static void
extract(const struct gdbmi_record *r)
{
	struct gdbmi_frame *f, one;
	struct gdbmi_var *vars;
	size_t n;

	n = gdbmi_frames(r->results, &f);
	sink += n;
	gdbmi_frames_free(f, n);
	n = gdbmi_vars(r->results, &vars);
	sink += n;
	gdbmi_vars_free(vars, n);
	if (gdbmi_frame_from(gdbmi_get(r->results, "frame"), &one))
		sink += one.line;
	gdbmi_frame_clear(&one);
	sink += gdbmi_str(r->results, "bkpt.number") != NULL;
	sink += gdbmi_get(r->results, "stack.frame.level") != NULL;
}

static void
round_trip(const struct gdbmi_record *r)
{
	struct gdbmi_record back;
	struct sbuf b = SBUF_INIT;
	char err[256], *q;

	q = gdbmi_quote(r->text);	/* up to a NUL inside, as a C string */
	sbuf_addc(&b, '~');
	sbuf_adds(&b, q);
	if (!gdbmi_parse_line(b.data, b.len, &back, err, sizeof err) || strcmp(back.text, r->text))
		abort();
	gdbmi_record_clear(&back);
	sbuf_free(&b);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gdbmi_record r;
	char err[256];

	if (!gdbmi_parse_line((const char *)data, size, &r, err, sizeof err)) {
		if (!err[0] || strchr(err, '\n') || r.klass || r.text || r.results)
			abort();
		return 0;
	}
	if (err[0])
		abort();
	if (r.type >= GDBMI_CONSOLE && r.type <= GDBMI_LOG) {
		if (!r.text || r.text[r.textlen] != '\0' || r.klass || r.results)
			abort();
		round_trip(&r);
	} else if (r.type == GDBMI_PROMPT) {
		if (r.klass || r.text || r.results)
			abort();
	} else if (!r.klass || r.text) {
		abort();
	}
	walk(r.results, 0, -1);
	extract(&r);
	gdbmi_record_clear(&r);
	return 0;
}
