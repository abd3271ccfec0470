/* test_target_supp.c - the suppressions on valgrind's command line: each
 * file as --suppressions=ABS_PATH, and the default set from a file written
 * 0600 in the private dir, both before the nginx binary; none without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "target_int.h"
#include "util.h"

/* A directory of the test's own, where the private dirs land too. */
static char *
fresh_tmp(void)
{
	char *dir = xstrdup("/tmp/lt-tsupp.XXXXXX");

	assert_non_null(mkdtemp(dir));
	setenv("TMPDIR", dir, 1);
	return dir;
}

/* The index of arg in argv, or -1. */
static int
find(char **argv, const char *arg)
{
	int i;

	for (i = 0; argv[i]; i++)
		if (!strcmp(argv[i], arg))
			return i;
	return -1;
}

static void
test_files_and_default(void **state)
{
	static const char text[] = "{\n   x\n   Memcheck:Leak\n   fun:ngx_set_environment\n}\n";
	char *tmpdir = fresh_tmp(), *sub = xasprintf("%s/sub", tmpdir);
	char *file = xasprintf("%s/mine.supp", tmpdir);
	char *given = xasprintf("%s/../mine.supp", sub), *files[] = { given };
	struct target_opts o = { .valgrind = "valgrind", .nginx = "/x/nginx", .num_callers = 12,
		.supp_files = files, .nsupp_files = 1, .supp_text = text };
	char err[256] = "", *want, *dflt, buf[256] = "", **argv;
	struct target *t;
	struct stat st;
	int at_file, at_dflt, at_nginx, fd;

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	fd = open(file, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0 && util_write_all(fd, "# x\n", 4));
	close(fd);
	t = target_new(NULL, &o, NULL, NULL);
	assert_true(target_make_dir(t, err, sizeof err));
	assert_true(target_prepare_embedded(t, err, sizeof err));
	argv = target_argv(t);
	want = xasprintf("--suppressions=%s", file);
	dflt = xasprintf("%s/%s", target_dir(t), TARGET_SUPP_FILE);
	at_file = find(argv, want);
	free(want);
	want = xasprintf("--suppressions=%s", dflt);
	at_dflt = find(argv, want);
	at_nginx = find(argv, "/x/nginx");
	assert_true(at_file > 0);
	assert_true(at_dflt > at_file);
	assert_true(at_nginx > at_dflt);
	assert_int_equal(stat(dflt, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(util_read_small(dflt, buf, sizeof buf - 1), (ssize_t)strlen(text));
	assert_string_equal(buf, text);
	target_argv_free(argv);
	target_free(t);
	free(want);
	free(dflt);
	free(given);
	free(file);
	free(sub);
	util_rm_rf(tmpdir);
	free(tmpdir);
}

static void
test_none(void **state)
{
	struct target_opts o = { .valgrind = "valgrind", .nginx = "/x/nginx", .num_callers = 12 };
	char err[256] = "", **argv, *dflt, *tmpdir = fresh_tmp();
	struct target *t = target_new(NULL, &o, NULL, NULL);
	int i;

	(void)state;
	assert_true(target_make_dir(t, err, sizeof err));
	assert_true(target_prepare_embedded(t, err, sizeof err));
	argv = target_argv(t);
	for (i = 0; argv[i]; i++)
		assert_null(strstr(argv[i], "--suppressions"));
	dflt = xasprintf("%s/%s", target_dir(t), TARGET_SUPP_FILE);
	assert_int_equal(access(dflt, F_OK), -1);
	free(dflt);
	target_argv_free(argv);
	target_free(t);
	util_rm_rf(tmpdir);
	free(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_default),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
