/* test_leakcheck_captures.c - the leak_check text parser against real
 * valgrind output: the captures of tests/data/gen/leaky.c (C++ names,
 * inlined frames, stripped libraries, deep stacks, deltas, heuristics, an
 * empty heap, a rejected command) and of nginx, whose records must add up
 * to the requests sent. */
#include "leakcheck_fixture.h"

#define VGPRELOAD "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"
#define LEAKY_C "/tests/data/gen/leaky.c"

/* ---- real captures of leaky.c ---- */

static void
test_full_any(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_any.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 17);
	assert_int_equal(p.sum.seen, 1);
	assert_int_equal(p.sum.heap_empty, 0);
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1235906, 20);
	assert_total(&p.sum.kind[LEAK_INDIRECT], 248, 3);
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 76800, 2);
	assert_total(&p.sum.suppressed, 0, 0);
	assert_records_match_summary(&p);
	for (i = 0; i < p.nrecs; i++) {
		assert_false(p.recs[i].r.has_delta);
		assert_int_equal(p.recs[i].r.recno, i + 1);
		assert_int_equal(p.recs[i].r.nrecs, 17);
	}

	/* C++: operator new, then an overload with its signature. */
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 8);
	assert_int_equal(r->r.nframes, 5);
	assert_frame(&r->frames[0], 0x4841F2F, "operator new(unsigned long)", "", 0, VGPRELOAD);
	assert_frame(&r->frames[1], 0x1098B8, "lk::leak(double)", "/tests/data/gen/leaky_cxx.cc", 27, "");
	assert_frame(&r->frames[4], 0x1097D2, "main", LEAKY_C, 256, "");
	/* Full paths (--fullpath-after=) come out whole. */
	assert_true(r->frames[4].file.p[0] == '/');

	/* libc's own relative debug path. */
	r = &p.recs[2];
	assert_int_equal(r->r.kind, LEAK_INDIRECT);
	assert_frame(&r->frames[1], 0x4B1A9A9, "strdup", "strdup.c", 42, "");
	assert_slice(r->frames[1].file, "string/./string/strdup.c");

	/* A template name with a space and parentheses. */
	assert_frame(&p.recs[3].frames[1], 0x10991A, "lk::box<long>* lk::make_box<long>(long)",
		"/tests/data/gen/leaky_cxx.cc", 13, "");

	/* Inlined call: two frames, one address, both kept. */
	r = &p.recs[4];
	assert_int_equal(r->r.bytes, 33);
	assert_frame(&r->frames[1], 0x10947B, "inlined_leak", LEAKY_C, 111, "");
	assert_frame(&r->frames[2], 0x10947B, "call_inlined", LEAKY_C, 117, "");

	/* Code with no symbol and no object: "???". */
	r = &p.recs[5];
	assert_int_equal(r->r.nframes, 7);
	assert_frame(&r->frames[3], 0x485700F, "", "", 0, "");
	assert_frame(&r->frames[4], 0x109532, "leak_from_anonymous_code", LEAKY_C, 156, "");

	/* The direct/indirect split. */
	r = &p.recs[6];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 40);
	assert_int_equal(r->r.direct, 8);
	assert_int_equal(r->r.indirect, 32);
	assert_int_equal(r->r.blocks, 1);

	/* A stripped library: "??? (in /path/liblk.so)", then a symbol in it. */
	r = &p.recs[8];
	assert_int_equal(r->r.bytes, 52);
	assert_int_equal(r->frames[1].ip, 0x4853120);
	assert_int_equal(r->frames[1].fn.n, 0);
	assert_slice_ends(r->frames[1].obj, "/liblk.so");
	assert_slice(r->frames[2].fn, "lk_lib_leak");
	assert_slice_ends(r->frames[2].obj, "/liblk.so");

	/* --num-callers=30 cut a deep recursion. */
	r = &p.recs[10];
	assert_int_equal(r->r.nframes, 30);
	assert_frame(&r->frames[29], 0x1094A9, "recurse", LEAKY_C, 127, "");

	/* An interior pointer: possibly lost. */
	r = &p.recs[9];
	assert_int_equal(r->r.kind, LEAK_POSSIBLE);
	assert_frame(&r->frames[1], 0x1093BB, "leak_possible", LEAKY_C, 77, "");

	r = &p.recs[13];
	assert_int_equal(r->r.bytes, 1100);
	assert_int_equal(r->r.blocks, 11);
	assert_int_equal(r->r.direct, 1100);
	assert_int_equal(r->r.indirect, 0);

	r = &p.recs[14];
	assert_int_equal(r->r.kind, LEAK_REACHABLE);
	assert_int_equal(r->r.bytes, 4096);
	assert_frame(&r->frames[1], 0x1093F5, "keep_reachable", LEAKY_C, 86, "");

	/* libstdc++'s startup pool: unwinding ends in junk addresses. */
	r = &p.recs[15];
	assert_int_equal(r->r.bytes, 72704);
	assert_frame(&r->frames[6], 0x1, "", "", 0, "");
	assert_slice_ends(r->frames[1].obj, "/libstdc++.so.6.0.30");

	r = &p.recs[16];
	assert_int_equal(r->r.bytes, 1234567);
	assert_slice(r->frames[2].fn,
		"ngx_http_leaky_module_allocate_a_buffer_for_the_request_body_and_forget_to_release_it");
	assert_int_equal(r->frames[2].line, 102);
	parsed_free(&p);
}

static void
test_full_increased(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_increased.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 5);
	for (i = 0; i < p.nrecs; i++) {
		assert_true(p.recs[i].r.has_delta);
		assert_int_equal(p.recs[i].r.nrecs, 22);
	}
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_INDIRECT);
	assert_int_equal(r->r.recno, 4);
	assert_int_equal(r->r.bytes_delta, 16);
	assert_frame(&r->frames[3], 0x1095CA, "leak_more", LEAKY_C, 192, "");

	/* "232 (+232) (16 (+16) direct, 216 (+216) indirect) bytes in 1 (+1)" */
	r = &p.recs[3];
	assert_int_equal(r->r.kind, LEAK_DEFINITE);
	assert_int_equal(r->r.bytes, 232);
	assert_int_equal(r->r.bytes_delta, 232);
	assert_int_equal(r->r.direct, 16);
	assert_int_equal(r->r.indirect, 216);
	assert_int_equal(r->r.blocks, 1);
	assert_int_equal(r->r.blocks_delta, 1);
	assert_int_equal(r->r.recno, 17);

	r = &p.recs[4];
	assert_int_equal(r->r.bytes, 500);
	assert_int_equal(r->r.blocks, 5);
	assert_int_equal(r->r.blocks_delta, 5);

	/* Summary lines with deltas. */
	assert_total(&p.sum.kind[LEAK_DEFINITE], 1236422, 26);
	assert_total(&p.sum.kind[LEAK_INDIRECT], 464, 5);
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 76928, 10);
	parsed_free(&p);
}

static void
test_full_changed(void **state)
{
	struct parsed p = { 0 };
	const struct rec_copy *r;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_changed.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 3);
	/* A freed record is printed once more, at zero, with its stack. */
	r = &p.recs[0];
	assert_int_equal(r->r.kind, LEAK_REACHABLE);
	assert_int_equal(r->r.bytes, 0);
	assert_int_equal(r->r.blocks, 0);
	assert_int_equal(r->r.bytes_delta, -4096);
	assert_int_equal(r->r.blocks_delta, -1);
	assert_int_equal(r->r.nframes, 4);
	assert_frame(&r->frames[1], 0x1093F5, "keep_reachable", LEAKY_C, 86, "");
	assert_int_equal(p.recs[1].r.bytes_delta, -128);
	assert_int_equal(p.recs[1].r.blocks_delta, -8);
	/* Record numbers have gaps: only the changed ones are printed. */
	assert_int_equal(p.recs[2].r.recno, 15);
	assert_int_equal(p.recs[2].r.nrecs, 23);
	assert_int_equal(p.recs[2].r.bytes_delta, 100);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 72704, 1);
	parsed_free(&p);
}

static void
test_no_records(void **state)
{
	static const char *const files[] = {
		"leakcheck/summary.txt",		/* "To see details of leaked memory, ..." */
		"leakcheck/full_changed_nothing.txt",
		"leakcheck/full_default.txt",	/* "Reachable blocks ... are not shown." */
	};
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(files); i++) {
		assert_int_equal(parse_file(&p, files[i]), LEAKCHECK_OK);
		assert_int_equal(p.nrecs, 0);
		assert_int_equal(p.sum.seen, 1);
		assert_total(&p.sum.kind[LEAK_DEFINITE], 1236522, 27);
		assert_total(&p.sum.kind[LEAK_INDIRECT], 464, 5);
		assert_total(&p.sum.kind[LEAK_POSSIBLE], 112, 2);
		assert_total(&p.sum.kind[LEAK_REACHABLE], 72704, 1);
		assert_total(&p.sum.suppressed, 0, 0);
	}
	parsed_free(&p);
}

#define HEUR_OF_WHICH "   of which reachable via heuristic:\n"
#define HEUR_LENGTH64 "   length64           : 48 bytes in 1 blocks\n"

static void
test_heuristics(void **state)
{
	struct parsed p = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/full_heuristics.txt"), LEAKCHECK_OK);
	/* The summary has the heuristic block, which must not upset it. */
	assert_non_null(memmem(p.buf, p.len, HEUR_OF_WHICH, strlen(HEUR_OF_WHICH)));
	assert_non_null(memmem(p.buf, p.len, HEUR_LENGTH64, strlen(HEUR_LENGTH64)));
	assert_int_equal(p.nrecs, 21);
	/* Record 1 of 22 is the empty one left by the frees: not printed. */
	assert_int_equal(p.recs[0].r.recno, 2);
	/* length64 heuristic: the block is reachable now. */
	for (i = 0; i < p.nrecs; i++)
		if (p.recs[i].r.bytes == 48)
			break;
	assert_true(i < p.nrecs);
	assert_int_equal(p.recs[i].r.kind, LEAK_REACHABLE);
	assert_slice(p.recs[i].frames[1].fn, "keep_length64");
	assert_total(&p.sum.kind[LEAK_POSSIBLE], 64, 1);
	assert_total(&p.sum.kind[LEAK_REACHABLE], 72752, 2);
	assert_records_match_summary(&p);
	parsed_free(&p);
}

static void
test_empty_heap(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/empty_heap.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 0);
	assert_int_equal(p.sum.seen, 1);
	assert_int_equal(p.sum.heap_empty, 1);
	assert_total(&p.sum.kind[LEAK_DEFINITE], 0, 0);
	assert_int_equal(parse_file(&p, "leakcheck/empty_heap_summary.txt"), LEAKCHECK_OK);
	assert_int_equal(p.sum.heap_empty, 1);
	parsed_free(&p);
}

static void
test_command_rejected(void **state)
{
	struct parsed p = { 0 };

	(void)state;
	assert_int_equal(parse_file(&p, "leakcheck/bad_command.txt"), LEAKCHECK_COMMAND);
	assert_int_equal(p.err.line, 2);
	assert_non_null(strstr(p.err.msg, "fulll does not match"));
	assert_int_equal(p.sum.seen, 0);
	/* valgrind 3.19 complains about a bad number yet still runs a search. */
	assert_int_equal(parse_str(&p, "sending command leak_check limited to pid 9\n"
		"missing or malformed integer value\n==9== LEAK SUMMARY:\n"), LEAKCHECK_COMMAND);
	assert_int_equal(parse_str(&p, "command 'nosuchcmd' not recognised\n"), LEAKCHECK_COMMAND);
	parsed_free(&p);
}

/* ---- real captures of nginx (tests/data/CAPTURED.md) ---- */

/* Bytes, blocks, direct of the records of kind k whose stack holds fn. */
static void
site_totals(const struct parsed *p, enum leak_kind k, const char *fn, uint64_t *out)
{
	size_t i, j;

	out[0] = out[1] = out[2] = 0;
	for (i = 0; i < p->nrecs; i++) {
		const struct rec_copy *r = &p->recs[i];

		if (r->r.kind != k)
			continue;
		for (j = 0; j < r->r.nframes && !slice_eq(r->frames[j].fn, fn); j++)
			;
		if (j == r->r.nframes)
			continue;
		out[0] += r->r.bytes;
		out[1] += r->r.blocks;
		out[2] += r->r.direct;
	}
}

static void
test_nginx_captures(void **state)
{
	static const char *const rounds[] = {
		"leak_check_full_any_1.txt", "leak_check_full_any_2.txt", "leak_check_full_any_3.txt",
	};
	struct parsed p = { 0 };
	uint64_t t[3];
	size_t i, j;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(rounds); i++) {
		uint64_t n = 20 * (i + 1);	/* requests per leak location so far */

		assert_int_equal(parse_file(&p, rounds[i]), LEAKCHECK_OK);
		assert_true(p.nrecs > 100);
		assert_int_equal(p.recs[p.nrecs - 1].r.recno, p.nrecs);
		assert_records_match_summary(&p);
		for (j = 0; j < p.nrecs; j++)
			assert_slice(p.recs[j].frames[0].obj, VGPRELOAD);
		/* leak_alloc: 100 B definitely lost per request. */
		site_totals(&p, LEAK_DEFINITE, "ngx_http_leaky_leak_alloc", t);
		assert_int_equal(t[0], 100 * n);
		assert_int_equal(t[1], n);
		/* leak_struct: 48 B lost, pointing to 200 B indirectly lost. */
		site_totals(&p, LEAK_DEFINITE, "ngx_http_leaky_leak_struct", t);
		assert_int_equal(t[0], 248 * n);
		assert_int_equal(t[2], 48 * n);
		site_totals(&p, LEAK_INDIRECT, "ngx_http_leaky_leak_struct", t);
		assert_int_equal(t[0], 200 * n);
	}
	assert_int_equal(parse_file(&p, "leak_check_full_reachable_increased.txt"), LEAKCHECK_OK);
	assert_true(p.nrecs > 0);
	for (j = 0; j < p.nrecs; j++)
		assert_true(p.recs[j].r.has_delta && p.recs[j].r.bytes_delta > 0);
	assert_int_equal(parse_file(&p, "leak_check_full_reachable_changed.txt"), LEAKCHECK_OK);
	for (j = 0; j < p.nrecs && p.recs[j].r.bytes; j++)
		;
	assert_true(j < p.nrecs);	/* the closed connection's records, at zero */
	assert_true(p.recs[j].r.bytes_delta < 0);
	assert_int_equal(parse_file(&p, "leak_check_summary.txt"), LEAKCHECK_OK);
	assert_int_equal(p.nrecs, 0);
	assert_int_equal(p.sum.seen, 1);
	parsed_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_any),
		cmocka_unit_test(test_full_increased),
		cmocka_unit_test(test_full_changed),
		cmocka_unit_test(test_no_records),
		cmocka_unit_test(test_heuristics),
		cmocka_unit_test(test_empty_heap),
		cmocka_unit_test(test_command_rejected),
		cmocka_unit_test(test_nginx_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
