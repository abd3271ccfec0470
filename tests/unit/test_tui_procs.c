/* test_tui_procs.c - the screen over nginx's processes, beyond what the
 * expected screens show: which views it asks for, a view that moves, the
 * roles of the process line, what ^R and z do, a restart. The pictures
 * are tests/tui/scripts/procs-*.keys. */
#include "tui_fixture.h"

#include <curses.h>
#include <locale.h>

struct scr {
	struct model *m;
	struct fake_host h;
	struct tui *t;
};

static void
scr_open(struct scr *s, size_t nprocs, size_t nviews)
{
	s->m = fixture_model(3);
	fake_host_init(&s->h, s->m);
	fake_procs_open(&s->h, s->m, nprocs, nviews);
	s->t = fixture_tui(s->m, &s->h, true, 24, 80);
}

static void
scr_close(struct scr *s)
{
	fake_procs_close(&s->h);
	fixture_teardown(s->t, s->m, &s->h);
}

static void
key(struct scr *s, int k)
{
	tui_frame(s->t, tui_key(s->t, k));
}

/* The screen's line y. */
static char *
line(int y)
{
	char *dump = fixture_dump(), *p = dump, *nl, *out;

	while (y-- > 0 && (nl = strchr(p, '\n')))
		p = nl + 1;
	out = xstrndup(p, strcspn(p, "\n"));
	free(dump);
	return out;
}

static void
assert_line(int y, const char *want)
{
	char *got = line(y);

	if (!strstr(got, want))
		fail_msg("line %d: want \"%s\" in: %s", y, want, got);
	free(got);
}

/* Column of needle on line y (bytes before it, as columns: ASCII before). */
static int
col_of(int y, const char *needle)
{
	char *got = line(y), *hit = strstr(got, needle);
	int x = -1, i;

	if (hit)
		for (x = 0, i = 0; got + i < hit; i++)
			x += ((unsigned char)got[i] & 0xc0) != 0x80;
	free(got);
	return x;
}

/* P asks for each view in turn and, past the last, goes back to the first. */
static void
test_p_walks_the_views(void **state)
{
	static const char *const names[] = { "workers", "master 1201", "worker 1205", "all" };
	struct scr s;
	size_t i;

	(void)state;
	scr_open(&s, 3, 4);
	assert_line(3, "view: all (P)");
	for (i = 0; i < LT_ARRAY_SIZE(names); i++) {
		char want[64];

		s.h.view_asked = 0;
		key(&s, 'P');
		snprintf(want, sizeof want, "view: %s (P)", names[i]);
		assert_line(3, want);
		assert_int_equal(s.h.view_asked, i + 1 < 4 ? i + 1 : 4);	/* 4: past the last */
	}
	scr_close(&s);
}

/* A view whose index changed (the engine's list grew in front of it) is
 * followed by its model; its new name is shown. */
static void
test_moved_view_is_followed(void **state)
{
	struct scr s;
	struct model *tmp;

	(void)state;
	scr_open(&s, 3, 4);
	key(&s, 'P');
	key(&s, 'P');	/* master 1201: index 2 */
	assert_line(3, "view: master 1201 (P)");
	tmp = s.h.views[2];
	s.h.views[2] = s.h.views[3];
	s.h.views[3] = tmp;
	s.h.view_names[2] = "worker 1205";
	s.h.view_names[3] = "master 1201 (moved)";
	tui_model_changed(s.t);
	tui_frame(s.t, TUI_DRAW_ALL);
	assert_line(3, "view: master 1201 (moved) (P)");
	/* the next is after its new place: past the last, all */
	key(&s, 'P');
	assert_line(3, "view: all (P)");
	scr_close(&s);
}

/* Dead processes are dimmed, live ones not; the view name is a value. */
static void
test_process_line_roles(void **state)
{
	struct scr s;
	int x;

	(void)state;
	scr_open(&s, 3, 4);
	x = col_of(3, "worker 1190");
	assert_true(x > 0);
	assert_true(tui_draw_cell_attrs(3, x) & A_DIM);
	x = col_of(3, "worker 1205");
	assert_true(x > 0);
	assert_false(tui_draw_cell_attrs(3, x) & A_DIM);
	assert_true(tui_draw_cell_attrs(3, x) & A_BOLD);
	scr_close(&s);
}

/* ^R: the reload op; its refusal is one line in the status line. */
static void
test_reload_key(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 3, 4);
	key(&s, TUI_CTRL('r'));
	assert_string_equal(s.h.calls.data, "reload\n");
	assert_line(22, "reloading nginx (SIGHUP to the master)");
	s.h.reload_err = "busy: a leak check runs\nnginx says more";
	key(&s, TUI_CTRL('r'));
	assert_line(22, "busy: a leak check runs nginx says more");
	scr_close(&s);
}

/* z in a view: the shown view's verdicts start from its latest round too. */
static void
test_baseline_in_a_view(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 3, 4);
	key(&s, 'P');
	key(&s, 'P');	/* master 1201: two rounds */
	key(&s, 'z');
	assert_int_equal(model_baseline(s.m), 2);
	assert_int_equal(model_baseline(s.h.views[2]), 1);
	assert_int_equal(model_baseline(s.h.views[1]), 0);	/* not shown: as it was */
	scr_close(&s);
}

/* A restart's new model: the table shows all of it again. */
static void
test_restart_shows_all(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 3, 4);
	key(&s, 'P');
	key(&s, 'P');
	tui_set_model(s.t, s.m);
	tui_frame(s.t, TUI_DRAW_ALL);
	assert_line(3, "view: all (P)");
	assert_line(4, "7 rows from 8 of 312 sites");
	scr_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_p_walks_the_views),
		cmocka_unit_test(test_moved_view_is_followed),
		cmocka_unit_test(test_process_line_roles),
		cmocka_unit_test(test_reload_key),
		cmocka_unit_test(test_baseline_in_a_view),
		cmocka_unit_test(test_restart_shows_all),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
