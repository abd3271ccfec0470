/* target_driver.c - the target module alone, driven line by line from a
 * test script: it starts nginx under valgrind (or attaches), prints what
 * the target reports, and obeys commands on stdin.
 *
 *   target_driver [PROTO...] NGINX VALGRIND WORKERS [CONF]
 *                                                   spawn (CONF: user config)
 *   target_driver --attach PID PREFIX               attach
 *   target_driver --list PREFIX                     target_list_gdbservers
 *
 * PROTO: --tls, --http2, --stream DIRECTIVES (target_opts' tls, http2,
 * stream_directives).
 *
 * Prints one line per event: "STARTED PREFIX URL CONF", then "PROTO
 * http2=0|1 stream=ADDR|-", "NEW pid role gen",
 * "EXIT pid role how", "READY ms", "RELOAD ok|fail ms msg",
 * "STATE name reason", "ERR msg". Commands: "reload", "stop", "procs"
 * (one "PROC pid role alive gen" line each, then "END"), "quit". */
#include "evloop.h"
#include "target.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct drv {
	struct evloop *loop;
	struct target *t;
	int64_t reload_ns;
	char line[256];
	size_t len;
};

static void
out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
on_state(struct target *t, enum target_state st, void *ctx)
{
	struct drv *d = ctx;

	if (st == TARGET_READY)
		out("READY %lld", (long long)target_ready_ms(t));
	else
		out("STATE %s %s", target_state_name(st), target_reason(t));
	if (st == TARGET_EXITED)
		evloop_stop(d->loop, 0);
}

static void
on_proc(struct target *t, enum target_proc_event ev, const struct target_proc *p, void *ctx)
{
	char how[96];

	(void)t;
	(void)ctx;
	if (ev == TARGET_PROC_NEW) {
		out("NEW %ld %s %u", p->pid, target_role_name(p->role), p->generation);
		return;
	}
	target_proc_end(p, how, sizeof how);
	out("EXIT %ld %s %s", p->pid, target_role_name(p->role), how);
}

static void
on_reload(struct target *t, bool ok, const char *msg, void *ctx)
{
	struct drv *d = ctx;

	(void)t;
	out("RELOAD %s %lld %s", ok ? "ok" : "fail",
		(long long)((util_now_ns() - d->reload_ns) / 1000000), msg);
}

static void
command(struct drv *d, const char *cmd)
{
	char err[512];
	size_t i;

	if (!strcmp(cmd, "reload")) {
		d->reload_ns = util_now_ns();
		if (!target_reload(d->t, on_reload, d, err, sizeof err))
			out("ERR %s", err);
	} else if (!strcmp(cmd, "stop")) {
		target_stop(d->t);
	} else if (!strcmp(cmd, "procs")) {
		for (i = 0; i < target_nprocs(d->t); i++) {
			const struct target_proc *p = target_proc(d->t, i);

			out("PROC %ld %s %d %u", p->pid, target_role_name(p->role), p->alive,
				p->generation);
		}
		out("END");
	} else if (!strcmp(cmd, "quit")) {
		evloop_stop(d->loop, 0);
	} else {
		out("ERR unknown command %s", cmd);
	}
}

static void
on_stdin(struct evloop *loop, int fd, int events, void *ctx)
{
	struct drv *d = ctx;
	char c;
	ssize_t n;

	(void)events;
	n = read(fd, &c, 1);
	if (n <= 0) {
		evloop_unwatch_fd(loop, fd);
		target_stop(d->t);
		return;
	}
	if (c != '\n' && d->len < sizeof d->line - 1) {
		d->line[d->len++] = c;
		return;
	}
	d->line[d->len] = '\0';
	d->len = 0;
	command(d, d->line);
}

/* The PROTO options before the positional arguments; returns how many
 * arguments they took. */
static int
proto_opts(int argc, char **argv, struct target_opts *o)
{
	int i = 1;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--tls"))
			o->tls = true;
		else if (!strcmp(argv[i], "--http2"))
			o->http2 = true;
		else if (!strcmp(argv[i], "--stream") && i + 1 < argc)
			o->stream_directives = argv[++i];
		else
			break;
	}
	return i - 1;
}

int
main(int argc, char **argv)
{
	struct target_opts o = { .num_callers = 24, .start_timeout_ms = 120000,
		.stop_timeout_ms = 20000 };
	struct drv d = { .loop = evloop_new() };
	char err[512];
	long v;
	int skip = proto_opts(argc, argv, &o);

	argc -= skip;
	argv += skip;
	if (argc == 3 && !strcmp(argv[1], "--list")) {
		char **lines;
		size_t n = target_list_gdbservers(argv[2], &lines), i;

		for (i = 0; i < n; i++) {
			out("LIST %s", lines[i]);
			free(lines[i]);
		}
		free(lines);
		evloop_free(d.loop);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "--attach") && util_parse_long(argv[2], 1, 1L << 30, &v)) {
		o.attach_pid = v;
		o.attach_prefix = argv[3];
	} else if ((argc == 4 || argc == 5) && util_parse_long(argv[3], 0, 64, &v)) {
		o.nginx = argv[1];
		o.valgrind = argv[2];
		o.workers = (unsigned)v;
		o.conf = argc == 5 ? argv[4] : NULL;
	} else {
		fprintf(stderr, "usage: target_driver [--tls] [--http2] [--stream DIRECTIVES] "
			"NGINX VALGRIND WORKERS [CONF] | "
			"--attach PID PREFIX\n");
		return 2;
	}
	d.t = target_new(d.loop, &o, on_state, &d);
	target_set_proc_cb(d.t, on_proc, &d);
	if (!target_start(d.t, err, sizeof err)) {
		out("ERR %s", err);
		target_free(d.t);
		evloop_free(d.loop);
		return 1;
	}
	out("STARTED %s %s %s/nginx/conf/nginx.conf", target_vgdb_prefix(d.t),
		target_base_url(d.t) ? target_base_url(d.t) : "-",
		target_dir(d.t) ? target_dir(d.t) : "-");
	out("PROTO http2=%d stream=%s", target_http2(d.t),
		target_stream_addr(d.t) ? target_stream_addr(d.t) : "-");
	evloop_watch_fd(d.loop, 0, EV_READ, on_stdin, &d);
	evloop_run(d.loop);
	target_free(d.t);
	evloop_free(d.loop);
	return 0;
}
