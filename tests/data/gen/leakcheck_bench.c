/* leakcheck_bench.c - parse a leak_check answer: dump it, or time it.
 *
 *   leakcheck_bench dump FILE     print every record and frame (to eyeball)
 *   leakcheck_bench time FILE     parse it (and feed the model, when built with
 *                              -DWITH_MODEL), print records and MB/s
 *
 * Build: see tests/data/gen/bench.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "leakcheck.h"
#include "util.h"
#ifdef WITH_MODEL
#include "model.h"
#endif

static size_t nrecords, nframes;

static int
dump_cb(void *ctx, const struct leakcheck_record *r)
{
	size_t i;

	(void)ctx;
	printf("%s bytes=%llu blocks=%llu direct=%llu indirect=%llu delta=%d %lld %lld rec=%u/%u frames=%zu\n",
		leak_kind_short(r->kind), (unsigned long long)r->bytes, (unsigned long long)r->blocks,
		(unsigned long long)r->direct, (unsigned long long)r->indirect, r->has_delta,
		(long long)r->bytes_delta, (long long)r->blocks_delta, r->recno, r->nrecs, r->nframes);
	for (i = 0; i < r->nframes; i++) {
		const struct leakcheck_frame *f = &r->frames[i];

		printf("  0x%llx fn=[%.*s] file=[%.*s] line=%u obj=[%.*s]\n", (unsigned long long)f->ip,
			(int)f->fn.n, f->fn.p, (int)f->file.n, f->file.p, f->line, (int)f->obj.n, f->obj.p);
	}
	return 0;
}

static int
count_cb(void *ctx, const struct leakcheck_record *r)
{
	nrecords++;
	nframes += r->nframes;
#ifdef WITH_MODEL
	return model_leakcheck_cb(ctx, r);
#else
	(void)ctx;
	return 0;
#endif
}

int
main(int argc, char **argv)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	enum leakcheck_status st;
	struct stat sb;
	const char *buf;
	void *ctx = NULL;
	int64_t t0, t1, t_load;
	int fd, k;
	bool dump;

	if (argc != 3 || (strcmp(argv[1], "dump") && strcmp(argv[1], "time"))) {
		fprintf(stderr, "usage: leakcheck_bench dump|time FILE\n");
		return 2;
	}
	dump = !strcmp(argv[1], "dump");
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		perror(argv[2]);
		return 1;
	}
	t0 = util_now_ns();
	/* Read the file like wc -l does, so the comparison is fair. */
	buf = sb.st_size ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : "";
	if (buf == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
#ifdef WITH_MODEL
	ctx = model_new();
	model_round_begin(ctx, 0, 0);
#endif
	t_load = util_now_ns();
	st = leakcheck_text(buf, (size_t)sb.st_size, dump ? dump_cb : count_cb, ctx, &sum, &err);
#ifdef WITH_MODEL
	model_round_end(ctx, &sum, 0);
	printf("model: %zu sites\n", model_nsites(ctx));
#endif
	t1 = util_now_ns();
	printf("status=%d line=%u msg=%s\n", st, err.line, err.msg);
	printf("summary seen=%d empty=%d", sum.seen, sum.heap_empty);
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		printf(" %s=%llu/%llu", leak_kind_short(k), (unsigned long long)sum.kind[k].bytes,
			(unsigned long long)sum.kind[k].blocks);
	printf(" suppressed=%llu/%llu\n", (unsigned long long)sum.suppressed.bytes,
		(unsigned long long)sum.suppressed.blocks);
	if (!dump)
		printf("%zu records, %zu frames, %lld bytes: load %.3f s, parse %.3f s (%.0f MB/s)\n",
			nrecords, nframes, (long long)sb.st_size, (t_load - t0) / 1e9, (t1 - t_load) / 1e9,
			sb.st_size / ((t1 - t_load) / 1e3 + 1));
	return st == LEAKCHECK_OK ? 0 : 1;
}
