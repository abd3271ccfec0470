/* test_burst.c - bursts against a tiny HTTP/1.1 server on the same evloop.
 *
 * The server runs in-process on the evloop the burst uses, so every test is
 * deterministic and the server's connection count can be read at the moment
 * the done callback fires: it must be zero (nginx side closed everything).
 *
 * Standalone modes, for comparing with wrk in separate processes:
 *   test_load --serve PORT              serve until killed
 *   test_load --bench URL N CONC        one keepalive burst, prints req/s */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "evloop.h"
#include "burst.h"
#include "sbuf.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* --- the test server ------------------------------------------------------ */

enum srv_mode {
	SRV_NORMAL,		/* answer, close when the client half-closes */
	SRV_NOCLOSE,		/* answer, but never close (a stuck peer) */
	SRV_STALL,		/* never answer, never close */
};

#define SRV_MAXFD 4096

struct sconn {
	int fd;
	struct sbuf in;
};

struct srv {
	struct evloop *loop;
	enum srv_mode mode;
	int lfd;
	int port;
	unsigned accepted;
	unsigned open;
	unsigned long requests;
	char method[16];
	char path[128];
	char body[128];
	bool saw_header;
	struct sconn *conns[SRV_MAXFD];
};

static void
srv_close(struct srv *s, int fd)
{
	struct sconn *c = s->conns[fd];

	evloop_unwatch_fd(s->loop, fd);
	close(fd);
	sbuf_free(&c->in);
	free(c);
	s->conns[fd] = NULL;
	s->open--;
}

static int
srv_status(const char *path)
{
	if (!strncmp(path, "/404", 4))
		return 404;
	if (!strncmp(path, "/500", 4))
		return 500;
	return 200;
}

/* One complete request at the head of c->in: answer it, return its size;
 * 0 while incomplete. */
static size_t
srv_request(struct srv *s, struct sconn *c)
{
	char *end = strstr(c->in.data, "\r\n\r\n"), *cl, resp[160];
	size_t hlen, blen = 0;
	int n;

	if (!end)
		return 0;
	*end = '\0';	/* header searches stay inside this request */
	hlen = (size_t)(end - c->in.data) + 4;
	cl = strcasestr(c->in.data, "\r\nContent-Length:");
	if (cl)
		blen = strtoul(cl + 17, NULL, 10);
	if (c->in.len < hlen + blen) {
		*end = '\r';
		return 0;
	}
	sscanf(c->in.data, "%15s %127s", s->method, s->path);
	s->saw_header = strcasestr(c->in.data, "\r\nX-Leaktop: yes") != NULL;
	snprintf(s->body, sizeof s->body, "%.*s", (int)blen, c->in.data + hlen);
	s->requests++;
	if (s->mode == SRV_STALL)
		return hlen + blen;
	n = snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Length: 3\r\n\r\nok\n",
		srv_status(s->path));
	assert_true(util_write_all(c->fd, resp, (size_t)n));
	return hlen + blen;
}

static void
srv_read_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct srv *s = ctx;
	struct sconn *c = s->conns[fd];
	char buf[4096];
	ssize_t n;
	size_t used;

	(void)loop;
	(void)events;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		sbuf_add(&c->in, buf, (size_t)n);
		while (c->in.len && (used = srv_request(s, c)))
			sbuf_consume(&c->in, used);
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (s->mode != SRV_NORMAL) {
		evloop_unwatch_fd(s->loop, fd);	/* keep it open, stop polling EOF */
		return;
	}
	srv_close(s, fd);
}

static void
srv_accept_cb(struct evloop *loop, int fd, int events, void *ctx)
{
	struct srv *s = ctx;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct sconn *c = xcalloc(1, sizeof *c);

		assert_true(cfd < SRV_MAXFD);
		c->fd = cfd;
		s->conns[cfd] = c;
		s->accepted++;
		s->open++;
		evloop_watch_fd(loop, cfd, EV_READ, srv_read_cb, s);
	}
}

static int
listen_socket(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void
srv_start(struct srv *s, struct evloop *loop, int port)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->port = port;
	s->lfd = listen_socket(&s->port);
	assert_int_equal(listen(s->lfd, 512), 0);
	evloop_watch_fd(loop, s->lfd, EV_READ, srv_accept_cb, s);
}

static void
srv_stop(struct srv *s)
{
	int fd;

	for (fd = 0; fd < SRV_MAXFD; fd++)
		if (s->conns[fd])
			srv_close(s, fd);
	evloop_unwatch_fd(s->loop, s->lfd);
	close(s->lfd);
}

/* --- harness ---------------------------------------------------------------- */

struct fix {
	struct evloop *loop;
	struct srv srv;
	struct burst *burst;
	char *urls[3];
	struct burst_stats st;	/* as given to the done callback */
	unsigned srv_open_at_done;
	int ncallbacks;
	int restarts;		/* bursts still to start from the callback */
	bool free_in_cb;
	bool timed_out;
};

static int
setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof *f);

	f->loop = evloop_new();
	srv_start(&f->srv, f->loop, 0);
	f->urls[0] = xasprintf("http://127.0.0.1:%d/", f->srv.port);
	f->urls[1] = xasprintf("http://127.0.0.1:%d/404", f->srv.port);
	f->urls[2] = xasprintf("http://127.0.0.1:%d/500", f->srv.port);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	size_t i;

	burst_free(f->burst);
	srv_stop(&f->srv);
	evloop_free(f->loop);
	for (i = 0; i < LT_ARRAY_SIZE(f->urls); i++)
		free(f->urls[i]);
	free(f);
	return 0;
}

static void
done_cb(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	struct fix *f = ctx;

	f->st = *st;
	f->srv_open_at_done = f->srv.open;
	f->ncallbacks++;
	if (f->free_in_cb) {
		burst_free(burst);
		f->burst = NULL;
	} else if (f->restarts > 0) {
		f->restarts--;
		assert_true(burst_start(burst, done_cb, f));
		return;
	}
	evloop_stop(f->loop, 0);
}

static void
deadline_cb(struct evloop *loop, void *ctx)
{
	struct fix *f = ctx;

	f->timed_out = true;
	evloop_stop(loop, 1);
}

static void
run_burst(struct fix *f)
{
	uint64_t t = evloop_timer_add(f->loop, 20000, deadline_cb, f);

	assert_true(burst_start(f->burst, done_cb, f));
	assert_true(burst_running(f->burst));
	assert_false(burst_start(f->burst, done_cb, f));
	evloop_run(f->loop);
	evloop_timer_cancel(f->loop, t);
	assert_false(f->timed_out);
}

static struct burst *
make_load(struct fix *f, size_t nurls, unsigned long n, unsigned conc, bool keepalive)
{
	struct burst_spec sp;

	memset(&sp, 0, sizeof sp);
	sp.urls = f->urls;
	sp.nurls = nurls;
	sp.requests = n;
	sp.concurrency = conc;
	sp.keepalive = keepalive;
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
	assert_int_equal(f->st.done, 300);
	assert_int_equal(f->st.status[2], 100);
	assert_int_equal(f->st.status[4], 100);
	assert_int_equal(f->st.status[5], 100);
	assert_int_equal(f->st.status[0] + f->st.status[1] + f->st.status[3], 0);
	assert_int_equal(burst_failed(&f->st), 200);
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

static void
test_restart_from_callback(void **state)
{
	struct fix *f = *state;

	make_load(f, 3, 60, 3, true);
	f->restarts = 3;
	run_burst(f);
	assert_int_equal(f->ncallbacks, 4);
	assert_int_equal(f->st.done, 60);
	assert_int_equal(f->st.status[2], 20);
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
		cmocka_unit_test_setup_teardown(test_keepalive_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transport_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_body_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_closes_fds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_requests, setup, teardown),
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
