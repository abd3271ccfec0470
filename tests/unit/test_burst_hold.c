/* test_burst_hold.c - held connections (spec.hold with keepalive) against
 * the in-process server (burst_fixture.h): the connections of one burst
 * carry the next (no new connect), stay open at the server between bursts,
 * and every burst ends with the quiesce probe - one more connection the
 * server accepts and closes without a request; abort and free close them;
 * a change of the number of connections or of the URLs closes them
 * (drained before the burst ends); connections the server closes (its
 * keepalive_requests, its keepalive_timeout) are counted and replaced;
 * without keepalive nothing is held. */
#include "burst_fixture.h"

#include <dirent.h>

static struct burst *
make_held(struct fix *f, size_t nurls, unsigned long n, unsigned conc)
{
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = nurls;
	sp.requests = n;
	sp.concurrency = conc;
	sp.keepalive = true;
	sp.hold = true;
	f->burst = burst_new(f->loop, &sp);
	assert_non_null(f->burst);
	return f->burst;
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void
test_held_across_bursts(void **state)
{
	struct fix *f = *state;

	make_held(f, 3, 200, 4);
	run_burst(f);
	assert_int_equal(f->st.done, 200);
	assert_int_equal(f->srv.requests, 200);
	assert_int_equal(f->st.connects, 4);
	assert_true(f->st.probed);
	/* 4 connections held open at both ends, the probe's closed */
	assert_int_equal(f->st.open_connections, 4);
	assert_int_equal(f->srv_open_at_done, 4);
	assert_int_equal(f->srv.accepted, 5);

	run_burst(f);
	assert_int_equal(f->st.done, 200);
	assert_int_equal(f->st.status[2] + f->st.status[4] + f->st.status[5], 200);
	assert_int_equal(f->st.connects, 0);	/* the same connections */
	assert_int_equal(f->st.conn_closed, 0);
	assert_false(f->st.released);
	assert_true(f->st.probed);
	assert_int_equal(f->srv.accepted, 6);	/* just the second probe */
	assert_int_equal(f->srv_open_at_done, 4);
	assert_int_equal(f->srv.requests, 400);
}

/* The probe is what ends the burst: the server sees it after the last
 * request, and a server that never closes it holds the burst until the
 * request timeout. */
static void
test_probe_ends_burst(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp;
	int64_t t0;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 1;
	sp.requests = 10;
	sp.concurrency = 2;
	sp.keepalive = sp.hold = true;
	sp.timeout_ms = 300;
	f->burst = burst_new(f->loop, &sp);
	f->srv.mode = SRV_NOCLOSE;	/* answers, never closes: the probe gets no EOF */
	t0 = util_now_ns();
	run_burst(f);
	assert_int_equal(f->st.status[2], 10);
	assert_false(f->st.probed);
	assert_true(util_now_ns() - t0 >= 300 * 1000000LL);
	assert_int_equal(f->srv.accepted, 3);
}

static void
test_abort_and_free_close_held(void **state)
{
	struct fix *f = *state;
	int before = count_fds();

	make_held(f, 1, 50, 3);
	run_burst(f);
	assert_int_equal(f->srv.open, 3);
	/* both ends of 3, and the multi handle's own (libcurl's wakeup pair) */
	assert_true(count_fds() >= before + 6);
	burst_abort(f->burst);
	assert_int_equal(burst_stats(f->burst)->open_connections, 0);
	assert_int_equal(count_fds(), before + 3);	/* ours closed at once */
	while (f->srv.open)
		evloop_run_once(f->loop);
	assert_int_equal(count_fds(), before);

	/* held again, then freed */
	run_burst(f);
	assert_int_equal(f->st.connects, 3);
	assert_int_equal(f->srv.open, 3);
	burst_free(f->burst);
	f->burst = NULL;
	assert_int_equal(count_fds(), before + 3);
	while (f->srv.open)
		evloop_run_once(f->loop);
	assert_int_equal(count_fds(), before);
}

/* Another number of connections, or other URLs: the held ones are closed
 * and drained within the next burst, which starts on new ones. */
static void
test_reset_closes_held(void **state)
{
	struct fix *f = *state;

	make_held(f, 1, 40, 4);
	run_burst(f);
	assert_int_equal(f->srv_open_at_done, 4);
	burst_set_shape(f->burst, 80, 4);	/* same connections: kept */
	run_burst(f);
	assert_int_equal(f->st.connects, 0);
	burst_set_shape(f->burst, 80, 2);
	run_burst(f);
	assert_int_equal(f->st.connects, 2);
	assert_int_equal(f->st.conn_closed, 0);	/* closed by us, not the server */
	assert_int_equal(f->srv_open_at_done, 2);	/* the old 4 drained */
	assert_int_equal(f->st.open_connections, 2);

	assert_false(burst_set_urls(f->burst, NULL, 0));
	assert_true(burst_set_urls(f->burst, f->urls + 1, 2));
	assert_int_equal(burst_count(f->burst), 0);	/* the rotation starts again */
	run_burst(f);
	assert_int_equal(f->st.connects, 2);
	assert_int_equal(f->srv_open_at_done, 2);
	assert_int_equal(f->st.status[4], 60);	/* burst 0: /404 weighs 3 of 4 */
	assert_int_equal(f->st.status[5], 20);
	assert_int_equal(burst_url_reached(f->burst, 0), 60);
}

/* nginx's keepalive_requests: the server closes a connection after 7
 * requests; curl opens another, every request is answered, the closes are
 * counted, and the burst closes the rest at its end: a check sees all the
 * connections of a burst or none (a varying number would make nginx's
 * per-connection memory look like growth). */
static void
test_server_closes_mid_burst(void **state)
{
	struct fix *f = *state;

	f->srv.close_after = 7;
	make_held(f, 1, 100, 2);
	run_burst(f);
	assert_int_equal(f->st.status[2], 100);
	assert_int_equal(f->st.transport_errors, 0);
	assert_true(f->st.conn_closed >= 100 / 7 - 1);
	assert_true(f->st.connects >= 100 / 7);
	assert_true(f->st.released);
	assert_int_equal(f->st.open_connections, 0);
	assert_int_equal(f->srv_open_at_done, 0);
	/* the server keeps them again: held again */
	f->srv.close_after = 0;
	run_burst(f);
	assert_int_equal(f->st.connects, 2);
	assert_false(f->st.released);
	assert_int_equal(f->srv_open_at_done, 2);
}

/* nginx's keepalive_timeout: the server closes the idle held connections
 * between bursts; the next burst notices, counts them, reconnects and
 * closes them at its end (see above); the one after holds them again. */
static void
test_server_closes_idle(void **state)
{
	struct fix *f = *state;
	int fd;

	make_held(f, 1, 30, 3);
	run_burst(f);
	assert_int_equal(f->srv_open_at_done, 3);
	for (fd = 0; fd < SRV_MAXFD; fd++)
		if (f->srv.conns[fd])
			srv_close(&f->srv, fd);
	run_burst(f);
	assert_int_equal(f->st.status[2], 30);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(f->st.conn_closed, 3);
	assert_int_equal(f->st.connects, 3);
	assert_true(f->st.released);
	assert_int_equal(f->srv_open_at_done, 0);
	run_burst(f);
	assert_int_equal(f->st.conn_closed, 0);
	assert_int_equal(f->st.connects, 3);
	assert_int_equal(f->srv_open_at_done, 3);
	assert_true(f->st.probed);
}

/* hold needs keepalive: without it every connection is closed as before. */
static void
test_no_keepalive_holds_nothing(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 1;
	sp.requests = 20;
	sp.concurrency = 2;
	sp.hold = true;
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.status[2], 20);
	assert_int_equal(f->srv.accepted, 20);	/* no probe either */
	assert_int_equal(f->srv_open_at_done, 0);
	assert_int_equal(f->st.open_connections, 0);
	assert_false(f->st.probed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_across_bursts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_ends_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_and_free_close_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_closes_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_closes_mid_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_closes_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keepalive_holds_nothing, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	burst_global_cleanup();
	return rc;
}
