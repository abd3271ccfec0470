/* bench_long.c - a long session on a big config, through the real parser,
 * model and session file: a `leak_check full reachable any` answer of
 * SITES sites (long_synth.h: ~2 KB a record, as valgrind prints them)
 * as the first round, then ROUNDS - 1 rounds of `leak_check full
 * reachable changed` in which a few sites change, each parsed
 * (leakcheck_text) into the model as deltas (model_round_delta) and
 * appended to a session file (sessionfile_round), as the engine does
 * after a check. Then the file is loaded back (sessionfile_load) and
 * compared with the live model.
 *
 *   bench_long ROUNDS SITES DIR [CAPTURE]
 *
 * Figures, each against its baseline in the same run: the process's RSS
 * at the end (and after the first round); the per-round update (parse +
 * model + session file) near round 100 against near the last round
 * (medians of 100 rounds); the file's size; --load's time against
 * reading the same file with a plain read loop. A model that holds every
 * site every round, or re-reads every round for its verdicts, would take
 * gigabytes or hours here: a run whose RSS passes 1 GB, or that passes 5
 * minutes (BENCH_LONG_MAX_S), stops there ("STOPPED") and prints only the
 * RSS figure; the others are missed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leakcheck.h"
#include "model.h"
#include "sessionfile.h"
#include "long_synth.h"

#define WINDOW 100	/* rounds per median */
#define RSS_GUARD_MB 1024
#define TIME_GUARD_S 300	/* BENCH_LONG_MAX_S overrides it */

static double
peak_rss_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* The resident set now (peak_rss_mb never comes down). */
static double
rss_now_mb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_ms(const int64_t *ns, size_t n)
{
	int64_t *tmp = xmalloc(n * sizeof *tmp), m;

	memcpy(tmp, ns, n * sizeof *tmp);
	qsort(tmp, n, sizeof *tmp, cmp_i64);
	m = tmp[n / 2];
	free(tmp);
	return (double)m / 1e6;
}

struct run {
	size_t rounds, done;
	int64_t *update_ns, *file_ns;	/* per round: parse + model, session file */
	double rss_first, rss_end, rss_end_now;
	char *path;
};

/* The rounds; false when the parser or the file failed (the guards stop
 * a run without failing it: run->done says how far it went). */
static bool
run_rounds(struct run *run, struct long_synth *ls, struct model *m, struct sessionfile *j)
{
	uint32_t url = model_url_intern(m, "http://127.0.0.1:8080/leak");
	int64_t start = util_now_ms(), t0, t1, t2;
	const char *max_s = getenv("BENCH_LONG_MAX_S");
	long guard_s = TIME_GUARD_S;
	char err[256];
	size_t r;

	if (max_s && !util_parse_long(max_s, 1, 86400, &guard_s))
		guard_s = TIME_GUARD_S;

	for (r = 0; r < run->rounds; r++) {
		if (r)
			long_synth_changed(ls);
		else
			long_synth_any(ls);
		t0 = util_now_ns();
		if (!long_synth_feed(m, &ls->text, r > 0, url))
			return false;
		t1 = util_now_ns();
		if (!sessionfile_round(j, m, err, sizeof err)) {
			fprintf(stderr, "bench_long: %s\n", err);
			return false;
		}
		t2 = util_now_ns();
		run->update_ns[r] = t1 - t0;
		run->file_ns[r] = t2 - t1;
		run->done = r + 1;
		if (!r) {
			printf("round 0: a full answer of %zu bytes, %zu sites, parsed in %.1f ms\n",
				ls->text.len, model_nsites(m), (double)(t1 - t0) / 1e6);
			sbuf_free(&ls->text);	/* the engine drops an answer once parsed */
			run->rss_first = peak_rss_mb();
		}
		if (r % WINDOW == 0 && (rss_now_mb() > RSS_GUARD_MB ||
			util_now_ms() - start > guard_s * 1000)) {
			printf("STOPPED at round %zu of %zu: RSS %.0f MB (guard %d MB), %.0f s "
				"(guard %ld s)\n", r + 1, run->rounds, rss_now_mb(), RSS_GUARD_MB,
				(double)(util_now_ms() - start) / 1e3, guard_s);
			break;
		}
	}
	run->rss_end = peak_rss_mb();
	run->rss_end_now = rss_now_mb();
	return true;
}

/* The baseline of --load: the same bytes read with a plain read loop. */
static int64_t
read_loop_ns(const char *path)
{
	static char buf[1 << 16];
	int64_t t0 = util_now_ns();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	uint64_t sum = 0;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sum += (uint64_t)buf[n - 1];
	close(fd);
	if (sum == 1)	/* keeps the loop from being thought away */
		fputc('\0', stderr);
	return util_now_ns() - t0;
}

static struct model *
load_ns(const char *path, int64_t *ns)
{
	struct model *m = model_new();
	char *ngx = NULL, err[256];
	int64_t t0 = util_now_ns();
	bool torn, ok = sessionfile_load(path, m, &ngx, &torn, err, sizeof err);

	*ns = util_now_ns() - t0;
	free(ngx);
	if (!ok || torn) {
		fprintf(stderr, "bench_long: --load of %s: %s\n", path, ok ? "a torn line" : err);
		model_free(m);
		return NULL;
	}
	return m;
}

/* The loaded model against the live one: every site's numbers at every
 * round (with many rounds, every 7th and the last 100), its verdict. */
static bool
same_model(const struct model *a, const struct model *b)
{
	size_t n = model_nrounds(a), s, r, step = n > 2000 ? 7 : 1;

	if (n != model_nrounds(b) || model_nsites(a) != model_nsites(b)) {
		printf("DIFFERS: %zu rounds, %zu sites loaded; %zu, %zu live\n", model_nrounds(b),
			model_nsites(b), n, model_nsites(a));
		return false;
	}
	for (s = 0; s < model_nsites(a); s++) {
		const struct model_site *x = model_site(a, s), *y = model_site(b, s);

		for (r = 0; r < n; r += r + WINDOW >= n ? 1 : step)
			if (model_site_bytes(a, s, r) != model_site_bytes(b, s, r) ||
				model_site_blocks(a, s, r) != model_site_blocks(b, s, r) ||
				model_site_indirect(a, s, r) != model_site_indirect(b, s, r)) {
				printf("DIFFERS: site %zu round %zu: %" PRIu64 " bytes loaded, %" PRIu64
					" live\n", s, r, model_site_bytes(b, s, r), model_site_bytes(a, s, r));
				return false;
			}
		if (x->growth != y->growth || x->bytes_per_request != y->bytes_per_request ||
			x->nsources_now != y->nsources_now) {
			printf("DIFFERS: site %zu: %s loaded, %s live\n", s, model_growth_name(y->growth),
				model_growth_name(x->growth));
			return false;
		}
	}
	printf("loaded model: the same as the live one (%zu sites, %zu rounds, verdicts)\n",
		model_nsites(a), n);
	return true;
}

/* --load three times against the read loop, alternated (once when it
 * takes over 10 s: a replay as slow as the run); the last load is kept
 * to compare. */
static bool
load_figures(const struct run *run, const struct model *live)
{
	int64_t load[3], base[3], ns;
	struct model *back = NULL;
	struct stat st;
	int i, n = 0;
	bool same;

	if (stat(run->path, &st) < 0)
		return false;
	printf("session file: %.2f MB for %zu rounds (%.0f bytes a round on average)\n",
		(double)st.st_size / 1048576.0, run->done, (double)st.st_size / (double)run->done);
	for (i = 0; i < 3 && (!n || load[0] < 10 * (int64_t)1000000000); i++, n++) {
		base[i] = read_loop_ns(run->path);
		model_free(back);
		if (!(back = load_ns(run->path, &ns)))
			return false;
		load[i] = ns;
	}
	printf("--load: %.3f s (median of %d), plain read loop %.4f s: %.1fx; peak RSS after it "
		"%.1f MB\n", median_ms(load, (size_t)n) / 1e3, n, median_ms(base, (size_t)n) / 1e3,
		median_ms(load, (size_t)n) / median_ms(base, (size_t)n), peak_rss_mb());
	same = same_model(live, back);
	model_free(back);
	if (same) {
		printf("RATIO long_file_mb %.2f (target <= 20)\n", (double)st.st_size / 1048576.0);
		printf("RATIO long_load_s %.3f (target <= 2)\n", median_ms(load, (size_t)n) / 1e3);
	}
	return same;
}

static void
round_figures(const struct run *run)
{
	size_t early = WINDOW;
	double a, b, fa, fb;

	printf("RSS: %.1f MB peak after round 0, %.1f MB peak after round %zu (%.2fx), "
		"%.1f MB resident then\n", run->rss_first, run->rss_end, run->done,
		run->rss_end / run->rss_first, run->rss_end_now);
	printf("RATIO long_rss_mb %.1f (target <= 64)\n", run->rss_end);
	if (run->done < 3 * WINDOW)
		return;
	a = median_ms(run->update_ns + early, WINDOW);
	b = median_ms(run->update_ns + run->done - WINDOW, WINDOW);
	fa = median_ms(run->file_ns + early, WINDOW);
	fb = median_ms(run->file_ns + run->done - WINDOW, WINDOW);
	printf("per round, median of %d: rounds %zu-%zu parse+model %.3f ms + file %.3f ms; "
		"rounds %zu-%zu %.3f + %.3f ms\n", WINDOW, early, early + WINDOW - 1, a, fa,
		run->done - WINDOW, run->done - 1, b, fb);
	printf("per round, parse+model alone: %.2fx\n", b / a);
	if (run->done == run->rounds)
		printf("RATIO long_round_flat %.2f (target <= 1.2)\n", (b + fb) / (a + fa));
}

int
main(int argc, char **argv)
{
	struct sessionfile_meta meta = { .nginx = "bench_long", .nginx_version = "synthetic" };
	const char *capture = argc > 4 ? argv[4] : "tests/data/leak_check_full_any_1.txt";
	struct run run = { 0 };
	struct long_synth ls;
	struct sessionfile *j;
	struct model *m;
	long rounds, sites;
	char err[256];
	bool ok;

	if (argc < 4 || !util_parse_long(argv[1], 1, 1000000, &rounds) ||
		!util_parse_long(argv[2], 8, 10000000, &sites)) {
		fprintf(stderr, "usage: bench_long ROUNDS SITES DIR [CAPTURE]\n");
		return 2;
	}
	if (!long_synth_init(&ls, capture, (size_t)sites)) {
		fprintf(stderr, "bench_long: no frames to draw from in %s\n", capture);
		return 2;
	}
	run.rounds = (size_t)rounds;
	run.update_ns = xcalloc(run.rounds, sizeof *run.update_ns);
	run.file_ns = xcalloc(run.rounds, sizeof *run.file_ns);
	run.path = xasprintf("%s/bench-long-%ld.jsonl", argv[3], (long)getpid());
	if (!(j = sessionfile_open(run.path, &meta, err, sizeof err))) {
		fprintf(stderr, "bench_long: %s\n", err);
		return 2;
	}
	m = model_new();
	printf("%ld rounds of %ld sites (%zu distinct frames drawn from %s)\n", rounds, sites,
		ls.npool, capture);
	ok = run_rounds(&run, &ls, m, j);
	sessionfile_close(j, "stopped");
	if (ok) {
		round_figures(&run);
		/* a stopped run's replay would take as long again: not loaded */
		if (run.done == run.rounds)
			ok = load_figures(&run, m);
	}
	unlink(run.path);
	free(run.path);
	free(run.update_ns);
	free(run.file_ns);
	model_free(m);
	long_synth_free(&ls);
	return ok ? 0 : 1;
}
