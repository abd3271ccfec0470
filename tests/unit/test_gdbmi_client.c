/* test_gdbmi_client.c - the gdb client against a real gdb (Debian package
 * gdb; its absence fails these tests) on a tiny program compiled here with
 * cc -g -O0: readiness, ordered commands, ^error, stream text, async
 * records, a timeout, gdb killed from outside, a missing gdb, and a free
 * with commands queued that leaves no process behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "evloop.h"
#include "gdbmi.h"
#include "proc.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/lt-gdbmi-XXXXXX";
static char *prog;

struct got {
	int ndone, nnull, nasync, nexit, exit_status;
	bool stopped_at_work, exited_normally;
	char klass[8][32];
	char value[8][64];
	char stream[8][256];
	bool free_in_cb;
};

static bool timed_out;

static void
on_cap(struct evloop *loop, void *ctx)
{
	(void)loop;
	(void)ctx;
	timed_out = true;
}

/* Run the loop until *flag, or fail after ms (a real deadline, no sleep). */
static void
run_until(struct evloop *loop, const int *count, int want, int64_t ms)
{
	uint64_t t;

	timed_out = false;
	t = evloop_timer_add(loop, ms, on_cap, NULL);
	while (*count < want && !timed_out)
		evloop_run_once(loop);
	evloop_timer_cancel(loop, t);
	if (*count < want)
		fail_msg("waited %lld ms for %d events, got %d", (long long)ms, want, *count);
}

static void
on_done(struct gdbmi *g, const struct gdbmi_record *res, const char *stream, size_t len,
	void *ctx)
{
	struct got *got = ctx;
	int i = got->ndone++;

	if (!res) {
		got->nnull++;
		assert_null(stream);
	} else if (i < 8) {
		const char *v = gdbmi_str(res->results, "value");
		const char *m = gdbmi_str(res->results, "msg");

		snprintf(got->klass[i], sizeof got->klass[i], "%s", res->klass);
		snprintf(got->value[i], sizeof got->value[i], "%s", v ? v : m ? m : "");
		snprintf(got->stream[i], sizeof got->stream[i], "%.*s", (int)len, stream);
		assert_int_equal(strlen(stream), len);
	}
	if (got->free_in_cb) {
		got->free_in_cb = false;
		gdbmi_free(g);
	}
}

static void
on_async(struct gdbmi *g, const struct gdbmi_record *rec, void *ctx)
{
	struct got *got = ctx;
	const char *reason = gdbmi_str(rec->results, "reason");

	(void)g;
	got->nasync++;
	if (rec->type == GDBMI_EXEC && reason && !strcmp(reason, "breakpoint-hit"))
		got->stopped_at_work = !strcmp(gdbmi_str(rec->results, "frame.func"), "work");
	if (rec->type == GDBMI_EXEC && reason && !strcmp(reason, "exited-normally"))
		got->exited_normally = true;
}

static void
on_exit_cb(struct gdbmi *g, int status, void *ctx)
{
	struct got *got = ctx;

	(void)g;
	got->nexit++;
	got->exit_status = status;
}

static struct gdbmi *
start(struct evloop *loop, struct got *got)
{
	struct gdbmi_spec spec = { .gdb = "gdb", .program = prog, .on_async = on_async,
		.on_exit = on_exit_cb, .ctx = got };
	char err[256];
	struct gdbmi *g = gdbmi_start(loop, &spec, err, sizeof err);

	if (!g)
		fail_msg("gdbmi_start: %s", err);
	assert_string_equal(err, "");
	return g;
}

/* Members of process group pgrp that still run (zombies do not: killed
 * children of gdb's sh wait there for PID 1 to reap them). */
static int
live_members(pid_t pgrp)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], buf[512], *rp, state;
		long pg;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof buf, f) && (rp = strrchr(buf, ')')) &&
			sscanf(rp + 1, " %c %*d %ld", &state, &pg) == 2 && pg == pgrp && state != 'Z')
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* gdb is reaped and nothing of its group runs (SIGKILL lands at once,
 * but give the kernel 2 s before calling it a leftover). */
static void
assert_no_group(pid_t pid)
{
	int i;

	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	for (i = 0; i < 200 && live_members(pid); i++)
		usleep(10000);
	assert_int_equal(live_members(pid), 0);
}

static int
setup(void **state)
{
	static const char src[] = "#include <stdio.h>\n"
		"int work(int x) { return x * 2; }\n"
		"int main(void) { printf(\"%d\\n\", work(21)); return 0; }\n";
	char *c;
	FILE *f;
	char *gdb = proc_which("gdb");

	(void)state;
	if (!gdb)
		fail_msg("gdb is not installed: apt-get install gdb (these tests need a real gdb)");
	free(gdb);
	assert_non_null(mkdtemp(tmpdir));
	c = xasprintf("%s/work.c", tmpdir);
	prog = xasprintf("%s/work", tmpdir);
	f = fopen(c, "w");
	assert_non_null(f);
	fputs(src, f);
	fclose(f);
	{
		char *argv[] = { "cc", "-g", "-O0", "-o", prog, c, NULL };
		struct proc_spec ps = { .argv = argv, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = 2 };
		pid_t pid = proc_spawn(&ps);
		int st;

		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	free(c);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	util_rm_rf(tmpdir);
	free(prog);
	return 0;
}

static void
test_ready_and_order(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);

	(void)state;
	assert_false(gdbmi_ready(g));
	assert_true(gdbmi_pid(g) > 0);
	/* queued before the first prompt: they wait for it, then run in order */
	assert_true(gdbmi_command(g, "-data-evaluate-expression 1+2", 10000, on_done, &got));
	assert_true(gdbmi_command(g, "-break-insert no_such_function_xyz", 10000, on_done, &got));
	assert_true(gdbmi_command(g, "-interpreter-exec console \"echo a\\\\tb\\\\n\"", 10000,
		on_done, &got));
	assert_true(gdbmi_command(g, "-data-evaluate-expression sizeof(int)", 10000, on_done, &got));
	assert_true(gdbmi_busy(g));
	assert_false(gdbmi_command(g, "-two\n-lines", 0, on_done, &got));
	run_until(loop, &got.ndone, 4, 30000);
	assert_true(gdbmi_ready(g));
	assert_false(gdbmi_busy(g));
	assert_true(gdbmi_age_ms(g) > 0);
	assert_string_equal(got.klass[0], "done");
	assert_string_equal(got.value[0], "3");
	assert_string_equal(got.klass[1], "error");
	assert_non_null(strstr(got.value[1], "no_such_function_xyz"));
	assert_string_equal(got.klass[2], "done");
	assert_string_equal(got.stream[2], "a\tb\n");
	assert_string_equal(got.value[3], "4");
	assert_int_equal(got.nnull, 0);
	assert_string_equal(gdbmi_error(g), "");

	/* a command written ahead of the queue: its result goes nowhere */
	assert_true(gdbmi_send_now(g, "-data-evaluate-expression 7"));
	assert_true(gdbmi_command(g, "-data-evaluate-expression 5", 10000, on_done, &got));
	run_until(loop, &got.ndone, 5, 30000);
	assert_string_equal(got.value[4], "5");
	gdbmi_free(g);
	assert_int_equal(got.nexit, 0);
	evloop_free(loop);
}

static void
test_async_records(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);
	pid_t pid = gdbmi_pid(g);

	(void)state;
	gdbmi_command(g, "-break-insert work", 10000, on_done, &got);
	gdbmi_command(g, "-exec-run", 10000, on_done, &got);
	run_until(loop, &got.ndone, 2, 30000);
	assert_string_equal(got.klass[1], "running");
	while (!got.stopped_at_work)
		run_until(loop, &got.nasync, got.nasync + 1, 30000);
	gdbmi_command(g, "-data-evaluate-expression x", 10000, on_done, &got);
	gdbmi_command(g, "-exec-continue", 10000, on_done, &got);
	run_until(loop, &got.ndone, 4, 30000);
	assert_string_equal(got.value[2], "21");
	while (!got.exited_normally)
		run_until(loop, &got.nasync, got.nasync + 1, 30000);
	gdbmi_command(g, "-gdb-exit", 10000, on_done, &got);
	run_until(loop, &got.nexit, 1, 30000);
	assert_string_equal(got.klass[4], "exit");
	assert_true(WIFEXITED(got.exit_status));
	assert_int_equal(WEXITSTATUS(got.exit_status), 0);
	assert_false(gdbmi_command(g, "-gdb-version", 0, on_done, &got));
	assert_int_equal(gdbmi_pid(g), -1);
	gdbmi_free(g);
	assert_no_group(pid);
	evloop_free(loop);
}

/* `shell sleep 30` holds gdb: the timeout fails the queue and kills the
 * group (gdb and its sleep), then the exit callback comes. */
static void
test_timeout(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);
	pid_t pid = gdbmi_pid(g);
	int64_t t0;

	(void)state;
	gdbmi_command(g, "-interpreter-exec console \"shell sleep 30\"", 300, on_done, &got);
	gdbmi_command(g, "-data-evaluate-expression 1", 10000, on_done, &got);
	t0 = util_now_ms();
	run_until(loop, &got.nexit, 1, 30000);
	assert_true(util_now_ms() - t0 < 10000);
	assert_int_equal(got.ndone, 2);
	assert_int_equal(got.nnull, 2);
	assert_non_null(strstr(gdbmi_error(g), "no answer to -interpreter-exec console"));
	assert_non_null(strstr(gdbmi_error(g), "within 300 ms"));
	assert_true(WIFSIGNALED(got.exit_status));
	assert_false(gdbmi_ready(g));
	assert_false(gdbmi_command(g, "-gdb-version", 0, on_done, &got));
	assert_false(gdbmi_send_now(g, "-gdb-version"));
	assert_no_group(pid);
	gdbmi_free(g);
	evloop_free(loop);
}

static void
test_killed_from_outside(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);
	pid_t pid = gdbmi_pid(g);

	(void)state;
	gdbmi_command(g, "-data-evaluate-expression 1", 10000, on_done, &got);
	run_until(loop, &got.ndone, 1, 30000);
	gdbmi_command(g, "-interpreter-exec console \"shell sleep 30\"", 0, on_done, &got);
	gdbmi_command(g, "-data-evaluate-expression 2", 0, on_done, &got);
	/* gdb's `shell` child runs (bounded wait): it must not outlive gdb */
	for (int i = 0; i < 500 && live_members(pid) < 2; i++)
		usleep(10000);
	assert_true(live_members(pid) >= 2);
	kill(pid, SIGKILL);
	run_until(loop, &got.nexit, 1, 30000);
	assert_int_equal(got.ndone, 3);
	assert_int_equal(got.nnull, 2);
	assert_true(WIFSIGNALED(got.exit_status) && WTERMSIG(got.exit_status) == SIGKILL);
	assert_non_null(strstr(gdbmi_error(g), "gdb killed by signal 9"));
	assert_no_group(pid);	/* the sleep went with the group */
	gdbmi_free(g);
	evloop_free(loop);
}

static void
test_missing_gdb(void **state)
{
	struct evloop *loop = evloop_new();
	struct gdbmi_spec spec = { .gdb = "gdb", .program = "/bin/true" };
	char *path = xstrdup(getenv("PATH")), err[256];

	(void)state;
	setenv("PATH", tmpdir, 1);
	assert_null(gdbmi_start(loop, &spec, err, sizeof err));
	setenv("PATH", path, 1);
	assert_string_equal(err, "gdb not found: install the Debian package gdb (apt-get install gdb)");
	spec.gdb = "/nonexistent/gdb";
	assert_null(gdbmi_start(loop, &spec, err, sizeof err));
	assert_string_equal(err, "cannot start /nonexistent/gdb: No such file or directory");
	free(path);
	evloop_free(loop);
}

static void
test_free_with_queue(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);
	pid_t pid = gdbmi_pid(g);

	(void)state;
	gdbmi_command(g, "-data-evaluate-expression 1", 10000, on_done, &got);
	run_until(loop, &got.ndone, 1, 30000);
	gdbmi_command(g, "-interpreter-exec console \"shell sleep 30\"", 0, on_done, &got);
	gdbmi_command(g, "-data-evaluate-expression 2", 0, on_done, &got);
	gdbmi_command(g, "-data-evaluate-expression 3", 0, on_done, &got);
	/* the sleep is written at once (no loop pass: one could wait 30 s) */
	gdbmi_free(g);
	assert_int_equal(got.ndone, 4);
	assert_int_equal(got.nnull, 3);
	assert_int_equal(got.nexit, 0);
	assert_no_group(pid);
	evloop_free(loop);
}

/* A done callback frees the client: the rest of the queue fails, the free
 * completes when the callback has returned (ASan sees no use after free). */
static void
test_free_in_callback(void **state)
{
	struct evloop *loop = evloop_new();
	struct got got = { 0 };
	struct gdbmi *g = start(loop, &got);
	pid_t pid = gdbmi_pid(g);

	(void)state;
	got.free_in_cb = true;
	gdbmi_command(g, "-data-evaluate-expression 1", 10000, on_done, &got);
	gdbmi_command(g, "-data-evaluate-expression 2", 10000, on_done, &got);
	run_until(loop, &got.ndone, 2, 30000);
	assert_int_equal(got.nnull, 1);
	assert_int_equal(got.nexit, 0);
	assert_no_group(pid);
	evloop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_and_order),
		cmocka_unit_test(test_async_records),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_killed_from_outside),
		cmocka_unit_test(test_missing_gdb),
		cmocka_unit_test(test_free_with_queue),
		cmocka_unit_test(test_free_in_callback),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
