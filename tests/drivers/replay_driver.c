/* replay_driver.c - checks of what changed against full checks, on real
 * rounds (tests/tools/capture-replay.sh DIR captures them): one model fed
 * the full answers a0.txt, a1.txt, ... and another fed a0.txt, then the
 * answers of `leak_check ... changed` c1.txt, c2.txt, ... as deltas (the
 * engine's way). After every round every site of either model must have
 * the same bytes, blocks, direct and indirect in the other at every round
 * so far, and the same verdict: growth, bytes per request, delta.
 *
 *   replay_driver DIR [--skip N]
 *
 * prints "round N: S sites, same" per round, or the first difference and
 * exit 1. A delta answer that does not follow the model's latest round
 * (model_round_follows: someone else's search came between) is dropped
 * and the full answer taken instead, as the engine asks for it again:
 * "round N: the deltas do not follow". --skip N leaves out delta round N (the chain broken on
 * purpose): the driver must then find a difference. Every round counts 100
 * requests (the verdicts' rates need some; both models get the same). */
#include "leakcheck.h"
#include "model.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
slurp(const char *dir, char kind, int n, size_t *len)
{
	char *path = xasprintf("%s/%c%d.txt", dir, kind, n), *buf = NULL;
	FILE *f = fopen(path, "rb");
	long size;

	free(path);
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = xmalloc((size_t)size + 1);
		*len = fread(buf, 1, (size_t)size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* --skip: the round's records never reach the model */
static int
drop(void *ctx, const struct leakcheck_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

static bool
feed(struct model *m, const char *dir, char kind, int n, bool delta, bool lose)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t len = 0;
	char *text = slurp(dir, kind, n, &len);
	enum leakcheck_status st;

	if (!text) {
		fprintf(stderr, "replay_driver: cannot read %s/%c%d.txt\n", dir, kind, n);
		return false;
	}
	model_round_begin(m, n ? 100 : 0, 0);
	if (delta)
		model_round_delta(m);
	st = leakcheck_text(text, len, lose ? drop : model_leakcheck_cb, m, &sum, &err);
	free(text);
	if (st != LEAKCHECK_OK) {
		fprintf(stderr, "replay_driver: %c%d.txt line %u: %s\n", kind, n, err.line, err.msg);
		model_round_abort(m);
		return false;
	}
	if (delta && !model_round_follows(m, &sum)) {
		printf("round %d: the deltas do not follow\n", n);
		model_round_abort(m);
		return feed(m, dir, 'a', n, false, false);
	}
	model_round_end(m, &sum, 0);
	return true;
}

/* The site of b with a's site i's kind and stack, or SIZE_MAX. */
static size_t
same_site(const struct model *a, size_t i, const struct model *b)
{
	const struct model_site *s = model_site(a, i);
	size_t j, k;

	for (j = 0; j < model_nsites(b); j++) {
		const struct model_site *t = model_site(b, j);

		if (t->kind != s->kind || t->nframes != s->nframes)
			continue;
		for (k = 0; k < s->nframes; k++) {
			const struct model_frame *f = model_site_frame(a, s, k), *g = model_site_frame(b, t, k);

			if (f->ip != g->ip || f->line != g->line || strcmp(f->fn, g->fn) ||
				strcmp(f->file, g->file))
				break;
		}
		if (k == s->nframes)
			return j;
	}
	return SIZE_MAX;
}

static bool
present_ever(const struct model *m, size_t i)
{
	size_t r;

	for (r = 0; r < model_nrounds(m); r++)
		if (model_site_blocks(m, i, r) || model_site_bytes(m, i, r))
			return true;
	return false;
}

/* Every site of a that ever held memory is in b, the same at every round. */
static bool
same_sites(const struct model *a, const char *an, const struct model *b, const char *bn)
{
	size_t i, j, r;

	for (i = 0; i < model_nsites(a); i++) {
		const struct model_site *s = model_site(a, i), *t;
		const struct model_frame *at = model_site_frame(a, s, s->alloc_at);

		if (!present_ever(a, i))
			continue;
		if ((j = same_site(a, i, b)) == SIZE_MAX) {
			printf("site %s:%u (%s) of the %s model is not in the %s one\n",
				at ? at->file : "?", at ? at->line : 0, leak_kind_json(s->kind), an, bn);
			return false;
		}
		t = model_site(b, j);
		for (r = 0; r < model_nrounds(a); r++)
			if (model_site_bytes(a, i, r) != model_site_bytes(b, j, r) ||
				model_site_blocks(a, i, r) != model_site_blocks(b, j, r) ||
				model_site_direct(a, i, r) != model_site_direct(b, j, r) ||
				model_site_indirect(a, i, r) != model_site_indirect(b, j, r)) {
				printf("site %s:%u round %zu: %s %lu B in %lu, %s %lu B in %lu\n",
					at ? at->file : "?", at ? at->line : 0, r, an,
					(unsigned long)model_site_bytes(a, i, r),
					(unsigned long)model_site_blocks(a, i, r), bn,
					(unsigned long)model_site_bytes(b, j, r),
					(unsigned long)model_site_blocks(b, j, r));
				return false;
			}
		if (s->growth != t->growth || fabs(s->bytes_per_request - t->bytes_per_request) > 1e-9 ||
			s->delta_bytes != t->delta_bytes || s->present != t->present) {
			printf("site %s:%u: %s %s %.2f B/req, %s %s %.2f B/req\n", at ? at->file : "?",
				at ? at->line : 0, an, model_growth_name(s->growth), s->bytes_per_request, bn,
				model_growth_name(t->growth), t->bytes_per_request);
			return false;
		}
	}
	return true;
}

static size_t
count(const struct model *m, enum growth g)
{
	size_t i, n = 0;

	for (i = 0; i < model_nsites(m); i++)
		n += model_site(m, i)->growth == g && model_site(m, i)->present;
	return n;
}

int
main(int argc, char **argv)
{
	struct model *full = model_new(), *delta = model_new();
	int n, skip = 0, rc = 0;
	size_t len;
	char *probe;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--skip") && (skip = atoi(argv[3])) > 0)) {
		fprintf(stderr, "usage: replay_driver DIR [--skip N]\n");
		return 2;
	}
	if (!feed(full, argv[1], 'a', 0, false, false) || !feed(delta, argv[1], 'a', 0, false, false))
		return 2;
	for (n = 1; (probe = slurp(argv[1], 'c', n, &len)); n++) {
		free(probe);
		if (!feed(full, argv[1], 'a', n, false, false) ||
			!feed(delta, argv[1], 'c', n, true, n == skip))
			return 2;
		if (!same_sites(full, "full", delta, "delta") || !same_sites(delta, "delta", full, "full")) {
			printf("round %d: differs\n", n);
			rc = 1;
			break;
		}
		printf("round %d: %zu sites, same (%zu growing, %zu bounded)\n", n, model_nsites(full),
			count(full, GROWTH_GROWING), count(full, GROWTH_BOUNDED));
	}
	model_free(full);
	model_free(delta);
	return rc;
}
