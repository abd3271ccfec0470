/* test_burst_plan.c - how a burst spreads its requests over the URLs
 * (burst_plan.c): burst k weighs URL k mod n at n+1 and the others at 1,
 * counts by largest remainder; exact counts for n = 1, 2, 3, 5, requests
 * not divisible and fewer than the URLs; over n bursts the counts have
 * full rank (the fit needs that); the interleaving is smooth; and per URL
 * the requests sent and those that reached the server (any status, no
 * transport error), against the in-process server (burst_fixture.h). */
#include "burst_fixture.h"
#include "burst_int.h"

#include <math.h>

static void
expect_plan(unsigned long requests, size_t n, unsigned long k, const unsigned long *want)
{
	unsigned long got[8];
	size_t i;

	burst_plan(requests, n, k, got);
	for (i = 0; i < n; i++) {
		if (got[i] != want[i])
			print_error("requests %lu, %zu URLs, burst %lu: URL %zu got %lu, want %lu\n",
				requests, n, k, i, got[i], want[i]);
		assert_int_equal(got[i], want[i]);
	}
}

static void
test_plan_counts(void **state)
{
	(void)state;
	/* one URL: everything, every burst */
	expect_plan(7, 1, 0, (unsigned long[]){ 7 });
	expect_plan(7, 1, 5, (unsigned long[]){ 7 });
	/* two: weights 3 and 1 of 4, the focus alternates */
	expect_plan(100, 2, 0, (unsigned long[]){ 75, 25 });
	expect_plan(100, 2, 1, (unsigned long[]){ 25, 75 });
	expect_plan(10, 2, 0, (unsigned long[]){ 8, 2 });	/* 7.5 / 2.5: tie to the focus */
	expect_plan(10, 2, 3, (unsigned long[]){ 2, 8 });
	/* three: 4, 1, 1 of 6 */
	expect_plan(300, 3, 0, (unsigned long[]){ 200, 50, 50 });
	expect_plan(300, 3, 2, (unsigned long[]){ 50, 50, 200 });
	expect_plan(10, 3, 0, (unsigned long[]){ 7, 2, 1 });	/* 6.67 1.67 1.67 */
	expect_plan(10, 3, 1, (unsigned long[]){ 1, 7, 2 });
	expect_plan(10, 3, 2, (unsigned long[]){ 2, 1, 7 });
	/* five: 6, 1, 1, 1, 1 of 10 */
	expect_plan(200, 5, 0, (unsigned long[]){ 120, 20, 20, 20, 20 });
	expect_plan(12, 5, 1, (unsigned long[]){ 1, 8, 1, 1, 1 });
	expect_plan(13, 5, 4, (unsigned long[]){ 2, 1, 1, 1, 8 });	/* 7.8 1.3: .8 then .3 */
	/* fewer requests than URLs */
	expect_plan(3, 5, 0, (unsigned long[]){ 2, 1, 0, 0, 0 });
	expect_plan(3, 5, 4, (unsigned long[]){ 1, 0, 0, 0, 2 });
	expect_plan(1, 5, 2, (unsigned long[]){ 0, 0, 1, 0, 0 });
	expect_plan(0, 3, 1, (unsigned long[]){ 0, 0, 0 });
}

/* Rank of the n x n matrix of burst k's counts in row k, k < n. */
static size_t
rank_of(double *a, size_t n)
{
	size_t r = 0, c, i, j, piv;

	for (c = 0; c < n && r < n; c++) {
		for (piv = r, i = r; i < n; i++)
			if (fabs(a[i * n + c]) > fabs(a[piv * n + c]))
				piv = i;
		if (fabs(a[piv * n + c]) < 1e-9)
			continue;
		for (j = 0; j < n; j++) {
			double t = a[r * n + j];

			a[r * n + j] = a[piv * n + j];
			a[piv * n + j] = t;
		}
		for (i = r + 1; i < n; i++) {
			double m = a[i * n + c] / a[r * n + c];

			for (j = c; j < n; j++)
				a[i * n + j] -= m * a[r * n + j];
		}
		r++;
	}
	return r;
}

static void
test_plan_full_rank(void **state)
{
	unsigned long counts[8], requests, sum;
	double a[64];
	size_t n, k, i;

	(void)state;
	for (n = 1; n <= 8; n++) {
		for (requests = 1; requests <= 400; requests++) {
			for (k = 0; k < n; k++) {
				burst_plan(requests, n, k, counts);
				for (sum = 0, i = 0; i < n; i++) {
					sum += counts[i];
					a[k * n + i] = (double)counts[i];
				}
				assert_int_equal(sum, requests);
				/* the focus URL has more than half: diagonally dominant */
				assert_true(2 * counts[k] > requests);
			}
			if (rank_of(a, n) != n)
				print_error("rank < %zu for %lu requests\n", n, requests);
			assert_int_equal(rank_of(a, n), n);
		}
	}
	/* the check can fail: round robin's equal counts are rank 1 */
	for (i = 0; i < 9; i++)
		a[i] = 10;
	assert_int_equal(rank_of(a, 3), 1);
}

/* Weights: burst k weighs kind k at w_k + W, kind i at w_i, of 2W. Exact
 * counts for weights 1 2 5 (W 8, of 16); the proportions of the others
 * kept; all weights 1 (or none, or 0s) is burst_plan; over n bursts the
 * counts have full rank, whatever the weights and the requests. */
static void
test_plan_weighted(void **state)
{
	const unsigned long w[3] = { 1, 2, 5 }, ones[4] = { 1, 1, 1, 1 }, zeros[4] = { 0 };
	unsigned long got[8], want[8], requests, sum, wts[8];
	double a[64];
	size_t n, k, i;

	(void)state;
	burst_plan_weighted(160, 3, w, 0, got);	/* 9 2 5 of 16 */
	assert_int_equal(got[0], 90);
	assert_int_equal(got[1], 20);
	assert_int_equal(got[2], 50);
	burst_plan_weighted(160, 3, w, 1, got);	/* 1 10 5 */
	assert_int_equal(got[0], 10);
	assert_int_equal(got[1], 100);
	assert_int_equal(got[2], 50);
	burst_plan_weighted(160, 3, w, 2, got);	/* 1 2 13 */
	assert_int_equal(got[0], 10);
	assert_int_equal(got[1], 20);
	assert_int_equal(got[2], 130);
	for (requests = 0; requests < 50; requests++)
		for (k = 0; k < 4; k++) {
			burst_plan(requests, 4, k, want);
			burst_plan_weighted(requests, 4, NULL, k, got);
			assert_memory_equal(got, want, 4 * sizeof *got);
			burst_plan_weighted(requests, 4, ones, k, got);
			assert_memory_equal(got, want, 4 * sizeof *got);
			burst_plan_weighted(requests, 4, zeros, k, got);
			assert_memory_equal(got, want, 4 * sizeof *got);
		}
	/* full rank with uneven weights, even large ones */
	for (n = 2; n <= 6; n++) {
		for (i = 0; i < n; i++)
			wts[i] = i % 3 ? 1 + i * 7 : (unsigned long)1 << 40;
		for (requests = 1; requests <= 300; requests += 7) {
			for (k = 0; k < n; k++) {
				burst_plan_weighted(requests, n, wts, k, got);
				for (sum = 0, i = 0; i < n; i++) {
					sum += got[i];
					a[k * n + i] = (double)got[i];
				}
				assert_int_equal(sum, requests);
				assert_true(2 * got[k] > requests);
			}
			assert_int_equal(rank_of(a, n), n);
		}
	}
}

/* Smooth weighted round robin: every prefix of a burst keeps each URL
 * within one request of its share, so the URLs mix from the start. */
static void
test_plan_interleaved(void **state)
{
	struct fix *f = *state;
	unsigned long seen[3] = { 0 }, m;
	size_t i, u;

	make_load(f, 3, 60, 4, true);
	burst_plan_start(f->burst);	/* white box: burst 0's plan, 40 10 10 */
	for (m = 1; m <= 60; m++) {
		u = burst_plan_next(f->burst);
		seen[u]++;
		for (i = 0; i < 3; i++) {
			double share = (double)m * (double)f->burst->url_plan[i] / 60.0;

			assert_true(fabs((double)seen[i] - share) < 1.0 + 1e-9);
		}
	}
	assert_int_equal(seen[0], 40);
	assert_int_equal(seen[1], 10);
	assert_int_equal(seen[2], 10);
	assert_int_equal(burst_url_sent(f->burst, 1), 10);
}

/* Over the wire: per URL sent and reached, status by status, burst after
 * burst; a refused URL is sent but never reached. */
static void
test_url_counts(void **state)
{
	struct fix *f = *state;
	unsigned long plan[3];
	size_t k, i;

	make_load(f, 3, 10, 3, true);
	for (k = 0; k < 4; k++) {
		run_burst(f);
		burst_plan(10, 3, k, plan);
		assert_int_equal(burst_count(f->burst), k + 1);
		for (i = 0; i < 3; i++) {
			assert_int_equal(burst_url_sent(f->burst, i), plan[i]);
			assert_int_equal(burst_url_reached(f->burst, i), plan[i]);
		}
		/* URL 0 answers 200, URL 1 404, URL 2 500: each counted reached */
		assert_int_equal(f->st.status[2], plan[0]);
		assert_int_equal(f->st.status[4], plan[1]);
		assert_int_equal(f->st.status[5], plan[2]);
	}
	assert_int_equal(burst_url_reached(f->burst, 3), 0);	/* out of range */
}

static void
test_unreached_url(void **state)
{
	struct fix *f = *state;
	int port = 0, lfd = listen_socket(&port);	/* bound, never listening: refused */
	char *good = f->urls[0], *bad = xasprintf("http://127.0.0.1:%d/", port);
	char *urls[2] = { good, bad };
	struct burst_spec sp = { .urls = urls, .nurls = 2, .requests = 9, .concurrency = 2,
		.keepalive = true };
	unsigned long plan[2];

	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	burst_plan(9, 2, 0, plan);
	assert_int_equal(burst_url_sent(f->burst, 0), plan[0]);
	assert_int_equal(burst_url_sent(f->burst, 1), plan[1]);
	assert_int_equal(burst_url_reached(f->burst, 0), plan[0]);
	assert_int_equal(burst_url_reached(f->burst, 1), 0);
	assert_int_equal(f->st.transport_errors, plan[1]);
	assert_int_equal(f->srv.requests, plan[0]);
	close(lfd);
	free(bad);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_counts),
		cmocka_unit_test(test_plan_full_rank),
		cmocka_unit_test(test_plan_weighted),
		cmocka_unit_test_setup_teardown(test_plan_interleaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreached_url, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	burst_global_cleanup();
	return rc;
}
