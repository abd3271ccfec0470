/* test_leakcheck_syntax.c - the leak_check text parser on answers written
 * by hand: numbers at and past their limits, the function names and paths
 * valgrind may print in a frame, the order of records, vgdb's chatter and
 * the summary, and a callback that stops the parse. */
#include "leakcheck_fixture.h"

static void
test_numbers(void **state)
{
	static const struct {
		const char *header;
		enum leakcheck_status st;
	} cases[] = {
		{ "18,446,744,073,709,551,615 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_OK },
		{ "18,446,744,073,709,551,616 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "99999999999999999999999 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 (+9,223,372,036,854,775,807) bytes in 1 (-9,223,372,036,854,775,807) blocks are still reachable in loss record 1 of 1", LEAKCHECK_OK },
		{ "1 (+9,223,372,036,854,775,808) bytes in 1 (+1) blocks are still reachable in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 4,294,967,295 of 4,294,967,295", LEAKCHECK_OK },
		{ "1 bytes in 1 blocks are definitely lost in loss record 1 of 4,294,967,296", LEAKCHECK_ERROR },
		{ "1,00 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1000,000 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1,0000 bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (2 direct, 2 indirect) bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (+5) (2 direct, 3 indirect) bytes in 1 (+1) blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "5 (+5) bytes in 1 blocks are definitely lost in loss record 1 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 2 of 1", LEAKCHECK_ERROR },
		{ "1 bytes in 1 blocks are definitely lost in loss record 1 of 1 and more", LEAKCHECK_ERROR },
	};
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++)
		if (parse_record(&p, cases[i].header, 1, "f (a.c:1)") != cases[i].st)
			fail_msg("case %zu: status %d (%s), want %d", i, p.st, p.err.msg, cases[i].st);
	assert_int_equal(parse_record(&p, cases[0].header, 1, "f"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.bytes, UINT64_MAX);
	assert_int_equal(parse_record(&p, cases[3].header, 1, "f"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.bytes_delta, INT64_MAX);
	assert_int_equal(p.recs[0].r.blocks_delta, -INT64_MAX);
	/* Addresses: 16 hex digits at most; line numbers fit an unsigned. */
	assert_int_equal(parse_mem(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xFFFFFFFFFFFFFFFF: f (a.c:4294967295)\n==7== \n" SUMMARY_TEXT,
		strlen("==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xFFFFFFFFFFFFFFFF: f (a.c:4294967295)\n==7== \n" SUMMARY_TEXT)), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].frames[0].ip, UINT64_MAX);
	assert_int_equal(p.recs[0].frames[0].line, 4294967295u);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1FFFFFFFFFFFFFFFF: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: f (a.c:4294967296)\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0xZ1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n"
		"==7==    definitely lost: 99,999,999,999,999,999,999 bytes in 0 blocks\n"), LEAKCHECK_ERROR);
	parsed_free(&p);
}

/* Function names and paths valgrind may print; the location is the last
 * parenthesised group. */
static void
test_frame_shapes(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const struct leakcheck_frame *f;

	(void)state;
	sbuf_adds(&b, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x4841F2F: operator new(unsigned long) (in /usr/lib/vg preload.so)\n"
		"==7==    by 0x2: foo(int) const (/home/a (copy)/x:y.c:12)\n"
		"==7==    by 0x3: std::function<void (int)>::operator()(int) const (in /lib/libstdc++.so.6)\n"
		"==7==    by 0x4: ??? (foo.c:3)\n"
		"==7==    by 0x5: main (file with space.c:7)\n"
		"==7==    by 0x6: bar()\n"
		"==7==    by 0x7: baz (not a location)\n"
		"==7==    by 0xabcdef: ???\n"
		"==7== \n" SUMMARY_TEXT);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.nframes, 8);
	f = p.recs[0].frames;
	assert_frame(&f[0], 0x4841F2F, "operator new(unsigned long)", "", 0, "/usr/lib/vg preload.so");
	assert_frame(&f[1], 2, "foo(int) const", "/home/a (copy)/x:y.c", 12, "");
	assert_frame(&f[2], 3, "std::function<void (int)>::operator()(int) const", "", 0,
		"/lib/libstdc++.so.6");
	assert_frame(&f[3], 4, "", "foo.c", 3, "");
	assert_frame(&f[4], 5, "main", "file with space.c", 7, "");
	assert_frame(&f[5], 6, "bar()", "", 0, "");
	assert_frame(&f[6], 7, "baz (not a location)", "", 0, "");
	assert_frame(&f[7], 0xABCDEF, "", "", 0, "");
	sbuf_free(&b);

	/* "at" starts a stack, "by" continues it. */
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    by 0x1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: f\n==7==    at 0x1: f\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\n"
		"==7==    at 0x1: \n"), LEAKCHECK_ERROR);
	parsed_free(&p);
}

static void
test_structure(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";

	(void)state;
	/* CRLF line ends, vgdb's chatter inside a record, no final newline. */
	assert_int_equal(parse_str(&p, "sending command leak_check full to pid 7\r\n"
		"==7== 1 bytes in 1 blocks are definitely lost in loss record 1 of 1\r\n"
		"==7==    at 0x1: f (a.c:1)\r\nsome vgdb line\n==7==    by 0x2: g (b.c:2)\r\n==7== \r\n"
		"==7== LEAK SUMMARY:\n==7==    definitely lost: 1 bytes in 1 blocks\n"
		"==7==    indirectly lost: 0 bytes in 0 blocks\n==7==      possibly lost: 0 bytes in 0 blocks\n"
		"==7==    still reachable: 0 bytes in 0 blocks\n==7==         suppressed: 0 bytes in 0 blocks"),
		LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 1);
	assert_int_equal(p.recs[0].r.nframes, 2);
	assert_int_equal(p.recs[0].frames[0].line, 1);
	assert_slice(p.recs[0].frames[1].fn, "g");
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1, 1);

	/* A record after the summary: two answers glued together. */
	add_record(&b, hdr, 1, "f");
	sbuf_adds(&b, SUMMARY_TEXT);
	add_record(&b, hdr, 1, "f");
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 11);
	sbuf_reset(&b);
	sbuf_adds(&b, SUMMARY_TEXT SUMMARY_TEXT);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);

	/* A summary that stops early, or repeats a line. */
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"
		"==7== \n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"),
		LEAKCHECK_INCOMPLETE);
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    definitely lost: 0 bytes in 0 blocks\n"
		"==7==    definitely lost: 0 bytes in 0 blocks\n"), LEAKCHECK_ERROR);
	/* A heuristic line needs its "of which" line first. */
	assert_int_equal(parse_str(&p, "==7== LEAK SUMMARY:\n==7==    length64 : 8 bytes in 1 blocks\n"),
		LEAKCHECK_ERROR);
	sbuf_free(&b);
	parsed_free(&p);
}

static void
test_callback_stop(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	p.stop_after = 3;
	assert_int_equal(parse_file(&p, "leakcheck/full_any.txt"), LEAKCHECK_CALLBACK);
	assert_int_equal(p.nrecs, 3);
	/* No callback, no summary, no error struct: still parses. */
	assert_int_equal(leakcheck_text(p.buf, p.len, NULL, NULL, NULL, NULL), LEAKCHECK_OK);
	parsed_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_frame_shapes),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_callback_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
