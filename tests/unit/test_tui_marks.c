/* test_tui_marks.c - marks and W beyond what a screen shows: marks follow
 * their rows through a re-sort and a new round; the file W writes holds
 * valgrind suppressions the suppression reader takes back and that match
 * the marked rows' sites, and nothing else; W appends; a host that cannot
 * hide them leaves the rows and says so. */
#include "tui_fixture.h"
#include "tui_int.h"

#include <locale.h>
#include <unistd.h>

#define SUPP_FILE "build/test-tui-marks.supp"

struct scr {
	struct model *m;
	struct fake_host host;
	struct tui *t;
};

static void
scr_open(struct scr *s, bool host)
{
	s->m = fixture_model(3);
	fake_host_init(&s->host, s->m);
	s->t = fixture_tui(s->m, &s->host, host, 24, 120);
	unlink(SUPP_FILE);
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->host);
	unlink(SUPP_FILE);
}

static void
keys(struct scr *s, const char *k)
{
	for (; *k; k++)
		tui_frame(s->t, tui_key(s->t, *k));
}

static void
type_path(struct scr *s)
{
	tui_frame(s->t, tui_key(s->t, TUI_CTRL('u')));
	keys(s, SUPP_FILE "\n");
}

/* The screen's line that shows the row at this SITE location. */
static char *
row_line(const char *loc)
{
	char *screen = fixture_dump(), *line = NULL, *at = strstr(screen, loc), *start, *end;

	if (at) {
		for (start = at; start > screen && start[-1] != '\n'; start--)
			;
		end = strchr(at, '\n');
		line = xstrndup(start, end ? (size_t)(end - start) : strlen(start));
	}
	free(screen);
	return line;
}

static bool
marked(const char *loc)
{
	char *line = row_line(loc);
	bool yes = line && line[0] == '*';

	free(line);
	return yes;
}

static bool
shown(const char *loc)
{
	char *line = row_line(loc);
	bool yes = line != NULL;

	free(line);
	return yes;
}

static char *
slurp(const char *path)
{
	char *text = fixture_read_file(path, NULL);

	assert_non_null(text);
	return text;
}

static size_t
count(const char *text, const char *what)
{
	size_t n = 0;

	for (; (text = strstr(text, what)); text += strlen(what))
		n++;
	return n;
}

/* Marks are the rows' lines: a sort and a new round move the rows, the
 * marks go with them. */
static void
test_marks_follow_rows(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, true);
	keys(&s, " ");	/* the first row: the pool's definite leak, line 232 */
	assert_true(marked("module.c:232"));
	assert_false(marked("module.c:205"));
	keys(&s, "s");	/* by function: the rows move */
	assert_true(marked("module.c:232"));
	assert_false(marked("module.c:205"));
	fixture_round(s.m, "leak_check_full_any_3.txt", 136);
	tui_model_changed(s.t);
	tui_frame(s.t, TUI_DRAW_ALL);
	assert_true(marked("module.c:232"));
	keys(&s, "U");
	assert_false(marked("module.c:232"));
	scr_close(&s);
}

/* W on two marked rows: a file valgrind (and our reader) takes, one
 * suppression a row, matching those rows' sites only; they are hidden. */
static void
test_suppress_writes_and_hides(void **state)
{
	struct scr s;
	struct supp *back = supp_new();
	char err[256], *text;
	size_t i, matched = 0;

	(void)state;
	scr_open(&s, true);
	keys(&s, " j ");	/* 232 (pool) and 212 (struct, indirect) */
	keys(&s, "W");
	type_path(&s);
	text = slurp(SUPP_FILE);
	assert_int_equal(count(text, "\n{"), 2 - (text[0] == '{'));
	assert_int_equal(count(text, "Memcheck:Leak"), 2);
	assert_non_null(strstr(text, "fun:ngx_http_leaky_leak_pool"));
	assert_non_null(strstr(text, "fun:ngx_http_leaky_leak_struct"));
	assert_null(strstr(text, "fun:ngx_http_leaky_leak_alloc"));
	assert_true(supp_add_file(back, SUPP_FILE, err, sizeof err));
	assert_int_equal(supp_count(back), 2);
	assert_non_null(strstr(s.host.calls.data, "supp_add " SUPP_FILE "\n"));
	/* the rows are gone from the table; the others stay */
	assert_false(shown("module.c:232"));
	assert_true(shown("module.c:205"));
	for (i = 0; i < model_nsites(s.m); i++)
		matched += model_site(s.m, i)->suppressed;
	assert_int_equal(matched, 2);
	free(text);
	/* W again on the cursor's row (no marks left): appended */
	keys(&s, "W");
	type_path(&s);
	text = slurp(SUPP_FILE);
	assert_int_equal(count(text, "Memcheck:Leak"), 3);
	free(text);
	supp_free(back);
	scr_close(&s);
}

/* A host that refuses, or none: the file is written, the rows stay. */
static void
test_suppress_not_hidden(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, true);
	s.host.supp_err = "the engine is gone";
	keys(&s, "W");
	type_path(&s);
	assert_int_equal(access(SUPP_FILE, F_OK), 0);
	assert_non_null(strstr(s.t->status, "cannot hide them: the engine is gone"));
	assert_true(shown("module.c:232"));
	scr_close(&s);

	scr_open(&s, false);
	keys(&s, "W");
	type_path(&s);
	assert_int_equal(access(SUPP_FILE, F_OK), 0);
	assert_non_null(strstr(s.t->status, "this screen cannot hide them"));
	scr_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_follow_rows),
		cmocka_unit_test(test_suppress_writes_and_hides),
		cmocka_unit_test(test_suppress_not_hidden),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
