/* test_burst_tls.c - bursts over TLS and HTTP/2 against a real nginx
 * (burst_nginx.h): https:// requests reach nginx with the certificate
 * checks off, and are finished in nginx (logged) when the burst is done,
 * kept alive or not (the drain waits for nginx's EOF after curl's
 * close_notify); HTTP/2 over TLS (ALPN h2) and h2c (prior knowledge) put
 * the requests in flight on one connection as streams, or on
 * concurrency / streams connections; held HTTP/2 connections carry the
 * next bursts (no connect) with the quiesce probe, after a warm-up. */
#include "burst_nginx.h"

static void
expect_all_ok(struct fix *f, unsigned long n, unsigned long before)
{
	assert_int_equal(f->st.done, n);
	assert_int_equal(f->st.status[2], n);
	assert_int_equal(f->st.transport_errors, 0);
	/* every request finished in nginx before the burst was done */
	assert_int_equal(access_at_done - before, n);
}

static void
test_https_gets(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp = ngx_spec(&ngx.url[NGX_TLS], NULL, 1, 40, 4);
	unsigned long before = ngx_log_lines(&ngx, "access.log");

	ngx_burst(f, &sp);
	ngx_run_burst(f);
	expect_all_ok(f, 40, before);
	assert_int_equal(f->st.http_version, 11);
	assert_true(f->st.connects >= 1 && f->st.connects <= 4);
	assert_int_equal(f->st.open_connections, 0);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "GET|-|-|200|5|HTTP/1.1|"), before + 40);
	burst_free(f->burst);

	/* a connection per request: each TLS connection closed and drained */
	sp.keepalive = false;
	before = ngx_log_lines(&ngx, "access.log");
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	expect_all_ok(f, 40, before);
	assert_int_equal(f->st.connects, 40);
	assert_int_equal(f->st.open_connections, 0);
}

static void
h2_burst(struct fix *f, int port, unsigned streams, unsigned long want_conns)
{
	struct burst_spec sp = ngx_spec(&ngx.url[port], NULL, 1, 64, 8);
	unsigned long before = ngx_log_lines(&ngx, "access.log");
	unsigned long h2 = ngx_log_count(&ngx, "access.log", "|HTTP/2.0|");

	sp.http2 = true;
	sp.streams = streams;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	if (getenv("LT_DEBUG"))
		fprintf(stderr, "h2 port %d streams %u: done %lu 2xx %lu errors %lu connects %lu '%s'\n",
			port, streams, f->st.done, f->st.status[2], f->st.transport_errors,
			f->st.connects, f->st.last_error);
	expect_all_ok(f, 64, before);
	assert_int_equal(f->st.http_version, 20);
	assert_int_equal(f->st.connects, want_conns);
	assert_int_equal(f->st.open_connections, 0);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "|HTTP/2.0|"), h2 + 64);
	burst_free(f->burst);
	f->burst = NULL;
}

static void
test_h2_streams(void **state)
{
	struct fix *f = *state;

	h2_burst(f, NGX_H2TLS, 0, 1);	/* all 8 streams on one connection */
	h2_burst(f, NGX_H2TLS, 2, 4);	/* 2 per connection */
	h2_burst(f, NGX_H2C, 0, 1);
	h2_burst(f, NGX_H2C, 3, 3);	/* 8 / 3: 3 connections */
}

/* Held HTTP/2 connections: the warm-up opens them, the bursts after it
 * use the same ones (no connect, none closed), each ends with the probe. */
static void
held_h2(struct fix *f, int port)
{
	struct burst_spec sp = ngx_spec(&ngx.url[port], NULL, 1, 30, 6);
	unsigned long before = ngx_log_lines(&ngx, "access.log"), closed;
	struct burst_conn_count *cc;
	size_t n;

	sp.http2 = true;
	sp.streams = 3;
	sp.hold = true;
	ngx_burst(f, &sp);
	ngx_run_warm(f);
	assert_int_equal(f->st.done, 6);
	assert_int_equal(f->st.connects, 2);
	assert_int_equal(f->st.open_connections, 2);
	assert_true(f->st.probed);
	assert_int_equal(access_at_done - before, 6);
	ngx_run_burst(f);	/* the rest of the warm burst */
	assert_int_equal(f->st.done, 30);
	assert_int_equal(f->st.connects, 2);	/* the warm part's */
	assert_false(f->st.released);
	assert_true(f->st.probed);
	ngx_run_burst(f);
	assert_int_equal(f->st.done, 30);
	assert_int_equal(f->st.status[2], 30);
	assert_int_equal(f->st.connects, 0);
	assert_int_equal(f->st.conn_closed, 0);
	assert_false(f->st.released);
	assert_true(f->st.probed);
	assert_int_equal(f->st.open_connections, 2);
	assert_int_equal(f->st.http_version, 20);
	assert_int_equal(access_at_done - before, 60);	/* the warm-up is part of the first 30 */
	/* every answer counted on the connection its stream used (how they
	 * spread is libcurl's: the first connection with a free stream) */
	n = burst_conn_counts(f->burst, &cc, &closed);
	assert_int_equal(n, 2);
	assert_int_equal(closed, 0);
	assert_int_equal(cc[0].requests + cc[1].requests, 60);
	assert_true(cc[0].requests >= 1 && cc[1].requests >= 1);
	free(cc);
	burst_free(f->burst);
	f->burst = NULL;
}

static void
test_h2_hold_warm(void **state)
{
	held_h2(*state, NGX_H2C);
	held_h2(*state, NGX_H2TLS);
}

/* HTTP/1.1 over TLS, held: the probe runs on the TLS port too. */
static void
test_https_hold(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp = ngx_spec(&ngx.url[NGX_TLS], NULL, 1, 20, 3);
	unsigned long before = ngx_log_lines(&ngx, "access.log");

	sp.hold = true;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	assert_int_equal(f->st.connects, 3);
	assert_true(f->st.probed);
	ngx_run_burst(f);
	expect_all_ok(f, 20, before + 20);
	assert_int_equal(f->st.connects, 0);
	assert_true(f->st.probed);
	assert_false(f->st.released);
	assert_int_equal(f->st.open_connections, 3);
}

/* HTTP/2 without keepalive: a connection per request, h2c included. */
static void
test_h2_no_keepalive(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp = ngx_spec(&ngx.url[NGX_H2C], NULL, 1, 20, 4);
	unsigned long before = ngx_log_lines(&ngx, "access.log");

	sp.http2 = true;
	sp.keepalive = false;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	expect_all_ok(f, 20, before);
	assert_int_equal(f->st.connects, 20);
	assert_int_equal(f->st.http_version, 20);
}

static void
pause_cb(struct evloop *loop, void *ctx)
{
	(void)ctx;
	evloop_stop(loop, 0);
}

/* Held h2c connections nginx closes while idle (keepalive_timeout): the
 * next burst opens new ones and every request is answered. */
static void
test_h2_held_closed_by_nginx(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp = ngx_spec(&ngx.url[NGX_H2C_SHORT], NULL, 1, 24, 4);

	sp.http2 = true;
	sp.streams = 2;
	sp.hold = true;
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	assert_int_equal(f->st.status[2], 24);
	assert_int_equal(f->st.open_connections, 2);
	evloop_timer_add(f->loop, 700, pause_cb, f);
	evloop_run(f->loop);
	ngx_run_burst(f);
	assert_int_equal(f->st.status[2], 24);
	assert_int_equal(f->st.transport_errors, 0);
	assert_int_equal(f->st.conn_closed, 2);
	assert_int_equal(f->st.connects, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_https_gets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_h2_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_h2_hold_warm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_https_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_h2_no_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_h2_held_closed_by_nginx, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, ngx_group_setup, ngx_group_teardown);
	burst_global_cleanup();
	return rc;
}
