/* test_target_proto.c - the target's TLS, HTTP/2 and stream server
 * before any spawn: the generated config with --tls gets its key and
 * certificate in the private dir and an https:// base URL, --http2 and
 * --stream-directives their listens (the stream server on a port of its
 * own); a user config gives them from its scan; and with a user config
 * or --attach the three options are refused in one line. */
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
#include <unistd.h>

#include "ngxconf.h"
#include "target_int.h"
#include "util.h"

static char tmpdir[] = "/tmp/lt-tproto.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	setenv("TMPDIR", tmpdir, 1);	/* the private dirs land here */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	util_rm_rf(tmpdir);
	return 0;
}

static struct target *
prepared(const struct target_opts *o, char *err, size_t errlen, bool *ok)
{
	struct target *t = target_new(NULL, o, NULL, NULL);

	assert_true(target_make_dir(t, err, errlen));
	*ok = o->conf ? target_prepare_user_conf(t, err, errlen)
		: target_prepare_embedded(t, err, errlen);
	return t;
}

static char *
slurp(const char *path)
{
	char *buf = xcalloc(1, 8192);

	assert_true(util_read_small(path, buf, 8191) > 0);
	return buf;
}

static void
test_generated_tls_http2_stream(void **state)
{
	struct target_opts o = { .tls = true, .http2 = true,
		.stream_directives = "leaky_stream;" };
	char err[256] = "", *crt, *key, *conf, *want;
	unsigned port = 0, sport = 0;
	struct stat st;
	bool ok;
	struct target *t = prepared(&o, err, sizeof err, &ok);

	(void)state;
	assert_true(ok);
	assert_int_equal(sscanf(target_base_url(t), "https://127.0.0.1:%u", &port), 1);
	assert_true(target_http2(t));
	assert_non_null(target_stream_addr(t));
	assert_int_equal(sscanf(target_stream_addr(t), "127.0.0.1:%u", &sport), 1);
	assert_true(sport > 0 && sport != port);
	crt = xasprintf("%s/tls.crt", target_dir(t));
	key = xasprintf("%s/tls.key", target_dir(t));
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	conf = slurp(t->conf);
	want = xasprintf("listen 127.0.0.1:%u ssl http2;", port);
	assert_non_null(strstr(conf, want));
	free(want);
	want = xasprintf("ssl_certificate \"%s\";", crt);
	assert_non_null(strstr(conf, want));
	free(want);
	want = xasprintf("ssl_certificate_key \"%s\";", key);
	assert_non_null(strstr(conf, want));
	free(want);
	want = xasprintf("listen 127.0.0.1:%u;\nleaky_stream;", sport);
	assert_non_null(strstr(conf, want));
	free(want);
	free(conf);
	free(crt);
	free(key);
	target_free(t);
}

static void
test_generated_plain(void **state)
{
	struct target_opts o = { .http2 = true };
	char err[256] = "", *conf;
	bool ok;
	struct target *t = prepared(&o, err, sizeof err, &ok);
	struct stat st;

	(void)state;
	assert_true(ok);
	assert_int_equal(strncmp(target_base_url(t), "http://127.0.0.1:", 17), 0);
	assert_true(target_http2(t));	/* cleartext: prior knowledge */
	assert_null(target_stream_addr(t));
	conf = slurp(t->conf);
	assert_null(strstr(conf, "ssl"));
	assert_null(strstr(conf, "stream"));
	assert_non_null(strstr(conf, " http2;"));
	free(conf);
	conf = xasprintf("%s/tls.key", target_dir(t));
	assert_int_not_equal(stat(conf, &st), 0);	/* no key without --tls */
	free(conf);
	target_free(t);
}

static void
test_user_conf_says_it(void **state)
{
	struct target_opts o = { .conf = NULL };
	char path[512], err[256] = "";
	struct target *t;
	bool ok;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/user.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("events {}\nstream { server { listen 127.0.0.1:9100; leaky_stream; } }\n"
		"http { server { listen 127.0.0.1:8443 ssl; http2 on; } }\n", f);
	fclose(f);
	o.conf = path;
	t = prepared(&o, err, sizeof err, &ok);
	assert_true(ok);
	assert_string_equal(target_base_url(t), "https://127.0.0.1:8443");
	assert_true(target_http2(t));
	assert_string_equal(target_stream_addr(t), "127.0.0.1:9100");
	target_free(t);

	/* a stream listen elsewhere than loopback: no address to send to */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("stream { server { listen 10.1.2.3:9100; } }\nhttp { server { listen 8080; } }\n",
		f);
	fclose(f);
	t = prepared(&o, err, sizeof err, &ok);
	assert_true(ok);
	assert_string_equal(target_base_url(t), "http://127.0.0.1:8080");
	assert_false(target_http2(t));
	assert_null(target_stream_addr(t));
	target_free(t);
}

struct refusal {
	bool tls, http2;
	const char *stream;
	long attach;
	const char *want;
};

static const struct refusal refusals[] = {
	{ true, false, NULL, 0,
		"--tls is for the generated config: your config's listen says ssl itself" },
	{ true, true, "x;", 0,
		"--tls is for the generated config: your config's listen says ssl itself" },
	{ false, true, NULL, 0,
		"--http2 is for the generated config: your config's listen says http2 itself" },
	{ false, false, "x;", 0, "--stream-directives is for the generated config: your "
		"config's stream {} has its own servers" },
	{ false, true, NULL, 4242,
		"--http2 is for the generated config: an attached nginx has its own" },
};

static void
test_refused_with_user_conf_or_attach(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(refusals); i++) {
		struct target_opts o = { .conf = "/nonexistent/nginx.conf", .tls = refusals[i].tls,
			.http2 = refusals[i].http2, .stream_directives = refusals[i].stream,
			.attach_pid = refusals[i].attach };
		struct target *t = target_new(NULL, &o, NULL, NULL);
		char err[256] = "";

		assert_false(target_start(t, err, sizeof err));
		assert_string_equal(err, refusals[i].want);
		assert_null(target_dir(t));	/* refused before the private dir */
		target_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_tls_http2_stream),
		cmocka_unit_test(test_generated_plain),
		cmocka_unit_test(test_user_conf_says_it),
		cmocka_unit_test(test_refused_with_user_conf_or_attach),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
