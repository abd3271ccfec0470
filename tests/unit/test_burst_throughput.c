/* test_burst_throughput.c - a burst's speed: 20000 keepalive requests
 * against the in-process HTTP/1.1 server (burst_fixture.h), req/s printed.
 *
 * Standalone modes, for comparing with wrk in separate processes:
 *   test_burst_throughput --serve PORT              serve until killed
 *   test_burst_throughput --bench URL N CONC        one keepalive burst, prints req/s */
#include "burst_fixture.h"

static void
test_throughput(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 20000, 4, true);
	run_burst(f);
	assert_int_equal(f->st.status[2], 20000);
	print_message("in-process: 20000 requests, c4 keepalive: %.0f req/s (%u connections)\n",
		f->st.rps, f->srv.accepted);
}

/* --- standalone modes ---------------------------------------------------------- */

static int
serve_main(int port)
{
	struct evloop *loop = evloop_new();
	struct srv *s = xcalloc(1, sizeof *s);

	srv_start(s, loop, port);
	printf("listening on 127.0.0.1:%d\n", s->port);
	fflush(stdout);
	evloop_run(loop);
	return 0;
}

static void
bench_done(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	(void)burst;
	printf("%lu requests, %lu 2xx, %lu errors, %.3f s, %.0f req/s\n", st->done,
		st->status[2], st->transport_errors, (double)st->elapsed_ns / 1e9, st->rps);
	evloop_stop(ctx, 0);
}

static int
bench_main(char *url, unsigned long n, unsigned conc)
{
	struct evloop *loop = evloop_new();
	struct burst_spec sp;
	struct burst *burst;

	memset(&sp, 0, sizeof sp);
	sp.urls = &url;
	sp.nurls = 1;
	sp.requests = n;
	sp.concurrency = conc;
	sp.keepalive = true;
	burst = burst_new(loop, &sp);
	burst_start(burst, bench_done, loop);
	evloop_run(loop);
	burst_free(burst);
	evloop_free(loop);
	burst_global_cleanup();
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_throughput, setup, teardown),
	};
	int rc;

	if (argc == 3 && !strcmp(argv[1], "--serve"))
		return serve_main(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "--bench"))
		return bench_main(argv[2], strtoul(argv[3], NULL, 10), (unsigned)atoi(argv[4]));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	burst_global_cleanup();
	return rc;
}
