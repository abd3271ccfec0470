/* test_burst_guard.c - the socket-level loopback guard (burst_conn_open_cb):
 * "no socket is opened to an address off the machine, whatever a name
 * resolves to".
 *
 * Why here and not end to end: every URL reaches the burst only through
 * burst_url_is_loopback(), which lets through 127.0.0.0/8, [::1] and the
 * name "localhost" only, and the libcurl we build on (7.88) answers
 * "localhost" itself with 127.0.0.1 and ::1 without asking the resolver
 * (an /etc/hosts that maps localhost elsewhere is not read: checked in a
 * private mount + network namespace). So no command line reaches this
 * guard with an address off loopback; it is the second wall, for a libcurl
 * that resolves differently. Here the burst is handed such a URL directly.
 *
 * The address is 0.0.0.0, which libcurl hands through its real resolver
 * (getaddrinfo) to the open-socket callback as it is: not loopback for the
 * guard, yet Linux connects to 0.0.0.0 through the loopback device. So if
 * the guard failed, the test server on 127.0.0.1 would accept the
 * connection (the test fails), and no packet can leave the machine. */
#include "burst_fixture.h"

static void
refused(struct fix *f, const char *host)
{
	char *url = xasprintf("http://%s:%d/", host, f->srv.port);
	char *saved = f->urls[0];

	f->urls[0] = url;
	make_load(f, 1, 6, 2, true);
	f->urls[0] = saved;
	free(url);
	run_burst(f);
	assert_int_equal(f->st.done, 6);
	assert_int_equal(f->st.unreached, 6);	/* no connection at all */
	assert_int_equal(burst_failed(&f->st), 6);
	assert_int_equal(f->srv.accepted, 0);	/* nothing reached the server */
	assert_int_equal(f->srv.requests, 0);
	assert_int_equal(f->st.open_connections, 0);
	print_message("refused %s: %s\n", host, f->st.last_error);
}

static void
test_any_address_refused(void **state)
{
	refused(*state, "0.0.0.0");
}

static void
test_any_address_mapped_refused(void **state)
{
	refused(*state, "[::ffff:0.0.0.0]");
}

/* The control: the same server, a loopback URL, answered. */
static void
test_loopback_reached(void **state)
{
	struct fix *f = *state;

	make_load(f, 1, 6, 2, true);
	run_burst(f);
	assert_int_equal(f->st.status[2], 6);
	assert_true(f->srv.accepted > 0);
	/* and the text check refuses what the guard refuses */
	assert_false(burst_url_is_loopback("http://0.0.0.0:1/"));
	assert_false(burst_url_is_loopback("http://[::ffff:0.0.0.0]:1/"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_any_address_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_address_mapped_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_reached, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	burst_global_cleanup();
	return rc;
}
