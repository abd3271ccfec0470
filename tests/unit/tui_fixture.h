/* tui_fixture.h - shared by the TUI unit tests: a model from the captured
 * real leak checks, a fake host that records what the screen asks for,
 * and a curses screen on /dev/null. Header-only because the Makefile
 * builds each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_TUI_FIXTURE_H
#define LT_TEST_TUI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"
#include "report.h"
#include "sbuf.h"
#include "supp.h"
#include "tui.h"
#include "tui_action.h"
#include "tui_draw.h"
#include "util.h"
#include "xmlstream.h"

/* The checks were captured in /work/main; the tests move them to a path
 * that does not exist, so the source view always finds the files through
 * the search directory (the repository, the tests' working directory),
 * wherever the repository is checked out. */
#define FIXTURE_CAPTURED_ROOT "/work/main/"
#define FIXTURE_MOVED_ROOT "/old/checkout/"
/* Fixed times so that screens compare equal: 2023-11-14 22:13:20 UTC. */
#define FIXTURE_WALL_MS 1700000000000LL

/* A whole file (malloc'd, NUL-terminated; *len its bytes when len), or
 * NULL when it cannot be opened. */
static inline char *
fixture_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf b = SBUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&b, chunk, n);
	fclose(f);
	if (len)
		*len = b.len;
	sbuf_addc(&b, '\0');
	b.len--;
	return sbuf_detach(&b);
}

static inline char *
fixture_slurp(const char *name, size_t *len)
{
	const char *dir = getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data";
	char *path = xasprintf("%s/%s", dir, name);
	char *text = fixture_read_file(path, len);

	assert_non_null(text);
	free(path);
	return text;
}

static inline char *
fixture_replace(const char *text, size_t len, const char *from, const char *to, size_t *outlen)
{
	struct sbuf b = SBUF_INIT;
	size_t flen = strlen(from), i = 0;

	while (i < len) {
		const char *hit = memmem(text + i, len - i, from, flen);

		if (!hit) {
			sbuf_add(&b, text + i, len - i);
			break;
		}
		sbuf_add(&b, text + i, (size_t)(hit - (text + i)));
		sbuf_adds(&b, to);
		i = (size_t)(hit - text) + flen;
	}
	*outlen = b.len;
	return sbuf_detach(&b);
}

static const char *const fixture_url_names[] = {
	"http://127.0.0.1:8080/leak/alloc", "http://127.0.0.1:8080/leak/cycle",
};

/* One captured check as one round; requests as the capture describes. */
static inline void
fixture_round_urls(struct model *m, const char *file, uint64_t requests, size_t nurls)
{
	struct leak_summary sum;
	struct leakcheck_error err;
	size_t len, mlen;
	char *raw = fixture_slurp(file, &len);
	char *text = fixture_replace(raw, len, FIXTURE_CAPTURED_ROOT, FIXTURE_MOVED_ROOT, &mlen);
	struct model_round *r;
	size_t i;

	model_round_begin(m, requests, 0);
	for (i = 0; i < nurls && i < 2; i++)
		model_round_url_requests(m, model_url_intern(m, fixture_url_names[i]),
			requests / nurls);
	assert_int_equal(leakcheck_text(text, mlen, model_leakcheck_cb, m, &sum, &err), LEAKCHECK_OK);
	model_round_end(m, &sum, 250 * 1000000LL + (int64_t)model_nrounds(m) * 10000000LL);
	/* The model stamps rounds with the clock; screens must not depend on it. */
	r = (struct model_round *)model_round(m, model_nrounds(m) - 1);
	r->wall_ms = FIXTURE_WALL_MS + (int64_t)model_nrounds(m) * 60000;
	free(raw);
	free(text);
}

static inline void
fixture_round(struct model *m, const char *file, uint64_t requests)
{
	fixture_round_urls(m, file, requests, 0);
}

/* The three captured checks: 20 requests to each of 6 locations plus the
 * cache keys (see tests/data/CAPTURED.md). With nurls (1 or 2), the
 * requests of each round split between that many URLs (the same mix every
 * round: 2 URLs cannot be told apart). */
static inline struct model *
fixture_model_urls(size_t rounds, size_t nurls)
{
	static const char *const files[] = {
		"leak_check_full_any_1.txt", "leak_check_full_any_2.txt", "leak_check_full_any_3.txt",
	};
	static const uint64_t requests[] = { 128, 136, 136 };
	struct model *m = model_new();
	size_t i;

	for (i = 0; i < rounds && i < 3; i++)
		fixture_round_urls(m, files[i], requests[i], nurls);
	return m;
}

static inline struct model *
fixture_model(size_t rounds)
{
	return fixture_model_urls(rounds, 0);
}

/* ---- a host that records ---- */

#define FAKE_VIEWS_MAX 4
#define FAKE_KINDS_MAX 16

struct fake_host {
	struct sbuf calls;	/* "burst 1\n", "shape 400 4\n", ... */
	struct tui_live live;
	bool refuse;		/* actions fail with "busy" */
	bool debugging;		/* debug_start succeeded, no detach yet */
	struct tui_debug dbg;	/* what debug() fills in (fake_debug_preset) */
	/* processes and views (tui_fake_procs.h) */
	struct model *views[FAKE_VIEWS_MAX];
	const char *view_names[FAKE_VIEWS_MAX];
	size_t nviews;		/* view() answers these; NULL past them */
	size_t view_asked;	/* the highest view asked for */
	const char *reload_err;	/* reload() fails with it */
	struct model *fed;	/* its sites got sources by hand, */
	struct model_site *saved;	/* their own values */
	/* kinds (tui_fake_kinds.h): what set_kinds made, its strings, and
	 * the error it answers once */
	struct tui_kind kinds_now[FAKE_KINDS_MAX];
	char *kind_text[FAKE_KINDS_MAX];
	const char *kinds_err;
	/* W: supp_add judges model by the suppressions set (made on the
	 * first call) as report_supp_add does; supp_err: it fails so */
	struct model *model;
	struct supp *supp;
	const char *supp_err;
	/* the screen's gate and baseline run (tui_config) */
	const struct report_gate *gate;
	const struct model *baseline;
	const char *baseline_name;
	bool browse;		/* no host but supp_add: a recorded run (--load) */
};

static char fake_url_a[] = "http://127.0.0.1:8080/leak/alloc";
static char fake_url_b[] = "http://127.0.0.1:8080/leak/cycle";
static char *const fake_urls[] = { fake_url_a, fake_url_b };

static inline void
fake_live(void *ctx, struct tui_live *out)
{
	struct fake_host *h = ctx;

	*out = h->live;
}

static inline bool
fake_refused(struct fake_host *h, const char *what, char *err, size_t errlen)
{
	sbuf_printf(&h->calls, "%s\n", what);
	if (h->refuse)
		snprintf(err, errlen, "busy");
	return !h->refuse;
}

static inline bool
fake_burst(void *ctx, bool then_check, char *err, size_t errlen)
{
	return fake_refused(ctx, then_check ? "burst+check" : "burst", err, errlen);
}

static inline bool
fake_check(void *ctx, char *err, size_t errlen)
{
	return fake_refused(ctx, "check", err, errlen);
}

static inline void
fake_set_auto(void *ctx, bool on)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "auto %d\n", on);
	h->live.auto_mode = on;
}

static inline void
fake_set_shape(void *ctx, unsigned long requests, unsigned concurrency)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "shape %lu %u\n", requests, concurrency);
	h->live.requests = requests;
	h->live.concurrency = concurrency;
}

static inline bool
fake_set_urls(void *ctx, char **urls, size_t n, char *err, size_t errlen)
{
	struct fake_host *h = ctx;
	size_t i;

	sbuf_adds(&h->calls, "urls");
	for (i = 0; i < n; i++)
		sbuf_printf(&h->calls, " %s", urls[i]);
	sbuf_addc(&h->calls, '\n');
	if (h->refuse)
		snprintf(err, errlen, "busy");
	return !h->refuse;
}

static inline bool
fake_restart(void *ctx, char *err, size_t errlen)
{
	return fake_refused(ctx, "restart", err, errlen);
}

static inline bool
fake_stop(void *ctx, char *err, size_t errlen)
{
	return fake_refused(ctx, "stop", err, errlen);
}

static inline void
fake_quit(void *ctx)
{
	struct fake_host *h = ctx;

	sbuf_adds(&h->calls, "quit\n");
}

static inline bool
fake_edit(void *ctx, const char *path, unsigned line, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "edit %s %u\n", path, line);
	if (h->refuse)
		snprintf(err, errlen, "cannot run vi");
	return !h->refuse;
}

#include "tui_fake_debug.h"
#include "tui_fake_kinds.h"
#include "tui_fake_procs.h"

static inline bool
fake_debug_start(void *ctx, const char *file, unsigned line, const char *url, char *err,
	size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "debug_start %s %u %s\n", file, line, url ? url : "(null)");
	if (h->refuse)
		snprintf(err, errlen, "gdb not found: apt install gdb");
	h->debugging = !h->refuse;
	return !h->refuse;
}

static inline bool
fake_debug(void *ctx, struct tui_debug *out)
{
	struct fake_host *h = ctx;

	*out = h->dbg;
	return h->debugging;
}

static inline bool
fake_debug_run(void *ctx, enum tui_debug_cmd c, char *err, size_t errlen)
{
	static const char *const names[] = { "next", "step", "finish", "continue", "again" };
	char what[64];

	snprintf(what, sizeof what, "debug_run %s", names[c]);
	return fake_refused(ctx, what, err, errlen);
}

static inline bool
fake_debug_frame(void *ctx, size_t level, char *err, size_t errlen)
{
	struct fake_host *h = ctx;
	char what[64];

	snprintf(what, sizeof what, "debug_frame %zu", level);
	if (!h->refuse)
		h->dbg.frame = level;
	return fake_refused(ctx, what, err, errlen);
}

static inline bool
fake_debug_eval(void *ctx, const char *expr, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "debug_eval %s\n", expr);
	if (h->refuse)
		snprintf(err, errlen, "busy");
	return !h->refuse;
}

static inline bool
fake_debug_toggle(void *ctx, const char *file, unsigned line, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "debug_toggle %s %u\n", file, line);
	if (h->refuse)
		snprintf(err, errlen, "busy");
	return !h->refuse;
}

static inline bool
fake_debug_check(void *ctx, char *err, size_t errlen)
{
	return fake_refused(ctx, "debug_check", err, errlen);
}

static inline void
fake_debug_detach(void *ctx)
{
	struct fake_host *h = ctx;

	sbuf_adds(&h->calls, "debug_detach\n");
	h->debugging = false;
}

static inline bool
fake_gdb(void *ctx, char *err, size_t errlen)
{
	return fake_refused(ctx, "gdb", err, errlen);
}

static inline bool
fake_supp_add(void *ctx, const char *name, const char *text, char *err, size_t errlen)
{
	struct fake_host *h = ctx;

	sbuf_printf(&h->calls, "supp_add %s\n", name);
	if (h->supp_err) {
		snprintf(err, errlen, "%s", h->supp_err);
		return false;
	}
	if (!h->supp)
		h->supp = supp_new();
	return report_supp_add(h->model, h->supp, name, text, err, errlen);
}

static const struct tui_target_ops fake_target_ops = {
	.live = fake_live, .burst = fake_burst, .check = fake_check, .set_auto = fake_set_auto,
	.set_shape = fake_set_shape, .set_urls = fake_set_urls, .restart = fake_restart,
	.stop = fake_stop, .debug_start = fake_debug_start, .debug = fake_debug,
	.debug_run = fake_debug_run, .debug_frame = fake_debug_frame, .debug_eval = fake_debug_eval,
	.debug_toggle = fake_debug_toggle, .debug_check = fake_debug_check,
	.debug_detach = fake_debug_detach, .view = fake_view, .reload = fake_reload,
	.set_kinds = fake_set_kinds, .supp_add = fake_supp_add,
};

static const struct tui_target_ops fake_browse_ops = { .supp_add = fake_supp_add };

static const struct tui_term_ops fake_term_ops = {
	.quit = fake_quit, .edit = fake_edit, .gdb = fake_gdb,
};

/* A session that is up and idle after its last round. */
static inline void
fake_host_init(struct fake_host *h, const struct model *m)
{
	size_t n = model_nrounds(m);

	memset(h, 0, sizeof *h);
	h->model = (struct model *)m;
	h->live.present = true;
	h->live.phase = TUI_PHASE_READY;
	h->live.pid = 4242;
	h->live.requests = 200;
	h->live.concurrency = 4;
	h->live.urls = fake_urls;
	h->live.nurls = 2;
	h->live.have_burst = n > 1;
	h->live.burst_done = h->live.burst_sent = 136;
	h->live.rps = 812.4;
	h->live.total_requests = n ? model_round(m, n - 1)->total_requests : 0;
	h->live.reason = "";
	h->live.log_tail = "";
	fake_debug_preset(&h->dbg, "stopped");
}

/* ---- the screen ---- */

static FILE *fixture_out, *fixture_in;

static inline void
fixture_screen_open(int rows, int cols, bool color)
{
	fixture_out = fopen("/dev/null", "w");
	fixture_in = fopen("/dev/null", "r");
	assert_non_null(fixture_out);
	assert_true(tui_draw_open(fixture_out, fixture_in, "xterm-256color", color));
	tui_draw_resize(rows, cols);
}

static inline void
fixture_screen_close(void)
{
	tui_draw_close();
	fclose(fixture_out);
	fclose(fixture_in);
}

/* Everything a screen test opened, closed. */
static inline void
fixture_teardown(struct tui *t, struct model *m, struct fake_host *h)
{
	tui_free(t);
	fixture_screen_close();
	model_free(m);
	sbuf_free(&h->calls);
	fake_kinds_close(h);
	supp_free(h->supp);
	h->supp = NULL;
}

/* The screen over m, searching sources under the repository ("."), with
 * the fake host h (already set up) or none. */
static inline struct tui *
fixture_tui(struct model *m, struct fake_host *h, bool with_host, int rows, int cols)
{
	static char *const dirs[] = { "." };
	struct tui_config cfg = {
		.model = m, .target = with_host ? &fake_target_ops : h->browse ? &fake_browse_ops : NULL,
		.target_ctx = h,
		.term = with_host ? &fake_term_ops : NULL, .term_ctx = h,
		.source_dirs = dirs, .nsource_dirs = 1, .nginx_version = "nginx/1.22.1",
		.gate = h->gate, .baseline = h->baseline, .baseline_name = h->baseline_name,
	};
	struct tui *t;

	fixture_screen_open(rows, cols, false);
	t = tui_new(&cfg);
	tui_frame(t, tui_resize(t, rows, cols));
	return t;
}

static inline char *
fixture_dump(void)
{
	struct sbuf b = SBUF_INIT;

	tui_draw_dump(&b);
	return sbuf_detach(&b);
}

/* The memcheck errors and the exit report of a captured valgrind XML file
 * (tests/data) on the screen t over m, sharing m's frames as the engine's
 * do; the caller frees the stream once the screen is gone. */
static inline struct xmlstream *
fixture_errors(struct tui *t, struct model *m, const char *file)
{
	size_t len, mlen;
	char *raw = fixture_slurp(file, &len);
	char *text = fixture_replace(raw, len, FIXTURE_CAPTURED_ROOT, FIXTURE_MOVED_ROOT, &mlen);
	struct xmlstream *xml = xmlstream_new(m, false, NULL, NULL);

	xmlstream_feed(xml, text, mlen);
	assert_true(xmlstream_finish(xml));
	tui_set_errors(t, xmlstream_errors(xml));
	tui_set_exit_model(t, xmlstream_exit_model(xml), false);
	tui_frame(t, TUI_DRAW_ALL);
	free(raw);
	free(text);
	return xml;
}

/* ncurses keeps terminfo and screen caches for the process's life; they
 * are not the TUI's leaks. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libncursesw.so\nleak:libtinfo.so\n";
}

#endif
