/* workersplit.c - end-to-end check of burst_conn_counts + sockowner_map on
 * a real nginx with several workers (issue 15): one held keepalive burst,
 * then which worker answered how many requests; the sum over the workers
 * plus the requests on closed connections must equal the requests
 * answered. Then the cost of sockowner_map against one read of
 * /proc/net/tcp.
 *
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude -o workersplit tests/tools/workersplit.c \
 *      build/obj/base/util.o build/obj/os/evloop.o build/obj/os/sockowner.o \
 *      build/obj/nginx/burst/burst*.o -lcurl
 *   workersplit URL SERVER_PORT REQUESTS CONCURRENCY WORKER_PID...
 *
 * Exit 0 when the counts add up, every open connection has a worker and,
 * with no connection closed, no answer counts as on a closed one. */
#include "burst.h"
#include "evloop.h"
#include "sockowner.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAXW = 64, ROUNDS = 200 };

static void
done_cb(struct burst *burst, const struct burst_stats *st, void *ctx)
{
	(void)burst;
	(void)st;
	evloop_stop(ctx, 0);
}

/* One read of the whole file, what any reader of it pays at least. */
static size_t
read_tcp(const char *path)
{
	char buf[65536];
	ssize_t k;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		n += (size_t)k;
	close(fd);
	return n;
}

static void
measure(unsigned server, const unsigned *ports, size_t n, const pid_t *pids, size_t npids)
{
	pid_t *owner = xcalloc(n ? n : 1, sizeof *owner);
	int64_t t0 = util_now_ns(), t_map, t_read, t_read6;
	size_t bytes = 0, bytes6 = 0;
	int i;

	for (i = 0; i < ROUNDS; i++)
		sockowner_map(server, ports, n, pids, npids, owner);
	t_map = (util_now_ns() - t0) / ROUNDS;
	t0 = util_now_ns();
	for (i = 0; i < ROUNDS; i++)
		bytes = read_tcp("/proc/net/tcp");
	t_read = (util_now_ns() - t0) / ROUNDS;
	t0 = util_now_ns();
	for (i = 0; i < ROUNDS; i++)
		bytes6 = read_tcp("/proc/net/tcp6");
	t_read6 = (util_now_ns() - t0) / ROUNDS;
	printf("cost: sockowner_map(%zu connections, %zu pids) %.1f us; one read of /proc/net/tcp "
		"(%zu bytes) %.1f us; ratio %.2f; (one read of /proc/net/tcp6, %zu bytes: %.1f us)\n",
		n, npids, t_map / 1e3, bytes, t_read / 1e3,
		t_read ? (double)t_map / (double)t_read : 0, bytes6, t_read6 / 1e3);
	free(owner);
}

int
main(int argc, char **argv)
{
	struct burst_spec sp = { 0 };
	struct evloop *loop = evloop_new();
	struct burst *burst;
	struct burst_conn_count *c;
	const struct burst_stats *st;
	unsigned long closed, per[MAXW] = { 0 }, nobody = 0, sum, answered;
	pid_t pids[MAXW], *owner;
	unsigned *ports, server;
	size_t n, npids = 0, i, k;
	bool ok;

	if (argc < 6) {
		fprintf(stderr, "usage: workersplit URL SERVER_PORT REQUESTS CONCURRENCY WORKER_PID...\n");
		return 2;
	}
	server = (unsigned)atoi(argv[2]);
	for (i = 5; i < (size_t)argc && npids < MAXW; i++)
		pids[npids++] = (pid_t)atoi(argv[i]);
	sp.urls = &argv[1];
	sp.nurls = 1;
	sp.requests = strtoul(argv[3], NULL, 10);
	sp.concurrency = (unsigned)atoi(argv[4]);
	sp.keepalive = sp.hold = true;
	burst = burst_new(loop, &sp);
	burst_start(burst, done_cb, loop);
	evloop_run(loop);
	st = burst_stats(burst);
	answered = st->status[0] + st->status[1] + st->status[2] + st->status[3] +
		st->status[4] + st->status[5];

	n = burst_conn_counts(burst, &c, &closed);
	ports = xcalloc(n ? n : 1, sizeof *ports);
	owner = xcalloc(n ? n : 1, sizeof *owner);
	for (i = 0; i < n; i++)
		ports[i] = c[i].port;
	if (!sockowner_map(server, ports, n, pids, npids, owner))
		printf("sockowner_map: /proc unreadable\n");
	for (i = 0; i < n; i++) {
		for (k = 0; k < npids && pids[k] != owner[i]; k++)
			;
		if (k < npids)
			per[k] += c[i].requests;
		else
			nobody += c[i].requests;
	}
	sum = closed + nobody;
	for (k = 0; k < npids; k++) {
		printf("worker %ld: %lu requests\n", (long)pids[k], per[k]);
		sum += per[k];
	}
	printf("open connections %zu, on closed connections %lu, on no worker %lu\n", n, closed, nobody);
	printf("answered %lu (sent %lu, transport errors %lu); sum over workers + closed %lu: %s\n",
		answered, st->sent, st->transport_errors, sum, sum == answered ? "equal" : "DIFFERENT");
	/* held and never closed by nginx, so no answer may count as closed */
	ok = answered && sum == answered && !nobody;
	if (closed && !st->conn_closed && !st->released) {
		printf("DIFFERENT: %lu answers on closed connections, none closed\n", closed);
		ok = false;
	}
	measure(server, ports, n, pids, npids);
	free(c);
	free(ports);
	free(owner);
	burst_free(burst);
	burst_global_cleanup();
	evloop_free(loop);
	return ok ? 0 : 1;
}
