/* probe.c - one connection that tells when nginx's event loop runs. */
#include "probe.h"
#include "evloop.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* No space in the request line: nginx's parser answers 400 itself. */
static const char probe_request[] = "LEAKTOP-PROBE\r\n\r\n";

struct probe {
	struct evloop *loop;
	int fd;
	bool sent;
	probe_cb cb;
	void *ctx;
};

/* "http://127.0.0.1:8080" / "https://[::1]:8080" into a socket address.
 * https is the same probe: nginx 1.22 peeks at the first byte, and one
 * that starts no TLS record gets the plain-HTTP parser's 400. So does a
 * cleartext `listen ... http2`, in its way: the probe is longer than
 * HTTP/2's "PRI * HTTP/2.0\r\n", differs from it, and nginx answers
 * GOAWAY and closes. */
static bool
parse_url(const char *url, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *p, *colon;
	long port;

	if (!strncmp(url, "http://", 7))
		p = url + 7;
	else if (!strncmp(url, "https://", 8))
		p = url + 8;
	else
		return false;
	colon = strrchr(p, ':');
	if (!colon || (size_t)(colon - p) >= sizeof host || !util_parse_long(colon + 1, 1, 65535, &port))
		return false;
	memset(ss, 0, sizeof *ss);
	snprintf(host, sizeof host, "%.*s", (int)(colon - p), p);
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		host[strcspn(host, "]")] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		*len = sizeof *a6;
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1;
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons((unsigned short)port);
	*len = sizeof(struct sockaddr_in);
	return inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1;
}

static void
finish(struct probe *p, bool answered)
{
	evloop_unwatch_fd(p->loop, p->fd);
	close(p->fd);
	p->fd = -1;
	p->cb(p->ctx, answered);	/* may free p */
}

static void
on_socket(struct evloop *loop, int fd, int events, void *ctx)
{
	struct probe *p = ctx;
	char buf[256];
	int err = 0;
	socklen_t len = sizeof err;

	(void)loop;
	if (!p->sent) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err ||
			send(fd, probe_request, sizeof probe_request - 1, MSG_NOSIGNAL) < 0) {
			finish(p, false);
			return;
		}
		p->sent = true;
		evloop_watch_fd(p->loop, fd, EV_READ, on_socket, p);
		return;
	}
	/* nginx's 400 or its close: the event loop took the connection. The
	 * first byte is enough: a listener that keeps the connection open
	 * (a TLS port waiting for more) must not hold the start. */
	(void)events;
	if (recv(fd, buf, sizeof buf, 0) < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	finish(p, true);
}

struct probe *
probe_start(struct evloop *loop, const char *base_url, probe_cb cb, void *ctx)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct probe *p;
	int fd;

	if (!base_url || !parse_url(base_url, &ss, &len))
		return NULL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	*p = (struct probe){ .loop = loop, .fd = fd, .cb = cb, .ctx = ctx };
	evloop_watch_fd(loop, fd, EV_WRITE, on_socket, p);
	return p;
}

void
probe_free(struct probe *p)
{
	if (!p)
		return;
	if (p->fd >= 0) {
		evloop_unwatch_fd(p->loop, p->fd);
		close(p->fd);
	}
	free(p);
}
