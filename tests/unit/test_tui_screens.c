/* test_tui_screens.c - the screen, driven by scripted keys, compared with
 * expected screen dumps (tig's way).
 *
 * Each tests/tui/scripts/NAME.keys is one test: a model built from the
 * captured real leak checks (tests/data), a fake session, keys, and at
 * the end the screen's text, which must equal tests/tui/expected/NAME.txt.
 * `make tui-goldens` (this binary with --update) writes the dumps instead
 * and fails, tested nothing (review them: they are the assertions). What
 * must hold whatever a dump says is checked in both modes: no raw control
 * character, "q quit" in the key bar, the script's expect lines.
 * Script lines:
 *
 *   size COLS ROWS        the terminal (default 80 24)
 *   rounds N              captured checks in the model, 1..3 (default 3)
 *   urls N                their requests went to N URLs (1 or 2; default none)
 *   live STATE            ready (default), none, burst, check, dead, starting,
 *                         stopping, reload
 *   procs N VIEWS         nginx's processes: the first N of a master and its
 *                         workers (tui_fake_procs.h), and the first VIEWS of
 *                         the views all, workers, master 1201, worker 1205
 *   reloads N             reloads that succeeded
 *   attached              someone else's nginx
 *   fed                   the model's sites were fed by several processes
 *                         (pids) and the pool site grows 72 B per reload
 *   reload-error TEXT     ^R fails with TEXT
 *   debug STATE           what the debugger shows once d started it: stopped
 *                         (default), loading, waiting, error
 *   errors FILE.xml       memcheck errors and the exit report of a captured
 *                         valgrind XML file (tests/data) on the screen too
 *   kinds N               the session's kinds of request: the first N of
 *                         http, https, h2, tcp and a hostile one
 *                         (tui_fake_kinds.h)
 *   protocol TEXT         the bursts' protocol, as the header shows it
 *   kinds-error TEXT      the first set_kinds (A in the kind editor) fails
 *                         with TEXT
 *   keys TOKEN...         j k / ... typed; <Enter> <Esc> <Up> <Down> <Left>
 *                         <Right> <PgUp> <PgDn> <Home> <End> <Bksp> <Space>
 *                         <F1> <C-x>; <Click:Y,X> <WheelUp:Y,X>
 *                         <WheelDown:Y,X>; <Resize:COLSxROWS>; <Round> (the
 *                         engine's round: tui_model_changed); <Views:N> (the
 *                         host offers only the first N views from now on)
 *   budget N              --max-bytes-per-request N (the screen's gate)
 *   baseline              --baseline: the run compared with is the captured
 *                         checks edited (report_fixture.h): /leak/alloc
 *                         absent (new now), /leak/pool 3 times the bytes
 *                         (better now), a second leak in the struct
 *                         function (fixed now)
 *   browse                a recorded run's screen: no host but supp_add
 *   rmfile PATH           PATH is removed first (a file W writes)
 *   expect TEXT           TEXT is on the final screen (any number of them)
 *   same-as NAME          the final screen is NAME's expected screen too
 *   # comment
 */
#include "tui_fixture.h"
#include "report_fixture.h"

#include <curses.h>
#include <dirent.h>
#include <locale.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define SCRIPTS "tests/tui/scripts"
#define EXPECTED "tests/tui/expected"

struct run {
	struct model *model, *old;
	struct report_gate gate;
	struct xmlstream *xml;
	struct fake_host host;
	struct tui *tui;
	bool with_host;
};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Enter", '\n' }, { "Esc", 27 }, { "Up", TK(KEY_UP) }, { "Down", TK(KEY_DOWN) },
	{ "Left", TK(KEY_LEFT) }, { "Right", TK(KEY_RIGHT) }, { "PgUp", TK(KEY_PPAGE) },
	{ "PgDn", TK(KEY_NPAGE) }, { "Home", TK(KEY_HOME) }, { "End", TK(KEY_END) },
	{ "Bksp", TK(KEY_BACKSPACE) }, { "Space", ' ' }, { "F1", TK(KEY_F(1)) },
};

static void
set_live(struct run *r, const char *state)
{
	struct tui_live *l = &r->host.live;

	r->with_host = strcmp(state, "none") != 0;
	if (!strcmp(state, "burst")) {
		l->phase = TUI_PHASE_BURST;
		l->burst_done = 120;
		l->burst_sent = 124;
		l->busy_ms = 1400;
	} else if (!strcmp(state, "check")) {
		l->phase = TUI_PHASE_CHECK;
		l->busy_ms = 2300;
	} else if (!strcmp(state, "starting")) {
		l->phase = TUI_PHASE_STARTING;
	} else if (!strcmp(state, "stopping")) {
		l->phase = TUI_PHASE_STOPPING;
	} else if (!strcmp(state, "reload")) {
		l->phase = TUI_PHASE_RELOAD;
		l->busy_ms = 900;
	} else if (!strcmp(state, "dead")) {
		l->phase = TUI_PHASE_EXITED;
		l->reason = "nginx killed by signal 11 (SIGSEGV)";
		/* target_log_tail escapes already; raw bytes here check that
		 * the screen does it again */
		l->log_tail = "==4242== Process terminating with default action of signal 11\n"
			"==4242==  Access not within mapped region at address 0x0\n"
			"==4242==    at 0x1EBB0D: ngx_http_leaky_crash (ngx_http_leaky_module.c:371)\n"
			"2023/11/14 22:16:20 [alert] worker says \x1b[2J\x1b]0;pwned\x07 hello\n";
	} else {
		assert_string_equal(state, r->with_host ? "ready" : "none");
	}
}

/* The script's lines about the gate, the baseline and W's file. */
struct ci_opts {
	double budget;
	bool baseline, browse;
	char rmfile[128];
};

static bool
ci_line(const char *line, struct ci_opts *o)
{
	if (!strcmp(line, "baseline"))
		return o->baseline = true;
	if (!strcmp(line, "browse"))
		return o->browse = true;
	return sscanf(line, "budget %lf", &o->budget) == 1 ||
		sscanf(line, "rmfile %127s", o->rmfile) == 1;
}

/* Before the screen opens: what its config takes. */
static void
ci_apply(struct run *r, const struct ci_opts *o)
{
	static const struct fx_edit edit = { .drop_fn = "ngx_http_leaky_leak_alloc",
		.scale_fn = "ngx_http_leaky_leak_pool", .scale = 3,
		.dup_fn = "ngx_http_leaky_leak_struct", .dup_line = 207 };

	r->gate = (struct report_gate)REPORT_GATE_INIT;
	if (o->budget > 0) {
		r->gate.max_per_request = o->budget;
		r->host.gate = &r->gate;
	}
	if (o->baseline) {
		r->old = fx_model(&edit);
		r->host.baseline = r->old;
		r->host.baseline_name = "runs/old.jsonl";
	}
	r->host.browse = o->browse;
	if (o->rmfile[0])
		unlink(o->rmfile);
}

static void
start(struct run *r, int rows, int cols, size_t rounds, size_t nurls, const char *live,
	const struct ci_opts *ci)
{
	r->model = fixture_model_urls(rounds, nurls);
	fake_host_init(&r->host, r->model);
	set_live(r, live);
	ci_apply(r, ci);
	r->tui = fixture_tui(r->model, &r->host, r->with_host, rows, cols);
}

static void
finish(struct run *r)
{
	fake_procs_close(&r->host);
	fixture_teardown(r->tui, r->model, &r->host);
	xmlstream_free(r->xml);	/* the errors the screen showed (frames were the model's) */
	model_free(r->old);
}

static void
feed(struct run *r, unsigned mask)
{
	tui_frame(r->tui, mask);
}

static void
special(struct run *r, const char *tok, size_t len)
{
	char name[32];
	int y, x, rows, cols;
	size_t i;

	snprintf(name, sizeof name, "%.*s", (int)(len - 2), tok + 1);
	for (i = 0; i < LT_ARRAY_SIZE(named_keys); i++)
		if (!strcmp(name, named_keys[i].name)) {
			feed(r, tui_key(r->tui, named_keys[i].key));
			return;
		}
	if (!strncmp(name, "C-", 2) && name[2] && !name[3]) {
		feed(r, tui_key(r->tui, TUI_CTRL(name[2])));
	} else if (sscanf(name, "Click:%d,%d", &y, &x) == 2) {
		feed(r, tui_mouse(r->tui, &(struct tui_mouse){ y, x, TUI_MOUSE_CLICK }));
	} else if (sscanf(name, "WheelUp:%d,%d", &y, &x) == 2) {
		feed(r, tui_mouse(r->tui, &(struct tui_mouse){ y, x, TUI_MOUSE_WHEEL_UP }));
	} else if (sscanf(name, "WheelDown:%d,%d", &y, &x) == 2) {
		feed(r, tui_mouse(r->tui, &(struct tui_mouse){ y, x, TUI_MOUSE_WHEEL_DOWN }));
	} else if (sscanf(name, "Resize:%dx%d", &cols, &rows) == 2) {
		feed(r, tui_resize(r->tui, rows, cols));
	} else if (!strcmp(name, "Round")) {
		tui_model_changed(r->tui);
		feed(r, TUI_DRAW_ALL);
	} else if (sscanf(name, "Views:%d", &y) == 1) {
		r->host.nviews = (size_t)y < r->host.nviews ? (size_t)y : r->host.nviews;
	} else {
		fail_msg("unknown key token <%s>", name);
	}
}

static void
type_keys(struct run *r, char *line)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		size_t len = strlen(tok), i = 0;
		mbstate_t st;

		if (len > 2 && tok[0] == '<' && tok[len - 1] == '>') {
			special(r, tok, len);
			continue;
		}
		memset(&st, 0, sizeof st);
		while (i < len) {
			wchar_t wc;
			size_t l = mbrtowc(&wc, tok + i, len - i, &st);

			assert_true(l > 0 && l <= len - i);
			feed(r, tui_key(r->tui, (int)wc));
			i += l;
		}
	}
}

/* The script's lines about nginx's processes. */
struct procs_opts {
	size_t nprocs, nviews;
	unsigned reloads;
	bool attached, fed, any;
	char reload_err[128];
};

static bool
procs_line(const char *line, struct procs_opts *o)
{
	bool ok = sscanf(line, "procs %zu %zu", &o->nprocs, &o->nviews) == 2 ||
		sscanf(line, "reloads %u", &o->reloads) == 1 ||
		sscanf(line, "reload-error %127[^\n]", o->reload_err) == 1;

	if (!strcmp(line, "attached"))
		ok = o->attached = true;
	if (!strcmp(line, "fed"))
		ok = o->fed = true;
	o->any |= ok;
	return ok;
}

static void
procs_apply(struct run *r, const struct procs_opts *o)
{
	if (!o->any)
		return;
	fake_procs_open(&r->host, r->model, o->nprocs, o->nviews);
	r->host.live.reloads = o->reloads;
	r->host.live.attached = o->attached;
	r->host.reload_err = o->reload_err[0] ? o->reload_err : NULL;
	if (o->fed)
		fake_procs_feed(&r->host, r->model);
	feed(r, TUI_DRAW_ALL);
}

/* The script's lines about the kinds of request and the protocol. */
struct kinds_opts {
	size_t n;
	char protocol[64], err[256];
};

static bool
kinds_line(const char *line, struct kinds_opts *o)
{
	return sscanf(line, "kinds %zu", &o->n) == 1 ||
		sscanf(line, "protocol %63[^\n]", o->protocol) == 1 ||
		sscanf(line, "kinds-error %255[^\n]", o->err) == 1;
}

static void
kinds_apply(struct run *r, const struct kinds_opts *o)
{
	if (o->n)
		fake_kinds_open(&r->host, o->n);
	r->host.live.protocol = o->protocol[0] ? o->protocol : NULL;
	r->host.kinds_err = o->err[0] ? o->err : NULL;
	feed(r, TUI_DRAW_ALL);
}

static char *
read_text(const char *path)
{
	return fixture_read_file(path, NULL);
}

/* --update (make tui-goldens): the screens are written, not compared.
 * Each test then ends skipped and the run fails, so a rewrite never
 * counts as a pass. */
static bool update_mode;
static size_t nchanged;

/* Frees got. */
static void
compare(const char *name, char *got)
{
	char *path = xasprintf(EXPECTED "/%s.txt", name);
	char *want = read_text(path);
	size_t line = 1, i;

	if (update_mode) {
		bool same = want && !strcmp(want, got);
		FILE *f = same ? NULL : fopen(path, "w");

		if (!same) {
			assert_non_null(f);
			fputs(got, f);
			assert_int_equal(fclose(f), 0);
			nchanged++;
			print_message("updated %s: review it, it is the assertion\n", path);
		}
		free(want);
		free(path);
		free(got);
		skip();
	}
	if (!want)
		fail_msg("%s missing: make tui-goldens writes it, then review it", path);
	for (i = 0; want[i] && got[i] && want[i] == got[i]; i++)
		line += want[i] == '\n';
	if (want[i] || got[i]) {
		const char *w = want + i, *g = got + i;

		while (w > want && w[-1] != '\n')
			w--;
		while (g > got && g[-1] != '\n')
			g--;
		print_error("%s: screen differs at line %zu\n  want: %.*s\n  got:  %.*s\n"
			"whole screen:\n%s", name, line, (int)strcspn(w, "\n"), w,
			(int)strcspn(g, "\n"), g, got);
		free(want);
		free(path);
		free(got);
		fail();
	}
	free(want);
	free(path);
	free(got);
}

/* What holds whatever the expected screen says (checked in --update too):
 * no control character but the dump's line ends; the key bar, on the last
 * row of a screen big enough for the layout, offers "q quit"; each
 * "expect" line of the script is on the screen. */
static void
check_always(const char *name, const char *got, int rows, int cols, const char *expects)
{
	const char *c, *bar, *e;

	for (c = got; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\n')
			fail_msg("%s: control character 0x%02x on the screen", name, (unsigned char)*c);
	if (rows >= 10 && cols >= 50) {
		bar = got + strlen(got) - 1;	/* the last row: after the second last newline */
		while (bar > got && bar[-1] != '\n')
			bar--;
		if (strncmp(bar, "? help", 6) || !strstr(bar, "  q quit"))
			fail_msg("%s: the key bar (%dx%d) lacks q quit: %s", name, cols, rows, bar);
	}
	for (e = expects; *e; e += strlen(e) + 1)
		if (!strstr(got, e))
			fail_msg("%s: expected on the screen: \"%s\"\nscreen:\n%s", name, e, got);
}

/* Another script's expected screen, whatever --update writes for this one. */
static void
same_as(const char *name, const char *got, const char *other)
{
	char *path = xasprintf(EXPECTED "/%s.txt", other);
	char *want = read_text(path);

	if (!want || strcmp(want, got))
		fail_msg("%s: the screen is not %s:\n%s", name, path, got);
	free(want);
	free(path);
}

static void
test_script(void **state)
{
	const char *name = *state;
	char *path = xasprintf(SCRIPTS "/%s.keys", name);
	char *text = read_text(path), *save = NULL, *line;
	int cols = 80, rows = 24;
	size_t rounds = 3, nurls = 0;
	char live[32] = "ready", errors[64] = "", debug[32] = "stopped", same[64] = "";
	struct sbuf keys = SBUF_INIT, expects = SBUF_INIT;
	struct procs_opts procs = { 0 };
	struct kinds_opts kinds = { 0 };
	struct ci_opts ci = { 0 };
	struct run r;
	char *got;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "size %d %d", &cols, &rows) == 2)
			continue;
		if (sscanf(line, "rounds %zu", &rounds) == 1)
			continue;
		if (sscanf(line, "urls %zu", &nurls) == 1)
			continue;
		if (sscanf(line, "live %31s", live) == 1)
			continue;
		if (sscanf(line, "errors %63s", errors) == 1)
			continue;
		if (sscanf(line, "debug %31s", debug) == 1)
			continue;
		if (procs_line(line, &procs))
			continue;
		if (kinds_line(line, &kinds))
			continue;
		if (ci_line(line, &ci))
			continue;
		if (sscanf(line, "same-as %63s", same) == 1)
			continue;
		if (!strncmp(line, "expect ", 7)) {
			sbuf_add(&expects, line + 7, strlen(line + 7) + 1);
			continue;
		}
		if (!strncmp(line, "keys ", 5)) {
			sbuf_printf(&keys, "%s\n", line + 5);
			continue;
		}
		fail_msg("%s: bad line: %s", path, line);
	}
	memset(&r, 0, sizeof r);
	start(&r, rows, cols, rounds, nurls, live, &ci);
	fake_debug_preset(&r.host.dbg, debug);
	procs_apply(&r, &procs);
	kinds_apply(&r, &kinds);
	if (*errors)
		r.xml = fixture_errors(r.tui, r.model, errors);
	if (keys.len)
		type_keys(&r, keys.data);
	got = fixture_dump();
	tui_draw_size(&rows, &cols);	/* the final size, before the screen closes */
	finish(&r);
	sbuf_addc(&expects, '\0');
	check_always(name, got, rows, cols, expects.data);
	if (*same)
		same_as(name, got, same);
	free(text);
	free(path);
	sbuf_free(&keys);
	sbuf_free(&expects);
	compare(name, got);	/* frees got; may end the test (--update: skipped) */
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	struct CMUnitTest *tests;
	size_t n = 0, cap = 0, i;
	int rc;

	if (getenv("TUI_UPDATE_EXPECTED")) {
		fprintf(stderr, "TUI_UPDATE_EXPECTED is gone: make tui-goldens rewrites the expected "
			"screens (and tests nothing)\n");
		return 2;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--update"))) {
		fprintf(stderr, "usage: %s [--update]  (from the repository root)\n", argv[0]);
		return 2;
	}
	update_mode = argc == 2;
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "UTC", 1);
	tzset();
	d = opendir(SCRIPTS);
	if (!d) {
		fprintf(stderr, "cannot open %s (run from the repository root)\n", SCRIPTS);
		return 1;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".keys")) {
			xgrow((void **)&names, &cap, n + 1, sizeof *names);
			names[n++] = xstrndup(e->d_name, len - 5);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	tests = xcalloc(n ? n : 1, sizeof *tests);
	for (i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = names[i], .test_func = test_script,
			.initial_state = names[i] };
	rc = _cmocka_run_group_tests("tui_screens", tests, n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	if (update_mode) {
		/* whatever happened, not a pass: nothing was compared */
		fprintf(stderr, "updated, not tested: %zu of %zu expected screens rewritten%s; review "
			"git diff " EXPECTED ", then run %s\n", nchanged, n,
			rc ? " (some scripts failed, see above)" : "", argv[0]);
		return 3;
	}
	return rc;
}
