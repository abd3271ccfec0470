/* test_blocks.c - the block_list / who_points_at parser (blocks.h) against
 * real answers of valgrind 3.19 on the fixture nginx (tests/data/owner/,
 * see tests/data/CAPTURED.md), and against broken ones. */
#include "leakcheck_fixture.h"
#include "blocks.h"

#define PALLOC "/build/nginx/src/core/ngx_palloc.c"

struct owned {
	char *text;
	struct blocks_result r;
	struct blocks_error err;
	bool ok;
};

static void
parse_data(struct owned *o, const char *name)
{
	size_t len;

	o->text = read_data(name, &len);
	o->ok = blocks_parse(o->text, len, &o->r, &o->err);
}

static bool
parse_text(struct owned *o, const char *s)
{
	o->text = xstrdup(s);
	o->ok = blocks_parse(o->text, strlen(s), &o->r, &o->err);
	return o->ok;
}

static void
done(struct owned *o)
{
	blocks_result_free(&o->r);
	free(o->text);
}

static void
test_block_list_chain(void **state)
{
	struct owned o;
	const struct blocks_answer *a;

	(void)state;
	/* block_list 226 limited 2 -c block_list 999 -c block_list abc */
	parse_data(&o, "owner/block_list_chain.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.nanswers, 3);
	a = &o.r.answers[0];
	assert_int_equal(a->kind, BLOCKS_LIST);
	assert_int_equal(a->recno, 226);
	assert_int_equal(a->nrecs, 306);
	assert_int_equal(a->nblocks, 2);
	assert_int_equal(a->blocks[0].addr, 0x4B932A0);
	assert_int_equal(a->blocks[0].size, 11);
	assert_int_equal(a->blocks[1].addr, 0x4B99E90);
	assert_int_equal(o.r.answers[1].kind, BLOCKS_BAD_NUMBER);
	assert_int_equal(o.r.answers[2].kind, BLOCKS_BAD_NUMBER);
	done(&o);
}

static void
test_block_list_obsolete(void **state)
{
	struct owned o;

	(void)state;
	/* After a free: the reason, then "invalid loss record nr": one answer. */
	parse_data(&o, "owner/block_list_obsolete.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.nanswers, 1);
	assert_int_equal(o.r.answers[0].kind, BLOCKS_OBSOLETE);
	done(&o);
	assert_true(parse_text(&o, "Can't print block list : no valid leak search result\n"
		"invalid loss record nr\ninvalid loss record nr\n"));
	assert_int_equal(o.r.nanswers, 2);
	assert_int_equal(o.r.answers[0].kind, BLOCKS_NO_SEARCH);
	assert_int_equal(o.r.answers[1].kind, BLOCKS_BAD_NUMBER);
	done(&o);
}

static void
test_who_cycle_pool(void **state)
{
	struct owned o;
	const struct blocks_answer *a;
	const struct blocks_pointer *pt;

	(void)state;
	parse_data(&o, "owner/who_points_at_cycle.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.nanswers, 1);
	a = &o.r.answers[0];
	assert_int_equal(a->kind, BLOCKS_WHO);
	assert_int_equal(a->addr, 0x4b932a0);
	assert_int_equal(a->len, 11);
	assert_int_equal(a->npointers, 1);
	pt = &a->pointers[0];
	assert_int_equal(pt->at, 0x4b3eca8);
	assert_false(pt->interior);
	assert_int_equal(pt->where, BLOCKS_IN_BLOCK);
	assert_int_equal(pt->offset, 14808);
	assert_int_equal(pt->block_size, 16384);
	assert_int_equal(pt->nframes, 6);
	assert_frame(&pt->frames[0], 0x4846990, "memalign", "", 0,
		"/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so");
	assert_frame(&pt->frames[3], 0x125F5B, "ngx_create_pool", PALLOC, 23, "");
	assert_frame(&pt->frames[4], 0x1414BC, "ngx_init_cycle", "/build/nginx/src/core/ngx_cycle.c", 69, "");
	done(&o);
}

static void
test_who_data_symbol(void **state)
{
	struct owned o;
	const struct blocks_answer *a;
	size_t i, stack = 0, block = 0, data = 0;

	(void)state;
	/* The cycle struct: ngx_cycle, two more symbols, stale stack slots,
	 * pool blocks and its own interior pointers. */
	parse_data(&o, "owner/who_points_at_data_symbol.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.nanswers, 1);
	a = &o.r.answers[0];
	assert_int_equal(a->len, 648);
	assert_int_equal(a->npointers, a->npointers_seen);
	assert_int_equal(a->pointers[0].where, BLOCKS_IN_DATA);
	assert_int_equal(a->pointers[0].at, 0x231780);
	assert_int_equal(a->pointers[0].offset, 0);
	assert_slice(a->pointers[0].symbol, "ngx_cycle");
	assert_true(a->pointers[1].interior);
	assert_slice(a->pointers[1].symbol, "notify_event");
	assert_int_equal(a->pointers[1].offset, 32);
	for (i = 0; i < a->npointers; i++) {
		stack += a->pointers[i].where == BLOCKS_ON_STACK;
		block += a->pointers[i].where == BLOCKS_IN_BLOCK;
		data += a->pointers[i].where == BLOCKS_IN_DATA;
		if (a->pointers[i].where != BLOCKS_IN_BLOCK)
			assert_int_equal(a->pointers[i].nframes, 0);
	}
	assert_int_equal(data, 3);
	assert_int_equal(stack, 4);
	assert_int_equal(block + stack + data, a->npointers);
	assert_slice(a->pointers[3].desc, "on thread 1's stack");
	done(&o);
}

static void
test_who_pool_chain(void **state)
{
	struct owned o;
	const struct blocks_pointer *pt;

	(void)state;
	/* A later block of the cycle pool holds the link ... */
	parse_data(&o, "owner/who_points_at_later_pool_block.txt");
	assert_true(o.ok);
	pt = &o.r.answers[0].pointers[0];
	assert_int_equal(pt->offset, 1768);
	assert_frame(&pt->frames[3], 0x1263D0, "ngx_palloc_block", PALLOC, 186, "");
	done(&o);
	/* ... which the previous block's d.next points at (LEN 1 form). */
	parse_data(&o, "owner/who_points_at_pool_block_start.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.answers[0].addr, 0x57d41e0);
	assert_int_equal(o.r.answers[0].len, 1);
	pt = &o.r.answers[0].pointers[0];
	assert_int_equal(pt->at, 0x4d29660);
	assert_int_equal(pt->offset, 16);
	assert_frame(&pt->frames[3], 0x1263D0, "ngx_palloc_block", PALLOC, 186, "");
	done(&o);
}

static void
test_chain_mixed(void **state)
{
	struct owned o;
	static const enum blocks_kind want[] = { BLOCKS_LIST, BLOCKS_WHO, BLOCKS_BAD_NUMBER,
		BLOCKS_WHO, BLOCKS_LIST };
	size_t i;

	(void)state;
	parse_data(&o, "owner/chain_mixed.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.nanswers, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(o.r.answers[i].kind, want[i]);
	assert_int_equal(o.r.answers[0].recno, 304);
	assert_int_equal(o.r.answers[0].nblocks, 2);
	assert_int_equal(o.r.answers[1].addr, 0x58f8410);
	assert_int_equal(o.r.answers[1].pointers[0].nframes, 21);
	assert_int_equal(o.r.answers[3].addr, 0x57d41e0);
	assert_int_equal(o.r.answers[4].recno, 238);
	assert_int_equal(o.r.answers[4].blocks[0].addr, 0x4B932A0);
	done(&o);
}

/* The fixture helper's captures (tests/data/owner/README.md): a pointer's
 * holding block, and which allocator made it. */
static const struct blocks_pointer *
first_pointer(struct owned *o, const char *name, uint64_t addr, size_t npointers)
{
	parse_data(o, name);
	assert_true(o->ok);
	assert_int_equal(o->r.nanswers, 1);
	assert_int_equal(o->r.answers[0].kind, BLOCKS_WHO);
	assert_int_equal(o->r.answers[0].addr, addr);
	assert_int_equal(o->r.answers[0].npointers, npointers);
	return npointers ? &o->r.answers[0].pointers[0] : NULL;
}

static void
test_fixture_chains(void **state)
{
	struct owned o;
	const struct blocks_pointer *pt;

	(void)state;
	/* leak_conn: a later 512 B block of the connection pool, the one before
	 * it, then the block ngx_create_pool made in ngx_event_accept. */
	pt = first_pointer(&o, "owner/who_points_at_leak_conn.txt", 0x4c43d70, 1);
	assert_int_equal(pt->offset, 232);
	assert_int_equal(pt->block_size, 512);
	assert_slice(pt->frames[3].fn, "ngx_palloc_block");
	done(&o);
	pt = first_pointer(&o, "owner/who_points_at_leak_conn_holder1.txt", 0x4c26ab0, 1);
	assert_int_equal(pt->offset, 16);
	assert_slice(pt->frames[3].fn, "ngx_palloc_block");
	done(&o);
	pt = first_pointer(&o, "owner/who_points_at_leak_conn_holder2.txt", 0x4be2f60, 1);
	assert_slice(pt->frames[3].fn, "ngx_create_pool");
	assert_slice(pt->frames[4].fn, "ngx_event_accept");
	assert_slice_ends(pt->frames[4].file, "/src/event/ngx_event_accept.c");
	assert_int_equal(pt->frames[4].line, 159);
	done(&o);
	/* leak_modpool: the pool the module made, which a static keeps */
	pt = first_pointer(&o, "owner/who_points_at_leak_modpool_holder1.txt", 0x5002270, 1);
	assert_int_equal(pt->block_size, 4096);
	assert_slice(pt->frames[4].fn, "ngx_http_leaky_leak_modpool");
	assert_slice_ends(pt->frames[4].file, "/ngx_http_leaky_why.c");
	done(&o);
	pt = first_pointer(&o, "owner/who_points_at_leak_modpool_holder2.txt", 0x4cc87b0, 2);
	assert_int_equal(pt->where, BLOCKS_IN_DATA);
	assert_slice(pt->symbol, "ngx_http_leaky_modpool");
	done(&o);
	/* leak_static: a slot of a static array */
	pt = first_pointer(&o, "owner/who_points_at_leak_static.txt", 0x4cc53c0, 1);
	assert_int_equal(pt->where, BLOCKS_IN_DATA);
	assert_int_equal(pt->offset, 152);
	assert_slice(pt->symbol, "ngx_http_leaky_static_blocks");
	assert_int_equal(pt->nframes, 0);
	done(&o);
	/* a definitely lost block: nothing points at it */
	first_pointer(&o, "owner/who_points_at_leak_alloc_len.txt", 0x50e1e60, 0);
	assert_int_equal(o.r.answers[0].len, 100);
	done(&o);
	/* the record's blocks; bad numbers */
	parse_data(&o, "owner/block_list_leak_modpool.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.answers[0].recno, 328);
	assert_int_equal(o.r.answers[0].nblocks, BLOCKS_MAX_BLOCKS);
	assert_int_equal(o.r.answers[0].nblocks_seen, 300);
	assert_int_equal(o.r.answers[0].blocks[0].size, 200);
	done(&o);
	parse_data(&o, "owner/block_list_bad_zero.txt");
	assert_true(o.ok);
	assert_int_equal(o.r.answers[0].kind, BLOCKS_BAD_NUMBER);
	done(&o);
	parse_data(&o, "owner/block_list_obsolete_bad_record.txt");
	assert_int_equal(o.r.nanswers, 1);
	assert_int_equal(o.r.answers[0].kind, BLOCKS_OBSOLETE);
	done(&o);
}

static void
test_broken(void **state)
{
	static const char *const bad[] = {
		"==1== *0x10 points at 0x20\n",	/* a pointer before any search */
		"==1== 0x10[5]\n",		/* a block outside a list */
		"==1== Searching for pointers pointing in x bytes from 0x1\n",
		"==1== Searching for pointers to 0x\n",
		"==1== Searching for pointers to 0x1\n==1== *0x10 points at\n",
		"==1== Searching for pointers to 0x1\n==1== *0x10 points at 0x1\n Address 0x11 is on thread 1's stack\n",
		"==1== Searching for pointers to 0x1\n==1== *0x10 points at 0x1\n Address 0x10 is 0 bytes inside a block of size x\n",
		"==1== Searching for pointers to 0x1\n==1== *0x10 points at 0x1\n Address 0x10 is 0 bytes inside data symbol \"x\n",
		"==1== Searching for pointers to 0x1\n==1== *0x10 points at 0x1\n Address 0x10 is 0 bytes inside a block of size 8 alloc'd\n==1==    at 0x1: f (x.c:y)\n",
		"==1== 1 bytes in 1 blocks are still reachable in loss record 5 of 4\n",
		"==1== 1 bytes in 1 blocks are still reachable in loss record 1 of 4\n==1== 0x10[5\n",
		"==1== Searching for pointers to 0x11112222333344445\n",
		"==1== Searching for pointers pointing in 99999999999999999999 bytes from 0x1\n",
		"==1== Searching\0 for pointers to 0x1\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(bad); i++) {
		struct blocks_result r;
		struct blocks_error err;
		/* the last one has a NUL inside */
		size_t n = i + 1 == LT_ARRAY_SIZE(bad) ? sizeof "==1== Searching\0 for pointers to 0x1\n" - 1 :
			strlen(bad[i]);

		if (blocks_parse(bad[i], n, &r, &err))
			fail_msg("input %zu parsed: %s", i, bad[i]);
		assert_true(err.line >= 1);
		assert_true(err.msg[0] != '\0');
		blocks_result_free(&r);
	}
}

static void
test_caps_and_noise(void **state)
{
	struct owned o;
	struct sbuf b = SBUF_INIT;
	int i;

	(void)state;
	/* More pointers than kept, each with its description and frame:
	 * counted, not kept; unknown lines skipped; no trailing newline. */
	sbuf_adds(&b, "noise\n==7== Searching for pointers pointing in 8 bytes from 0xa0\n");
	for (i = 0; i < BLOCKS_MAX_POINTERS + 5; i++)
		sbuf_printf(&b, "==7== *0x%x points at 0xa0\n Address 0x%x is 0 bytes inside a block "
			"of size 8 alloc'd\n==7==    at 0x1: malloc (in /x.so)\n", 0x100 + i * 8, 0x100 + i * 8);
	sbuf_adds(&b, " in frame #1, created by f (x.c:1)\n==7== 3 bytes in 1 blocks are possibly "
		"lost in loss record 1 of 1\n==7== 0x10[3]\n==7==   0x20[4] indirect loss record 2");
	sbuf_add(&b, "", 1);
	assert_true(parse_text(&o, b.data));
	assert_int_equal(o.r.nanswers, 2);
	assert_int_equal(o.r.answers[0].npointers, BLOCKS_MAX_POINTERS);
	assert_int_equal(o.r.answers[0].npointers_seen, BLOCKS_MAX_POINTERS + 5);
	assert_int_equal(o.r.answers[0].pointers[BLOCKS_MAX_POINTERS - 1].nframes, 1);
	assert_int_equal(o.r.answers[1].nblocks, 1);
	assert_int_equal(o.r.answers[1].blocks[0].size, 3);
	done(&o);
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_list_chain),
		cmocka_unit_test(test_block_list_obsolete),
		cmocka_unit_test(test_who_cycle_pool),
		cmocka_unit_test(test_who_data_symbol),
		cmocka_unit_test(test_who_pool_chain),
		cmocka_unit_test(test_chain_mixed),
		cmocka_unit_test(test_fixture_chains),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_caps_and_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
