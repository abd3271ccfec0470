/* test_vgxml_fields.c - the streaming memcheck XML parser reads the fields
 * of an <error>: unknown elements skipped with their subtree, numbers that
 * do not fit refused, the leak text beyond <leakedbytes> split into
 * direct/indirect and deltas, and the error kinds' names. */
#include "vgxml_fixture.h"

/* Unknown elements (and namespaced ones) are skipped with their subtree. */
static void
test_unknown_elements(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_str(&r, HEAD "<clientmsg><tid>1</tid><text>hi</text></clientmsg>\n"
		"<suppression><sname>x</sname></suppression>\n"
		"<error><unique>0x5</unique><new><kind>Bogus</kind><error/></new><tid>3</tid>"
		"<kind>SomethingNew</kind><what>w<b>bold</b>!</what>"
		"<stack><frame><ip>0x1</ip><x:fn xmlns:x=\"urn:x\">no</x:fn><fn>f</fn><extra>1</extra></frame></stack>"
		"<stack/></error></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(r.errs[0].kind, VGXML_K_OTHER);
	assert_string_equal(r.errs[0].kind_name, "SomethingNew");
	assert_string_equal(r.errs[0].what, "w!");
	assert_int_equal(r.errs[0].tid, 3);
	assert_int_equal(r.errs[0].nstacks, 2);
	assert_int_equal(r.errs[0].stacks[0].n, 1);
	assert_string_equal(r.errs[0].stacks[0].f[0].fn, "f");
	assert_int_equal(r.errs[0].stacks[1].n, 0);
	run_free(&r);
}

static void
test_bad_numbers(void **state)
{
	static const char *const docs[] = {
		HEAD ERR0 "<stack><frame><ip>zz</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1ffffffffffffffff</ip></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1</ip><line>-1</line></frame></stack></error>",
		HEAD ERR0 "<stack><frame><ip>0x1</ip><line>4294967296</line></frame></stack></error>",
		HEAD "<error><unique>12</unique></error>",
		HEAD "<error><unique>0x0</unique><tid>1.5</tid></error>",
		HEAD "<error><unique>0x0</unique><xwhat><leakedbytes>18446744073709551616</leakedbytes></xwhat></error>",
		HEAD "<fatal_signal><sicode>--1</sicode></fatal_signal>",
		HEAD "<fatal_signal><signo>2147483648</signo></fatal_signal>",
		HEAD "<pid>x</pid>",
	};
	struct t_run r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(docs); i++) {
		r.light = true;
		if (parse_str(&r, docs[i]) != VGXML_ERROR || strncmp(r.msg, "bad <", 5))
			fail_msg("doc %zu: rc %d \"%s\"", i, r.rc, r.msg);
		run_free(&r);
	}
	/* limits that still fit */
	assert_int_equal(parse_str(&r, HEAD "<fatal_signal><signo>2147483647</signo><sicode>-2147483648</sicode>"
		"<siaddr>0xFFFFFFFFFFFFFFFF</siaddr></fatal_signal></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.fatal.signo, 2147483647);
	assert_int_equal(r.fatal.sicode, INT32_MIN);
	assert_int_equal(r.fatal.siaddr, UINT64_MAX);
	run_free(&r);
}

/* The leak text beyond <leakedbytes>: split, deltas (VALGRIND.md shapes). */
static void
test_leak_text(void **state)
{
	static const struct {
		const char *text;
		uint64_t direct, indirect;
		int has_delta;
		int64_t dbytes, dblocks;
		unsigned recno, nrecs;
	} cases[] = {
		{ "336 (+168) (48 (+24) direct, 288 (+144) indirect) bytes in 2 (+1) blocks are definitely lost in loss record 11 of 13",
			48, 288, 1, 168, 1, 11, 13 },
		{ "0 (-48) bytes in 0 (-1) blocks are possibly lost in loss record 1 of 2", 7, 0, 1, -48, -1, 1, 2 },
		{ "1,234,567 bytes in 1,000 blocks are still reachable in loss record 1,000 of 1,001",
			7, 0, 0, 0, 0, 1000, 1001 },
		{ "12 (3 direct, x indirect) bytes in 1 blocks are definitely lost in loss record 1 of 1",
			7, 0, 0, 0, 0, 0, 0 },
		{ "12 (+) bytes in 1 blocks are definitely lost in loss record 1 of 1", 7, 0, 0, 0, 0, 0, 0 },
		{ "12 bytes in 1 blocks are definitely lost in loss record 4294967296 of 1", 7, 0, 0, 0, 0, 0, 0 },
		{ "whatever", 7, 0, 0, 0, 0, 0, 0 },
		{ "", 7, 0, 0, 0, 0, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++) {
		struct t_run r = { 0 };
		char *doc = xasprintf(HEAD "<error><unique>0x1</unique><tid>1</tid><kind>Leak_PossiblyLost</kind>"
			"<xwhat><text>%s</text><leakedbytes>7</leakedbytes><leakedblocks>1</leakedblocks></xwhat>"
			"</error></valgrindoutput>", cases[i].text);

		assert_int_equal(parse_str(&r, doc), VGXML_OK);
		assert_int_equal(r.nerrs, 1);
		assert_true(r.errs[0].has_leak);
		assert_int_equal(r.errs[0].leak.bytes, 7);
		assert_int_equal(r.errs[0].leak.blocks, 1);
		if (r.errs[0].leak.direct != cases[i].direct || r.errs[0].leak.indirect != cases[i].indirect ||
			r.errs[0].leak.has_delta != (cases[i].has_delta != 0) ||
			r.errs[0].leak.bytes_delta != cases[i].dbytes ||
			r.errs[0].leak.blocks_delta != cases[i].dblocks ||
			r.errs[0].leak.recno != cases[i].recno || r.errs[0].leak.nrecs != cases[i].nrecs)
			fail_msg("case %zu: %" PRIu64 "/%" PRIu64 " delta %d %" PRId64 "/%" PRId64 " rec %u/%u", i,
				r.errs[0].leak.direct, r.errs[0].leak.indirect, r.errs[0].leak.has_delta,
				r.errs[0].leak.bytes_delta, r.errs[0].leak.blocks_delta, r.errs[0].leak.recno,
				r.errs[0].leak.nrecs);
		free(doc);
		run_free(&r);
	}
}

static void
test_kinds(void **state)
{
	int k;

	(void)state;
	for (k = 1; k < VGXML_K_COUNT; k++) {
		const char *n = vgxml_kind_name((enum vgxml_kind)k);

		assert_true(strlen(n) > 0);
		assert_int_equal(vgxml_kind_from_name(n, strlen(n)), k);
	}
	assert_string_equal(vgxml_kind_name(VGXML_K_OTHER), "");
	assert_string_equal(vgxml_kind_name(VGXML_K_COUNT), "");
	assert_int_equal(vgxml_kind_from_name("InvalidRea", 10), VGXML_K_OTHER);
	assert_int_equal(vgxml_kind_from_name("Race", 4), VGXML_K_OTHER);
	assert_string_equal(vgxml_kind_name(VGXML_K_CORE_MEM_ERROR), "CoreMemError");
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_DEFINITE), LEAK_DEFINITE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_INDIRECT), LEAK_INDIRECT);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_POSSIBLE), LEAK_POSSIBLE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_LEAK_REACHABLE), LEAK_REACHABLE);
	assert_int_equal(vgxml_kind_leak(VGXML_K_INVALID_READ), -1);
	assert_int_equal(vgxml_kind_leak(VGXML_K_OTHER), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_elements),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_leak_text),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
