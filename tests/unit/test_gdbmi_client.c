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
#include "gdbmi_fixture.h"
#include "proc.h"
#include "util.h"

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

/* A test's gdb: its loop, what the callbacks got, the client, gdb's pid
 * (kept to look for its group after the client is gone). */
struct client {
	struct evloop *loop;
	struct got got;
	struct gdbmi *g;
	pid_t pid;
};

static void
client_start(struct client *c)
{
	memset(c, 0, sizeof *c);
	c->loop = evloop_new();
	c->g = start(c->loop, &c->got);
	c->pid = gdbmi_pid(c->g);
}

/* Two commands (10 s each), then the loop until both have answered. */
static void
client_two(struct client *c, const char *first, const char *second)
{
	int want = c->got.ndone + 2;

	gdbmi_command(c->g, first, 10000, on_done, &c->got);
	gdbmi_command(c->g, second, 10000, on_done, &c->got);
	run_until(c->loop, &c->got.ndone, want, 30000);
}

/* The loop, one async record at a time, until *flag. */
static void
client_until(struct client *c, const bool *flag)
{
	while (!*flag)
		run_until(c->loop, &c->got.nasync, c->got.nasync + 1, 30000);
}

/* One command answered, then gdb held by `shell sleep 30` with a command
 * queued behind it; neither has a timeout. */
static void
client_hold(struct client *c)
{
	gdbmi_command(c->g, "-data-evaluate-expression 1", 10000, on_done, &c->got);
	run_until(c->loop, &c->got.ndone, 1, 30000);
	gdbmi_command(c->g, "-interpreter-exec console \"shell sleep 30\"", 0, on_done, &c->got);
	gdbmi_command(c->g, "-data-evaluate-expression 2", 0, on_done, &c->got);
}

/* gdb is reaped and nothing of its group runs. */
static void
assert_no_group(pid_t pid)
{
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(gdbmi_fx_left_in_group(pid), 0);
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
	struct client c;

	(void)state;
	client_start(&c);
	assert_false(gdbmi_ready(c.g));
	assert_true(gdbmi_pid(c.g) > 0);
	/* queued before the first prompt: they wait for it, then run in order */
	assert_true(gdbmi_command(c.g, "-data-evaluate-expression 1+2", 10000, on_done, &c.got));
	assert_true(gdbmi_command(c.g, "-break-insert no_such_function_xyz", 10000, on_done, &c.got));
	assert_true(gdbmi_command(c.g, "-interpreter-exec console \"echo a\\\\tb\\\\n\"", 10000,
		on_done, &c.got));
	assert_true(gdbmi_command(c.g, "-data-evaluate-expression sizeof(int)", 10000, on_done, &c.got));
	assert_true(gdbmi_busy(c.g));
	assert_false(gdbmi_command(c.g, "-two\n-lines", 0, on_done, &c.got));
	run_until(c.loop, &c.got.ndone, 4, 30000);
	assert_true(gdbmi_ready(c.g));
	assert_false(gdbmi_busy(c.g));
	assert_true(gdbmi_age_ms(c.g) > 0);
	assert_string_equal(c.got.klass[0], "done");
	assert_string_equal(c.got.value[0], "3");
	assert_string_equal(c.got.klass[1], "error");
	assert_non_null(strstr(c.got.value[1], "no_such_function_xyz"));
	assert_string_equal(c.got.klass[2], "done");
	assert_string_equal(c.got.stream[2], "a\tb\n");
	assert_string_equal(c.got.value[3], "4");
	assert_int_equal(c.got.nnull, 0);
	assert_string_equal(gdbmi_error(c.g), "");

	/* a command written ahead of the queue: its result goes nowhere */
	assert_true(gdbmi_send_now(c.g, "-data-evaluate-expression 7"));
	assert_true(gdbmi_command(c.g, "-data-evaluate-expression 5", 10000, on_done, &c.got));
	run_until(c.loop, &c.got.ndone, 5, 30000);
	assert_string_equal(c.got.value[4], "5");
	gdbmi_free(c.g);
	assert_int_equal(c.got.nexit, 0);
	evloop_free(c.loop);
}

static void
test_async_records(void **state)
{
	struct client c;

	(void)state;
	client_start(&c);
	client_two(&c, "-break-insert work", "-exec-run");
	assert_string_equal(c.got.klass[1], "running");
	client_until(&c, &c.got.stopped_at_work);
	client_two(&c, "-data-evaluate-expression x", "-exec-continue");
	assert_string_equal(c.got.value[2], "21");
	client_until(&c, &c.got.exited_normally);
	gdbmi_command(c.g, "-gdb-exit", 10000, on_done, &c.got);
	run_until(c.loop, &c.got.nexit, 1, 30000);
	assert_string_equal(c.got.klass[4], "exit");
	assert_true(WIFEXITED(c.got.exit_status));
	assert_int_equal(WEXITSTATUS(c.got.exit_status), 0);
	assert_false(gdbmi_command(c.g, "-gdb-version", 0, on_done, &c.got));
	assert_int_equal(gdbmi_pid(c.g), -1);
	gdbmi_free(c.g);
	assert_no_group(c.pid);
	evloop_free(c.loop);
}

/* `shell sleep 30` holds gdb: the timeout fails the queue and kills the
 * group (gdb and its sleep), then the exit callback comes. */
static void
test_timeout(void **state)
{
	struct client c;
	int64_t t0;

	(void)state;
	client_start(&c);
	gdbmi_command(c.g, "-interpreter-exec console \"shell sleep 30\"", 300, on_done, &c.got);
	gdbmi_command(c.g, "-data-evaluate-expression 1", 10000, on_done, &c.got);
	t0 = util_now_ms();
	run_until(c.loop, &c.got.nexit, 1, 30000);
	assert_true(util_now_ms() - t0 < 10000);
	assert_int_equal(c.got.ndone, 2);
	assert_int_equal(c.got.nnull, 2);
	assert_non_null(strstr(gdbmi_error(c.g), "no answer to -interpreter-exec console"));
	assert_non_null(strstr(gdbmi_error(c.g), "within 300 ms"));
	assert_true(WIFSIGNALED(c.got.exit_status));
	assert_false(gdbmi_ready(c.g));
	assert_false(gdbmi_command(c.g, "-gdb-version", 0, on_done, &c.got));
	assert_false(gdbmi_send_now(c.g, "-gdb-version"));
	assert_no_group(c.pid);
	gdbmi_free(c.g);
	evloop_free(c.loop);
}

static void
test_killed_from_outside(void **state)
{
	struct client c;

	(void)state;
	client_start(&c);
	client_hold(&c);
	/* gdb's `shell` child runs (bounded wait): it must not outlive gdb */
	for (int i = 0; i < 500 && gdbmi_fx_live_members(c.pid) < 2; i++)
		usleep(10000);
	assert_true(gdbmi_fx_live_members(c.pid) >= 2);
	kill(c.pid, SIGKILL);
	run_until(c.loop, &c.got.nexit, 1, 30000);
	assert_int_equal(c.got.ndone, 3);
	assert_int_equal(c.got.nnull, 2);
	assert_true(WIFSIGNALED(c.got.exit_status) && WTERMSIG(c.got.exit_status) == SIGKILL);
	assert_non_null(strstr(gdbmi_error(c.g), "gdb killed by signal 9"));
	assert_no_group(c.pid);	/* the sleep went with the group */
	gdbmi_free(c.g);
	evloop_free(c.loop);
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
	struct client c;

	(void)state;
	client_start(&c);
	client_hold(&c);
	gdbmi_command(c.g, "-data-evaluate-expression 3", 0, on_done, &c.got);
	/* the sleep is written at once (no loop pass: one could wait 30 s) */
	gdbmi_free(c.g);
	assert_int_equal(c.got.ndone, 4);
	assert_int_equal(c.got.nnull, 3);
	assert_int_equal(c.got.nexit, 0);
	assert_no_group(c.pid);
	evloop_free(c.loop);
}

/* A done callback frees the client: the rest of the queue fails, the free
 * completes when the callback has returned (ASan sees no use after free). */
static void
test_free_in_callback(void **state)
{
	struct client c;

	(void)state;
	client_start(&c);
	c.got.free_in_cb = true;
	client_two(&c, "-data-evaluate-expression 1", "-data-evaluate-expression 2");
	assert_int_equal(c.got.nnull, 1);
	assert_int_equal(c.got.nexit, 0);
	assert_no_group(c.pid);
	evloop_free(c.loop);
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
