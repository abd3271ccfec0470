/* sessionfile_fixture.h - shared by the session-file tests
 * (test_sessionfile_carry.c, _reloads.c, _urls.c): a temporary folder for
 * the files, a file written from text, a file opened, a round written, a
 * file loaded (or refused) into a new model, and the session line every
 * hand-written file starts with. Header-only because the Makefile builds
 * each tests/unit/test_*.c on its own.
 *
 * A test defines SF_DIR, its folder's mkdtemp template, before including
 * this, and runs its group with sf_setup and sf_teardown. */
#ifndef LT_TEST_SESSIONFILE_FIXTURE_H
#define LT_TEST_SESSIONFILE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "sessionfile.h"
#include "util.h"

#ifndef SF_DIR
#error "define SF_DIR (a mkdtemp template) before including sessionfile_fixture.h"
#endif

static char sf_dir[] = SF_DIR;

/* The session line of a hand-written file. */
#define SF_HEADER "{\"type\":\"session\",\"ngx_leaktop\":\"0.1.0\",\"nginx\":\"n\",\"version\":\"v\"," \
	"\"debug_palloc\":true,\"started_ms\":1}\n"

/* Group setup and teardown: the folder; each test removes its own files. */
static inline int
sf_setup(void **state)
{
	(void)state;
	return mkdtemp(sf_dir) ? 0 : -1;
}

static inline int
sf_teardown(void **state)
{
	(void)state;
	rmdir(sf_dir);
	return 0;
}

/* sf_dir/name holding text; the caller frees the path. */
static inline char *
sf_write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", sf_dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The error text goes to the output before the assertion that fails, so
 * a failure says why. */
static inline struct sessionfile *
sf_open(const char *path)
{
	struct sessionfile_meta meta = { .nginx = "nginx", .nginx_version = "nginx/1.22.1" };
	char err[256];
	struct sessionfile *j = sessionfile_open(path, &meta, err, sizeof err);

	if (!j)
		print_error("open: %s\n", err);
	assert_non_null(j);
	return j;
}

static inline void
sf_write_round(struct sessionfile *j, const struct model *m)
{
	char err[256];
	bool ok = sessionfile_round(j, m, err, sizeof err);

	if (!ok)
		print_error("write: %s\n", err);
	assert_true(ok);
}

/* path loaded into a new model, which the caller frees. */
static inline struct model *
sf_load(const char *path, bool *torn)
{
	struct model *m = model_new();
	char *ngx = NULL, err[256];
	bool ok = sessionfile_load(path, m, &ngx, torn, err, sizeof err);

	if (!ok)
		print_error("load: %s\n", err);
	assert_true(ok);
	free(ngx);
	return m;
}

/* text, written to sf_dir/name, loaded; the file is removed. */
static inline struct model *
sf_load_text(const char *name, const char *text, bool *torn)
{
	char *path = sf_write_file(name, text);
	struct model *m = sf_load(path, torn);

	unlink(path);
	free(path);
	return m;
}

/* text, written to sf_dir/name, is refused as a malformed round. */
static inline void
sf_assert_refused(const char *name, const char *text)
{
	char *path = sf_write_file(name, text);
	struct model *m = model_new();
	char *ngx = NULL, err[256];
	bool torn, ok = sessionfile_load(path, m, &ngx, &torn, err, sizeof err);

	if (ok)
		print_error("loaded: %s\n", text);
	assert_false(ok);
	assert_non_null(strstr(err, "malformed round"));
	free(ngx);
	model_free(m);
	unlink(path);
	free(path);
}

/* Each of n round lines, after the session line, is refused. */
static inline void
sf_assert_rounds_refused(const char *const *rounds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *text = xasprintf("%s%s", SF_HEADER, rounds[i]);

		sf_assert_refused("bad.jsonl", text);
		free(text);
	}
}

#endif
