/* bench_verdict.c - a round's verdicts (model_verdict_derive: the kept-up
 * verdicts and the fit of the growing lines) timed alone, early and late
 * in a long session of a big config's shape: 4,400 sites, 5 of them
 * changing per round (3 leaking steadily on rotating URLs, 2 swinging).
 * The derive must cost the same at round 10,000 as at round 100.
 *
 * usage: bench_verdict [ROUNDS [SITES [REPEATS]]]
 * Prints the median derive time of the 49 rounds before round 100 and of
 * the 50 up to the last (medians: the machine is shared), their ratio
 * (the median of REPEATS sessions), and,
 * for scale, a from-scratch derive at round 100 and 300 (the rebuild
 * reads every round). */
#include "model_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NURLS 3
#define SPAN 50
static void
put(struct model *m, size_t site, uint64_t bytes)
{
	char fn[32], caller[32];
	struct leakcheck_frame f[2] = { { .ip = 0x100000 + site, .file = { "ngx_conf.c", 10 },
		.line = 1 + (unsigned)site }, { .ip = 0x900000 + site % 7, .line = 9 } };
	struct leakcheck_record rec = { .kind = LEAK_REACHABLE, .bytes = bytes, .direct = bytes,
		.blocks = bytes ? 1 + bytes / 4096 : 0, .nframes = 2, .frames = f };

	snprintf(fn, sizeof fn, "ngx_conf_site_%zu", site);
	snprintf(caller, sizeof caller, "ngx_init_%zu", site % 7);
	f[0].fn = (struct lt_slice){ fn, strlen(fn) };
	f[1].fn = (struct lt_slice){ caller, strlen(caller) };
	model_round_put(m, &rec, NULL, 0);
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Round r: returns the derive's ns. */
static int64_t
round_of(struct model *m, size_t r, size_t nsites, uint64_t *leak, bool full)
{
	struct leak_summary sum = { .seen = 1 };
	uint64_t req[NURLS], total = 0;
	size_t i;
	int64_t t0;

	for (i = 0; i < NURLS; i++)
		total += req[i] = r ? 20 + 10 * ((r + i) % 4) : 0;
	model_round_begin(m, total, 0);
	for (i = 0; i < NURLS && r; i++)
		model_round_url_requests(m, model_url_intern(m, (const char *[]){ "/a", "/b", "/c" }[i]),
			req[i]);
	if (!r) {
		for (i = 0; i < nsites; i++)
			put(m, i, 64 + 8 * (i % 100));
	} else {
		model_round_carry(m);
		for (i = 0; i < 3; i++) {	/* leaks: 24, 40, 56 bytes per request of one URL */
			leak[i] += (16 * i + 24) * req[i];
			put(m, 10 + i * 1000, leak[i]);
		}
		put(m, 2000, 1000 + 8 * (r * 7919 % 13));	/* swinging: a cache */
		put(m, 3000, 500 + 8 * (r * 104729 % 5));
	}
	m->derive_off = true;
	model_round_end(m, &sum, 1000);
	m->derive_off = false;
	m->track_full = full;
	t0 = util_now_ns();
	model_verdict_derive(m);
	t0 = util_now_ns() - t0;
	m->track_full = false;
	return t0;
}

int
main(int argc, char **argv)
{
	size_t rounds = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t nsites = argc > 2 ? strtoul(argv[2], NULL, 10) : 4400;
	size_t reps = argc > 3 ? strtoul(argv[3], NULL, 10) : 3, k, r;
	double early[16], late[16], ratio[16], full100 = 0, full300 = 0;

	if (rounds < 1100 || nsites < 3100 || !reps || reps > 16) {
		fprintf(stderr, "usage: bench_verdict [ROUNDS>=1100 [SITES>=3100 [REPEATS<=16]]]\n");
		return 2;
	}
	for (k = 0; k < reps; k++) {
		struct model *m = model_new();
		uint64_t leak[3] = { 0 };
		double e[SPAN], l[SPAN];
		size_t ne = 0, nl = 0;

		for (r = 0; r < rounds; r++) {
			bool full = r == 100 || r == 300;	/* from scratch, for scale */
			int64_t ns = round_of(m, r, nsites, leak, full);

			if (full)
				*(r == 100 ? &full100 : &full300) = (double)ns / 1e3;
			else if (r > 100 - SPAN && r < 100)
				e[ne++] = (double)ns / 1e3;
			else if (r > rounds - SPAN)
				l[nl++] = (double)ns / 1e3;
		}
		qsort(e, ne, sizeof *e, dcmp);
		qsort(l, nl, sizeof *l, dcmp);
		early[k] = e[ne / 2];
		late[k] = l[nl / 2];
		ratio[k] = late[k] / early[k];
		printf("session %zu: derive %.2f us/round at rounds 51-99, %.2f us at %zu-%zu "
			"(a leak: %s, %u URL, %.1f B per request of %s); model %.1f MB\n", k + 1,
			early[k], late[k], rounds - SPAN + 1, rounds,
			model_growth_name(model_site(m, 10)->growth), model_site(m, 10)->nurls,
			model_site(m, 10)->nurls ? model_site(m, 10)->urls[0].bytes_per_request : 0,
			model_site(m, 10)->nurls ? model_url(m, model_site(m, 10)->urls[0].url) : "-",
			(double)model_memory(m) / 1e6);
		model_free(m);
	}
	qsort(ratio, reps, sizeof *ratio, dcmp);
	qsort(early, reps, sizeof *early, dcmp);
	qsort(late, reps, sizeof *late, dcmp);
	printf("derive from scratch (the old rule): %.0f us at round 100, %.0f us at round 300\n",
		full100, full300);
	printf("derive per round: %.2f us at round 100, %.2f us at round %zu (medians)\n",
		early[reps / 2], late[reps / 2], rounds);
	printf("RATIO verdict_flat %.2f (target <= 1.2)\n", ratio[reps / 2]);
	return 0;
}
