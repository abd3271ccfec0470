/* test_tui_logic.c - the screen's parts that are not pictures: the action
 * table, the row cache, number formats, what keys ask of the session,
 * escaping of hostile names, roles of cells, the saved report. */
#include "tui_fixture.h"

#include <curses.h>
#include <glob.h>
#include <jansson.h>
#include <locale.h>
#include <time.h>
#include <unistd.h>

#include "tui_action.h"
#include "tui_fmt.h"
#include "tui_rows.h"
#include "tui_int.h"
#include "xmlstream.h"

/* ---- the action table ---- */

static void
test_actions_unique_keys(void **state)
{
	static const unsigned views[] = { TUI_SC_SITES, TUI_SC_STACK, TUI_SC_HELP, TUI_SC_ERRORS,
		TUI_SC_DEBUG, TUI_SC_KINDS };
	size_t v;
	int a, b;

	(void)state;
	/* in each view a key means one thing: two actions reachable there
	 * share a key only when one is the view's own and the other wider
	 * (the view's wins: c continues in the debugger, checks elsewhere) */
	for (a = 1; a < TUI_ACT_COUNT; a++) {
		const struct tui_action_info *x = tui_action_info(a);

		assert_non_null(x->keys);
		assert_true(x->keys[0] != 0);
		assert_true(strlen(x->help) > 0);
		for (b = a + 1; b < TUI_ACT_COUNT; b++) {
			const struct tui_action_info *y = tui_action_info(b);
			const int *k, *l;

			for (v = 0; v < LT_ARRAY_SIZE(views); v++) {
				if (!(x->scope & views[v]) || !(y->scope & views[v]) ||
					(x->scope == views[v]) != (y->scope == views[v]))
					continue;
				for (k = x->keys; *k; k++)
					for (l = y->keys; *l; l++)
						if (*k == *l)
							fail_msg("%s and %s share a key", x->name, y->name);
			}
		}
	}
}

static void
test_actions_lookup_and_help(void **state)
{
	struct tui_help_line lines[128];
	enum tui_action bar[16];
	size_t n, i, a;
	char buf[16];

	(void)state;
	assert_int_equal(tui_action_for_key('j', TUI_SC_SITES), TUI_ACT_DOWN);
	assert_int_equal(tui_action_for_key(TK(KEY_DOWN), TUI_SC_HELP), TUI_ACT_DOWN);
	assert_int_equal(tui_action_for_key('\r', TUI_SC_SITES), TUI_ACT_OPEN);
	assert_int_equal(tui_action_for_key('n', TUI_SC_STACK), TUI_ACT_NEXT_STACK);
	assert_int_equal(tui_action_for_key('n', TUI_SC_SITES), TUI_ACT_NONE);
	assert_int_equal(tui_action_for_key(TUI_CTRL('c'), TUI_SC_HELP), TUI_ACT_QUIT);
	assert_string_equal(tui_action_key_name(TK(KEY_NPAGE), buf, sizeof buf), "PgDn");
	assert_string_equal(tui_action_key_name(TUI_CTRL('c'), buf, sizeof buf), "^C");
	assert_string_equal(tui_action_key_name('\n', buf, sizeof buf), "Enter");
	/* every action is in the help, once, with its keys */
	n = tui_action_help_lines(lines, 128);
	for (a = 1; a < TUI_ACT_COUNT; a++) {
		size_t seen = 0;

		for (i = 0; i < n; i++)
			seen += !lines[i].title && lines[i].text == tui_action_info(a)->help;
		assert_int_equal(seen, 1);
	}
	for (i = 0; i < n; i++)
		if (lines[i].text == tui_action_info(TUI_ACT_OPEN)->help)
			assert_string_equal(lines[i].keys, "Enter l Right");
	n = tui_action_bar(TUI_SC_SITES, bar, 16);
	assert_true(n >= 5);
	assert_int_equal(bar[0], TUI_ACT_HELP);
	assert_int_equal(bar[n - 1], TUI_ACT_CLOSE);
}

/* ---- formats ---- */

static void
test_formats(void **state)
{
	char b[64];
	uint64_t rising[] = { 0, 10, 20, 40, 80 }, flat[] = { 5, 5 };

	(void)state;
	assert_string_equal(tui_fmt_size(b, sizeof b, 65280, 6), "65280");
	assert_string_equal(tui_fmt_size(b, sizeof b, 1234567, 6), "1.2M");
	assert_string_equal(tui_fmt_size(b, sizeof b, 202105, 5), "197K");
	assert_string_equal(tui_fmt_delta(b, sizeof b, 21760, 6), "+21760");
	assert_string_equal(tui_fmt_delta(b, sizeof b, -2000000, 6), "-1.9M");
	assert_string_equal(tui_fmt_delta(b, sizeof b, 0, 6), "0");
	assert_string_equal(tui_fmt_grouped(b, sizeof b, 1234567), "1,234,567");
	assert_string_equal(tui_fmt_grouped(b, sizeof b, 999), "999");
	assert_string_equal(tui_fmt_rate(b, sizeof b, 160.0, 5), "160.0");
	assert_string_equal(tui_fmt_rate(b, sizeof b, 1600.25, 5), "1600");
	assert_string_equal(tui_fmt_duration_ms(b, sizeof b, 270), "270ms");
	assert_string_equal(tui_fmt_duration_ms(b, sizeof b, 1400), "1.40s");
	assert_string_equal(tui_fmt_duration_ms(b, sizeof b, 125000), "2m05s");
	assert_string_equal(tui_fmt_spark(b, sizeof b, rising, 5, false), " _.=@");
	assert_string_equal(tui_fmt_spark(b, sizeof b, flat, 2, true), "\xe2\x96\x88\xe2\x96\x88");
	assert_string_equal(tui_fmt_spinner(0, false), "|");
	assert_string_equal(tui_fmt_spinner(150, false), "/");
}

/* ---- rows: filter, group, sort, cache ---- */

static void
test_rows_group_sort_cache(void **state)
{
	struct model *m = fixture_model(2);
	struct tui_rows r;
	size_t k, stacks = 0;

	(void)state;
	tui_rows_init(&r);
	assert_true(tui_rows_update(&r, m));
	assert_false(tui_rows_update(&r, m));	/* nothing changed: no rebuild */
	fixture_round(m, "leak_check_full_any_3.txt", 136);
	assert_true(tui_rows_update(&r, m));	/* a new round */
	assert_int_equal(r.rebuilds, 2);
	/* grouped: the fixture's 7 leaking lines; leak_alloc has two stacks */
	assert_int_equal(r.nrows, 7);
	for (k = 0; k < r.nrows; k++)
		stacks += r.rows[k].g.nsites;
	assert_int_equal(stacks, r.nlisted);
	assert_int_equal(r.nlisted, 8);
	/* leaks first: every growing row before the bounded one */
	assert_int_equal(r.rows[r.nrows - 1].g.growth, GROWTH_BOUNDED);
	r.group = false;
	tui_rows_invalidate(&r);
	assert_true(tui_rows_update(&r, m));
	assert_int_equal(r.nrows, 8);
	r.sort = TUI_COL_BYTES;
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	for (k = 1; k < r.nrows; k++)
		assert_true(r.rows[k - 1].g.bytes >= r.rows[k].g.bytes);
	r.invert = true;
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	for (k = 1; k < r.nrows; k++)
		assert_true(r.rows[k - 1].g.bytes <= r.rows[k].g.bytes);
	assert_int_equal(tui_rows_find_site(&r, r.members[r.rows[3].first]), 3);
	tui_rows_free(&r);
	model_free(m);
}

static void
test_rows_filters(void **state)
{
	struct model *m = fixture_model(3);
	struct tui_rows r;
	size_t k, present = 0;

	(void)state;
	tui_rows_init(&r);
	r.filter.growth = GROWTH_GROWING;
	tui_rows_update(&r, m);
	assert_int_equal(r.nrows, 6);
	for (k = 0; k < r.nrows; k++)
		assert_int_equal(r.rows[k].g.growth, GROWTH_GROWING);
	r.filter.kind = LEAK_INDIRECT;
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	assert_int_equal(r.nrows, 2);	/* leak_struct's member, leak_pool's palloc */
	r.filter.kind = -1;
	r.filter.growth = TUI_VERDICT_DEFAULT;
	snprintf(r.filter.text, sizeof r.filter.text, "leaky_module.c");
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	assert_int_equal(r.nrows, 7);
	/* everything, nginx core included */
	r.filter.text[0] = '\0';
	r.filter.growth = TUI_VERDICT_ALL;
	r.filter.hide_core = false;
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	for (k = 0; k < model_nsites(m); k++)
		present += model_site(m, k)->present || model_site(m, k)->growth == GROWTH_GROWING;
	assert_int_equal(r.nlisted, present);
	assert_int_equal(r.nhidden_core, 0);
	r.filter.hide_core = true;
	tui_rows_invalidate(&r);
	tui_rows_update(&r, m);
	assert_true(r.nhidden_core > 200);	/* nginx's start-up heap */
	assert_true(tui_rows_memory(&r) > 0);
	tui_rows_free(&r);
	model_free(m);
}

static void
test_model_group(void **state)
{
	struct model *m = fixture_model(3);
	struct model_group g;
	size_t i, n = 0;

	(void)state;
	memset(&g, 0, sizeof g);
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		const struct model_frame *f = model_site_frame(m, s, s->alloc_at);

		assert_ptr_equal(model_frame(m, model_site_alloc_frame(s)), f);
		if (strcmp(f->fn, "ngx_http_leaky_leak_alloc"))
			continue;
		if (!n++)
			model_group_init(&g, s);
		else
			model_group_add(&g, s);
	}
	assert_int_equal(n, 2);
	assert_int_equal(g.nsites, 2);
	assert_int_equal(g.bytes, 6000);	/* 60 requests x 100 bytes */
	assert_int_equal(g.growth, GROWTH_GROWING);
	assert_false(g.core_only);
	model_free(m);
}

/* ---- with a screen ---- */

struct scr {
	struct model *m;
	struct fake_host h;
	struct tui *t;
};

static void
scr_open(struct scr *s, struct model *m, int rows, int cols, bool with_host)
{
	s->m = m;
	fake_host_init(&s->h, m);
	s->t = fixture_tui(m, &s->h, with_host, rows, cols);
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->h);
}

static void
press(struct scr *s, const char *keys)
{
	for (; *keys; keys++)
		tui_frame(s->t, tui_key(s->t, *keys == '\n' ? '\n' : (unsigned char)*keys));
}

/* Row of the first screen line holding needle, -1 if none. */
static int
row_of(const char *needle)
{
	char *dump = fixture_dump(), *hit = strstr(dump, needle), *p;
	int y = 0;

	for (p = dump; hit && p < hit; p++)
		y += *p == '\n';
	free(dump);
	return hit ? y : -1;
}

static void
test_keys_reach_the_session(void **state)
{
	struct scr s;
	char *dump;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80, true);
	press(&s, "rbca+-][");
	assert_string_equal(s.h.calls.data, "burst+check\nburst\ncheck\nauto 1\nshape 400 4\n"
		"shape 200 4\nshape 200 8\nshape 200 4\n");
	sbuf_reset(&s.h.calls);
	/* u: the kind editor over the URLs; a adds there (not auto), A applies */
	press(&s, "ua/a\nAqR");
	assert_string_equal(s.h.calls.data, "kinds http://127.0.0.1:8080/leak/alloc | "
		"http://127.0.0.1:8080/leak/cycle | /a\nrestart\n");
	sbuf_reset(&s.h.calls);
	/* e on the top row (leak_pool): the editor at the allocating line;
	 * in the backtrace, at the selected frame (the handler below it) */
	press(&s, "e\nje");
	assert_string_equal(s.h.calls.data,
		"edit ./tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c 232\n"
		"edit ./tests/fixture/ngx_http_leaky_module/ngx_http_leaky_module.c 488\n");
	sbuf_reset(&s.h.calls);
	s.h.refuse = true;
	press(&s, "r");
	dump = fixture_dump();
	assert_non_null(strstr(dump, "\nbusy\n"));
	free(dump);
	press(&s, "q");		/* closes the backtrace */
	assert_string_equal(s.h.calls.data, "burst+check\n");
	press(&s, "q");		/* quits from the table */
	assert_string_equal(s.h.calls.data, "burst+check\nquit\n");
	assert_true(s.t->quit);
	tui_frame(s.t, tui_key(s.t, TUI_CTRL('c')));
	assert_string_equal(s.h.calls.data, "burst+check\nquit\nquit\n");
	scr_close(&s);
}

static void
test_no_host(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80, false);
	press(&s, "r");
	assert_true(row_of("no nginx session") >= 0);
	press(&s, "e");
	assert_true(row_of("no terminal to hand over here") >= 0);
	press(&s, "q");
	assert_true(s.t->quit);
	scr_close(&s);
}

static void
test_save_report(void **state)
{
	char tmpl[] = "/tmp/lt-tui-save-XXXXXX", cwd[4096];
	glob_t g;
	json_t *j;
	struct scr s;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	scr_open(&s, fixture_model(3), 24, 80, true);
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chdir(tmpl), 0);
	press(&s, "ww");	/* twice in a second: two files */
	assert_int_equal(glob("ngx-leaktop-*.json", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 2);
	j = json_load_file(g.gl_pathv[0], 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "sites")), model_nsites(s.m));
	assert_int_equal(json_array_size(json_object_get(j, "rounds")), 3);
	json_decref(j);
	assert_true(row_of("saved ngx-leaktop-") >= 0);
	unlink(g.gl_pathv[0]);
	unlink(g.gl_pathv[1]);
	globfree(&g);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(tmpl), 0);
	scr_close(&s);
}

/* The captured fixture XML: its two memcheck errors and its exit report
 * on the screen, as the engine hands them over. */
static struct xmlstream *
scr_errors(struct scr *s)
{
	size_t len, mlen;
	char *raw = fixture_slurp("memcheck_fixture.xml", &len);
	char *text = fixture_replace(raw, len, FIXTURE_CAPTURED_ROOT, FIXTURE_MOVED_ROOT, &mlen);
	struct xmlstream *xs = xmlstream_new(s->m, false, NULL, NULL);

	xmlstream_feed(xs, text, mlen);
	assert_true(xmlstream_finish(xs));
	tui_set_errors(s->t, xmlstream_errors(xs));
	free(raw);
	free(text);
	return xs;
}

static void
test_errors_and_exit_report(void **state)
{
	char tmpl[] = "/tmp/lt-tui-errors-XXXXXX", cwd[4096];
	struct scr s;
	struct xmlstream *xs;
	glob_t g;
	json_t *j;

	(void)state;
	scr_open(&s, fixture_model(3), 30, 120, true);
	xs = scr_errors(&s);
	press(&s, "x");		/* nginx still runs: nothing to show yet */
	assert_true(row_of("no exit report yet") >= 0);
	press(&s, "S");
	assert_string_equal(s.h.calls.data, "stop\n");
	tui_frame(s.t, tui_set_exit_model(s.t, xmlstream_exit_model(xs), true));
	assert_true(row_of("valgrind's exit report (x: back)") >= 0);
	press(&s, "x");		/* back to the live table */
	assert_true(row_of("valgrind's exit report (x: back)") < 0);
	assert_true(row_of("7 rows from 8 of 312 sites") >= 0);
	/* E, Enter, e: the editor at the invalid read's line */
	press(&s, "E\ne");
	assert_string_equal(s.h.calls.data, "stop\nedit ./tests/fixture/ngx_http_leaky_module/"
		"ngx_http_leaky_module.c 383\n");
	press(&s, "E");		/* from the backtrace: the errors table */
	assert_true(row_of("memcheck errors (E: back)") >= 0);
	press(&s, "E");		/* and again: the sites */
	assert_true(row_of("7 rows from 8 of 312 sites") >= 0);
	/* the saved report has the errors and the exit report */
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chdir(tmpl), 0);
	press(&s, "w");
	assert_int_equal(glob("ngx-leaktop-*.json", 0, NULL, &g), 0);
	j = json_load_file(g.gl_pathv[0], 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "exit"), "sites")), 14);
	json_decref(j);
	unlink(g.gl_pathv[0]);
	globfree(&g);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rmdir(tmpl), 0);
	/* a new session: no errors yet, the exit report gone */
	press(&s, "E");
	assert_true(row_of("memcheck errors (E: back)") >= 0);
	tui_set_errors(s.t, NULL);
	tui_frame(s.t, tui_set_exit_model(s.t, NULL, false));
	assert_true(row_of("7 rows from 8 of 312 sites") >= 0);
	assert_true(row_of("errors 2") < 0);
	scr_close(&s);
	xmlstream_free(xs);
}

#define SL(s) { s, sizeof(s) - 1 }

/* A model whose names and paths carry terminal escape sequences. */
static struct model *
hostile_model(void)
{
	struct leakcheck_frame fr[] = {
		{ .ip = 0x4841000, .fn = SL("malloc"),
			.obj = SL("/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so") },
		{ .ip = 0x1000, .fn = SL("evil\x1b[2Jfn"), .file = SL("/src/ev\x1b]0;t\x07il.c"),
			.line = 7 },
		{ .ip = 0x2000, .fn = SL("main"), .file = SL("/src/main\x9b""c.c"), .line = 3 },
	};
	struct leakcheck_record rec = { .kind = LEAK_DEFINITE, .direct = 100, .nframes = 3,
		.frames = fr };
	struct leak_summary sum = { .seen = 1 };
	struct model *m = model_new();
	int r;

	for (r = 1; r <= 3; r++) {
		rec.bytes = rec.direct = 100 * (uint64_t)r;
		rec.blocks = (uint64_t)r;
		model_round_begin(m, 10, 0);
		model_round_add(m, &rec);
		model_round_end(m, &sum, 1000);
	}
	return m;
}

static void
test_hostile_names_escaped(void **state)
{
	struct scr s;
	char *dump;

	(void)state;
	scr_open(&s, hostile_model(), 24, 120, true);
	dump = fixture_dump();
	assert_non_null(strstr(dump, "evil\\x1b[2Jfn"));
	assert_non_null(strstr(dump, "ev\\x1b]0;t\\x07il.c:7"));
	assert_null(strchr(dump, '\x1b'));
	free(dump);
	press(&s, "\nj");	/* the backtrace, down to main */
	dump = fixture_dump();
	assert_non_null(strstr(dump, "evil\\x1b[2Jfn"));
	assert_non_null(strstr(dump, "main\\x9bc.c:3"));	/* a C1 control byte */
	assert_null(strchr(dump, '\x1b'));
	assert_null(strchr(dump, '\x07'));
	free(dump);
	scr_close(&s);
}

static void
test_roles_on_screen(void **state)
{
	struct scr s;
	int y;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80, true);
	/* monochrome: growing rows bold, the cursor row reversed */
	y = row_of("ak_struct def");
	assert_true(y > 0);
	assert_true(tui_draw_cell_attrs(y, 30) & A_BOLD);
	assert_false(tui_draw_cell_attrs(y, 30) & A_REVERSE);
	assert_true(tui_draw_cell_attrs(row_of("leak_pool def"), 30) & A_REVERSE);
	y = row_of("aky_cache");
	assert_false(tui_draw_cell_attrs(y, 30) & A_BOLD);	/* bounded: not a leak */
	/* the backtrace: allocator frames dimmed, the source line lit */
	press(&s, "\n");
	assert_true(tui_draw_cell_attrs(row_of("memalign"), 8) & A_DIM);
	assert_true(tui_draw_cell_attrs(row_of("leak_pool  "), 8) & A_BOLD);
	assert_true(tui_draw_cell_attrs(row_of("ngx_create_pool(1024"), 10) & A_REVERSE);
	scr_close(&s);
}

static void
test_colors_and_no_color(void **state)
{
	(void)state;
	setenv("NO_COLOR", "1", 1);
	assert_false(tui_draw_color_wanted());
	setenv("NO_COLOR", "", 1);
	assert_true(tui_draw_color_wanted());
	unsetenv("NO_COLOR");
	assert_true(tui_draw_color_wanted());
	fixture_screen_open(24, 80, true);
	assert_true(tui_draw_role_attrs(TUI_ROLE_GROWING) & A_COLOR);
	assert_int_equal(tui_draw_role_attrs(TUI_ROLE_NORMAL), A_NORMAL);
	fixture_screen_close();
	fixture_screen_open(24, 80, false);
	assert_false(tui_draw_role_attrs(TUI_ROLE_GROWING) & A_COLOR);
	assert_int_equal(tui_draw_role_attrs(TUI_ROLE_CURSOR), A_REVERSE);
	fixture_screen_close();
}

static void
test_memory(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, fixture_model(3), 24, 80, true);
	assert_true(tui_memory(s.t) > sizeof(struct tui));
	scr_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions_unique_keys),
		cmocka_unit_test(test_actions_lookup_and_help),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_rows_group_sort_cache),
		cmocka_unit_test(test_rows_filters),
		cmocka_unit_test(test_model_group),
		cmocka_unit_test(test_keys_reach_the_session),
		cmocka_unit_test(test_no_host),
		cmocka_unit_test(test_save_report),
		cmocka_unit_test(test_errors_and_exit_report),
		cmocka_unit_test(test_hostile_names_escaped),
		cmocka_unit_test(test_roles_on_screen),
		cmocka_unit_test(test_colors_and_no_color),
		cmocka_unit_test(test_memory),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
