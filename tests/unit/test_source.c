/* test_source.c - finding and reading the sources behind frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui_source.h"
#include "util.h"

static char tmp[] = "/tmp/lt-source-XXXXXX";

static void
put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, rel), *slash = strrchr(path, '/');
	FILE *f;

	char *p;

	/* mkdir -p of the directories below tmp */
	for (p = path + strlen(tmp) + 1; p <= slash; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmp))
		return -1;
	put("new/checkout/src/mod/x.c", "one\ntwo\r\nthree");
	put("new/checkout/other/x.c", "wrong file\n");
	put("plain.c", "a\n\tb\n");
	put("empty.c", "");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return util_rm_rf(tmp);
}

static void
test_resolve(void **state)
{
	char *dirs[] = { NULL, NULL };
	char *plain = xasprintf("%s/plain.c", tmp), *root = xasprintf("%s/new/checkout", tmp);
	char *want = xasprintf("%s/new/checkout/src/mod/x.c", tmp), *got;

	(void)state;
	got = tui_source_resolve(plain, NULL, 0);	/* where valgrind says */
	assert_string_equal(got, plain);
	free(got);
	/* built in /old/build, moved: the longest suffix under the dir wins,
	 * not the first file with the same name */
	dirs[0] = "/nonexistent";
	dirs[1] = root;
	got = tui_source_resolve("/old/build/src/mod/x.c", dirs, 2);
	assert_string_equal(got, want);
	free(got);
	assert_null(tui_source_resolve("/old/build/src/mod/y.c", dirs, 2));
	assert_null(tui_source_resolve("", dirs, 2));
	assert_null(tui_source_resolve(tmp, NULL, 0));	/* a directory */
	free(plain);
	free(root);
	free(want);
}

static void
test_lines(void **state)
{
	char *root = xasprintf("%s/new/checkout", tmp), *dirs[] = { root };
	struct tui_source_cache *c = tui_source_cache_new(dirs, 1);
	const struct tui_source_file *f;
	char err[256];
	const char *l;
	size_t len;

	(void)state;
	f = tui_source_get(c, "/old/build/src/mod/x.c", err, sizeof err);
	assert_non_null(f);
	assert_int_equal(tui_source_nlines(f), 3);
	l = tui_source_line(f, 1, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(l, "one", 3);
	l = tui_source_line(f, 2, &len);	/* CRLF */
	assert_int_equal(len, 3);
	assert_memory_equal(l, "two", 3);
	l = tui_source_line(f, 3, &len);	/* no newline at the end */
	assert_int_equal(len, 5);
	assert_memory_equal(l, "three", 5);
	assert_null(tui_source_line(f, 4, &len));
	assert_null(tui_source_line(f, 0, &len));
	/* cached: the same file, not read again */
	assert_ptr_equal(tui_source_get(c, "/old/build/src/mod/x.c", err, sizeof err), f);
	assert_null(tui_source_get(c, "/old/build/src/missing.c", err, sizeof err));
	assert_non_null(strstr(err, "source not found: /old/build/src/missing.c"));
	tui_source_cache_free(c);
	free(root);
}

static void
test_trailing_newline_and_empty(void **state)
{
	struct tui_source_cache *c = tui_source_cache_new(NULL, 0);
	char *plain = xasprintf("%s/plain.c", tmp), *empty = xasprintf("%s/empty.c", tmp);
	const struct tui_source_file *f;
	char err[256];
	size_t len;

	(void)state;
	f = tui_source_get(c, plain, err, sizeof err);
	assert_non_null(f);
	assert_int_equal(tui_source_nlines(f), 2);
	assert_memory_equal(tui_source_line(f, 2, &len), "\tb", 2);	/* tabs kept: the view expands */
	assert_int_equal(len, 2);
	f = tui_source_get(c, empty, err, sizeof err);
	assert_non_null(f);
	assert_int_equal(tui_source_nlines(f), 1);
	tui_source_line(f, 1, &len);
	assert_int_equal(len, 0);
	tui_source_cache_free(c);
	free(plain);
	free(empty);
}

static void
test_refuses_fifo_and_huge(void **state)
{
	struct tui_source_cache *c = tui_source_cache_new(NULL, 0);
	char *fifo = xasprintf("%s/fifo.c", tmp), *huge = xasprintf("%s/huge.c", tmp);
	char err[256];
	int fd;

	(void)state;
	/* a FIFO where a source was: refused at once, not a hung screen */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_null(tui_source_get(c, fifo, err, sizeof err));
	assert_non_null(strstr(err, "source not found"));
	fd = open(huge, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)TUI_SOURCE_MAX_BYTES + 1), 0);
	close(fd);
	assert_null(tui_source_get(c, huge, err, sizeof err));
	assert_non_null(strstr(err, "too big"));
	tui_source_cache_free(c);
	unlink(fifo);
	unlink(huge);
	free(fifo);
	free(huge);
}

static void
test_cache_evicts(void **state)
{
	struct tui_source_cache *c = tui_source_cache_new(NULL, 0);
	char *plain = xasprintf("%s/plain.c", tmp);
	char err[256], name[64];
	const struct tui_source_file *f;
	int i;

	(void)state;
	f = tui_source_get(c, plain, err, sizeof err);
	assert_non_null(f);
	/* more misses than the cache holds: the oldest entry goes, lookups
	 * still answer right */
	for (i = 0; i < TUI_SOURCE_CACHE_FILES * 2; i++) {
		snprintf(name, sizeof name, "/missing/%d.c", i);
		assert_null(tui_source_get(c, name, err, sizeof err));
	}
	f = tui_source_get(c, plain, err, sizeof err);
	assert_non_null(f);
	assert_int_equal(tui_source_nlines(f), 2);
	tui_source_cache_free(c);
	free(plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_trailing_newline_and_empty),
		cmocka_unit_test(test_refuses_fifo_and_huge),
		cmocka_unit_test(test_cache_evicts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
