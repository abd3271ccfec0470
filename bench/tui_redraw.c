/* tui_redraw.c - what one frame of the sites table costs with 100,000 sites.
 *
 * A synthetic model (model_round_add with generated leakcheck records: 100,000
 * stacks over 50,000 allocation lines, 4 rounds, a third of them growing)
 * is drawn by the real screen code into newterm() on /dev/null. Measured:
 * the full redraw of a frame (every cell composed and sent again, as after
 * a resize or when the editor returns), the frame after a scroll, the
 * first frame (which builds the row cache: filter, group, sort) and a
 * re-sort; medians of several runs, as a share of a 16 ms frame (60 Hz).
 * Also the memory the model and the screen hold.
 *
 *   bench/run-tui-bench.sh [SITES] [RUNS] */
#include "leakcheck.h"
#include "model.h"
#include "tui.h"
#include "tui_action.h"
#include "tui_draw.h"
#include "util.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 4
#define FRAME_MS 16.0

static struct lt_slice
slice(const char *s)
{
	return (struct lt_slice){ s, strlen(s) };
}

/* Site i: kind and allocation line shared by i and i+1 (two call paths of
 * one leaking line), callers vary, a third of the lines grow per round. */
static void
add_site(struct model *m, size_t i, size_t round)
{
	char fn[64], file[96], caller[64];
	size_t line = i / 2;
	struct leakcheck_frame fr[] = {
		{ .ip = 0x48417b4, .fn = slice("malloc"),
			.obj = slice("/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so") },
		{ .ip = 0x161967, .fn = slice("ngx_alloc"),
			.file = slice("/build/nginx/src/os/unix/ngx_alloc.c"), .line = 22 },
		{ .ip = 0x200000 + line * 16 },
		{ .ip = 0x300000 + (i % 2) * 16 },
		{ .ip = 0x16b2f5, .fn = slice("ngx_http_core_content_phase"),
			.file = slice("/build/nginx/src/http/ngx_http_core_module.c"), .line = 1259 },
		{ .ip = 0x121db8, .fn = slice("main"), .file = slice("/build/nginx/src/core/nginx.c"),
			.line = 380 },
	};
	struct leakcheck_record rec = { .kind = (enum leak_kind)((line) % LEAK_KIND_COUNT),
		.nframes = LT_ARRAY_SIZE(fr), .frames = fr };

	snprintf(fn, sizeof fn, "ngx_http_bench_leak_%zu", line);
	snprintf(file, sizeof file, "/src/bench/ngx_http_bench_module_%zu.c", line / 500);
	snprintf(caller, sizeof caller, "ngx_http_bench_handler_%zu", i % 2);
	fr[2].fn = slice(fn);
	fr[2].file = slice(file);
	fr[2].line = (unsigned)(line % 5000 + 1);
	fr[3].fn = slice(caller);
	fr[3].file = slice("/src/bench/ngx_http_bench_handler.c");
	fr[3].line = 40;
	rec.blocks = 1 + (line % 3 == 0 ? round : 0);
	rec.bytes = rec.direct = 64 * rec.blocks + i % 97;
	model_round_add(m, &rec);
}

static struct model *
build_model(size_t nsites)
{
	struct model *m = model_new();
	struct leak_summary sum = { .seen = 1 };
	size_t r, i;

	for (r = 0; r < ROUNDS; r++) {
		model_round_begin(m, r ? 1000 : 0, 0);
		for (i = 0; i < nsites; i++)
			add_site(m, i, r);
		model_round_end(m, &sum, 1000000);
	}
	return m;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
ms_since(int64_t t0)
{
	return (double)(util_now_ns() - t0) / 1e6;
}

int
main(int argc, char **argv)
{
	size_t nsites = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 31, i;
	double *full = xcalloc(runs, sizeof *full), *scroll = xcalloc(runs, sizeof *scroll);
	double *resort = xcalloc(runs, sizeof *resort), first, build, med;
	struct tui_config cfg = { 0 };
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	struct model *m;
	struct tui *t;
	int64_t t0;

	setlocale(LC_ALL, "C.UTF-8");
	t0 = util_now_ns();
	m = build_model(nsites);
	build = ms_since(t0);
	if (!out || !in || !tui_draw_open(out, in, "xterm-256color", true)) {
		fprintf(stderr, "tui_redraw: cannot open a terminal on /dev/null\n");
		return 1;
	}
	cfg.model = m;
	t = tui_new(&cfg);
	tui_resize(t, 40, 120);
	t0 = util_now_ns();
	tui_frame(t, TUI_DRAW_ALL);
	first = ms_since(t0);
	for (i = 0; i < runs; i++) {
		t0 = util_now_ns();
		tui_frame(t, TUI_DRAW_ALL | TUI_REPAINT);
		full[i] = ms_since(t0);
	}
	for (i = 0; i < runs; i++) {
		t0 = util_now_ns();
		tui_frame(t, tui_key(t, TK(KEY_NPAGE)));
		scroll[i] = ms_since(t0);
	}
	for (i = 0; i < runs; i++) {
		t0 = util_now_ns();
		tui_frame(t, tui_key(t, 's'));
		resort[i] = ms_since(t0);
	}
	med = median(full, runs);
	printf("tui_redraw: %zu sites, %zu rounds, 120x40 terminal, median of %zu runs\n",
		model_nsites(m), model_nrounds(m), runs);
	printf("  full redraw, rows cached:  %8.3f ms = %.3f of a %.0f ms frame\n", med,
		med / FRAME_MS, FRAME_MS);
	printf("  frame after PgDn:          %8.3f ms = %.3f of a frame\n", median(scroll, runs),
		median(scroll, runs) / FRAME_MS);
	printf("  first frame (filter, group, sort %zu sites): %.1f ms\n", model_nsites(m), first);
	printf("  re-sort (s) + frame:       %8.1f ms (once per sort change, not per frame)\n",
		median(resort, runs));
	printf("  memory: model %.1f MiB + screen %.1f MiB (building the model took %.0f ms)\n",
		(double)model_memory(m) / 1048576.0, (double)tui_memory(t) / 1048576.0, build);
	tui_free(t);
	tui_draw_close();
	model_free(m);
	fclose(out);
	fclose(in);
	free(full);
	free(scroll);
	free(resort);
	return 0;
}
