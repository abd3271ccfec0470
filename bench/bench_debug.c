/* bench_debug.c - the debugger against raw gdb/MI doing the same on the
 * same nginx process, alternated, in one run:
 *   "d -> stopped": gdb started, attached through vgdb, a breakpoint at the
 *   fixture's leak_alloc line, one request to /leak/alloc, stopped there
 *   with its backtrace and locals read;
 *   "n -> updated": -exec-next over the ngx_alloc, the backtrace and locals
 *   read again.
 * The raw side writes the MI commands itself and reads gdb's lines with
 * blocking reads, and sends the request over a plain socket: what a script
 * driving gdb by hand would do, and all that has to happen.
 *
 * usage: bench_debug NGINX_BINARY CONF LINE RUNS */
#include "bench_engine.h"
#include "proc.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct raw {
	pid_t pid;
	int in, out;
	FILE *rd;
};

static void
raw_send(struct raw *r, const char *cmd)
{
	if (write(r->in, cmd, strlen(cmd)) < 0 || write(r->in, "\n", 1) < 0)
		perror("bench: write to gdb");
}

/* Read lines until one starts with prefix (a result or async record). */
static bool
raw_until(struct raw *r, const char *prefix)
{
	char line[1 << 16];

	while (fgets(line, sizeof line, r->rd))
		if (!strncmp(line, prefix, strlen(prefix)))
			return true;
	return false;
}

static bool
raw_start(struct raw *r, const char *nginx)
{
	int in[2], out[2];
	char *argv[] = { "gdb", "-nx", "-q", "--interpreter=mi3", (char *)nginx, NULL };
	struct proc_spec spec = { .argv = argv, .stderr_fd = -1, .own_pgrp = true,
		.die_with_parent = true };

	if (pipe(in) || pipe(out))
		return false;
	spec.stdin_fd = in[0];
	spec.stdout_fd = out[1];
	r->pid = proc_spawn(&spec);
	close(in[0]);
	close(out[1]);
	r->in = in[1];
	r->out = out[0];
	r->rd = fdopen(out[0], "r");
	return r->pid > 0 && r->rd;
}

static void
raw_end(struct raw *r)
{
	raw_send(r, "-gdb-exit");
	fclose(r->rd);
	close(r->in);
	while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static int
http_get(int port, const char *path)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char req[256];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0)
		perror("bench: request");
	return fd;
}

static void
drain(int fd)
{
	char buf[4096];

	while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
		;
	if (fd >= 0)
		close(fd);
}

/* One raw session: ms to stopped (out[0]) and for a next (out[1]). */
static bool
raw_session(const struct engine *e, const char *nginx, const char *vgdb, int port,
	unsigned line, double *out)
{
	struct raw r;
	char cmd[1024];
	int64_t t0 = util_now_ns(), t1;
	int fd;

	if (!raw_start(&r, nginx) || !raw_until(&r, "(gdb)"))
		return false;
	raw_send(&r, "-gdb-set mi-async on");
	raw_until(&r, "^done");
	snprintf(cmd, sizeof cmd, "-interpreter-exec console \"target remote | %s "
		"--vgdb-prefix=%s --pid=%ld\"", vgdb, engine_vgdb_prefix(e), engine_pid(e));
	raw_send(&r, cmd);
	raw_until(&r, "^done");
	snprintf(cmd, sizeof cmd, "-break-insert -f ngx_http_leaky_module.c:%u", line);
	raw_send(&r, cmd);
	raw_until(&r, "^done");
	raw_send(&r, "-exec-continue");
	raw_until(&r, "^running");
	fd = http_get(port, "/leak/alloc");
	raw_until(&r, "*stopped");
	raw_send(&r, "-stack-list-frames");
	raw_until(&r, "^done");
	raw_send(&r, "-stack-list-variables --thread 1 --frame 0 --simple-values");
	raw_until(&r, "^done");
	out[0] = (double)(util_now_ns() - t0) / 1e6;
	t1 = util_now_ns();
	raw_send(&r, "-exec-next");
	raw_until(&r, "*stopped");
	raw_send(&r, "-stack-list-frames");
	raw_until(&r, "^done");
	raw_send(&r, "-stack-list-variables --thread 1 --frame 0 --simple-values");
	raw_until(&r, "^done");
	out[1] = (double)(util_now_ns() - t1) / 1e6;
	raw_send(&r, "-break-delete");
	raw_until(&r, "^done");
	raw_send(&r, "-target-detach");
	raw_until(&r, "^done");
	raw_end(&r);
	drain(fd);
	return true;
}

static enum engine_debug_state
dstate(const struct engine *e)
{
	const struct engine_debug_info *d = engine_debug(e);

	return d ? d->state : ENGINE_DEBUG_OFF;
}

static void
wait_state(struct bench *b, enum engine_debug_state st)
{
	while (!b->dead && dstate(b->engine) != st)
		evloop_run_once(b->loop);
}

static bool
our_session(struct bench *b, const char *file, unsigned line, double *out)
{
	char err[512];
	int64_t t0 = util_now_ns(), t1;

	if (!engine_debug_start(b->engine, file, line, "/leak/alloc", err, sizeof err)) {
		fprintf(stderr, "bench: %s\n", err);
		return false;
	}
	wait_state(b, ENGINE_DEBUG_STOPPED);
	out[0] = (double)(util_now_ns() - t0) / 1e6;
	t1 = util_now_ns();
	engine_debug_run(b->engine, ENGINE_DEBUG_NEXT, err, sizeof err);
	wait_state(b, ENGINE_DEBUG_STEPPING);
	wait_state(b, ENGINE_DEBUG_STOPPED);
	out[1] = (double)(util_now_ns() - t1) / 1e6;
	engine_debug_detach(b->engine);
	wait_state(b, ENGINE_DEBUG_OFF);
	bench_wait_idle(b);
	return !b->dead;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	char *urls[] = { "/leak/alloc", "/clean" };
	struct burst_spec spec = { .urls = urls, .nurls = 2, .requests = 40, .concurrency = 2,
		.keepalive = true, .timeout_ms = 30000 };
	double *stop_ours, *stop_raw, *next_ours, *next_raw, o[2], r[2];
	unsigned line;
	int runs, i, n = 0, port;

	if (argc != 6 || (runs = atoi(argv[4])) < 1 || !(line = (unsigned)atoi(argv[3])) ||
		!(port = atoi(argv[5]))) {
		fprintf(stderr, "usage: bench_debug NGINX_BINARY CONF LINE RUNS PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	b.vgdb_full = true;	/* as the live screen runs it: n stops in warm code */
	if (!bench_start(&b, argv[1], argv[2], &spec))
		return 2;
	bench_wait_round(&b);	/* baseline */
	stop_ours = xcalloc((size_t)runs, sizeof (double));
	stop_raw = xcalloc((size_t)runs, sizeof (double));
	next_ours = xcalloc((size_t)runs, sizeof (double));
	next_raw = xcalloc((size_t)runs, sizeof (double));
	for (i = 0; i < runs && !b.dead; i++, n++) {
		if (!raw_session(b.engine, b.pf.nginx, b.pf.vgdb, port, line, r) ||
			!our_session(&b, "ngx_http_leaky_module.c", line, o))
			break;
		stop_raw[i] = r[0], next_raw[i] = r[1];
		stop_ours[i] = o[0], next_ours[i] = o[1];
	}
	if (n < runs) {
		fprintf(stderr, "bench: a debug session failed\n");
		return 1;
	}
	double sr = bench_stats("raw gdb/MI: attach -> stopped", "ms", stop_raw, n);
	double so = bench_stats("ngx-leaktop: d -> stopped", "ms", stop_ours, n);
	double nr = bench_stats("raw gdb/MI: -exec-next -> locals", "ms", next_raw, n);
	double no = bench_stats("ngx-leaktop: n -> stopped, locals", "ms", next_ours, n);
	printf("RATIO debug_stop %.3f (target <= 1.2)\n", so / sr);
	printf("RATIO debug_next %.3f (target <= 1.5)\n", no / nr);
	bench_finish(&b);
	free(stop_ours);
	free(stop_raw);
	free(next_ours);
	free(next_raw);
	return 0;
}
