/* long_synth.h - the answers of a long session on a big config, made up:
 * valgrind's `leak_check full reachable any` text for thousands of sites
 * (stacks of 10 to 30 real frame lines taken from a captured answer), then
 * one `leak_check full reachable changed` text per round in which a few
 * sites change: two leak steadily (one with an indirect part), four swing
 * between levels, one falls to 0 and comes back, and now and then a new
 * site appears; and long_synth_feed, which hands an answer to the real
 * parser and model as the engine does after a check. Used by
 * bench_long.c and by a unit test of the same path at a small size
 * (tests/unit/test_long_session.c).
 *
 * A header of static functions: both users are single files. */
#ifndef LT_LONG_SYNTH_H
#define LT_LONG_SYNTH_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"

enum { LS_DEFINITE, LS_INDIRECT, LS_POSSIBLE, LS_REACHABLE, LS_NKINDS };
enum { LS_STATIC, LS_LEAK, LS_SPLIT_LEAK, LS_SWING, LS_BLINK };

#define LS_PID 4242
#define LS_NEW_SITE_EVERY 97	/* rounds between two new sites */

struct ls_site {
	uint8_t kind, role;
	uint16_t nframes;	/* the malloc frame included */
	uint32_t *frames;	/* pool indexes of frames 1.. */
	uint64_t bytes, blocks, indirect;	/* now */
	uint64_t pbytes, pblocks, pindirect;	/* in the previous answer */
	uint64_t keep;		/* LS_BLINK: its bytes while present */
};

struct long_synth {
	char **pool;		/* "fn (file:line)\n" of real frames, distinct */
	uint64_t *pool_ip;
	size_t npool;
	struct ls_site *sites;
	size_t nsites, capsites;
	uint64_t rng;
	size_t round;
	uint64_t psum[LS_NKINDS][2];	/* the previous summary: bytes, blocks */
	struct sbuf text;	/* the latest answer */
};

static uint64_t
ls_next(struct long_synth *ls)
{
	ls->rng ^= ls->rng << 13;
	ls->rng ^= ls->rng >> 7;
	ls->rng ^= ls->rng << 17;
	return ls->rng;
}

/* 1234567 -> "1,234,567", as valgrind prints numbers. */
static const char *
ls_commas(uint64_t v, char *buf)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v), i, j = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = '\0';
	return buf;
}

/* "(+1,024)" / "(-48)": a delta as `changed` prints it. */
static const char *
ls_delta(uint64_t now, uint64_t before, char *buf)
{
	char num[32];

	snprintf(buf, 40, "(%c%s)", now >= before ? '+' : '-',
		ls_commas(now >= before ? now - before : before - now, num));
	return buf;
}

static bool
ls_pool_add(struct long_synth *ls, const char *text, uint64_t ip)
{
	size_t i;

	for (i = 0; i < ls->npool; i++)
		if (!strcmp(ls->pool[i], text))
			return false;
	ls->pool = xrealloc(ls->pool, (ls->npool + 1) * sizeof *ls->pool);
	ls->pool_ip = xrealloc(ls->pool_ip, (ls->npool + 1) * sizeof *ls->pool_ip);
	ls->pool[ls->npool] = xstrdup(text);
	ls->pool_ip[ls->npool++] = ip;
	return true;
}

/* The distinct "by 0xIP: fn (file:line)" frames of a captured answer. */
static bool
ls_pool_load(struct long_synth *ls, const char *capture)
{
	char line[4096], *by, *colon;
	FILE *f = fopen(capture, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof line, f)) {
		if (!(by = strstr(line, "    by 0x")) || !(colon = strstr(by, ": ")) ||
			!strchr(colon, '\n'))
			continue;
		ls_pool_add(ls, colon + 2, strtoull(by + 7, NULL, 16));
	}
	fclose(f);
	return ls->npool >= 16;
}

/* Values of a site that does not change: mostly still reachable (the
 * config's allocations on the cycle pool), some lost, a few definite
 * ones with an indirect part. */
static void
ls_site_values(struct long_synth *ls, struct ls_site *s)
{
	uint64_t k = ls_next(ls) % 100, size = 8 + ls_next(ls) % 4000;

	s->kind = k < 90 ? LS_REACHABLE : k < 95 ? LS_DEFINITE : k < 98 ? LS_INDIRECT : LS_POSSIBLE;
	s->blocks = 1 + ls_next(ls) % 20;
	s->bytes = s->blocks * size;
	s->indirect = s->kind == LS_DEFINITE && ls_next(ls) % 4 == 0 ? s->bytes / 3 : 0;
}

/* A new site; its stack is its own: frames 1 and 2 spell its index in
 * the pool's base, the rest are drawn. */
static struct ls_site *
ls_site_new(struct long_synth *ls, uint8_t role)
{
	size_t id = ls->nsites, k;
	struct ls_site *s;

	xgrow((void **)&ls->sites, &ls->capsites, id + 1, sizeof *ls->sites);
	s = &ls->sites[ls->nsites++];
	memset(s, 0, sizeof *s);
	s->role = role;
	s->nframes = (uint16_t)(10 + ls_next(ls) % 21);
	s->frames = xmalloc(s->nframes * sizeof *s->frames);
	s->frames[1] = (uint32_t)(id % ls->npool);
	s->frames[2] = (uint32_t)(id / ls->npool % ls->npool);
	for (k = 3; k < s->nframes; k++)
		s->frames[k] = (uint32_t)(ls_next(ls) % ls->npool);
	ls_site_values(ls, s);
	if (role != LS_STATIC) {	/* the moving ones: definite or reachable */
		s->kind = role == LS_LEAK || role == LS_SPLIT_LEAK ? LS_DEFINITE : LS_REACHABLE;
		s->indirect = role == LS_SPLIT_LEAK ? 200 : 0;
		s->bytes = role == LS_SPLIT_LEAK ? 248 : role == LS_BLINK ? 96 : s->bytes;
		s->blocks = role == LS_SPLIT_LEAK || role == LS_BLINK ? 1 : s->blocks;
		s->keep = s->bytes;
	}
	return s;
}

/* nsites sites (the first seven move); false when the capture has too
 * few frames to draw from. */
static bool
long_synth_init(struct long_synth *ls, const char *capture, size_t nsites)
{
	static const uint8_t moving[] = { LS_LEAK, LS_SPLIT_LEAK, LS_SWING, LS_SWING, LS_SWING,
		LS_SWING, LS_BLINK };
	size_t i;

	memset(ls, 0, sizeof *ls);
	ls->rng = 0x9e3779b97f4a7c15ull;
	if (!ls_pool_load(ls, capture))
		return false;
	for (i = 0; i < nsites; i++)
		ls_site_new(ls, i < sizeof moving ? moving[i] : LS_STATIC);
	return true;
}

static void
long_synth_free(struct long_synth *ls)
{
	size_t i;

	for (i = 0; i < ls->nsites; i++)
		free(ls->sites[i].frames);
	for (i = 0; i < ls->npool; i++)
		free(ls->pool[i]);
	free(ls->sites);
	free(ls->pool);
	free(ls->pool_ip);
	sbuf_free(&ls->text);
}

static const char *const ls_kind_text[LS_NKINDS] = { "definitely lost", "indirectly lost",
	"possibly lost", "still reachable" };

/* One loss record: whole (any) or with its deltas (changed). */
static void
ls_record(struct long_synth *ls, const struct ls_site *s, size_t id, bool deltas)
{
	char a[32], b[32], c[32], d[32], e[40], f[40], g[40], h[40];
	struct sbuf *t = &ls->text;
	size_t k;

	sbuf_printf(t, "==%d== %s%s%s", LS_PID, ls_commas(s->bytes, a), deltas ? " " : "",
		deltas ? ls_delta(s->bytes, s->pbytes, e) : "");
	if (s->indirect)
		sbuf_printf(t, " (%s%s%s direct, %s%s%s indirect)", ls_commas(s->bytes - s->indirect, b),
			deltas ? " " : "", deltas ? ls_delta(s->bytes - s->indirect,
			s->pbytes - s->pindirect, f) : "", ls_commas(s->indirect, c), deltas ? " " : "",
			deltas ? ls_delta(s->indirect, s->pindirect, g) : "");
	sbuf_printf(t, " bytes in %s%s%s blocks are %s in loss record %zu of %zu\n",
		ls_commas(s->blocks, d), deltas ? " " : "", deltas ? ls_delta(s->blocks, s->pblocks, h) : "",
		ls_kind_text[s->kind], id + 1, ls->nsites);
	sbuf_printf(t, "==%d==    at 0x48417B4: malloc (in /usr/libexec/valgrind/"
		"vgpreload_memcheck-amd64-linux.so)\n", LS_PID);
	for (k = 1; k < s->nframes; k++)
		sbuf_printf(t, "==%d==    by 0x%" PRIX64 ": %s", LS_PID, ls->pool_ip[s->frames[k]],
			ls->pool[s->frames[k]]);
	sbuf_printf(t, "==%d== \n", LS_PID);
}

static void
ls_summary(struct long_synth *ls, bool deltas)
{
	uint64_t sum[LS_NKINDS][2] = { { 0 } };
	char a[32], b[32], c[40], d[40];
	size_t i;
	int k;

	for (i = 0; i < ls->nsites; i++) {
		const struct ls_site *s = &ls->sites[i];

		sum[s->kind][0] += s->bytes - s->indirect;
		sum[s->kind][1] += s->blocks;
		sum[LS_INDIRECT][0] += s->indirect;
	}
	sbuf_printf(&ls->text, "==%d== LEAK SUMMARY:\n", LS_PID);
	for (k = 0; k < LS_NKINDS; k++) {
		sbuf_printf(&ls->text, "==%d== %18s: %s%s%s bytes in %s%s%s blocks\n", LS_PID,
			ls_kind_text[k], ls_commas(sum[k][0], a), deltas ? " " : "",
			deltas ? ls_delta(sum[k][0], ls->psum[k][0], c) : "", ls_commas(sum[k][1], b),
			deltas ? " " : "", deltas ? ls_delta(sum[k][1], ls->psum[k][1], d) : "");
		ls->psum[k][0] = sum[k][0];
		ls->psum[k][1] = sum[k][1];
	}
	sbuf_printf(&ls->text, "==%d==         suppressed: 0%s bytes in 0%s blocks\n==%d== \n",
		LS_PID, deltas ? " (+0)" : "", deltas ? " (+0)" : "", LS_PID);
}

static bool
ls_changed(const struct ls_site *s)
{
	return s->bytes != s->pbytes || s->blocks != s->pblocks || s->indirect != s->pindirect;
}

/* The answer that names every site present (or, deltas, every site that
 * changed: one that fell to 0 once more, at 0); what it said becomes
 * the previous answer. */
static void
ls_answer(struct long_synth *ls, bool deltas)
{
	size_t i;

	sbuf_reset(&ls->text);
	for (i = 0; i < ls->nsites; i++) {
		struct ls_site *s = &ls->sites[i];

		if (deltas ? ls_changed(s) : s->bytes || s->blocks)
			ls_record(ls, s, i, deltas);
	}
	ls_summary(ls, deltas);
	for (i = 0; i < ls->nsites; i++) {
		ls->sites[i].pbytes = ls->sites[i].bytes;
		ls->sites[i].pblocks = ls->sites[i].blocks;
		ls->sites[i].pindirect = ls->sites[i].indirect;
	}
}

/* Round 0: `leak_check full reachable any`. */
static void
long_synth_any(struct long_synth *ls)
{
	ls->round = 0;
	ls_answer(ls, false);
}

static void
ls_move(struct long_synth *ls, struct ls_site *s, size_t id)
{
	static const uint64_t levels[] = { 512, 1024, 4096 };
	size_t r = ls->round;

	switch (s->role) {
	case LS_LEAK:
		s->bytes += 100;
		s->blocks++;
		break;
	case LS_SPLIT_LEAK:	/* 48 direct + 200 indirect per block */
		s->bytes += 248;
		s->indirect += 200;
		s->blocks++;
		break;
	case LS_SWING:
		if (r % 3 == id % 3) {
			s->bytes = levels[ls_next(ls) % 3];
			s->blocks = s->bytes / 512;
		}
		break;
	case LS_BLINK:
		s->bytes = r % 50 >= 25 && r % 50 < 30 ? 0 : s->keep;
		s->blocks = s->bytes ? 1 : 0;
		break;
	}
}

/* The next round: `leak_check full reachable changed`. */
static void
long_synth_changed(struct long_synth *ls)
{
	size_t i;

	ls->round++;
	for (i = 0; i < ls->nsites; i++)
		if (ls->sites[i].role != LS_STATIC)
			ls_move(ls, &ls->sites[i], i);
	if (ls->round % LS_NEW_SITE_EVERY == 0)
		ls_site_new(ls, LS_STATIC);
	ls_answer(ls, true);
}

/* One check's answer into the model as the engine takes it: the round,
 * its burst's requests, the process, deltas after the first. */
static bool
long_synth_feed(struct model *m, const struct sbuf *text, bool delta, uint32_t url)
{
	struct leak_summary sum;
	struct leakcheck_error err;

	memset(&sum, 0, sizeof sum);
	model_round_begin(m, delta ? 200 : 0, 0);
	if (delta)
		model_round_url_requests(m, url, 200);
	model_round_source(m, LS_PID);
	if (delta)
		model_round_delta(m);
	if (leakcheck_text(text->data, text->len, model_leakcheck_cb, m, &sum, &err) !=
		LEAKCHECK_OK) {
		fprintf(stderr, "long_synth: the parser refused a made-up answer: %s\n", err.msg);
		model_round_abort(m);
		return false;
	}
	model_round_end(m, &sum, 0);
	return true;
}

#endif
