/* test_leakcheck_robust.c - the leak_check text parser on damaged input:
 * real captures cut anywhere or with random bytes changed, garbage, lines
 * and stacks over the limits, NUL bytes. Never a crash, never a read past
 * the end, and an error names its line. */
#include "leakcheck_fixture.h"

/* ---- robustness ---- */

/* A real capture cut anywhere: never OK before the summary's last line,
 * never a crash, never a read past the cut (the copy is exact-size). */
static void
check_cuts(const char *name, size_t byte_step)
{
	struct parsed p = { 0 };
	size_t len, cut, complete_at, full_recs;
	char *data = read_data(name, &len);
	const char *sup;

	parse_mem(&p, data, len);
	assert_int_equal(p.st, LEAKCHECK_OK);
	full_recs = p.nrecs;
	/* The answer is complete once the "suppressed:" line is whole. */
	sup = strstr(data, "suppressed: ");
	assert_non_null(sup);
	complete_at = (size_t)((const char *)memchr(sup, '\n', len - (size_t)(sup - data)) - data);
	for (cut = 0; cut < len; cut++) {
		bool at_line = cut == 0 || data[cut - 1] == '\n';

		if (!at_line && cut % byte_step)
			continue;
		parse_mem(&p, data, cut);
		if (cut >= complete_at) {
			if (p.st != LEAKCHECK_OK)
				fail_msg("%s cut at %zu: status %d (%s)", name, cut, p.st, p.err.msg);
		} else if (p.st != LEAKCHECK_INCOMPLETE) {
			fail_msg("%s cut at %zu: status %d (%s)", name, cut, p.st, p.err.msg);
		}
		assert_true(p.nrecs <= full_recs);
	}
	parsed_free(&p);
	free(data);
}

static void
test_truncated(void **state)
{
	(void)state;
	check_cuts("leakcheck/full_any.txt", 1);
	check_cuts("leakcheck/full_increased.txt", 1);
	check_cuts("leakcheck/full_heuristics.txt", 1);
	check_cuts("leakcheck/summary.txt", 1);
	check_cuts("leak_check_full_reachable_changed.txt", 7);
}

/* Random byte damage to a real capture: any status, but no crash. */
static void
test_mutations(void **state)
{
	static const char junk[] = { '\0', '\n', ' ', '(', ')', ':', ',', '=', '9', 'x', '\xff' };
	struct parsed p = { 0 };
	size_t len, i;
	char *data = read_data("leakcheck/full_increased.txt", &len);
	char *copy = xmalloc(len);
	uint32_t seed = 12345;

	(void)state;
	for (i = 0; i < 3000; i++) {
		int k, nflips = 1 + (int)(i % 4);

		memcpy(copy, data, len);
		for (k = 0; k < nflips; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = junk[(seed >> 4) % sizeof(junk)];
		}
		parse_mem(&p, copy, len);
		assert_true(p.st <= LEAKCHECK_COMMAND);
		if (p.st == LEAKCHECK_ERROR)
			assert_true(p.err.line > 0 && p.err.msg[0]);
	}
	parsed_free(&p);
	free(copy);
	free(data);
}

static void
test_garbage(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_str(&p, ""), LEAKCHECK_INCOMPLETE);
	/* Not a leak check at all: nothing valgrind said. */
	assert_int_equal(parse_str(&p, "hello\nworld\n"), LEAKCHECK_INCOMPLETE);
	/* Valgrind's prefix, then nonsense. */
	assert_int_equal(parse_str(&p, "==1== LEAK SUMMARY:\n==1==    definitely lost: 1 bytes in 1 blocks\n"
		"==1== what is this\n"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 3);
	assert_int_equal(parse_str(&p, "==1== 12 bytes in 1 blocks are stolen in loss record 1 of 1\n"),
		LEAKCHECK_ERROR);
	assert_non_null(strstr(p.err.msg, "kind"));
	assert_int_equal(parse_str(&p, "==1==    by 0x1: f (a.c:1)\n"), LEAKCHECK_ERROR);
	assert_int_equal(parse_str(&p, "==1==x\n"), LEAKCHECK_ERROR);
	/* Two processes in one answer. */
	assert_int_equal(parse_str(&p, "==1== \n==2== \n"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	parsed_free(&p);
}

static void
test_long_line(void **state)
{
	struct parsed p = { 0 };
	struct sbuf b = SBUF_INIT;
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";
	size_t fixed = strlen("==7==    by 0x400000: ");
	char *fn;

	(void)state;
	/* 100 KB of garbage on one line. */
	fn = xmalloc(100 * 1024 + 1);
	memset(fn, 'x', 100 * 1024);
	fn[100 * 1024] = '\0';
	sbuf_printf(&b, "==7== %s\n", fn);
	assert_int_equal(parse_mem(&p, b.data, b.len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 1);
	assert_non_null(strstr(p.err.msg, "longer"));
	/* ... unterminated, at the end: still an error, not a cut line. */
	assert_int_equal(parse_mem(&p, b.data, b.len - 1), LEAKCHECK_ERROR);
	/* A frame line of exactly the limit is fine, one byte more is not. */
	fn[LEAKCHECK_MAX_LINE - fixed] = '\0';
	assert_int_equal(parse_record(&p, hdr, 1, fn), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].frames[0].fn.n, LEAKCHECK_MAX_LINE - fixed);
	fn[LEAKCHECK_MAX_LINE - fixed] = 'x';
	fn[LEAKCHECK_MAX_LINE - fixed + 1] = '\0';
	assert_int_equal(parse_record(&p, hdr, 1, fn), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	free(fn);
	sbuf_free(&b);
	parsed_free(&p);
}

static void
test_frames_limit(void **state)
{
	struct parsed p = { 0 };
	const char *hdr = "1 bytes in 1 blocks are definitely lost in loss record 1 of 1";

	(void)state;
	assert_int_equal(parse_record(&p, hdr, LEAKCHECK_MAX_FRAMES, "f (a.c:1)"), LEAKCHECK_OK);
	assert_int_equal(p.recs[0].r.nframes, LEAKCHECK_MAX_FRAMES);
	assert_int_equal(p.recs[0].frames[LEAKCHECK_MAX_FRAMES - 1].ip, 0x400000 + LEAKCHECK_MAX_FRAMES - 1);
	assert_int_equal(parse_record(&p, hdr, LEAKCHECK_MAX_FRAMES + 1, "f (a.c:1)"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, LEAKCHECK_MAX_FRAMES + 2);
	/* A header with no stack. */
	assert_int_equal(parse_record(&p, hdr, 0, "f"), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 2);
	assert_non_null(strstr(p.err.msg, "no stack"));
	parsed_free(&p);
}

static void
test_nul_byte(void **state)
{
	struct parsed p = { 0 };
	size_t len, off;
	char *data = read_data("leakcheck/full_any.txt", &len);
	const char *line3 = data;
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		line3 = memchr(line3, '\n', len) + 1;
	off = (size_t)(line3 - data) + 40;
	data[off] = '\0';
	assert_int_equal(parse_mem(&p, data, len), LEAKCHECK_ERROR);
	assert_int_equal(p.err.line, 3);
	assert_non_null(strstr(p.err.msg, "NUL"));
	assert_int_equal(p.nrecs, 0);
	/* In vgdb's unprefixed chatter too; and in a cut last line. */
	assert_int_equal(parse_mem(&p, "sending\0command\n", 16), LEAKCHECK_ERROR);
	assert_int_equal(parse_mem(&p, "==7== LEAK\0", 11), LEAKCHECK_ERROR);
	free(data);
	parsed_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_frames_limit),
		cmocka_unit_test(test_nul_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
