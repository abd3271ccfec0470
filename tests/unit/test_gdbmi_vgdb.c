/* test_gdbmi_vgdb.c - the gdb client on the path the debugger view takes:
 * a real gdb attached through `target remote | vgdb` to a program under
 * valgrind (memcheck, --vgdb-error=0: it waits for gdb before main). A
 * `monitor leak_check` answer comes as @ records and is gathered as the
 * command's stream; gdbmi_free takes vgdb with gdb's process group and
 * valgrind runs on to the program's end. gdb or valgrind missing fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "evloop.h"
#include "gdbmi.h"
#include "gdbmi_fixture.h"
#include "proc.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lt-gdbmi-vg-XXXXXX";

struct state {
	struct evloop *loop;
	struct sbuf vgerr;	/* valgrind's stderr */
	int vgfd;
	pid_t vgpid;
	int vgexits, vgstatus;
	int ndone, nstopped;
	char klass[4][16];
	struct sbuf stream[4];
	bool timed_out;
};

static void
on_cap(struct evloop *loop, void *ctx)
{
	(void)loop;
	((struct state *)ctx)->timed_out = true;
}

static void
run_until(struct state *s, const int *count, int want, const char *what)
{
	uint64_t t;

	s->timed_out = false;
	t = evloop_timer_add(s->loop, 60000, on_cap, s);
	while (*count < want && !s->timed_out)
		evloop_run_once(s->loop);
	evloop_timer_cancel(s->loop, t);
	if (*count < want)
		fail_msg("no %s within 60 s; valgrind said: %s", what, s->vgerr.data ? s->vgerr.data : "");
}

static void
on_vgerr(struct evloop *loop, int fd, int events, void *ctx)
{
	struct state *s = ctx;
	char buf[4096];
	ssize_t n;

	(void)events;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		sbuf_add(&s->vgerr, buf, (size_t)n);
	if (n == 0) {
		evloop_unwatch_fd(loop, fd);
		close(fd);
		s->vgfd = -1;
	}
}

static void
on_vgexit(struct evloop *loop, pid_t pid, int status, void *ctx)
{
	struct state *s = ctx;

	(void)loop;
	(void)pid;
	s->vgexits++;
	s->vgstatus = status;
}

static void
on_done(struct gdbmi *g, const struct gdbmi_record *res, const char *stream, size_t len,
	void *ctx)
{
	struct state *s = ctx;
	int i = s->ndone++;

	(void)g;
	assert_true(i < 4);
	snprintf(s->klass[i], sizeof s->klass[i], "%s", res ? res->klass : "(null)");
	if (res)
		sbuf_add(&s->stream[i], stream, len);
}

static void
on_async(struct gdbmi *g, const struct gdbmi_record *rec, void *ctx)
{
	struct state *s = ctx;

	(void)g;
	if (rec->type == GDBMI_EXEC && !strcmp(rec->klass, "stopped"))
		s->nstopped++;
}

static void
build(const char *prog)
{
	static const char src[] = "#include <stdlib.h>\n"
		"int main(void) {\n"
		"	volatile char *p = malloc(100);\n"
		"	p[0] = 1;\n"
		"	p = 0;\n"
		"	return 0;\n"	/* line 6: the breakpoint */
		"}\n";
	char *c = xasprintf("%s.c", prog);
	char *argv[] = { "cc", "-g", "-O0", "-o", (char *)prog, c, NULL };
	struct proc_spec ps = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2 };
	FILE *f = fopen(c, "w");
	pid_t pid;
	int st;

	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	pid = proc_spawn(&ps);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(c);
}

static void
start_valgrind(struct state *s, const char *prog, const char *prefix)
{
	char *pfx = xasprintf("--vgdb-prefix=%s", prefix);
	char *argv[] = { "valgrind", "--tool=memcheck", "--vgdb=yes", "--vgdb-error=0", pfx,
		(char *)prog, NULL };
	struct proc_spec ps = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .own_pgrp = true,
		.die_with_parent = true };
	int p[2];

	assert_true(proc_pipe(p));
	ps.stderr_fd = p[1];
	s->vgpid = proc_spawn(&ps);
	close(p[1]);
	if (s->vgpid < 0)
		fail_msg("cannot run valgrind (apt-get install valgrind): %s", strerror(errno));
	s->vgfd = p[0];
	evloop_watch_fd(s->loop, s->vgfd, EV_READ, on_vgerr, s);
	evloop_watch_child(s->loop, s->vgpid, on_vgexit, s);
	free(pfx);
}

/* valgrind waits for gdb once it printed how to attach. */
static void
wait_vgdb_ready(struct state *s)
{
	uint64_t t;

	s->timed_out = false;
	t = evloop_timer_add(s->loop, 60000, on_cap, s);

	while (!(s->vgerr.data && strstr(s->vgerr.data, "target remote | ")) && !s->timed_out &&
		!s->vgexits)
		evloop_run_once(s->loop);
	evloop_timer_cancel(s->loop, t);
	if (!s->vgerr.data || !strstr(s->vgerr.data, "target remote | "))
		fail_msg("valgrind never waited for gdb: %s", s->vgerr.data ? s->vgerr.data : "");
}

static void
test_monitor_and_free(void **state)
{
	struct state s = { .vgfd = -1 };
	char *prog = xasprintf("%s/leaky", tmpdir), *prefix = xasprintf("%s/vgdb", tmpdir);
	char *attach, err[256];
	struct gdbmi_spec spec = { .gdb = "gdb", .on_async = on_async, .ctx = &s };
	struct gdbmi *g;
	pid_t gpid;
	int i;

	(void)state;
	s.loop = evloop_new();
	build(prog);
	start_valgrind(&s, prog, prefix);
	wait_vgdb_ready(&s);
	spec.program = prog;
	g = gdbmi_start(s.loop, &spec, err, sizeof err);
	if (!g)
		fail_msg("gdbmi_start: %s", err);
	gpid = gdbmi_pid(g);
	attach = xasprintf("-target-select remote | vgdb --vgdb-prefix=%s --pid=%ld", prefix,
		(long)s.vgpid);
	gdbmi_command(g, attach, 30000, on_done, &s);
	gdbmi_command(g, "-break-insert leaky.c:6", 30000, on_done, &s);
	gdbmi_command(g, "-exec-continue", 30000, on_done, &s);
	run_until(&s, &s.ndone, 3, "answers from gdb");
	assert_string_equal(s.klass[0], "connected");
	assert_string_equal(s.klass[1], "done");
	assert_string_equal(s.klass[2], "running");
	run_until(&s, &s.nstopped, 2, "*stopped at the breakpoint");	/* the attach's, then ours */
	gdbmi_command(g, "-interpreter-exec console \"monitor leak_check summary\"", 30000, on_done,
		&s);
	run_until(&s, &s.ndone, 4, "the monitor command's answer");
	assert_string_equal(s.klass[3], "done");
	/* valgrind's answer came as @ records, gathered unescaped */
	assert_non_null(strstr(s.stream[3].data, "LEAK SUMMARY:\n"));
	assert_non_null(strstr(s.stream[3].data, "still reachable: 100 (+100) bytes in 1 (+1) blocks\n"));
	assert_int_equal(strlen(s.stream[3].data), s.stream[3].len);

	/* gdb and its vgdb go; valgrind, no longer held, runs main to its end */
	gdbmi_free(g);
	assert_int_equal(gdbmi_fx_left_in_group(gpid), 0);
	run_until(&s, &s.vgexits, 1, "valgrind's exit after gdb went");
	assert_true(WIFEXITED(s.vgstatus));
	assert_int_equal(WEXITSTATUS(s.vgstatus), 0);
	assert_non_null(strstr(s.vgerr.data, "100 bytes in 1 blocks"));

	for (i = 0; i < 4; i++)
		sbuf_free(&s.stream[i]);
	if (s.vgfd >= 0) {
		evloop_unwatch_fd(s.loop, s.vgfd);
		close(s.vgfd);
	}
	sbuf_free(&s.vgerr);
	free(attach);
	free(prog);
	free(prefix);
	evloop_free(s.loop);
}

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	util_rm_rf(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_and_free),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
