/* test_tui_kinds.c - the kind editor (u) beyond its pictures
 * (tests/tui/scripts/kinds-*.keys): the entries set_kinds gets, its
 * refusal and the retry, a host with set_urls only, what leaving drops,
 * where its keys mean what, and the header's state line, whose items are
 * dropped whole at every width. */
#include "tui_fixture.h"
#include "tui_int.h"

#include <curses.h>
#include <locale.h>

struct scr {
	struct model *m;
	struct fake_host h;
	struct tui *t;
};

static void
scr_open_ops(struct scr *s, size_t nkinds, int cols, const struct tui_target_ops *ops)
{
	s->m = fixture_model(3);
	fake_host_init(&s->h, s->m);
	if (nkinds)
		fake_kinds_open(&s->h, nkinds);
	s->t = fixture_tui(s->m, &s->h, true, 24, cols);
	if (ops)
		s->t->cfg.target = ops;
}

static void
scr_open(struct scr *s, size_t nkinds)
{
	scr_open_ops(s, nkinds, 80, NULL);
}

static void
scr_close(struct scr *s)
{
	fixture_teardown(s->t, s->m, &s->h);
}

/* Keys, one byte each ("\n" is Enter, "\x15" ^U). */
static void
press(struct scr *s, const char *keys)
{
	for (; *keys; keys++)
		tui_frame(s->t, tui_key(s->t, (unsigned char)*keys));
}

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

static const char *
calls(const struct scr *s)
{
	return s->h.calls.data ? s->h.calls.data : "";
}

/* Add, edit, delete, apply: set_kinds gets the kept entries in order,
 * edited ones as edited, the deleted one not, the added one last. */
static void
test_apply_sends_the_entries(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 4);
	press(&s, "u");
	assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_KINDS);
	press(&s, "je\x15POST /leak/pool\n");	/* edit the 2nd */
	press(&s, "jd");			/* delete the 3rd */
	press(&s, "a  /leak/clean \n");		/* blanks around it go */
	assert_string_equal(calls(&s), "");	/* nothing before A */
	press(&s, "A");
	assert_string_equal(calls(&s), "kinds /leak/alloc | POST /leak/pool | "
		"tcp 127.0.0.1:9000 < hello.bin | /leak/clean\n");
	assert_line(22, "4 kinds for the next bursts");
	/* applied: the rows are the session's again, nothing pending */
	assert_line(3, "kinds of request (u: back) | 4 kinds");
	press(&s, "A");
	assert_line(22, "no change to apply");
	assert_string_equal(calls(&s), "kinds /leak/alloc | POST /leak/pool | "
		"tcp 127.0.0.1:9000 < hello.bin | /leak/clean\n");
	scr_close(&s);
}

/* A refusal keeps the pending list, its reason in one line; A again
 * sends the same entries. */
static void
test_refused_then_applied(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 2);
	s.h.kinds_err = "api.http:3: no request titled \"Nope\"\n(2 requests in the file)";
	press(&s, "u");
	press(&s, "a@api.http#Nope\nA");
	assert_line(22, "api.http:3: no request titled \"Nope\" (2 requests in the file)");
	assert_line(3, "1 change pending");
	press(&s, "A");
	assert_string_equal(calls(&s),
		"kinds /leak/alloc | @api.http#Create user | @api.http#Nope\n"
		"kinds /leak/alloc | @api.http#Create user | @api.http#Nope\n");
	assert_line(22, "3 kinds for the next bursts");
	assert_int_equal(s.h.live.nkinds, 3);
	scr_close(&s);
}

static bool
urls_only_set(void *ctx, char **urls, size_t n, char *err, size_t errlen)
{
	return fake_set_urls(ctx, urls, n, err, errlen);
}

/* A host with set_urls and no set_kinds: its URLs are the rows, A sets
 * the URLs. */
static void
test_urls_host(void **state)
{
	struct tui_target_ops ops = fake_target_ops;
	struct scr s;

	(void)state;
	ops.set_kinds = NULL;
	ops.set_urls = urls_only_set;
	scr_open_ops(&s, 0, 80, &ops);
	press(&s, "u");
	assert_line(5, "/leak/alloc");
	press(&s, "da/leak/new\nA");
	assert_string_equal(calls(&s), "urls http://127.0.0.1:8080/leak/cycle /leak/new\n");
	scr_close(&s);
}

/* Leaving by q, Esc, u or h drops the changes, says so, and sends
 * nothing; with nothing pending it says nothing. */
static void
test_leaving_drops(void **state)
{
	static const char *const leave[] = { "q", "\x1b", "u", "h" };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(leave); i++) {
		struct scr s;
		char *l;

		scr_open(&s, 4);
		press(&s, "ujd");
		press(&s, leave[i]);
		assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_SITES);
		assert_line(22, "1 kind change dropped: never applied");
		assert_string_equal(calls(&s), "");
		tui_message(s.t, false, "-");
		press(&s, "u");
		press(&s, leave[i]);
		assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_SITES);
		l = line(22);
		assert_null(strstr(l, "dropped"));
		free(l);
		scr_close(&s);
	}
}

/* Help over the editor (left by q or u), and E with no errors to show,
 * keep it and its changes. */
static void
test_changes_stay(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 4);
	press(&s, "ujd?");
	assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_HELP);
	press(&s, "q");
	assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_KINDS);
	assert_line(3, "1 change pending");
	press(&s, "?u");	/* u in the help: back to the editor as it was */
	assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_KINDS);
	assert_int_equal(s.t->nviews, 2);
	assert_line(3, "1 change pending");
	press(&s, "E");
	assert_line(22, "no memcheck errors");
	assert_int_equal(tui_top(s.t)->ops->scope, TUI_SC_KINDS);
	assert_line(3, "1 change pending");
	scr_close(&s);
}

/* In the editor a adds, w applies, e edits, d deletes; elsewhere a is
 * auto, w saves, e edits the source, d debugs. Help lists the editor's. */
static void
test_keys_of_the_view(void **state)
{
	struct tui_help_line lines[160];
	size_t n, i, seen = 0;

	(void)state;
	assert_int_equal(tui_action_for_key('a', TUI_SC_KINDS), TUI_ACT_KIND_ADD);
	assert_int_equal(tui_action_for_key('a', TUI_SC_SITES), TUI_ACT_AUTO);
	assert_int_equal(tui_action_for_key('w', TUI_SC_KINDS), TUI_ACT_KIND_APPLY);
	assert_int_equal(tui_action_for_key('w', TUI_SC_SITES), TUI_ACT_SAVE);
	assert_int_equal(tui_action_for_key('\n', TUI_SC_KINDS), TUI_ACT_KIND_CHANGE);
	assert_int_equal(tui_action_for_key('d', TUI_SC_KINDS), TUI_ACT_KIND_DELETE);
	assert_int_equal(tui_action_for_key('d', TUI_SC_SITES), TUI_ACT_DEBUG);
	assert_int_equal(tui_action_for_key(27, TUI_SC_KINDS), TUI_ACT_BACK);
	assert_int_equal(tui_action_for_key('u', TUI_SC_KINDS), TUI_ACT_KIND_EDITOR);
	assert_int_equal(tui_action_for_key('j', TUI_SC_KINDS), TUI_ACT_DOWN);
	n = tui_action_help_lines(lines, LT_ARRAY_SIZE(lines));
	for (i = 0; i < n; i++)
		if (!lines[i].title && (lines[i].text == tui_action_info(TUI_ACT_KIND_ADD)->help ||
			lines[i].text == tui_action_info(TUI_ACT_KIND_APPLY)->help))
			seen++;
	assert_int_equal(seen, 2);
}

/* Everything deleted: A refuses, sends nothing; an empty entry changes
 * nothing; an entry edited back is no change. */
static void
test_refusals(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 2);
	press(&s, "udjdA");
	assert_line(22, "no kind left");
	assert_string_equal(calls(&s), "");
	press(&s, "dgd");	/* both kept again */
	assert_line(3, "| 2 kinds");
	press(&s, "a   \n");
	assert_line(22, "an empty entry: nothing changed");
	press(&s, "e\x15/x\n");
	assert_line(3, "1 change pending");
	press(&s, "e\x15/leak/alloc\n");
	assert_line(22, "kind edited: nothing pending");
	press(&s, "A");
	assert_line(22, "no change to apply");
	assert_string_equal(calls(&s), "");
	scr_close(&s);
}

/* A click moves the cursor; a second click on the row edits it. */
static void
test_mouse(void **state)
{
	struct scr s;

	(void)state;
	scr_open(&s, 4);
	press(&s, "u");
	tui_frame(s.t, tui_mouse(s.t, &(struct tui_mouse){ 8, 4, TUI_MOUSE_CLICK }));
	assert_line(20, "entry: tcp 127.0.0.1:9000 < hello.bin");
	tui_frame(s.t, tui_mouse(s.t, &(struct tui_mouse){ 8, 4, TUI_MOUSE_CLICK }));
	assert_line(22, "edit kind: tcp 127.0.0.1:9000 < hello.bin");
	scr_close(&s);
}

/* The state line at every width the layout takes, idle and in a burst:
 * never cut (no "…"), the kinds always there, the protocol from 80
 * columns (90 in a burst), and at 120 columns every item. */
static void
test_state_line_widths(void **state)
{
	int cols, busy;

	(void)state;
	for (busy = 0; busy < 2; busy++)
		for (cols = 50; cols <= 200; cols++) {
			struct scr s;
			char *l;

			scr_open_ops(&s, 4, cols, NULL);
			s.h.live.protocol = "HTTP/2 (TLS) + TCP";
			if (busy) {
				s.h.live.phase = TUI_PHASE_BURST;
				s.h.live.busy_ms = 1400;
			}
			tui_frame(s.t, TUI_DRAW_ALL);
			l = line(0);
			if (strstr(l, "\xe2\x80\xa6") || !strstr(l, "kinds 4"))
				fail_msg("%d columns: %s", cols, l);
			if (cols >= 120 && !strstr(l, "nginx/1.22.1") && !busy)
				fail_msg("%d columns: the version dropped: %s", cols, l);
			if (cols >= (busy ? 90 : 80) && !strstr(l, "kinds 4  HTTP/2 (TLS) + TCP"))
				fail_msg("%d columns: no protocol: %s", cols, l);
			free(l);
			scr_close(&s);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_sends_the_entries),
		cmocka_unit_test(test_refused_then_applied),
		cmocka_unit_test(test_urls_host),
		cmocka_unit_test(test_leaving_drops),
		cmocka_unit_test(test_changes_stay),
		cmocka_unit_test(test_keys_of_the_view),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_state_line_widths),
	};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
