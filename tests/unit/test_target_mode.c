/* test_target_mode.c - master or single from the options and the user's
 * config: the scan of daemon / master_process / worker_processes / user,
 * the -g argument (never a directive the config sets), the refusals, and
 * the generated config with workers. Table-driven captured cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ngxconf.h"
#include "target_int.h"
#include "util.h"

struct mode_case {
	const char *conf;	/* NULL: the embedded config */
	unsigned workers;	/* --workers */
	bool root;
	bool add_pid;
	const char *want_g;	/* NULL: refused */
	const char *want_err;	/* a part of the refusal */
	bool master;
	unsigned expect;	/* workers expected */
};

static const struct mode_case cases[] = {
	{ NULL, 0, true, false, "daemon off; master_process off;", NULL, false, 0 },
	{ NULL, 2, true, false, "daemon off; master_process on;", NULL, true, 2 },
	{ "events {}\n", 0, true, true, "daemon off; master_process off; pid \"/p/nginx.pid\";",
		NULL, false, 0 },
	{ "events {}\n", 3, true, false,
		"daemon off; master_process on; worker_processes 3; user root;", NULL, true, 3 },
	{ "events {}\n", 3, false, false, "daemon off; master_process on; worker_processes 3;",
		NULL, true, 3 },
	{ "master_process on;\nworker_processes 2;\n", 0, true, false, "daemon off; user root;",
		NULL, true, 2 },
	{ "master_process on; # worker_processes 9;\n", 0, true, false, "daemon off; user root;",
		NULL, true, 1 },
	{ "master_process on;\nuser root;\n", 0, true, false, "daemon off;", NULL, true, 1 },
	{ "master_process on;\nuser root wheel;\nworker_processes 4;\n", 0, true, false,
		"daemon off;", NULL, true, 4 },
	{ "master_process on;\nuser  nobody nogroup;\n", 0, true, false, NULL,
		"x.conf:2 sets 'user nobody'", false, 0 },
	{ "master_process on;\nuser nobody;\n", 0, false, false, "daemon off;", NULL, true, 1 },
	{ "user nobody;\n", 0, true, false, "daemon off; master_process off;", NULL, false, 0 },
	{ "user nobody;\n", 2, true, false, NULL, "vgdb FIFOs as root", false, 0 },
	{ "worker_processes 4;\n", 2, true, false, NULL,
		"--workers 2 conflicts with x.conf:1 ('worker_processes')", false, 0 },
	{ "\n\nmaster_process off;\n", 2, true, false, NULL,
		"--workers 2 conflicts with x.conf:3 ('master_process off')", false, 0 },
	{ "master_process on;\n", 2, true, false, "daemon off; worker_processes 2; user root;",
		NULL, true, 2 },
	{ "daemon on;\n", 0, true, false, NULL, "x.conf:1 sets 'daemon on'", false, 0 },
	{ "daemon off;\nmaster_process off;\n", 0, true, false, "", NULL, false, 0 },
	{ "daemon off;\nmaster_process \"on\";\nworker_processes 2;\nuser root;\n", 0, true,
		false, "", NULL, true, 2 },
	{ "master_process maybe;\n", 0, true, false, NULL, "must be on or off", false, 0 },
	{ "master_process on;\nworker_processes lots;\n", 0, true, false, NULL,
		"a number or auto", false, 0 },
};

static char *
write_conf(const char *dir, const char *text)
{
	char *path = xasprintf("%s/x.conf", dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_cases(void **state)
{
	char dir[] = "/tmp/lt-mode.XXXXXX";
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);	/* errors name the config as given: x.conf */
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++) {
		const struct mode_case *c = &cases[i];
		struct ngxconf_scan scan;
		struct target_mode m;
		char err[512] = "", *path = NULL, *g;
		bool ok;

		if (c->conf) {
			path = write_conf(dir, c->conf);
			assert_true(ngxconf_scan_file(path, &scan, err, sizeof err));
		}
		ok = target_mode_decide(c->conf ? &scan : NULL, "x.conf", c->workers, c->root, &m,
			err, sizeof err);
		if (c->conf)
			ngxconf_scan_free(&scan);
		if (!c->want_g) {
			if (ok || !strstr(err, c->want_err))
				fail_msg("case %zu: want a refusal with '%s', got ok=%d '%s'", i,
					c->want_err, ok, err);
			assert_null(strchr(err, '\n'));
		} else {
			if (!ok)
				fail_msg("case %zu: refused: %s", i, err);
			g = target_mode_g(&m, c->add_pid ? "/p/nginx.pid" : NULL);
			if (strcmp(g, c->want_g))
				fail_msg("case %zu: -g '%s', want '%s'", i, g, c->want_g);
			free(g);
			assert_int_equal(m.master, c->master);
			if (c->master)
				assert_int_equal(m.workers, c->expect);
		}
		if (path)
			unlink(path);
		free(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_auto_workers(void **state)
{
	char dir[] = "/tmp/lt-mode.XXXXXX", err[256], *path;
	struct ngxconf_scan scan;
	struct target_mode m;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = write_conf(dir, "master_process on;\nworker_processes auto;\n");
	assert_true(ngxconf_scan_file(path, &scan, err, sizeof err));
	assert_string_equal(scan.workers, "auto");
	assert_int_equal(scan.workers_line, 2);
	assert_true(target_mode_decide(&scan, path, 0, false, &m, err, sizeof err));
	assert_int_equal(m.workers, (unsigned)(ncpu > 0 ? ncpu : 1));
	ngxconf_scan_free(&scan);
	unlink(path);
	free(path);
	rmdir(dir);
}

/* The generated config: one process, or N workers with reuseport (and
 * user root when asked). */
static void
test_embedded_workers(void **state)
{
	char dir[] = "/tmp/lt-mode.XXXXXX", err[256], *path;
	struct ngxconf_scan scan;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/conf/nginx.conf", dir);
	assert_true(ngxconf_write_embedded(dir, &(struct ngxconf_embedded){ .port = 8080, .extra_server = NULL, .workers = 3, .user_root = true }, err, sizeof err));
	assert_true(ngxconf_scan_file(path, &scan, err, sizeof err));
	assert_string_equal(scan.workers, "3");
	assert_string_equal(scan.user, "root");
	assert_string_equal(scan.listen, "127.0.0.1:8080");
	assert_null(scan.master);	/* -g says it */
	ngxconf_scan_free(&scan);
	assert_true(ngxconf_write_embedded(dir, &(struct ngxconf_embedded){ .port = 8080, .extra_server = NULL, .workers = 0, .user_root = false }, err, sizeof err));
	assert_true(ngxconf_scan_file(path, &scan, err, sizeof err));
	assert_string_equal(scan.workers, "1");
	assert_null(scan.user);
	ngxconf_scan_free(&scan);
	free(path);
	util_rm_rf(dir);
}

static void
test_reuseport_only_with_workers(void **state)
{
	char dir[] = "/tmp/lt-mode.XXXXXX", err[256], *path, buf[4096];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/conf/nginx.conf", dir);
	assert_true(ngxconf_write_embedded(dir, &(struct ngxconf_embedded){ .port = 8080, .extra_server = NULL, .workers = 2, .user_root = false }, err, sizeof err));
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "listen 127.0.0.1:8080 reuseport;"));
	assert_null(strstr(buf, "user "));
	assert_true(ngxconf_write_embedded(dir, &(struct ngxconf_embedded){ .port = 8080, .extra_server = NULL, .workers = 0, .user_root = false }, err, sizeof err));
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "listen 127.0.0.1:8080;"));
	free(path);
	util_rm_rf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_auto_workers),
		cmocka_unit_test(test_embedded_workers),
		cmocka_unit_test(test_reuseport_only_with_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
