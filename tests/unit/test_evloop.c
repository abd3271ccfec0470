/* test_evloop.c - the loop's before-sleep hook: callbacks only mark, the
 * hook does the marked work once per pass (the live screen draws one
 * frame however many events a pass delivers). Real pipes, real timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "evloop.h"

#define NPIPES 20

struct pass {
	int fds[NPIPES][2];
	unsigned pending;	/* marks since the last frame */
	unsigned callbacks;
	unsigned hooks;		/* hook calls */
	unsigned frames;	/* hook calls that found marks */
	unsigned stop_after;	/* the hook stops the loop at this call (0: never) */
	bool timer_fired;
};

static void
on_readable(struct evloop *loop, int fd, int events, void *ctx)
{
	struct pass *p = ctx;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	evloop_unwatch_fd(loop, fd);
	p->callbacks++;
	p->pending++;
}

static void
before_sleep(struct evloop *loop, void *ctx)
{
	struct pass *p = ctx;

	p->hooks++;
	if (p->pending) {
		p->frames++;
		p->pending = 0;
	}
	if (p->stop_after && p->hooks == p->stop_after)
		evloop_stop(loop, 7);
}

static void
on_timer(struct evloop *loop, void *ctx)
{
	struct pass *p = ctx;

	(void)loop;
	p->timer_fired = true;
}

static void
open_pipes(struct evloop *loop, struct pass *p)
{
	size_t i;

	for (i = 0; i < NPIPES; i++) {
		assert_int_equal(pipe(p->fds[i]), 0);
		assert_int_equal(write(p->fds[i][1], "x", 1), 1);
		evloop_watch_fd(loop, p->fds[i][0], EV_READ, on_readable, p);
	}
}

static void
close_pipes(struct pass *p)
{
	size_t i;

	for (i = 0; i < NPIPES; i++) {
		close(p->fds[i][0]);
		close(p->fds[i][1]);
	}
}

/* Twenty fds ready at once: twenty callbacks in one pass, one frame at
 * the start of the next, none after that. */
static void
test_one_frame_per_pass(void **state)
{
	struct evloop *loop = evloop_new();
	struct pass p = { 0 };

	(void)state;
	open_pipes(loop, &p);
	evloop_before_sleep(loop, before_sleep, &p);
	evloop_run_once(loop);
	assert_int_equal(p.hooks, 1);
	assert_int_equal(p.callbacks, NPIPES);
	assert_int_equal(p.frames, 0);	/* the hook ran before the poll */
	evloop_timer_add(loop, 0, on_timer, &p);	/* keep the next poll from sleeping */
	evloop_run_once(loop);
	assert_int_equal(p.hooks, 2);
	assert_int_equal(p.frames, 1);
	assert_true(p.timer_fired);
	evloop_timer_add(loop, 0, on_timer, &p);
	evloop_run_once(loop);
	assert_int_equal(p.hooks, 3);
	assert_int_equal(p.frames, 1);	/* nothing marked: nothing drawn */
	close_pipes(&p);
	evloop_free(loop);
}

/* A hook that stops the loop ends evloop_run before it polls again. */
static void
test_hook_stops_the_loop(void **state)
{
	struct evloop *loop = evloop_new();
	struct pass p = { .stop_after = 2 };

	(void)state;
	open_pipes(loop, &p);
	evloop_before_sleep(loop, before_sleep, &p);
	assert_int_equal(evloop_run(loop), 7);
	assert_int_equal(p.hooks, 2);
	assert_int_equal(p.frames, 1);
	close_pipes(&p);
	evloop_free(loop);
}

/* NULL removes the hook: the callbacks still run. */
static void
test_hook_removed(void **state)
{
	struct evloop *loop = evloop_new();
	struct pass p = { 0 };

	(void)state;
	open_pipes(loop, &p);
	evloop_before_sleep(loop, before_sleep, &p);
	evloop_before_sleep(loop, NULL, NULL);
	evloop_run_once(loop);
	assert_int_equal(p.hooks, 0);
	assert_int_equal(p.callbacks, NPIPES);
	close_pipes(&p);
	evloop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_frame_per_pass),
		cmocka_unit_test(test_hook_stops_the_loop),
		cmocka_unit_test(test_hook_removed),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
