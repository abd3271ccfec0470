/* test_burst_conncount.c - requests per connection (burst_conn_counts,
 * burst_conn_reset) against the in-process server (burst_fixture.h): held
 * connections carry exactly the requests the server saw on each of them,
 * by local port; a connection that closes hands its count to `closed`; a
 * new connection on a reused fd number starts at 0; 404 and 500 answers
 * count, transport errors do not; without keepalive everything is closed. */
#include "burst_fixture.h"
#include "burst_int.h"

/* The server counts requests per connection only with close_after set. */
enum { NEVER = 1000000 };

static struct burst *
make_held(struct fix *f, unsigned long n, unsigned conc)
{
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = 3;		/* 200, 404, 500: all answers */
	sp.requests = n;
	sp.concurrency = conc;
	sp.keepalive = true;
	sp.hold = true;
	f->burst = burst_new(f->loop, &sp);
	assert_non_null(f->burst);
	return f->burst;
}

/* The server's request count on the connection from our port. */
static unsigned
srv_count(struct fix *f, unsigned port)
{
	int fd;

	for (fd = 0; fd < SRV_MAXFD; fd++) {
		struct sockaddr_in sa;
		socklen_t len = sizeof sa;

		if (f->srv.conns[fd] &&
			!getpeername(fd, (struct sockaddr *)&sa, &len) && ntohs(sa.sin_port) == port)
			return f->srv.conns[fd]->nreq;
	}
	fail_msg("no server connection from port %u", port);
	return 0;
}

/* The counts; every open one matches the server's; returns their sum. */
static unsigned long
counts(struct fix *f, size_t want_n, unsigned long *closed)
{
	struct burst_conn_count *c;
	size_t n = burst_conn_counts(f->burst, &c, closed), i;
	unsigned long sum = 0;

	assert_int_equal(n, want_n);
	for (i = 0; i < n; i++) {
		assert_true(c[i].port > 0);
		assert_int_equal(c[i].requests, srv_count(f, c[i].port));
		sum += c[i].requests;
	}
	free(c);
	return sum;
}

static void
test_held_counts_match_server(void **state)
{
	struct fix *f = *state;
	unsigned long closed = 99;

	f->srv.close_after = NEVER;
	make_held(f, 200, 4);
	run_burst(f);
	assert_int_equal(f->st.status[2] + f->st.status[4] + f->st.status[5], 200);
	assert_int_equal(counts(f, 4, &closed), 200);
	assert_int_equal(closed, 0);
	/* the same connections carry the next burst: the counts add up */
	run_burst(f);
	assert_int_equal(counts(f, 4, &closed), 400);
	assert_int_equal(closed, 0);
}

static void
test_reset(void **state)
{
	struct fix *f = *state;
	struct burst_conn_count *c;
	unsigned long closed = 99;
	size_t n, i;

	make_held(f, 100, 4);
	run_burst(f);
	burst_conn_reset(f->burst);
	n = burst_conn_counts(f->burst, &c, &closed);
	assert_int_equal(n, 4);	/* still open, nothing since the reset */
	for (i = 0; i < n; i++)
		assert_int_equal(c[i].requests, 0);
	assert_int_equal(closed, 0);
	free(c);
	run_burst(f);
	n = burst_conn_counts(f->burst, &c, &closed);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		closed += c[i].requests;
	assert_int_equal(closed, 100);	/* this burst's only */
	free(c);
}

/* The fds our connections have now (burst_int.h: the table by fd). */
static void
open_fds(struct fix *f, bool *set, size_t cap)
{
	size_t fd;

	memset(set, 0, cap * sizeof *set);
	for (fd = 0; fd < f->burst->cap_conns && fd < cap; fd++)
		set[fd] = f->burst->conns[fd].state == CONN_OPEN;
}

/* Connections the server closed hand their counts to closed; the new ones
 * (on the same fd numbers) start at 0. */
static void
test_closed_and_reused(void **state)
{
	struct fix *f = *state;
	unsigned long closed;
	bool before[256], after[256], reused = false;
	size_t i;
	int fd;

	f->srv.close_after = NEVER;
	make_held(f, 30, 3);
	run_burst(f);
	assert_int_equal(counts(f, 3, &closed), 30);
	open_fds(f, before, 256);
	for (fd = 0; fd < SRV_MAXFD; fd++)
		if (f->srv.conns[fd])
			srv_close(&f->srv, fd);
	/* curl finds them closed, opens new ones, and releases all at the end
	 * (a check sees all of a burst's connections or none) */
	run_burst(f);
	assert_true(f->st.released);
	assert_int_equal(counts(f, 0, &closed), 0);
	assert_int_equal(closed, 60);
	run_burst(f);
	open_fds(f, after, 256);
	for (i = 0; i < 256; i++)
		reused |= before[i] && after[i];
	assert_true(reused);	/* else this test proves nothing */
	assert_int_equal(counts(f, 3, &closed), 30);
	assert_int_equal(closed, 60);
}

/* Without keepalive, or keepalive without hold, no connection outlives
 * its request or burst: every answer is counted as closed. */
static void
test_not_held(void **state)
{
	struct fix *f = *state;
	unsigned long closed;
	struct burst_conn_count *c;

	make_load(f, 3, 50, 4, false);
	run_burst(f);
	assert_int_equal(burst_conn_counts(f->burst, &c, &closed), 0);
	assert_null(c);
	assert_int_equal(closed, 50);
	burst_free(f->burst);
	make_load(f, 3, 50, 4, true);
	run_burst(f);
	assert_int_equal(burst_conn_counts(f->burst, &c, &closed), 0);
	assert_int_equal(closed, 50);
}

/* A refused connection got no answer: counted nowhere. */
static void
test_transport_error_not_counted(void **state)
{
	struct fix *f = *state;
	struct burst_spec sp;
	struct burst_conn_count *c;
	unsigned long closed = 99;
	char *url;
	int lfd, port = 0;

	lfd = listen_socket(&port);	/* bound, never listening: refused */
	url = xasprintf("http://127.0.0.1:%d/", port);
	memset(&sp, 0, sizeof sp);
	sp.urls = &url;
	sp.nurls = 1;
	sp.requests = 5;
	sp.concurrency = 2;
	sp.keepalive = true;
	f->burst = burst_new(f->loop, &sp);
	run_burst(f);
	assert_int_equal(f->st.transport_errors, 5);
	assert_int_equal(burst_conn_counts(f->burst, &c, &closed), 0);
	assert_int_equal(closed, 0);
	close(lfd);
	free(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_counts_match_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_and_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_error_not_counted, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	burst_global_cleanup();
	return rc;
}
