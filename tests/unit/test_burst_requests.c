/* test_burst_requests.c - bursts against the in-process HTTP/1.1 server
 * (burst_fixture.h): what a burst sends and counts. Keepalive and not,
 * statuses split by class over several URLs, a method, a body and extra
 * headers; the server's side is closed when the done callback runs
 * (without hold: test_burst_hold.c has held connections). */
#include "burst_fixture.h"

/* --- tests ------------------------------------------------------------------- */

static void
test_keepalive_counts(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 1000, 4, true);
	run_burst(f);
	assert_int_equal(f->ncallbacks, 1);
	assert_int_equal(f->st.sent, 1000);
	assert_int_equal(f->st.done, 1000);
	assert_int_equal(f->st.status[2], 1000);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(burst_failed(&f->st), 0);
	assert_int_equal(f->srv.requests, 1000);
	assert_true(f->srv.accepted >= 1 && f->srv.accepted <= 4);
	/* The key property: nginx's side is closed when done() runs. */
	assert_int_equal(f->srv_open_at_done, 0);
	assert_int_equal(f->st.open_connections, 0);
	assert_true(f->st.elapsed_ns > 0 && f->st.rps > 0);
	assert_false(burst_running(f->burst));
	assert_int_equal(burst_stats(f->burst)->done, 1000);
}

static void
test_status_split(void **state)
{
	struct fix *f = *state;

	make_load(f, 3, 300, 3, true);
	run_burst(f);
	/* burst 0 weighs URL 0 (/) at 4, the others at 1 (burst_plan) */
	assert_int_equal(f->st.done, 300);
	assert_int_equal(f->st.status[2], 200);
	assert_int_equal(f->st.status[4], 50);
	assert_int_equal(f->st.status[5], 50);
	assert_int_equal(f->st.status[0] + f->st.status[1] + f->st.status[3], 0);
	assert_int_equal(burst_failed(&f->st), 100);
	assert_int_equal(f->srv_open_at_done, 0);
}

static void
test_no_keepalive(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 200, 4, false);
	run_burst(f);
	assert_int_equal(f->st.done, 200);
	assert_int_equal(f->st.status[2], 200);
	assert_int_equal(f->srv.accepted, 200);
	assert_int_equal(f->srv_open_at_done, 0);
	assert_int_equal(f->st.open_connections, 0);
}

static void
test_post_body_header(void **state)
{
	struct fix *f = *state;
	char *hdrs[] = { "X-Leaktop: yes" };
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 1;
	sp.requests = 5;
	sp.concurrency = 2;
	sp.keepalive = true;
	sp.headers = hdrs;
	sp.nheaders = 1;
	sp.body = "hello=world";
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.status[2], 5);
	assert_string_equal(f->srv.method, "POST");
	assert_string_equal(f->srv.body, "hello=world");
	assert_true(f->srv.saw_header);
	burst_free(f->burst);

	sp.body = NULL;
	sp.method = "PUT";
	sp.nheaders = 0;
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.status[2], 5);
	assert_string_equal(f->srv.method, "PUT");
	assert_false(f->srv.saw_header);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keepalive_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_body_header, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	burst_global_cleanup();
	return rc;
}
