/* test_xmlstream.c - valgrind's XML (real captures of the fixture nginx)
 * into memcheck errors, the fatal signal and the exit leak report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leak.h"
#include "memerrors.h"
#include "model.h"
#include "sbuf.h"
#include "util.h"
#include "xmlstream.h"

static char *
data_path(const char *name)
{
	const char *dir = getenv("LT_TEST_DATA") ? getenv("LT_TEST_DATA") : "tests/data";

	return xasprintf("%s/%s", dir, name);
}

static const struct model_frame *
error_at(const struct model *m, const struct memerror *r)
{
	return model_frame(m, r->stacks[0].frames[r->at]);
}

static void
test_fixture_errors_and_exit_report(void **state)
{
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	char *path = data_path("memcheck_fixture.xml"), err[256];
	const struct memerrors *errs;
	const struct model *exit_m;
	const struct memerror *r;
	size_t i;
	uint64_t definite = 0;

	(void)state;
	assert_true(xmlstream_load_file(xs, path, err, sizeof err));
	assert_false(xmlstream_truncated(xs));
	assert_non_null(strstr(xmlstream_program(xs), "nginx"));
	errs = xmlstream_errors(xs);
	assert_int_equal(memerrors_count(errs), 2);
	r = memerrors_get(errs, 0);
	assert_string_equal(r->kind_name, "InvalidRead");
	assert_string_equal(error_at(live, r)->fn, "ngx_http_leaky_bug_invalid_read");
	assert_int_equal(error_at(live, r)->line, 383);
	assert_non_null(strstr(error_at(live, r)->file, "/tests/fixture/ngx_http_leaky_module/"));
	assert_int_equal(r->nstacks, 2);	/* where, and where the block was alloc'd */
	assert_non_null(strstr(r->stacks[1].note, "0 bytes after a block of size 16"));
	r = memerrors_get(errs, 1);
	assert_string_equal(r->kind_name, "UninitCondition");
	assert_int_equal(error_at(live, r)->line, 402);
	/* The exit report: one round, apart from the live model. */
	exit_m = xmlstream_exit_model(xs);
	assert_non_null(exit_m);
	assert_int_equal(model_nrounds(exit_m), 1);
	assert_int_equal(model_nrounds(live), 0);
	for (i = 0; i < model_nsites(exit_m); i++) {
		const struct model_site *s = model_site(exit_m, i);

		if (s->kind == LEAK_DEFINITE)
			definite += s->direct;
	}
	assert_int_equal(definite, model_round(exit_m, 0)->summary.kind[LEAK_DEFINITE].bytes);
	assert_true(definite > 0);
	xmlstream_free(xs);
	model_free(live);
	free(path);
}

/* Definitely lost bytes of source src's sites (any source: MODEL_NO_SOURCE). */
static uint64_t
definite_of(const struct model *m, uint32_t src)
{
	uint64_t sum = 0;
	size_t i, k;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);
		bool mine = src == MODEL_NO_SOURCE;

		for (k = 0; k < s->nsources; k++)
			mine |= s->sources[k] == src;
		if (s->kind == LEAK_DEFINITE && mine)
			sum += s->direct;
	}
	return sum;
}

/* nginx's processes each write their exit report: one model holds them
 * all, each process's records as its source, summed (the engine's
 * exit report with workers; before, only the master's, which is empty). */
static void
test_exit_reports_into_one_model(void **state)
{
	static const char *files[] = { "memcheck_fixture.xml", "xml/clientleak.xml", "xml/killed.xml" };
	struct model *live = model_new(), *exit_m = model_new();
	struct xmlstream *xs[3];
	struct leak_summary sum, one[3];
	uint64_t alone[3];
	char err[256];
	size_t i;

	(void)state;
	memset(&sum, 0, sizeof sum);
	model_round_begin(exit_m, 0, 0);
	for (i = 0; i < 3; i++) {
		char *path = data_path(files[i]);
		struct xmlstream *own = xmlstream_new(live, false, NULL, NULL);

		/* what the file's report is on its own */
		xmlstream_load_file(own, path, err, sizeof err);
		alone[i] = xmlstream_exit_model(own) ? definite_of(xmlstream_exit_model(own), MODEL_NO_SOURCE) : 0;
		xmlstream_free(own);
		xs[i] = xmlstream_new(live, false, NULL, NULL);
		xmlstream_exit_into(xs[i], exit_m, (uint32_t)(100 + i));
		xmlstream_load_file(xs[i], path, err, sizeof err);
		assert_true(xmlstream_finish(xs[i]) || i == 2);	/* again: no-op */
		assert_null(xmlstream_exit_model(xs[i]));	/* not its own */
		free(path);
	}
	assert_true(xmlstream_exit_summary(xs[0], &one[0]));
	assert_true(xmlstream_exit_summary(xs[1], &one[1]));
	assert_false(xmlstream_exit_summary(xs[2], &one[2]));	/* SIGKILL: no report */
	leak_summary_add(&sum, &one[0]);
	leak_summary_add(&sum, &one[1]);
	model_round_end(exit_m, &sum, 0);
	assert_int_equal(model_nrounds(exit_m), 1);
	assert_true(alone[0] > 0 && alone[1] > 0);
	/* each process's part is what its report says alone; the whole, both */
	assert_int_equal(definite_of(exit_m, 100), alone[0]);
	assert_int_equal(definite_of(exit_m, 101), alone[1]);
	assert_int_equal(definite_of(exit_m, 102), 0);
	assert_int_equal(definite_of(exit_m, MODEL_NO_SOURCE), alone[0] + alone[1]);
	assert_int_equal(model_round(exit_m, 0)->summary.kind[LEAK_DEFINITE].bytes,
		one[0].kind[LEAK_DEFINITE].bytes + one[1].kind[LEAK_DEFINITE].bytes);
	for (i = 0; i < 3; i++)
		xmlstream_free(xs[i]);
	model_free(exit_m);
	model_free(live);
}

static void
test_crash_is_truncated_with_fatal(void **state)
{
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	char *path = data_path("memcheck_crash.xml"), err[256];

	(void)state;
	assert_true(xmlstream_load_file(xs, path, err, sizeof err));
	assert_non_null(strstr(xmlstream_fatal(xs), "SIGSEGV"));
	assert_non_null(strstr(xmlstream_fatal(xs), "ngx_http_leaky_crash"));
	assert_non_null(strstr(xmlstream_fatal(xs), ":416)"));
	/* valgrind's leak search ran after the crash and found nothing of the
	 * kinds it shows: an exit report with no site */
	assert_non_null(xmlstream_exit_model(xs));
	assert_int_equal(model_nrounds(xmlstream_exit_model(xs)), 1);
	assert_int_equal(model_nsites(xmlstream_exit_model(xs)), 0);
	xmlstream_free(xs);
	model_free(live);
	free(path);
}

/* abort.xml: SIGABRT, then valgrind's exit leak search all the same: its
 * one record is the exit report. */
static void
test_exit_report_after_fatal_signal(void **state)
{
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	char *path = data_path("xml/abort.xml"), err[256];
	const struct model *exit_m;
	const struct model_site *s;
	const struct model_frame *f;

	(void)state;
	assert_true(xmlstream_load_file(xs, path, err, sizeof err));
	assert_non_null(strstr(xmlstream_fatal(xs), "got SIGABRT"));
	exit_m = xmlstream_exit_model(xs);
	assert_non_null(exit_m);
	assert_int_equal(model_nrounds(exit_m), 1);
	assert_int_equal(model_nsites(exit_m), 1);
	s = model_site(exit_m, 0);
	assert_int_equal(s->kind, LEAK_POSSIBLE);
	assert_int_equal(s->bytes, 272);
	assert_int_equal(s->blocks, 1);
	f = model_frame(exit_m, s->frames[s->alloc_at]);
	assert_string_equal(f->fn, "allocate_dtv");
	assert_int_equal(f->line, 401);
	assert_int_equal(model_round(exit_m, 0)->summary.kind[LEAK_POSSIBLE].bytes, 272);
	xmlstream_free(xs);
	model_free(live);
	free(path);
}

static void
test_not_xml(void **state)
{
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	char *path = data_path("leak_check_summary.txt"), err[256];

	(void)state;
	assert_false(xmlstream_load_file(xs, path, err, sizeof err));
	assert_non_null(strstr(err, "leak_check_summary.txt"));
	xmlstream_free(xs);
	model_free(live);
	free(path);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const struct memerror *
error_of_kind(const struct memerrors *errs, const char *kind)
{
	size_t i;

	for (i = 0; i < memerrors_count(errs); i++)
		if (!strcmp(memerrors_get(errs, i)->kind_name, kind))
			return memerrors_get(errs, i);
	fail_msg("no %s error", kind);
	return NULL;
}

static void
count_calls(void *ctx)
{
	++*(int *)ctx;
}

/* repeat.xml (gen/repeat.c): valgrind wrote one InvalidRead that happened
 * 25 times and two ClientChecks with one stack, 3 times each. Until
 * <errorcounts> arrives each <error> counts once; then valgrind's counts. */
static void
test_errorcounts(void **state)
{
	struct model *live = model_new();
	int calls = 0;
	struct xmlstream_cb cb = { .counts = count_calls };
	struct xmlstream *xs = xmlstream_new(live, false, &cb, &calls);
	char *path = data_path("xml/repeat.xml"), *xml, *at;
	const struct memerrors *errs = xmlstream_errors(xs);
	const struct memerror *r;
	size_t len;

	(void)state;
	xml = slurp(path, &len);
	at = strstr(xml, "<errorcounts>");
	assert_non_null(at);
	xmlstream_feed(xs, xml, (size_t)(at - xml));
	assert_int_equal(memerrors_count(errs), 2);
	r = error_of_kind(errs, "InvalidRead");
	assert_int_equal(r->count, 1);
	assert_string_equal(error_at(live, r)->fn, "read_past");
	assert_int_equal(error_at(live, r)->line, 18);
	r = error_of_kind(errs, "ClientCheck");
	assert_int_equal(r->count, 2);		/* two <error>s, one kind + stack */
	assert_int_equal(error_at(live, r)->line, 24);
	assert_int_equal(memerrors_total(errs), 3);
	xmlstream_feed(xs, at, len - (size_t)(at - xml));
	assert_true(xmlstream_finish(xs));
	assert_false(xmlstream_truncated(xs));
	assert_int_equal(memerrors_count(errs), 2);
	assert_int_equal(error_of_kind(errs, "InvalidRead")->count, 25);
	assert_int_equal(error_of_kind(errs, "ClientCheck")->count, 6);	/* 3 + 3 */
	assert_int_equal(memerrors_total(errs), 31);
	assert_int_equal(calls, 1);
	xmlstream_free(xs);
	model_free(live);
	free(xml);
	free(path);
}

#define HEAD "<valgrindoutput><protocolversion>4</protocolversion>" \
	"<protocoltool>memcheck</protocoltool>"
#define ERR(id, kind, fn) "<error><unique>" id "</unique><tid>1</tid><kind>" kind "</kind>" \
	"<what>w</what><stack><frame><ip>0x1</ip><fn>" fn "</fn></frame></stack></error>"
#define PAIR(n, id) "<pair><count>" n "</count><unique>" id "</unique></pair>"

/* Unique ids and counts are untrusted: ids repeated or never seen, counts
 * of 0 or past valgrind's int, <errorcounts> given twice. */
static void
test_errorcounts_hostile(void **state)
{
	static const char xml[] = HEAD
		ERR("0x1", "InvalidRead", "a") ERR("0x2", "InvalidRead", "a")	/* one group */
		ERR("0x1", "UninitValue", "b")	/* the id again: stays with its first error */
		ERR("0x3", "InvalidWrite", "c") ERR("0x4", "InvalidFree", "d")
		"<errorcounts>" PAIR("5", "0x1") PAIR("7", "0x2") PAIR("9", "0x99")
		PAIR("0", "0x3") PAIR("18446744073709551615", "0x4") "</errorcounts>"
		"<suppcounts><pair><count>100</count><name>x</name></pair></suppcounts>"
		"<errorcounts>" PAIR("6", "0x1") "</errorcounts>"	/* replaces 5 */
		"</valgrindoutput>";
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	const struct memerrors *errs = xmlstream_errors(xs);

	(void)state;
	xmlstream_feed(xs, xml, sizeof xml - 1);
	assert_true(xmlstream_finish(xs));
	assert_int_equal(memerrors_count(errs), 4);
	assert_int_equal(error_of_kind(errs, "InvalidRead")->count, 13);	/* 6 + 7 */
	assert_int_equal(error_of_kind(errs, "UninitValue")->count, 1);
	assert_int_equal(error_of_kind(errs, "InvalidWrite")->count, 1);	/* it was seen once */
	assert_int_equal(error_of_kind(errs, "InvalidFree")->count, UINT32_MAX);
	assert_int_equal(memerrors_total(errs), 13 + 1 + 1 + (uint64_t)UINT32_MAX);
	xmlstream_free(xs);
	model_free(live);
}

/* Memory stays bounded on a file that repeats its errors under fresh ids:
 * past MEMERRORS_MAX_REPEAT_IDS such ids are not kept, and their errors
 * count once each whatever <errorcounts> says; an id that opens a group
 * is still kept after that, with valgrind's count. */
static void
test_errorcounts_bounded(void **state)
{
	struct model *live = model_new();
	struct xmlstream *xs = xmlstream_new(live, false, NULL, NULL);
	const struct memerrors *errs = xmlstream_errors(xs);
	struct sbuf b = SBUF_INIT;
	size_t i, n = MEMERRORS_MAX_REPEAT_IDS + 2;	/* 0 opens, 1..n-2 kept, n-1 not */

	(void)state;
	sbuf_adds(&b, HEAD);
	for (i = 0; i < n; i++)
		sbuf_printf(&b, ERR("0x%zx", "InvalidRead", "a"), i);
	sbuf_printf(&b, ERR("0x%zx", "InvalidRead", "b"), n);
	sbuf_printf(&b, "<errorcounts>" PAIR("10", "0x0") PAIR("10", "0x%zx") PAIR("10", "0x%zx")
		PAIR("10", "0x%zx") "</errorcounts></valgrindoutput>", n - 2, n - 1, n);
	xmlstream_feed(xs, b.data, b.len);
	assert_true(xmlstream_finish(xs));
	assert_int_equal(memerrors_count(errs), 2);
	assert_int_equal(memerrors_get(errs, 0)->count, n + 9 + 9);
	assert_int_equal(memerrors_get(errs, 1)->count, 10);
	sbuf_free(&b);
	xmlstream_free(xs);
	model_free(live);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_errors_and_exit_report),
		cmocka_unit_test(test_exit_reports_into_one_model),
		cmocka_unit_test(test_crash_is_truncated_with_fatal),
		cmocka_unit_test(test_exit_report_after_fatal_signal),
		cmocka_unit_test(test_not_xml),
		cmocka_unit_test(test_errorcounts),
		cmocka_unit_test(test_errorcounts_hostile),
		cmocka_unit_test(test_errorcounts_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
