/* test_vgxml_captures.c - the streaming memcheck XML parser on real
 * valgrind output: the nginx captures (tests/data/memcheck_*.xml) and the
 * captures of the small programs in tests/data/xml/gen/, every error kind,
 * suppressions, threads, a killed run, client leak checks, a fatal signal
 * and raw bytes that are not UTF-8, down to the exact frames. */
#include "vgxml_fixture.h"

#define GEN_DIR "/work/main/tests/data/xml/gen"
#define BUILD_DIR "/tmp/ngx-leaktop-xml-capture"
#define VGPRELOAD "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"

/* ---- the nginx captures ---- */

static void
test_fixture(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;
	size_t i, definite = 0;

	(void)state;
	assert_int_equal(parse_file(&r, "memcheck_fixture.xml"), VGXML_OK);
	assert_int_equal(r.ninfo, 1);
	assert_int_equal(r.pid, 482);
	assert_int_equal(r.ppid, 29713);
	assert_string_equal(r.exe, "/work/main/build/nginx/objs/nginx");
	assert_int_equal(r.nargs, 6);
	assert_string_equal(r.last_arg, "daemon off; master_process off;");
	assert_string_equal(r.vexe, "/usr/bin/valgrind.bin");
	assert_int_equal(r.nvargs, 9);
	assert_string_equal(r.first_varg, "--tool=memcheck");
	assert_int_equal(r.npreamble, 4);
	assert_true(!strncmp(r.preamble3, "Command: /work/main/build/nginx/objs/nginx -p ", 46));
	assert_int_equal(r.nstatus, 2);
	assert_int_equal(r.states[0], VGXML_RUNNING);
	assert_int_equal(r.state_ms[0], 31);
	assert_int_equal(r.states[1], VGXML_FINISHED);
	assert_int_equal(r.state_ms[1], 709);
	assert_int_equal(r.nerrs, 16);
	assert_int_equal(r.kinds[VGXML_K_INVALID_READ], 1);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_CONDITION], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 6);
	assert_int_equal(r.kinds[VGXML_K_LEAK_INDIRECT], 4);
	assert_int_equal(r.kinds[VGXML_K_LEAK_REACHABLE], 4);
	assert_int_equal(r.kinds[VGXML_K_OTHER], 0);
	assert_int_equal(r.ncounts, 2);
	assert_int_equal(r.nsuppcounts, 0);
	assert_int_equal(r.nfatal, 0);

	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_string_equal(e->what, "Invalid read of size 1");
	assert_int_equal(e->tid, 1);
	assert_string_equal(e->threadname, "");
	assert_false(e->has_leak);
	assert_int_equal(e->nstacks, 2);
	assert_int_equal(e->stacks[0].n, 13);
	assert_frame(&e->stacks[0].f[0], 0x1F7B3E, "ngx_http_leaky_bug_invalid_read",
		"/work/main/tests/fixture/ngx_http_leaky_module", "ngx_http_leaky_module.c", 383,
		"/work/main/build/nginx/objs/nginx");
	assert_frame(&e->stacks[0].f[2], 0x172E79, "ngx_http_core_content_phase",
		"/work/main/build/nginx/src/http", "ngx_http_core_module.c", 1259,
		"/work/main/build/nginx/objs/nginx");
	assert_int_equal(e->naux, 1);
	assert_string_equal(e->aux[0].text, "Address 0x4bded60 is 0 bytes after a block of size 16 alloc'd");
	assert_int_equal(e->aux[0].before, 1);
	assert_false(e->aux[0].x);
	assert_string_equal(e->stacks[1].f[0].fn, "malloc");
	assert_string_equal(e->stacks[1].f[0].dir, "");
	assert_string_equal(e->stacks[1].f[0].obj, VGPRELOAD);
	assert_int_equal(e->stacks[1].f[0].line, 0);
	assert_int_equal(e->status_before, 1);

	e = find_error(&r, "0xf");
	assert_int_equal(e->kind, VGXML_K_LEAK_DEFINITE);
	assert_true(e->has_leak);
	assert_int_equal(e->leak.bytes, 26624);
	assert_int_equal(e->leak.blocks, 1);
	assert_int_equal(e->leak.direct, 14336);
	assert_int_equal(e->leak.indirect, 12288);
	assert_int_equal(e->leak.recno, 14);
	assert_int_equal(e->leak.nrecs, 14);
	assert_false(e->leak.has_delta);
	assert_int_equal(e->status_before, 2);
	assert_int_equal(e->unique_id, 15);

	e = find_error(&r, "0xa");
	assert_int_equal(e->leak.bytes, 1560);
	assert_int_equal(e->leak.direct, 1560);
	assert_int_equal(e->leak.indirect, 0);
	assert_string_equal(e->what, "1,560 bytes in 1 blocks are still reachable in loss record 9 of 14");
	for (i = 0; i < r.nerrs; i++)
		definite += r.errs[i].kind == VGXML_K_LEAK_DEFINITE ? r.errs[i].leak.bytes : 0;
	assert_int_equal(definite, 8 + 100 + 100 + 496 + 2176 + 26624);
	run_free(&r);
}

static void
test_crash(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "memcheck_crash.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_WRITE);
	assert_string_equal(e->what, "Invalid write of size 8");
	assert_int_equal(e->nstacks, 1);
	assert_int_equal(e->naux, 1);
	assert_int_equal(e->aux[0].before, 1);	/* after the only stack: a remark */
	assert_string_equal(e->aux[0].text, "Address 0x0 is not stack'd, malloc'd or (recently) free'd");
	assert_frame(&e->stacks[0].f[0], 0x1F7C16, "ngx_http_leaky_crash",
		"/work/main/tests/fixture/ngx_http_leaky_module", "ngx_http_leaky_module.c", 416,
		"/work/main/build/nginx/objs/nginx");
	assert_int_equal(r.nfatal, 1);
	assert_int_equal(r.fatal.tid, 1);
	assert_int_equal(r.fatal.signo, 11);
	assert_string_equal(r.fsigname, "SIGSEGV");
	assert_int_equal(r.fatal.sicode, 1);
	assert_string_equal(r.fevent, "Access not within mapped region");
	assert_true(r.fatal.has_siaddr);
	assert_int_equal(r.fatal.siaddr, 0);
	assert_int_equal(r.fatal.stack.nframes, 13);
	assert_string_equal(r.ffn0, "ngx_http_leaky_crash");
	assert_int_equal(r.fline0, 416);
	assert_string_equal(r.fthread, "");
	assert_int_equal(r.nstatus, 2);
	run_free(&r);
}

/* ---- tests/data/xml captures ---- */

static void
test_every_kind(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/errors.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 21);
	assert_int_equal(r.kinds[VGXML_K_INVALID_READ], 2);
	assert_int_equal(r.kinds[VGXML_K_INVALID_WRITE], 1);
	assert_int_equal(r.kinds[VGXML_K_INVALID_FREE], 1);
	assert_int_equal(r.kinds[VGXML_K_MISMATCHED_FREE], 2);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_VALUE], 1);
	assert_int_equal(r.kinds[VGXML_K_UNINIT_CONDITION], 1);
	assert_int_equal(r.kinds[VGXML_K_SYSCALL_PARAM], 2);
	assert_int_equal(r.kinds[VGXML_K_OVERLAP], 1);
	assert_int_equal(r.kinds[VGXML_K_FISHY_VALUE], 1);
	assert_int_equal(r.kinds[VGXML_K_CLIENT_CHECK], 2);
	assert_int_equal(r.kinds[VGXML_K_INVALID_JUMP], 1);
	assert_int_equal(r.kinds[VGXML_K_INVALID_MEMPOOL], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 2);
	assert_int_equal(r.kinds[VGXML_K_LEAK_INDIRECT], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_POSSIBLE], 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_REACHABLE], 1);
	assert_int_equal(r.kinds[VGXML_K_OTHER], 0);
	assert_int_equal(r.kinds[VGXML_K_CORE_MEM_ERROR], 0);	/* not provokable on amd64 */
	assert_string_equal(r.exe, "./errors");
	assert_int_equal(r.nargs, 0);

	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_frame(&e->stacks[0].f[0], 0x109443, "invalid_read", GEN_DIR, "errors.c", 33,
		BUILD_DIR "/errors");
	assert_frame(&e->stacks[1].f[0], 0x48417B4, "malloc", "", "", 0, VGPRELOAD);
	assert_frame(&e->stacks[1].f[1], 0x10943A, "invalid_read", GEN_DIR, "errors.c", 30,
		BUILD_DIR "/errors");

	/* use after free: the note on the address heads the free stack, the
	 * second note heads the alloc stack */
	e = find_error(&r, "0x2");
	assert_string_equal(e->what, "Invalid read of size 4");
	assert_int_equal(e->nstacks, 3);
	assert_int_equal(e->naux, 2);
	assert_string_equal(e->aux[0].text, "Address 0x4d6fd24 is 4 bytes inside a block of size 16 free'd");
	assert_int_equal(e->aux[0].before, 1);
	assert_string_equal(e->aux[1].text, "Block was alloc'd at");
	assert_int_equal(e->aux[1].before, 2);
	assert_string_equal(e->stacks[1].f[0].fn, "free");
	assert_string_equal(e->stacks[1].f[1].fn, "use_after_free");
	assert_int_equal(e->stacks[1].f[1].line, 53);
	assert_string_equal(e->stacks[2].f[0].fn, "malloc");

	e = find_error(&r, "0x3");
	assert_int_equal(e->kind, VGXML_K_INVALID_FREE);
	assert_string_equal(e->what, "Invalid free() / delete / delete[] / realloc()");
	assert_string_equal(e->stacks[0].f[1].fn, "invalid_free");
	assert_int_equal(e->stacks[0].f[1].line, 64);

	e = find_error(&r, "0x4");
	assert_int_equal(e->kind, VGXML_K_UNINIT_VALUE);
	assert_string_equal(e->what, "Use of uninitialised value of size 8");
	assert_string_equal(e->aux[0].text, "Uninitialised value was created by a heap allocation");
	assert_int_equal(e->stacks[0].f[0].line, 74);

	/* a stack variable: auxwhat + xauxwhat (--read-var-info) + origin */
	e = find_error(&r, "0x7");
	assert_int_equal(e->kind, VGXML_K_SYSCALL_PARAM);
	assert_string_equal(e->what, "Syscall param write(buf) points to uninitialised byte(s)");
	assert_int_equal(e->nstacks, 2);
	assert_int_equal(e->naux, 3);
	assert_string_equal(e->aux[0].text, "Location 0x1fff000571 is 0 bytes inside buf[1],");
	assert_true(e->aux[1].x);
	assert_string_equal(e->aux[1].text, "declared at errors.c:104, in frame #1 of thread 1");
	assert_string_equal(e->aux[1].file, "errors.c");
	assert_string_equal(e->aux[1].dir, "");
	assert_int_equal(e->aux[1].line, 104);
	assert_string_equal(e->aux[2].text, "Uninitialised value was created by a stack allocation");
	assert_int_equal(e->aux[2].before, 1);
	assert_frame(&e->stacks[0].f[0], 0x4B6F350, "write", "./io/../sysdeps/unix/sysv/linux",
		"write.c", 26, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(e->stacks[0].f[1].fn, "syscall_stack");
	assert_int_equal(e->stacks[0].f[1].line, 107);

	e = find_error(&r, "0x8");
	assert_int_equal(e->kind, VGXML_K_OVERLAP);
	assert_string_equal(e->what, "Source and destination overlap in strcpy(0x1fff000570, 0x1fff000571)");
	assert_int_equal(e->stacks[0].f[1].line, 117);

	e = find_error(&r, "0x9");
	assert_int_equal(e->kind, VGXML_K_FISHY_VALUE);
	/* valgrind writes a newline before </what>: trimmed */
	assert_string_equal(e->what,
		"Argument 'size' of function malloc has a fishy (possibly negative) value: -1");
	assert_int_equal(e->stacks[0].f[1].line, 124);

	e = find_error(&r, "0xa");
	assert_int_equal(e->kind, VGXML_K_CLIENT_CHECK);
	assert_string_equal(e->what, "Uninitialised byte(s) found during client check request");
	assert_int_equal(e->stacks[0].f[0].line, 135);
	e = find_error(&r, "0xb");
	assert_string_equal(e->what, "Unaddressable byte(s) found during client check request");
	assert_int_equal(e->stacks[0].f[0].line, 136);

	e = find_error(&r, "0xc");
	assert_int_equal(e->kind, VGXML_K_INVALID_JUMP);
	assert_frame(&e->stacks[0].f[0], 0x10, "", "", "", 0, "");	/* only <ip> */
	/* the jump left no frame for invalid_jump(): main, where it was called */
	assert_frame(&e->stacks[0].f[1], 0x109959, "main", GEN_DIR, "errors.c", 215, BUILD_DIR "/errors");
	assert_int_equal(e->aux[0].before, 1);

	e = find_error(&r, "0xd");
	assert_int_equal(e->kind, VGXML_K_INVALID_MEMPOOL);
	assert_string_equal(e->aux[0].text, "Address 0x10c1a0 is 0 bytes inside data symbol \"pool.0\"");

	e = find_error(&r, "0xe");
	assert_int_equal(e->kind, VGXML_K_MISMATCHED_FREE);
	assert_string_equal(e->what, "Mismatched free() / delete / delete []");
	assert_string_equal(e->stacks[0].f[1].fn, "new_free()");
	assert_string_equal(e->stacks[0].f[1].file, "mismatch.cc");
	assert_int_equal(e->stacks[0].f[1].line, 12);
	assert_string_equal(e->stacks[1].f[0].fn, "operator new[](unsigned long)");
	e = find_error(&r, "0xf");
	assert_string_equal(e->stacks[0].f[0].fn, "operator delete[](void*)");
	assert_int_equal(e->stacks[0].f[1].line, 20);

	e = find_error(&r, "0x12");
	assert_int_equal(e->kind, VGXML_K_LEAK_DEFINITE);
	assert_int_equal(e->leak.bytes, 216);
	assert_int_equal(e->leak.direct, 16);
	assert_int_equal(e->leak.indirect, 200);
	assert_int_equal(e->leak.recno, 3);
	assert_int_equal(e->leak.nrecs, 5);
	assert_string_equal(e->stacks[0].f[1].fn, "leak_indirect");
	assert_int_equal(e->stacks[0].f[1].line, 180);
	e = find_error(&r, "0x11");
	assert_int_equal(e->kind, VGXML_K_LEAK_INDIRECT);
	assert_int_equal(e->leak.bytes, 200);
	assert_int_equal(e->stacks[0].f[1].line, 182);
	e = find_error(&r, "0x13");
	assert_int_equal(e->kind, VGXML_K_LEAK_POSSIBLE);
	assert_int_equal(e->leak.bytes, 300);
	assert_int_equal(e->stacks[0].f[1].line, 189);
	e = find_error(&r, "0x14");
	assert_int_equal(e->kind, VGXML_K_LEAK_REACHABLE);
	assert_int_equal(e->leak.bytes, 400);
	assert_int_equal(e->leak.blocks, 1);
	assert_int_equal(e->stacks[0].f[1].line, 197);
	assert_int_equal(e->status_before, 2);
	run_free(&r);
}

static void
test_suppressions(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;
	size_t i;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/errors_supp.xml"), VGXML_OK);
	/* 19 <error>s, each followed by a top-level <suppression> duplicate */
	assert_int_equal(r.nerrs, 19);
	for (i = 0; i < r.nerrs; i++) {
		assert_string_equal(r.errs[i].supp_name, "insert_a_suppression_name_here");
		assert_true(r.errs[i].supp_text[0] == '{');
		assert_true(r.errs[i].supp_text[strlen(r.errs[i].supp_text) - 1] == '}');
	}
	e = find_error(&r, "0x0");
	assert_string_equal(e->supp_kind, "Memcheck:Addr1");
	assert_string_equal(e->supp_text, "{\n   <insert_a_suppression_name_here>\n   Memcheck:Addr1\n"
		"   fun:invalid_read\n   fun:main\n}");
	assert_int_equal(e->stacks[0].n, 2);	/* --num-callers=6 */
	assert_int_equal(r.ncounts, 16);
	run_free(&r);
}

static void
test_threads(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/threads.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 3);
	e = find_error(&r, "0x0");
	assert_int_equal(e->tid, 2);
	assert_string_equal(e->threadname, "worker-1");
	assert_int_equal(e->kind, VGXML_K_INVALID_READ);
	assert_frame(&e->stacks[0].f[0], 0x1091CC, "worker_bug", GEN_DIR, "threads.c", 20,
		BUILD_DIR "/threads");
	e = find_error(&r, "0x1");
	assert_string_equal(e->threadname, "worker-2");
	assert_int_equal(e->kind, VGXML_K_INVALID_WRITE);
	assert_int_equal(e->stacks[0].f[0].line, 23);
	e = find_error(&r, "0x2");
	assert_string_equal(e->threadname, "");
	assert_int_equal(e->leak.bytes, 67);	/* 33 + 34 */
	assert_int_equal(e->leak.blocks, 2);
	assert_int_equal(e->stacks[0].f[1].line, 40);
	assert_int_equal(r.count_sum, 2);	/* errorcounts: 0x0 counted twice */
	run_free(&r);
}

static void
test_killed(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/killed.xml"), VGXML_TRUNCATED);
	assert_non_null(strstr(r.msg, "truncated"));
	assert_int_equal(r.nerrs, 1);
	e = find_error(&r, "0x0");
	assert_int_equal(e->kind, VGXML_K_UNINIT_CONDITION);
	assert_frame(&e->stacks[0].f[0], 0x10918E, "bug", GEN_DIR, "killed.c", 14, BUILD_DIR "/killed");
	assert_int_equal(r.nstatus, 1);
	assert_int_equal(r.ninfo, 1);
	run_free(&r);
}

static void
test_client_leak_check(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	assert_int_equal(parse_file(&r, "xml/clientleak.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 6);
	assert_int_equal(r.kinds[VGXML_K_LEAK_DEFINITE], 6);
	/* VALGRIND_DO_LEAK_CHECK and VALGRIND_DO_ADDED_LEAK_CHECK: while RUNNING */
	e = find_error(&r, "0x1");
	assert_int_equal(e->status_before, 1);
	assert_false(e->leak.has_delta);
	assert_int_equal(e->leak.bytes, 64);
	assert_int_equal(e->stacks[0].f[1].line, 12);
	e = find_error(&r, "0x5");
	assert_int_equal(e->status_before, 1);
	assert_true(e->leak.has_delta);
	assert_int_equal(e->leak.bytes, 128);
	assert_int_equal(e->leak.bytes_delta, 128);
	assert_int_equal(e->leak.blocks_delta, 1);
	assert_int_equal(e->leak.recno, 4);
	/* the exit check */
	e = find_error(&r, "0x9");
	assert_int_equal(e->status_before, 2);
	assert_int_equal(e->leak.bytes, 128);
	run_free(&r);
}

static void
test_abort_in_thread(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_file(&r, "xml/abort.xml"), VGXML_OK);
	assert_int_equal(r.nfatal, 1);
	assert_int_equal(r.fatal.tid, 2);
	assert_string_equal(r.fthread, "doomed");
	assert_int_equal(r.fatal.signo, 6);
	assert_string_equal(r.fsigname, "SIGABRT");
	assert_int_equal(r.fatal.sicode, -6);
	assert_false(r.fatal.has_siaddr);
	assert_string_equal(r.fevent, "");
	assert_int_equal(r.fatal.stack.nframes, 7);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(r.kinds[VGXML_K_LEAK_POSSIBLE], 1);
	run_free(&r);
}

static void
test_bad_bytes(void **state)
{
	struct t_run r = { 0 };
	const struct t_error *e;

	(void)state;
	/* valgrind wrote a file name with 0xE9 and 0x01 raw: invalid XML */
	assert_int_equal(parse_file(&r, "xml/badbytes.xml"), VGXML_OK);
	assert_int_equal(r.nerrs, 2);
	e = find_error(&r, "0x0");
	assert_string_equal(e->stacks[0].f[0].file, "caf\xef\xbf\xbd\xef\xbf\xbd.c");
	assert_string_equal(e->stacks[0].f[0].fn, "main");
	assert_int_equal(e->stacks[0].f[0].line, 11);
	assert_string_equal(e->stacks[0].f[0].dir, BUILD_DIR);
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_crash),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_suppressions),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_killed),
		cmocka_unit_test(test_client_leak_check),
		cmocka_unit_test(test_abort_in_thread),
		cmocka_unit_test(test_bad_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
