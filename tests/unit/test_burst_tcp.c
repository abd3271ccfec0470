/* test_burst_tcp.c - tcp:// kinds against a real nginx's stream servers
 * (burst_nginx.h): an exchange reads until nginx closes ("return"), or
 * read_bytes were read, or idle_ms passed with nothing read (a proxy to a
 * peer that never answers), all normal ends, the last two counted in
 * tcp_cut; the request timeout caps one (a transport error); nginx's
 * session is over (logged) when the burst is done; a refused port is
 * unreached, a non-loopback host never connected; TCP-only bursts make no
 * curl handle; HTTP and TCP kinds mix in one burst, held or not. */
#include "burst_nginx.h"
#include "burst_int.h"

static struct burst_req tcp_kind(const char *body, unsigned long read_bytes, long idle_ms)
{
	struct burst_req r;

	memset(&r, 0, sizeof r);
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	r.own_body = body != NULL;
	r.read_bytes = read_bytes;
	r.idle_ms = idle_ms;
	return r;
}

static void
run_tcp(struct fix *f, char *url, struct burst_req r, unsigned long n, unsigned conc)
{
	struct burst_spec sp = ngx_spec(&url, &r, 1, n, conc);

	ngx_burst(f, &sp);
	ngx_run_burst(f);
}

static void
test_until_close(void **state)
{
	struct fix *f = *state;
	unsigned long before = ngx_log_lines(&ngx, "stream.log");
	char *url = ngx.url[NGX_RET];
	struct burst_req r = tcp_kind("hi\n", 0, 0);
	struct burst_spec sp = ngx_spec(&url, &r, 1, 20, 4);

	/* held: nothing releases what a burst made, so it can be seen */
	sp.hold = true;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	assert_int_equal(f->st.sent, 20);
	assert_int_equal(f->st.done, 20);
	assert_int_equal(burst_url_reached(f->burst, 0), 20);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(f->st.tcp_cut, 0);
	assert_int_equal(f->st.tcp_read, 20 * 12);	/* "hello world\n" */
	assert_int_equal(f->st.connects, 20);
	assert_int_equal(f->st.open_connections, 0);
	assert_int_equal(f->st.http_version, 0);
	assert_int_equal(stream_at_done - before, 20);
	/* no curl handle for a burst of TCP kinds only */
	assert_null(f->burst->multi);
	assert_null(f->burst->easy);
}

static void
test_read_bytes(void **state)
{
	struct fix *f = *state;
	unsigned long before = ngx_log_lines(&ngx, "stream.log");

	run_tcp(f, ngx.url[NGX_RET], tcp_kind(NULL, 5, 0), 10, 2);
	assert_int_equal(f->st.done, 10);
	assert_int_equal(f->st.tcp_cut, 10);
	assert_true(f->st.tcp_read >= 50 && f->st.tcp_read <= 120);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(stream_at_done - before, 10);
}

/* The proxy's peer never answers: idle_ms ends each exchange; the drain
 * waits for nginx to end the session (our EOF ends its proxying). */
static void
test_idle(void **state)
{
	struct fix *f = *state;
	unsigned long before = ngx_log_lines(&ngx, "stream.log");

	run_tcp(f, ngx.url[NGX_SILENT], tcp_kind("ping\n", 0, 150), 6, 3);
	assert_int_equal(f->st.done, 6);
	assert_int_equal(f->st.tcp_cut, 6);
	assert_int_equal(f->st.tcp_read, 0);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(burst_url_reached(f->burst, 0), 6);
	assert_true(f->st.elapsed_ns >= 2 * 150 * 1000000LL);
	assert_int_equal(f->st.open_connections, 0);
	assert_int_equal(stream_at_done - before, 6);
}

/* No idle limit, no close: the request timeout ends it, an error. */
static void
test_timeout(void **state)
{
	struct fix *f = *state;
	char *url = ngx.url[NGX_SILENT];
	struct burst_req r = tcp_kind("ping\n", 0, 0);
	struct burst_spec sp = ngx_spec(&url, &r, 1, 2, 2);
	unsigned long before = ngx_log_lines(&ngx, "stream.log");

	sp.timeout_ms = 300;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	assert_int_equal(f->st.done, 2);
	assert_int_equal(f->st.transport_errors, 2);
	assert_int_equal(f->st.unreached, 0);	/* connected, sent: reached */
	assert_int_equal(f->st.tcp_cut, 0);
	assert_string_equal(f->st.last_error, "tcp exchange timed out");
	assert_int_equal(stream_at_done - before, 2);
}

static void
test_refused_and_foreign(void **state)
{
	struct fix *f = *state;
	char *url = xasprintf("tcp://127.0.0.1:%d", ngx_free_port());

	run_tcp(f, url, tcp_kind("x", 0, 0), 5, 2);
	assert_int_equal(f->st.done, 5);
	assert_int_equal(f->st.unreached, 5);
	assert_int_equal(f->st.transport_errors, 5);
	assert_int_equal(burst_url_reached(f->burst, 0), 0);
	assert_int_equal(f->st.open_connections, 0);
	burst_free(f->burst);
	free(url);

	url = "tcp://10.1.2.3:80";
	run_tcp(f, url, tcp_kind("x", 0, 0), 3, 1);
	assert_int_equal(f->st.done, 3);
	assert_int_equal(f->st.unreached, 3);
	assert_int_equal(f->st.connects, 0);	/* never even a socket */
	assert_false(burst_url_is_loopback("tcp://10.1.2.3:80"));
	assert_false(burst_url_is_loopback("tcp://example.com:80"));
	assert_true(burst_url_is_loopback("tcp://127.0.0.1:80"));
	assert_true(burst_url_is_loopback("tcp://127.9.9.9:80"));
	assert_true(burst_url_is_loopback("tcp://[::1]:80"));
	assert_true(burst_url_is_loopback("tcp://localhost:80"));
	assert_false(burst_url_is_loopback("ftp://127.0.0.1/"));
}

/* HTTP and TCP kinds in one burst, held: both counted, both finished in
 * nginx when done, the held HTTP connections carry the next burst. */
static void
test_mixed(void **state)
{
	struct fix *f = *state;
	char *urls[2] = { ngx.url[NGX_HTTP], ngx.url[NGX_RET] };
	struct burst_req r[2];
	struct burst_spec sp;
	unsigned long a0 = ngx_log_lines(&ngx, "access.log"), s0 = ngx_log_lines(&ngx, "stream.log");
	int round;

	memset(r, 0, sizeof r);
	r[1] = tcp_kind("hi\n", 0, 0);
	sp = ngx_spec(urls, r, 2, 40, 3);
	sp.hold = true;
	ngx_burst(f, &sp);
	for (round = 0; round < 2; round++) {
		ngx_run_burst(f);
		assert_int_equal(f->st.done, 40);
		assert_int_equal(f->st.transport_errors, 0);
		assert_int_equal(f->st.status[2], burst_url_sent(f->burst, 0));
		assert_int_equal(burst_url_reached(f->burst, 1), burst_url_sent(f->burst, 1));
		assert_true(burst_url_sent(f->burst, 0) > 0 && burst_url_sent(f->burst, 1) > 0);
		assert_int_equal(f->st.tcp_read, 12 * burst_url_sent(f->burst, 1));
		a0 += burst_url_sent(f->burst, 0);
		s0 += burst_url_sent(f->burst, 1);
		assert_int_equal(access_at_done, a0);
		assert_int_equal(stream_at_done, s0);
	}
	assert_true(f->st.probed || f->st.released);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_until_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, ngx_group_setup, ngx_group_teardown);
	burst_global_cleanup();
	return rc;
}
