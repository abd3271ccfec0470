/* test_burst_failures.c - bursts against peers that fail
 * (burst_fixture.h): a port that refuses connections, a server that
 * answers but never closes (the drain gives up after the timeout), and one
 * that never answers (each request times out). Errors are counted, no
 * connection is left open. */
#include "burst_fixture.h"

static void
test_transport_errors(void **state)
{
	struct fix *f = *state;
	int port = 0, fd = listen_socket(&port);	/* bound, never listening */
	char *url = xasprintf("http://127.0.0.1:%d/", port);
	char *saved = f->urls[0];
	size_t i;

	close(fd);
	f->urls[0] = url;
	make_load(f, 1, 10, 2, true);
	f->urls[0] = saved;
	free(url);
	run_burst(f);
	assert_int_equal(f->st.done, 10);
	assert_int_equal(f->st.transport_errors, 10);
	assert_int_equal(burst_failed(&f->st), 10);
	assert_true(f->st.last_error[0] != '\0');
	for (i = 0; f->st.last_error[i]; i++)
		assert_true(f->st.last_error[i] >= 0x20 && f->st.last_error[i] < 0x7f);
	assert_int_equal(f->st.open_connections, 0);
	print_message("last_error: %s\n", f->st.last_error);
}

static void
test_drain_timeout(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp;

	f->srv.mode = SRV_NOCLOSE;
	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 1;
	sp.requests = 4;
	sp.concurrency = 2;
	sp.keepalive = true;
	sp.timeout_ms = 300;
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.status[2], 4);
	assert_int_equal(f->st.open_connections, 0);
	/* The peer never closed: we gave up after the timeout. */
	assert_int_equal(f->srv_open_at_done, f->srv.accepted);
	assert_true(f->st.elapsed_ns >= 300 * 1000000LL);
}

static void
test_request_timeout(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp;

	f->srv.mode = SRV_STALL;
	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 1;
	sp.requests = 2;
	sp.concurrency = 2;
	sp.timeout_ms = 200;
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.done, 2);
	assert_int_equal(f->st.transport_errors, 2);
	assert_non_null(strstr(f->st.last_error, "timed out"));
	assert_int_equal(f->st.open_connections, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transport_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_timeout, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	burst_global_cleanup();
	return rc;
}
