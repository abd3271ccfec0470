/* test_tui_resize.c - a storm of terminal sizes in every view.
 *
 * The live loop turns each SIGWINCH into tui_resize + a full draw, so a
 * storm of resizes is a storm of these calls at any size a terminal can
 * take: 1x1, one row, one column, far past the fixed layout. Each view is
 * put through such a storm (under ASan too in make check); then the
 * screen, back at 80x24, must be exactly the screen a fresh run draws in
 * the same state: nothing left over from a tiny or huge frame. */
#include "tui_fixture.h"

#include <curses.h>
#include <locale.h>

struct state {
	const char *name;
	const char *keys;	/* typed at 80x24 before the storm */
	const char *live;	/* "ready", "burst", "dead", "none" */
};

static const struct state states[] = {
	{ "sites table", "", "ready" },
	{ "backtrace and source", "\n", "ready" },
	{ "help", "?", "ready" },
	{ "filter prompt open", "/leak_al", "ready" },
	{ "nginx dead, its log tail", "", "dead" },
	{ "burst running", "", "burst" },
	{ "no session", "", "none" },
};

struct scr {
	struct model *m;
	struct fake_host h;
	struct tui *t;
};

static void
scr_open(struct scr *s, const struct state *st)
{
	const char *k;

	s->m = fixture_model(3);
	fake_host_init(&s->h, s->m);
	if (!strcmp(st->live, "burst")) {
		s->h.live.phase = TUI_PHASE_BURST;
		s->h.live.burst_done = 120;
		s->h.live.burst_sent = 124;
		s->h.live.busy_ms = 1400;
	} else if (!strcmp(st->live, "dead")) {
		s->h.live.phase = TUI_PHASE_EXITED;
		s->h.live.reason = "nginx killed by signal 11 (SIGSEGV)";
		s->h.live.log_tail = "==4242== Process terminating with default action of signal 11\n"
			"==4242==    at 0x1EBB0D: ngx_http_leaky_crash (ngx_http_leaky_module.c:371)\n"
			"2023/11/14 22:16:20 [alert] a line long enough to be cut at any width, "
			"a line long enough to be cut at any width, a line long enough\n";
	}
	s->t = fixture_tui(s->m, &s->h, strcmp(st->live, "none") != 0, 24, 80);
	for (k = st->keys; *k; k++)
		tui_frame(s->t, tui_key(s->t, (unsigned char)*k));
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->h);
}

static char *
screen_at_80x24(const struct state *st, bool storm)
{
	static const int huge[][2] = { { 200, 500 }, { 1, 500 }, { 200, 1 }, { 60, 200 } };
	struct scr s;
	uint32_t seed = 12345;
	char *dump;
	int r, c, i;

	scr_open(&s, st);
	if (storm) {
		/* every size up to a little past the minimum layout (50x10) */
		for (r = 1; r <= 13; r++)
			for (c = 1; c <= 56; c++)
				tui_frame(s.t, tui_resize(s.t, r, c));
		for (i = 0; i < (int)LT_ARRAY_SIZE(huge); i++)
			tui_frame(s.t, tui_resize(s.t, huge[i][0], huge[i][1]));
		/* then sizes at random, small ones often, some twice in a row */
		for (i = 0; i < 600; i++) {
			seed = seed * 1103515245u + 12345u;
			r = 1 + (int)((seed >> 8) % ((seed & 1) ? 14 : 220));
			c = 1 + (int)((seed >> 16) % ((seed & 2) ? 60 : 520));
			tui_frame(s.t, tui_resize(s.t, r, c));
			if (seed & 4)
				tui_frame(s.t, tui_resize(s.t, r, c));
		}
		/* a resize with no draw in between, as when SIGWINCHes pile up */
		tui_resize(s.t, 3, 3);
		tui_resize(s.t, 180, 400);
	}
	tui_frame(s.t, tui_resize(s.t, 24, 80));
	dump = fixture_dump();
	scr_close(&s);
	return dump;
}

static void
test_resize_storm(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(states); i++) {
		char *want = screen_at_80x24(&states[i], false);
		char *got = screen_at_80x24(&states[i], true);

		if (strcmp(want, got))
			fail_msg("%s: after the storm the 80x24 screen differs:\n--- want\n%s\n--- got\n%s",
				states[i].name, want, got);
		assert_non_null(strstr(got, "ngx-leaktop"));
		free(want);
		free(got);
	}
}

/* The first row at rows x cols below the minimum: the whole message, or
 * as much as fits and "…" in the last column; nothing else on the screen. */
static void
too_small_line(const char *dump, int rows, int cols)
{
	char msg[64], want[80];
	size_t len;
	const char *rest;

	snprintf(msg, sizeof msg, "too small: %dx%d, need 50x10", cols, rows);
	len = strlen(msg);
	if ((int)len <= cols)
		snprintf(want, sizeof want, "%s\n", msg);
	else
		snprintf(want, sizeof want, "%.*s…\n", cols - 1, msg);
	if (strncmp(dump, want, strlen(want)))
		fail_msg("%dx%d: first row \"%.*s\", want \"%.*s\"", cols, rows,
			(int)strcspn(dump, "\n"), dump, (int)strcspn(want, "\n"), want);
	for (rest = dump + strlen(want); *rest; rest++)
		if (*rest != '\n')
			fail_msg("%dx%d: more than the message on the screen: %s", cols, rows, dump);
}

/* At every size below the layout's minimum the screen says so, in the
 * first row, cut to the width; keys still work there. */
static void
test_tiny_sizes(void **state)
{
	struct scr s;
	int r, c;
	char *dump;

	(void)state;
	scr_open(&s, &states[0]);
	for (r = 1; r < 10; r++) {
		for (c = 1; c < 50; c++) {
			tui_frame(s.t, tui_resize(s.t, r, c));
			dump = fixture_dump();
			too_small_line(dump, r, c);
			free(dump);
		}
	}
	tui_frame(s.t, tui_resize(s.t, 2, 10));
	tui_frame(s.t, tui_key(s.t, '?'));
	tui_frame(s.t, tui_resize(s.t, 24, 80));
	dump = fixture_dump();
	assert_non_null(strstr(dump, "Keys (from the action table)"));
	free(dump);
	scr_close(&s);
}

/* Clicks and wheel turns anywhere, in and out of the screen, at any size,
 * in each view: what they do is the views' business, that nothing breaks
 * (ASan) and the screen still draws is this test's. */
static void
test_mouse_at_any_size(void **state)
{
	static const int whats[] = { TUI_MOUSE_CLICK, TUI_MOUSE_WHEEL_UP, TUI_MOUSE_WHEEL_DOWN };
	uint32_t seed = 777;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(states); i++) {
		struct scr s;
		char *dump;

		scr_open(&s, &states[i]);
		for (k = 0; k < 3000; k++) {
			struct tui_mouse m;
			int r, c;

			seed = seed * 1103515245u + 12345u;
			r = 1 + (int)((seed >> 4) % 60);
			c = 1 + (int)((seed >> 12) % 160);
			if (k % 16 == 0)
				tui_frame(s.t, tui_resize(s.t, r, c));
			m.y = (int)((seed >> 20) % 64) - 2;
			m.x = (int)((seed >> 8) % 170) - 2;
			m.what = whats[(seed >> 28) % 3];
			tui_frame(s.t, tui_mouse(s.t, &m));
		}
		tui_frame(s.t, tui_resize(s.t, 24, 80));
		dump = fixture_dump();
		if (!strstr(dump, "ngx-leaktop"))
			fail_msg("%s: no header after the clicks:\n%s", states[i].name, dump);
		free(dump);
		scr_close(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resize_storm),
		cmocka_unit_test(test_tiny_sizes),
		cmocka_unit_test(test_mouse_at_any_size),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
