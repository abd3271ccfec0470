/* test_procwatch.c - procwatch against real processes: children and
 * grandchildren that make a fake vgdb FIFO name in a temp dir, then die
 * by a signal or exit; NEW and EXIT must come from the loop, with the
 * exit status read from /proc while the process is a zombie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evloop.h"
#include "procwatch.h"
#include "util.h"

struct seen {
	struct evloop *loop;
	pid_t new_pid[8], exit_pid[8];
	int exit_status[8];
	unsigned nnew, nexit, want_new, want_exit;
	bool in_new;		/* procwatch_new had not returned yet */
};

static void
on_event(struct procwatch *w, enum procwatch_event ev, const struct procwatch_proc *p, void *ctx)
{
	struct seen *s = ctx;

	(void)w;
	assert_false(s->in_new);
	if (ev == PROCWATCH_NEW) {
		assert_true(p->alive);
		s->new_pid[s->nnew++] = p->pid;
		if (s->nnew == s->want_new)
			evloop_stop(s->loop, 0);
		return;
	}
	assert_false(p->alive);
	s->exit_pid[s->nexit] = p->pid;
	s->exit_status[s->nexit++] = p->exit_status;
	if (s->nexit == s->want_exit)
		evloop_stop(s->loop, 0);
}

static void
on_deadline(struct evloop *loop, void *ctx)
{
	(void)ctx;
	evloop_stop(loop, 1);
}

static void
make_fifo(const char *prefix, pid_t pid)
{
	char *path = xasprintf("%s-from-vgdb-to-%ld-by-me-on-here", prefix, (long)pid);

	if (mkfifo(path, 0600) < 0)
		_exit(90);
	free(path);
}

/* A child that makes its FIFO, waits for a byte on go, then dies by sig
 * (0: exits with status 3). */
static pid_t
spawn_child(const char *prefix, int go, int sig)
{
	pid_t pid = fork();
	char c;

	assert_true(pid >= 0);
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a failed test leaves nothing behind */
	make_fifo(prefix, getpid());
	if (read(go, &c, 1) != 1)
		_exit(91);
	if (sig)
		kill(getpid(), sig);
	_exit(3);
}

static char *
temp_prefix(char *dir)
{
	strcpy(dir, "/tmp/lt-procwatch.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return xasprintf("%s/vgdb", dir);
}

/* The test's own wait for a child's FIFO (not the product's way). */
static void
wait_fifos(const char *prefix, size_t n)
{
	pid_t *pids;

	for (;;) {
		size_t k = procwatch_scan(prefix, &pids);

		free(pids);
		if (k >= n)
			return;
		usleep(1000);
	}
}

static void
run_until(struct seen *s, int64_t ms)
{
	uint64_t t = evloop_timer_add(s->loop, ms, on_deadline, s);

	assert_int_equal(evloop_run(s->loop), 0);
	evloop_timer_cancel(s->loop, t);
}

/* One FIFO before the watch (found by the start scan), one after (by
 * inotify); both die by signals: NEW, NEW, EXIT with each status. */
static void
test_new_then_exit_with_signal(void **state)
{
	struct seen s = { .loop = evloop_new(), .want_exit = 2 };
	char dir[64], *prefix = temp_prefix(dir);
	int go[2];
	pid_t a, b;
	struct procwatch *w;

	(void)state;
	assert_int_equal(pipe(go), 0);
	a = spawn_child(prefix, go[0], SIGTERM);
	wait_fifos(prefix, 1);
	s.in_new = true;
	w = procwatch_new(s.loop, prefix, getpid(), on_event, &s);
	s.in_new = false;
	assert_non_null(w);
	assert_int_equal(s.nnew, 0);	/* the start scan comes from the loop */
	b = spawn_child(prefix, go[0], SIGKILL);
	/* both FIFOs seen, then let them die */
	s.want_new = 2;
	run_until(&s, 5000);
	assert_true((s.new_pid[0] == a && s.new_pid[1] == b) || (s.new_pid[0] == b && s.new_pid[1] == a));
	assert_int_equal(write(go[1], "xx", 2), 2);
	run_until(&s, 5000);
	assert_int_equal(s.nexit, 2);
	for (unsigned i = 0; i < 2; i++) {
		int want = s.exit_pid[i] == a ? SIGTERM : SIGKILL;

		assert_true(WIFSIGNALED(s.exit_status[i]));
		assert_int_equal(WTERMSIG(s.exit_status[i]), want);
	}
	assert_int_equal(procwatch_count(w), 2);
	assert_false(procwatch_get(w, 0)->alive);
	procwatch_free(w);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	close(go[0]);
	close(go[1]);
	util_rm_rf(dir);
	free(prefix);
	evloop_free(s.loop);
}

/* A grandchild (a worker of a master) is followed; a process outside the
 * tree is not; an exit code comes through as one. */
static void
test_descendants_only(void **state)
{
	struct seen s = { .loop = evloop_new(), .want_exit = 1 };
	char dir[64], *prefix = temp_prefix(dir);
	int go[2], ready[2];
	pid_t master, stranger, worker;
	struct procwatch *w;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	master = fork();
	if (master == 0) {	/* the master: forks its worker, waits for it */
		pid_t wk;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		wk = spawn_child(prefix, go[0], 0);
		char c;

		if (write(ready[1], &wk, sizeof wk) != sizeof wk || read(go[0], &c, 1) < 0)
			_exit(92);
		pause();	/* never reaps: the worker stays a zombie */
		_exit(0);
	}
	assert_int_equal(read(ready[0], &worker, sizeof worker), (ssize_t)sizeof worker);
	stranger = fork();	/* a sibling of the master: not its descendant */
	if (stranger == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		make_fifo(prefix, getpid());
		pause();
		_exit(0);
	}
	w = procwatch_new(s.loop, prefix, master, on_event, &s);
	assert_non_null(w);
	s.want_new = 1;
	run_until(&s, 5000);
	assert_int_equal(s.new_pid[0], worker);
	assert_int_equal(procwatch_ppid(worker), master);
	assert_int_equal(write(go[1], "xx", 2), 2);	/* the worker exits 3, the master reads */
	run_until(&s, 5000);
	assert_int_equal(s.nnew, 1);	/* never the stranger */
	assert_int_equal(s.exit_pid[0], worker);
	assert_true(WIFEXITED(s.exit_status[0]));
	assert_int_equal(WEXITSTATUS(s.exit_status[0]), 3);
	assert_false(procwatch_signal(w, worker, SIGTERM));	/* exited: nothing to signal */
	procwatch_free(w);
	kill(master, SIGKILL);
	kill(stranger, SIGKILL);
	waitpid(master, NULL, 0);
	waitpid(stranger, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	util_rm_rf(dir);
	free(prefix);
	evloop_free(s.loop);
}

/* procwatch_scan lists live processes in order, skips the FIFO of a dead
 * one (SIGKILL leaves them behind) and names that are not FIFOs of ours;
 * procwatch_signal reaches a live process. */
static void
test_scan_and_signal(void **state)
{
	struct seen s = { .loop = evloop_new(), .want_exit = 1 };
	char dir[64], *prefix = temp_prefix(dir), *junk;
	int go[2];
	pid_t a, *pids = NULL;
	struct procwatch *w;
	size_t n;

	(void)state;
	assert_int_equal(pipe(go), 0);
	make_fifo(prefix, (1 << 22) + 1);	/* no such process: pid_max <= 2^22 */
	junk = xasprintf("%s-from-vgdb-to-12x-by-me", prefix);
	assert_int_equal(mkfifo(junk, 0600), 0);
	a = spawn_child(prefix, go[0], 0);
	wait_fifos(prefix, 1);
	n = procwatch_scan(prefix, &pids);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], a);
	free(pids);
	w = procwatch_new(s.loop, prefix, getpid(), on_event, &s);
	s.want_new = 1;
	run_until(&s, 5000);
	assert_true(procwatch_signal(w, a, SIGINT));
	run_until(&s, 5000);
	assert_true(WIFSIGNALED(s.exit_status[0]));
	assert_int_equal(WTERMSIG(s.exit_status[0]), SIGINT);
	procwatch_free(w);
	waitpid(a, NULL, 0);
	close(go[0]);
	close(go[1]);
	free(junk);
	util_rm_rf(dir);
	free(prefix);
	evloop_free(s.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_then_exit_with_signal),
		cmocka_unit_test(test_descendants_only),
		cmocka_unit_test(test_scan_and_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
