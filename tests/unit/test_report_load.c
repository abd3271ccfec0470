/* test_report_load.c - report_load: a JSON report (--json) of a model of
 * real leak checks loaded back gives every site the same growth, bytes
 * per request and bytes per round, and the same rows by key; a report
 * without url_requests (converted from XML: one round) loads; a session
 * file loads; what is neither gets one line naming the file. */
#include "report_fixture.h"

#include <jansson.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/lt-report-load-XXXXXX";
static const struct report_gate gate = REPORT_GATE_INIT;

/* Test files are put in place as the reports are (report_file_write). */
static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name), err[256];

	if (!report_file_write(path, "test input", text, err, sizeof err))
		fail_msg("%s", err);
	return path;
}

static char *
report_of(const struct model *m, const char *name)
{
	struct report_meta meta = { .nginx = "/x/objs/nginx", .nginx_version = "", .gate = &gate };
	char *text = report_json_render(m, &meta), *path = write_file(name, text);

	free(text);
	return path;
}

/* The site of b with a's kind and stack (ip, function, line). */
static size_t
same_site(const struct model *a, size_t ia, const struct model *b)
{
	const struct model_site *s = model_site(a, ia);
	size_t i, k;

	for (i = 0; i < model_nsites(b); i++) {
		const struct model_site *t = model_site(b, i);

		if (t->kind != s->kind || t->nframes != s->nframes)
			continue;
		for (k = 0; k < s->nframes; k++) {
			const struct model_frame *f = model_site_frame(a, s, k), *g = model_site_frame(b, t, k);

			if (f->ip != g->ip || f->line != g->line || strcmp(f->fn, g->fn))
				break;
		}
		if (k == s->nframes)
			return i;
	}
	return SIZE_MAX;
}

static void
assert_same_model(const struct model *a, const struct model *b)
{
	size_t i, r, na, nb, growing = 0;
	struct report_row *ra, *rb;

	assert_int_equal(model_nrounds(a), model_nrounds(b));
	for (r = 0; r < model_nrounds(a); r++)
		assert_int_equal(model_round(a, r)->requests, model_round(b, r)->requests);
	for (i = 0; i < model_nsites(a); i++) {
		const struct model_site *s = model_site(a, i);
		size_t j = same_site(a, i, b);
		const struct model_site *t;

		if (!s->present && s->growth == GROWTH_STABLE)
			continue;
		assert_true(j != SIZE_MAX);
		t = model_site(b, j);
		assert_int_equal(t->growth, s->growth);
		assert_true(fabs(t->bytes_per_request - s->bytes_per_request) <=
			1e-6 * (1 + fabs(s->bytes_per_request)));
		assert_int_equal(t->alloc_at, s->alloc_at);
		for (r = 0; r < model_nrounds(a); r++) {
			assert_int_equal(model_site_bytes(b, j, r), model_site_bytes(a, i, r));
			assert_int_equal(model_site_blocks(b, j, r), model_site_blocks(a, i, r));
		}
		growing += s->growth == GROWTH_GROWING;
	}
	assert_true(growing >= 6);
	ra = report_rows(a, &gate, false, &na);
	rb = report_rows(b, &gate, false, &nb);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		char *ka = report_row_key(a, &ra[i]), *kb = report_row_key(b, &rb[i]);

		assert_string_equal(ka, kb);
		assert_int_equal(ra[i].verdict, rb[i].verdict);
		free(ka);
		free(kb);
	}
	report_rows_free(ra, na);
	report_rows_free(rb, nb);
}

static void
test_json_report_round_trip(void **state)
{
	struct fx_edit urls = { .urls = true };
	struct model *m = fx_model(&urls), *back = model_new();
	char *path = report_of(m, "run.json"), *nginx = NULL, err[512];
	size_t i, attributed = 0;

	(void)state;
	assert_true(report_load(path, back, &nginx, NULL, err, sizeof err));
	assert_string_equal(nginx, "/x/objs/nginx");
	assert_same_model(m, back);
	/* which URL drives each site comes out the same */
	assert_int_equal(model_nurls(back), model_nurls(m));
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i), *t;
		size_t j = same_site(m, i, back);

		if (!s->nurls)
			continue;
		t = model_site(back, j);
		assert_int_equal(t->nurls, s->nurls);
		assert_string_equal(model_url(back, t->urls[0].url), model_url(m, s->urls[0].url));
		assert_true(fabs(t->urls[0].bytes_per_request - s->urls[0].bytes_per_request) < 1e-6);
		attributed++;
	}
	(void)attributed;	/* 3 rounds cannot tell 6 URLs apart: the real run's test does */
	for (i = 0; i < model_nrounds(m); i++) {
		uint32_t u;

		for (u = 0; u < model_nurls(m); u++) {
			assert_string_equal(model_url(back, u), model_url(m, u));
			assert_int_equal(model_round_url(back, i, u), model_round_url(m, i, u));
		}
	}
	free(nginx);
	free(path);
	model_free(back);
	model_free(m);
}

/* Older reports and those from valgrind's XML lack fields: no
 * url_requests, reloads or check; they load with what they have. */
static void
test_report_without_fields(void **state)
{
	struct model *m = fx_model(NULL), *back = model_new();
	char *path = report_of(m, "full.json"), *nginx = NULL, err[512], *text;
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *rd;
	size_t i;

	(void)state;
	assert_non_null(root);
	json_array_foreach(json_object_get(root, "rounds"), i, rd) {
		json_object_del(rd, "reloads");
		json_object_del(rd, "check");
		json_object_del(rd, "url_requests");
		json_object_del(rd, "check_ms");
	}
	json_object_del(root, "gate");
	json_object_del(root, "baseline_round");
	text = json_dumps(root, 0);
	free(path);
	path = write_file("old.json", text);
	assert_true(report_load(path, back, &nginx, NULL, err, sizeof err));
	assert_same_model(m, back);
	free(text);
	free(nginx);
	free(path);
	json_decref(root);
	model_free(back);
	model_free(m);
}

static void
test_session_file(void **state)
{
	const char *data = getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data";
	char *path = xasprintf("%s/session/old-format-fixture.jsonl", data), *nginx = NULL, err[512];
	struct model *m = model_new();

	(void)state;
	assert_true(report_load(path, m, &nginx, NULL, err, sizeof err));
	assert_true(model_nrounds(m) > 1);
	assert_true(model_nsites(m) > 0);
	free(nginx);
	free(path);
	model_free(m);
}

/* The fewest fields a report can have, by hand: rounds with requests,
 * a site with its stack and bytes; a hostile name kept as it came. */
static void
test_minimal_report(void **state)
{
	char *path = write_file("min.json", "{\"ngx_leaktop\": \"0.1\", \"rounds\": ["
		"{\"requests\": 0}, {\"requests\": 10}, {\"requests\": 10}], \"sites\": [{"
		"\"kind\": \"definitely_lost\", \"bytes\": [0, 100, 200], \"stack\": ["
		"{\"function\": \"malloc\", \"object\": \"/usr/lib/vg.so\", \"ip\": \"0x10\"},"
		"{\"function\": \"leak\\u001b[2J\", \"file\": \"m.c\", \"line\": 3, \"ip\": \"0x20\"},"
		"{\"function\": \"main\", \"file\": \"m.c\", \"line\": 9}]}]}");
	struct model *m = model_new();
	const struct model_site *s;
	char err[512], *nginx = NULL;

	(void)state;
	if (!report_load(path, m, &nginx, NULL, err, sizeof err))
		fail_msg("%s", err);
	assert_string_equal(nginx, "");
	assert_int_equal(model_nsites(m), 1);
	s = model_site(m, 0);
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_true(fabs(s->bytes_per_request - 10.0) < 1e-9);
	assert_int_equal(s->alloc_at, 1);
	assert_string_equal(model_site_frame(m, s, 1)->fn, "leak\x1b[2J");
	assert_int_equal(model_site_frame(m, s, 1)->line, 3);
	assert_int_equal(model_site_frame(m, s, 0)->ip, 0x10);
	free(nginx);
	free(path);
	model_free(m);
}

static void
expect_error(const char *name, const char *text, const char *want)
{
	char *path = text ? write_file(name, text) : xasprintf("%s/%s", dir, name);
	char err[512] = "", *nginx = NULL;
	struct model *m = model_new();

	assert_false(report_load(path, m, &nginx, NULL, err, sizeof err));
	if (!strstr(err, want) || !strstr(err, path) || strchr(err, '\n') || strchr(err, '\x1b'))
		fail_msg("%s: '%s' lacks '%s' or the path", name, err, want);
	free(nginx);
	free(path);
	model_free(m);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("missing.json", NULL, "cannot open");
	expect_error("empty.json", "", "not a session file or an ngx-leaktop JSON report");
	expect_error("text.log", "==1== Memcheck\n", "not a session file or an ngx-leaktop JSON report");
	expect_error("other.json", "{\"version\": \"2.1.0\", \"runs\": []}\n", "another tool");
	expect_error("broken.json", "{\"ngx_leaktop\": \"1\",\n \"rounds\": [,]}\n",
		"broken JSON at line 2, column");
	expect_error("cut.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [", "broken JSON at line");
	expect_error("norounds.json", "{\"ngx_leaktop\": \"1\"}\n", "without rounds and sites");
	expect_error("badsite.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [{}], \"sites\": "
		"[{\"kind\": \"definitely_lost\", \"stack\": [], \"bytes\": [1, 2]}]}\n",
		"sites[0] needs kind, stack and bytes");
	expect_error("badkind.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [{}], \"sites\": "
		"[{\"kind\": \"lost\", \"stack\": [], \"bytes\": [1]}]}\n", "sites[0]");
	expect_error("negative.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [{}], \"sites\": "
		"[{\"kind\": \"definite\", \"stack\": [{\"function\": \"f\"}], \"bytes\": [-5]}]}\n",
		"round 0: bytes and blocks must be counts");
	expect_error("esc.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [\x1b[2J]}\n",
		"broken JSON at line 1, column");
	expect_error("nostack.json", "{\"ngx_leaktop\": \"1\", \"rounds\": [{}], \"sites\": "
		"[{\"kind\": \"definite\", \"stack\": [], \"bytes\": [5]}]}\n",
		"sites[0] has no frames");
	expect_error("badsession.jsonl", "{\"type\": \"session\"}\n{\"type\": \"round\"}\n",
		"line 2: malformed round");
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *cmd[] = { "rm", "-rf", dir, NULL };
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_report_round_trip),
		cmocka_unit_test(test_report_without_fields),
		cmocka_unit_test(test_session_file),
		cmocka_unit_test(test_minimal_report),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
