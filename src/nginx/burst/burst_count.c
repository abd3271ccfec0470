/* burst_count.c - requests per connection, so that a caller can tell
 * which nginx worker answered how many (sockowner.h maps the local ports
 * to workers).
 *
 * The connection of a finished request is the one CURLINFO_ACTIVESOCKET
 * names while the easy handle is still in the multi handle: curl finds it
 * by the id of the last connection the handle used, in its connection
 * cache, so it is found only while curl keeps that connection open
 * (keepalive); a connection closed at the end of the request (no
 * keepalive, "Connection: close", an error) is not found and the request
 * counts as answered on a closed connection, which is what it is. The id
 * is unique, so a closed connection's fd number, reused by a new
 * connection, never receives an old connection's requests. */
#include "burst_int.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

static unsigned local_port(int fd);

/* HTTP/2: a stream that ends while others go on does not update what
 * CURLINFO_ACTIVESOCKET looks for (libcurl records the connection when
 * the last transfer on it is done), but CURLINFO_LOCAL_PORT is the port
 * of the connection the transfer used; the open connection with that
 * local port is the one (ports of open connections differ). */
static bool
answered_by_port(struct burst *burst, CURL *e)
{
	long lport = 0;
	size_t fd;

	if (curl_easy_getinfo(e, CURLINFO_LOCAL_PORT, &lport) != CURLE_OK || lport <= 0)
		return false;
	for (fd = 0; fd < burst->cap_conns; fd++) {
		struct conn *c = &burst->conns[fd];

		if (c->state != CONN_OPEN)
			continue;
		if (!c->port)
			c->port = local_port((int)fd);
		if (c->port == (unsigned)lport) {
			c->requests++;
			return true;
		}
	}
	return false;
}

void
burst_conn_answered(struct burst *burst, CURL *e)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	if (burst->spec.http2) {
		if (!answered_by_port(burst, e))
			burst->closed_requests++;
		return;
	}
	if (curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
		fd != CURL_SOCKET_BAD && (size_t)fd < burst->cap_conns &&
		burst->conns[fd].state == CONN_OPEN)
		burst->conns[fd].requests++;
	else
		burst->closed_requests++;
}

void
burst_conn_retire(struct burst *burst, struct conn *c)
{
	burst->closed_requests += c->requests;
	c->requests = 0;
}

/* Our end's port of fd, 0 if it has none (never connected). */
static unsigned
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

size_t
burst_conn_counts(const struct burst *burst, struct burst_conn_count **out,
	unsigned long *closed)
{
	size_t fd, n = 0;
	unsigned long lost = 0;

	*out = NULL;
	for (fd = 0; fd < burst->cap_conns; fd++)
		n += burst->conns[fd].state == CONN_OPEN;
	if (n)
		*out = xcalloc(n, sizeof **out);
	n = 0;
	for (fd = 0; fd < burst->cap_conns; fd++) {
		const struct conn *c = &burst->conns[fd];
		unsigned port;

		if (c->state != CONN_OPEN)
			continue;
		port = local_port((int)fd);
		if (!port) {	/* not connected: nothing to map, nothing lost */
			lost += c->requests;
			continue;
		}
		(*out)[n].port = port;
		(*out)[n++].requests = c->requests;
	}
	if (!n) {
		free(*out);
		*out = NULL;
	}
	*closed = burst->closed_requests + lost;
	return n;
}

void
burst_conn_reset(struct burst *burst)
{
	size_t fd;

	for (fd = 0; fd < burst->cap_conns; fd++)
		burst->conns[fd].requests = 0;
	burst->closed_requests = 0;
}
