/* burst_fixture.h - shared by the burst unit tests (test_burst_*.c): a
 * tiny HTTP/1.1 server that runs in-process on the evloop the burst uses,
 * and a harness (struct fix) that gives each test a loop, a started server,
 * three URLs on it (/, /404, /500) and a done callback that records the
 * stats.
 *
 * Because the server shares the loop, every test is deterministic and the
 * server's connection count can be read at the moment the done callback
 * fires: it must be zero (nginx side closed everything). setup() and
 * teardown() are the cmocka fixtures of every test; main() calls
 * burst_global_cleanup() after the group. Header-only because the
 * Makefile builds each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_BURST_FIXTURE_H
#define LT_TEST_BURST_FIXTURE_H

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
	unsigned nreq;
	bool closing;		/* answered "Connection: close": close it */
};

struct srv {
	struct evloop *loop;
	enum srv_mode mode;
	int lfd;
	int port;
	unsigned accepted;
	unsigned open;
	unsigned long requests;
	unsigned close_after;	/* like nginx's keepalive_requests; 0 = never */
	char method[16];
	char path[128];
	char body[128];
	bool saw_header;
	struct sconn *conns[SRV_MAXFD];
};

static inline void
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

static inline int
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
static inline size_t
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
	c->closing = s->close_after && ++c->nreq >= s->close_after;
	n = snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Length: 3\r\n%s\r\nok\n",
		srv_status(s->path), c->closing ? "Connection: close\r\n" : "");
	assert_true(util_write_all(c->fd, resp, (size_t)n));
	return hlen + blen;
}

static inline void
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
		while (c->in.len && !c->closing && (used = srv_request(s, c)))
			sbuf_consume(&c->in, used);
		if (c->closing) {
			srv_close(s, fd);
			return;
		}
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (s->mode != SRV_NORMAL) {
		evloop_unwatch_fd(s->loop, fd);	/* keep it open, stop polling EOF */
		return;
	}
	srv_close(s, fd);
}

static inline void
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

static inline int
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

static inline void
srv_start(struct srv *s, struct evloop *loop, int port)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->port = port;
	s->lfd = listen_socket(&s->port);
	assert_int_equal(listen(s->lfd, 512), 0);
	evloop_watch_fd(loop, s->lfd, EV_READ, srv_accept_cb, s);
}

static inline void
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

static inline int
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

static inline int
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

static inline void
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

static inline void
deadline_cb(struct evloop *loop, void *ctx)
{
	struct fix *f = ctx;

	f->timed_out = true;
	evloop_stop(loop, 1);
}

static inline void
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

static inline struct burst *
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

#endif
