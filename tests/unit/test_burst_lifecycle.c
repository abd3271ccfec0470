/* test_burst_lifecycle.c - a burst's life against the in-process HTTP/1.1
 * server (burst_fixture.h): an abort closes every descriptor at once and
 * the burst runs again after it; the done callback may start the burst
 * again or free it; a burst of zero requests still calls back, from the
 * loop. */
#include "burst_fixture.h"

#include <dirent.h>

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
test_abort_closes_fds(void **state)
{
	struct fix *f = *state;
	int before = count_fds();

	make_load(f, 1, 1000000, 8, true);
	assert_true(burst_start(f->burst, done_cb, f));
	while (burst_stats(f->burst)->done < 50)
		evloop_run_once(f->loop);
	assert_true(burst_stats(f->burst)->open_connections > 0);
	burst_abort(f->burst);
	assert_false(burst_running(f->burst));
	assert_int_equal(burst_stats(f->burst)->open_connections, 0);
	/* Our side is closed at once; the server's side is still ours to see. */
	assert_int_equal(count_fds() - (int)f->srv.open, before);
	while (f->srv.open)
		evloop_run_once(f->loop);
	assert_int_equal(count_fds(), before);
	assert_int_equal(f->ncallbacks, 0);

	/* A burst after an abort works normally. */
	burst_set_shape(f->burst, 20, 2);
	run_burst(f);
	assert_int_equal(f->st.status[2], 20);
	assert_int_equal(f->ncallbacks, 1);
}

static void
test_restart_from_callback(void **state)
{
	struct fix *f = *state;

	make_load(f, 3, 60, 3, true);
	f->restarts = 3;
	run_burst(f);
	assert_int_equal(f->ncallbacks, 4);
	assert_int_equal(f->st.done, 60);
	/* the 4th burst (k = 3) weighs URL 0 (/) at 4 of 6 again */
	assert_int_equal(f->st.status[2], 40);
	assert_int_equal(burst_count(f->burst), 4);
	assert_int_equal(f->srv.requests, 240);
	assert_int_equal(f->srv_open_at_done, 0);
}

static void
test_free_from_callback(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 10, 2, true);
	f->free_in_cb = true;
	run_burst(f);
	assert_null(f->burst);
	assert_int_equal(f->ncallbacks, 1);
	assert_int_equal(f->st.done, 10);
}

static void
test_zero_requests(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 0, 4, true);
	run_burst(f);	/* the callback comes from the loop, not burst_start */
	assert_int_equal(f->ncallbacks, 1);
	assert_int_equal(f->st.done, 0);
	assert_int_equal(f->srv.accepted, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_abort_closes_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_requests, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	burst_global_cleanup();
	return rc;
}
