/* test_tui_keybar.c - the key bar offers "q quit" in every view at every
 * width the layout takes (50 columns and up), and a click on it does what
 * q does: the expected screens cannot accept a bar that lost it. */
#include "tui_fixture.h"
#include "tui_int.h"

#include <curses.h>
#include <locale.h>
#include <time.h>

/* Every view, reached by keys from the sites table with the captured
 * memcheck errors and exit report loaded. */
static const struct {
	const char *name;
	const char *keys;	/* one byte a key; \n is Enter */
	unsigned scope;		/* of the view on top once there */
} views[] = {
	{ "sites", "", TUI_SC_SITES },
	{ "stack", "\n", TUI_SC_STACK },
	{ "help", "?", TUI_SC_HELP },
	{ "errors", "E", TUI_SC_ERRORS },
	{ "error stack", "E\n", TUI_SC_STACK },
	{ "exit report", "x", TUI_SC_SITES },
	{ "exit report stack", "x\n", TUI_SC_STACK },
	{ "help over a stack", "\n?", TUI_SC_HELP },
	{ "kinds", "u", TUI_SC_KINDS },
	{ "help over the kinds", "u?", TUI_SC_HELP },
};

struct scr {
	struct model *m;
	struct fake_host host;
	struct tui *t;
	struct xmlstream *xml;
};

static void
scr_open(struct scr *s, size_t view)
{
	const char *k;

	s->m = fixture_model(3);
	fake_host_init(&s->host, s->m);
	s->t = fixture_tui(s->m, &s->host, true, 24, 80);
	s->xml = fixture_errors(s->t, s->m, "memcheck_fixture.xml");
	for (k = views[view].keys; *k; k++)
		tui_frame(s->t, tui_key(s->t, *k));
	if (tui_top(s->t)->ops->scope != views[view].scope)
		fail_msg("%s: keys \"%s\" did not reach the view", views[view].name, views[view].keys);
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->host);
	xmlstream_free(s->xml);
}

/* The bar (the last row) at cols x rows; returns where "q quit" starts in
 * it, failing when it is not there whole. */
static int
quit_at(struct scr *s, const char *view, int rows, int cols)
{
	char *dump, *bar, *q;
	int x;

	tui_frame(s->t, tui_resize(s->t, rows, cols));
	dump = fixture_dump();
	bar = dump + strlen(dump) - 1;
	while (bar > dump && bar[-1] != '\n')
		bar--;
	q = strstr(bar, "q quit");
	if (!q || (q > bar && q[-1] != ' ') || (q[6] != '\n'))
		fail_msg("%s at %dx%d: no \"q quit\" at the end of the key bar: %s", view, cols, rows, bar);
	if (strncmp(bar, "? help", 6))
		fail_msg("%s at %dx%d: the key bar does not start with \"? help\": %s", view, cols, rows, bar);
	x = (int)(q - bar);	/* the bar is ASCII: bytes are columns */
	if (x + 6 > cols)
		fail_msg("%s at %dx%d: \"q quit\" past the edge (column %d)", view, cols, rows, x);
	free(dump);
	return x;
}

static void
test_quit_in_every_view_at_every_width(void **state)
{
	size_t v;
	int cols;

	(void)state;
	for (v = 0; v < LT_ARRAY_SIZE(views); v++) {
		struct scr s;

		scr_open(&s, v);
		/* the two widths of the issue first, by name, then all of them */
		quit_at(&s, views[v].name, 24, 80);
		quit_at(&s, views[v].name, 10, 50);
		for (cols = 50; cols <= 240; cols++)
			quit_at(&s, views[v].name, 24, cols);
		scr_close(&s);
	}
}

/* A click on "q quit" is q: the root view quits, another one closes. */
static void
test_quit_click(void **state)
{
	static const int widths[] = { 50, 80 };
	size_t v, w;

	(void)state;
	for (v = 0; v < LT_ARRAY_SIZE(views); v++)
		for (w = 0; w < LT_ARRAY_SIZE(widths); w++) {
			struct scr s;
			size_t before;
			int x;

			scr_open(&s, v);
			x = quit_at(&s, views[v].name, 24, widths[w]);
			before = s.t->nviews;
			tui_frame(s.t, tui_mouse(s.t, &(struct tui_mouse){ 23, x + 2, TUI_MOUSE_CLICK }));
			if (before == 1) {
				if (!strstr(s.host.calls.data ? s.host.calls.data : "", "quit\n"))
					fail_msg("%s at %d columns: a click on q quit did not quit",
						views[v].name, widths[w]);
			} else if (s.t->nviews != before - 1) {
				fail_msg("%s at %d columns: a click on q quit did not close the view",
					views[v].name, widths[w]);
			}
			scr_close(&s);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quit_in_every_view_at_every_width),
		cmocka_unit_test(test_quit_click),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
