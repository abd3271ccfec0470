/* test_tui_debug.c - the debugger view's keys: what d asks of the session
 * from a site row, a backtrace frame and a memcheck error; what n s f c r
 * L p b J K G q Esc and moving in the backtrace ask once it is open; the
 * session's keys keep their meaning elsewhere (c checks in the table, n
 * flips stacks in the backtrace); the line's numbers after a check while
 * stopped. The pictures are in test_tui_screens (debug-*.keys). */
#include "tui_fixture.h"
#include "tui_int.h"

#include <curses.h>
#include <locale.h>

#define MODULE_PATH FIXTURE_MOVED_ROOT "tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c"

struct scr {
	struct model *m;
	struct fake_host host;
	struct tui *t;
	struct xmlstream *xml;
};

static void
scr_open(struct scr *s, struct model *m, int rows, int cols)
{
	memset(s, 0, sizeof *s);
	s->m = m;
	fake_host_init(&s->host, s->m);
	s->t = fixture_tui(s->m, &s->host, true, rows, cols);
	s->xml = fixture_errors(s->t, s->m, "memcheck_fixture.xml");
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->host);
	xmlstream_free(s->xml);
}

static void
keys(struct scr *s, const char *k)
{
	for (; *k; k++)
		tui_frame(s->t, tui_key(s->t, *k == '\n' ? '\n' : *k));
}

/* The calls so far, then forgotten. */
static char *
calls(struct scr *s)
{
	char *c = xstrdup(s->host.calls.data ? s->host.calls.data : "");

	sbuf_reset(&s->host.calls);
	return c;
}

static void
expect_calls(struct scr *s, const char *want)
{
	char *got = calls(s);

	if (strcmp(got, want))
		fail_msg("calls:\n%s\nwanted:\n%s", got, want);
	free(got);
}

static unsigned
scope(struct scr *s)
{
	return tui_top(s->t)->ops->scope;
}

/* Row `row` (0 first) of the table as sorted, then d. */
static void
debug_row(struct scr *s, size_t row)
{
	size_t i;

	for (i = 0; i < row; i++)
		keys(s, "j");
	keys(s, "d");
}

static char *
screen_line(int y)
{
	char *dump = fixture_dump(), *l = dump, *nl, *out;
	int i;

	for (i = 0; i < y && (nl = strchr(l, '\n')); i++)
		l = nl + 1;
	out = xstrndup(l, strcspn(l, "\n"));
	free(dump);
	return out;
}

/* ---- d: where it stops ---- */

static void
test_d_on_a_site_row(void **state)
{
	struct scr s;

	(void)state;
	/* one URL: the rows know what drives them (the TOP URL column) */
	scr_open(&s, fixture_model_urls(3, 1), 24, 80);
	debug_row(&s, 3);
	expect_calls(&s, "debug_start " MODULE_PATH " 188 http://127.0.0.1:8080/leak/alloc\n");
	assert_int_equal(scope(&s), TUI_SC_DEBUG);
	keys(&s, "q");
	expect_calls(&s, "debug_detach\n");
	assert_int_equal(scope(&s), TUI_SC_SITES);
	scr_close(&s);
}

static void
test_d_without_a_known_url(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	debug_row(&s, 3);
	expect_calls(&s, "debug_start " MODULE_PATH " 188 (null)\n");
	scr_close(&s);
}

static void
test_d_on_a_backtrace_frame(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	keys(&s, "jjj\nj");	/* the stack opens at the allocating frame; one up: the handler */
	assert_int_equal(scope(&s), TUI_SC_STACK);
	keys(&s, "d");
	expect_calls(&s, "debug_start " MODULE_PATH " 480 (null)\n");
	/* Esc detaches too, back to the backtrace */
	tui_frame(s.t, tui_key(s.t, 27));
	expect_calls(&s, "debug_detach\n");
	assert_int_equal(scope(&s), TUI_SC_STACK);
	scr_close(&s);
}

static void
test_d_on_an_error(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	keys(&s, "Ed");
	expect_calls(&s, "debug_start " MODULE_PATH " 383 (null)\n");
	assert_int_equal(scope(&s), TUI_SC_DEBUG);
	scr_close(&s);
	/* teardown closed the view: gdb let go */
}

/* Where valgrind's own replacement (strcpy, with a line of its own) or
 * an invalid address comes first: d stops at the program's line. */
static void
test_d_on_errors_in_libs(void **state)
{
	struct scr s;
	char *got;

	(void)state;
	memset(&s, 0, sizeof s);
	s.m = fixture_model(3);
	fake_host_init(&s.host, s.m);
	s.t = fixture_tui(s.m, &s.host, true, 40, 132);
	s.xml = fixture_errors(s.t, s.m, "xml/errors.xml");
	keys(&s, "Ejjjjjjjjd");	/* Overlap: strcpy replaced by valgrind */
	got = calls(&s);
	assert_non_null(strstr(got, "errors.c 117 (null)\n"));
	free(got);
	keys(&s, "qjjjjd");	/* InvalidJump: at 0x10, no source; its caller has one */
	got = calls(&s);
	assert_true(!strncmp(got, "debug_detach\ndebug_start ", 25));
	assert_non_null(strstr(got, "errors.c "));
	free(got);
	scr_close(&s);
}

static void
test_d_refused(void **state)
{
	struct scr s;
	char *status;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	s.host.refuse = true;
	debug_row(&s, 3);
	assert_int_equal(scope(&s), TUI_SC_SITES);
	status = screen_line(22);
	assert_string_equal(status, "gdb not found: apt install gdb");
	free(status);
	scr_close(&s);
}

/* ---- keys in the view ---- */

static void
test_debugger_keys(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	debug_row(&s, 3);
	expect_calls(&s, "debug_start " MODULE_PATH " 188 (null)\n");
	keys(&s, "nsfcrL");
	expect_calls(&s, "debug_run next\ndebug_run step\ndebug_run finish\ndebug_run continue\n"
		"debug_run again\ndebug_check\n");
	/* b breaks at the source cursor: on the shown line, then two below */
	keys(&s, "bJJb");
	expect_calls(&s, "debug_toggle " MODULE_PATH " 188\ndebug_toggle " MODULE_PATH " 190\n");
	/* moving in the backtrace selects the frame; its source follows */
	keys(&s, "j");
	expect_calls(&s, "debug_frame 1\n");
	keys(&s, "b");
	expect_calls(&s, "debug_toggle " MODULE_PATH " 480\n");
	keys(&s, "k");
	expect_calls(&s, "debug_frame 0\n");
	/* the prompt prints an expression */
	keys(&s, "pr->uri.len\n:p\n");
	expect_calls(&s, "debug_eval r->uri.len\ndebug_eval p\n");
	keys(&s, "G");
	expect_calls(&s, "gdb\n");
	/* the session's round, burst, check and auto do not reach vgdb */
	tui_frame(s.t, tui_key(s.t, 'a'));
	expect_calls(&s, "");
	assert_int_equal(scope(&s), TUI_SC_DEBUG);
	scr_close(&s);
}

static void
test_session_keys_elsewhere(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80);
	keys(&s, "c");
	expect_calls(&s, "check\n");
	keys(&s, "jjj\nn");
	expect_calls(&s, "");	/* n flips stacks in the backtrace: nothing asked of nginx */
	assert_int_equal(scope(&s), TUI_SC_STACK);
	assert_int_equal(tui_action_for_key('n', TUI_SC_STACK), TUI_ACT_NEXT_STACK);
	assert_int_equal(tui_action_for_key('c', TUI_SC_SITES), TUI_ACT_CHECK);
	assert_int_equal(tui_action_for_key('c', TUI_SC_DEBUG), TUI_ACT_DBG_CONTINUE);
	assert_int_equal(tui_action_for_key('r', TUI_SC_DEBUG), TUI_ACT_DBG_AGAIN);
	assert_int_equal(tui_action_for_key('r', TUI_SC_ERRORS), TUI_ACT_ROUND);
	assert_int_equal(tui_action_for_key('G', TUI_SC_DEBUG), TUI_ACT_DBG_GDB);
	assert_int_equal(tui_action_for_key('G', TUI_SC_SITES), TUI_ACT_LAST);
	assert_int_equal(tui_action_for_key('?', TUI_SC_DEBUG), TUI_ACT_HELP);
	scr_close(&s);
}

static void
test_help_lists_the_debugger(void **state)
{
	struct tui_help_line lines[160];
	size_t n, i;
	bool titled = false, cont = false, check = false;

	(void)state;
	n = tui_action_help_lines(lines, LT_ARRAY_SIZE(lines));
	for (i = 0; i < n; i++) {
		titled |= lines[i].title && !strncmp(lines[i].text, "Debugger", 8);
		cont |= !lines[i].title && titled && !strcmp(lines[i].keys, "c") &&
			strstr(lines[i].text, "continue");
		check |= !lines[i].title && titled && !strcmp(lines[i].keys, "L");
	}
	assert_true(titled);
	assert_true(cont);
	assert_true(check);
}

/* ---- the line's numbers ---- */

static void
round_at_188(struct model *m, uint64_t definite, uint64_t reachable)
{
	struct leakcheck_frame fr[] = {
		{ 0x1000, { "ngx_alloc", 9 }, { "src/os/unix/ngx_alloc.c", 23 }, { "", 0 }, 22, 0 },
		{ 0x2000, { "ngx_http_leaky_leak_alloc", 25 }, { MODULE_PATH, strlen(MODULE_PATH) },
			{ "", 0 }, 188, 0 },
		{ 0x3000, { "ngx_http_leaky_handler", 22 }, { MODULE_PATH, strlen(MODULE_PATH) },
			{ "", 0 }, 480, 0 },
	};
	struct leakcheck_record r = { .kind = LEAK_DEFINITE, .bytes = definite,
		.blocks = definite / 100, .direct = definite, .recno = 1, .nrecs = 2, .nframes = 3,
		.frames = fr };
	struct leak_summary sum = { 0 };

	model_round_begin(m, 10, 0);
	model_round_add(m, &r);
	if (reachable) {
		/* the block just allocated: p still points at it */
		r.kind = LEAK_REACHABLE;
		r.bytes = r.direct = reachable;
		r.blocks = reachable / 100;
		r.recno = 2;
		model_round_add(m, &r);
	}
	model_round_end(m, &sum, 1000000);
}

static void
test_check_while_stopped(void **state)
{
	struct scr s;
	char *line;

	(void)state;
	memset(&s, 0, sizeof s);
	s.m = model_new();
	round_at_188(s.m, 1000, 0);
	round_at_188(s.m, 2000, 0);
	fake_host_init(&s.host, s.m);
	s.t = fixture_tui(s.m, &s.host, true, 24, 80);
	keys(&s, "d");
	line = screen_line(4);
	assert_string_equal(line, "ngx_http_leaky_module.c:188 leaks 2,000 B (+1000) in 20 blocks (+10) at "
		"check #…");
	free(line);
	/* n over ngx_alloc(100), then L: a round with the new block */
	keys(&s, "nL");
	expect_calls(&s, "debug_start " MODULE_PATH " 188 (null)\ndebug_run next\ndebug_check\n");
	round_at_188(s.m, 2000, 100);
	tui_model_changed(s.t);
	tui_frame(s.t, TUI_DRAW_ALL);
	line = screen_line(4);
	assert_string_equal(line, "ngx_http_leaky_module.c:188 leaks 2,100 B (+100) in 21 blocks (+1) at "
		"check #2 …");
	free(line);
	fixture_teardown(s.t, s.m, &s.host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_d_on_a_site_row),
		cmocka_unit_test(test_d_without_a_known_url),
		cmocka_unit_test(test_d_on_a_backtrace_frame),
		cmocka_unit_test(test_d_on_an_error),
		cmocka_unit_test(test_d_on_errors_in_libs),
		cmocka_unit_test(test_d_refused),
		cmocka_unit_test(test_debugger_keys),
		cmocka_unit_test(test_session_keys_elsewhere),
		cmocka_unit_test(test_help_lists_the_debugger),
		cmocka_unit_test(test_check_while_stopped),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
