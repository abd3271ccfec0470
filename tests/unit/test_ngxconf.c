/* test_ngxconf.c - what the scan of a user's config says about its
 * listens: http's first listen and its ssl/http2 (as a parameter or as
 * `http2 on;` in the same server, not another's), stream's first listen
 * apart from http's, comments and quotes; the URL and address made of
 * them (loopback or wildcard only); and the generated config's TLS,
 * HTTP/2 and stream lines. Table-driven. */
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
#include "util.h"

struct scan_case {
	const char *conf;
	const char *listen;	/* NULL: none */
	bool ssl, http2;
	const char *stream;	/* NULL: none */
};

static const struct scan_case scans[] = {
	{ "http { server { listen 8080; } }", "8080", false, false, NULL },
	{ "http { server { listen 127.0.0.1:8443 ssl http2; } }", "127.0.0.1:8443", true, true,
		NULL },
	{ "http { server { listen 8443 http2 ssl reuseport; } }", "8443", true, true, NULL },
	{ "http { server { listen [::1]:80 ssl; } }", "[::1]:80", true, false, NULL },
	/* http2 on; in the listen's server, before or after the listen */
	{ "http { server { listen 80; http2 on; } }", "80", false, true, NULL },
	{ "http { server { http2 on; listen 80 ssl; } }", "80", true, false, NULL },
	{ "http { server { listen 80; http2 off; } }", "80", false, false, NULL },
	/* another server's ssl/http2 is not the first listen's */
	{ "http { server { listen 80; } server { listen 443 ssl http2; http2 on; } }", "80", false,
		false, NULL },
	{ "http { server { listen 80; location / { } } server { http2 on; } }", "80", false,
		false, NULL },
	/* stream's listens are stream's, wherever the blocks are */
	{ "stream { server { listen 9000 ssl; } }\nhttp { server { listen 81; } }", "81", false,
		false, "9000" },
	{ "http { server { listen 82 ssl; } }\nstream { server { listen 127.0.0.1:9001; }\n"
		"server { listen 9002; } }", "82", true, false, "127.0.0.1:9001" },
	{ "stream { upstream u { server 127.0.0.1:1; } server { listen 9003; proxy_pass u; } }",
		NULL, false, false, "9003" },
	/* comments and quotes */
	{ "http { server { # listen 1 ssl;\n listen \"8081\" http2; } }", "8081", false, true,
		NULL },
	{ "http { server { listen 83; # ssl http2\n } }", "83", false, false, NULL },
	/* other blocks around it; a mail server's listen is no http one */
	{ "events { }\nhttp { include mime.types; server { listen 84 default_server ssl; } }",
		"84", true, false, NULL },
	{ "mail { server { listen 25 ssl; } }\nhttp { server { listen 85; } }", "85", false,
		false, NULL },
	{ "", NULL, false, false, NULL },
};

static void
scan_text(const char *text, struct ngxconf_scan *s)
{
	char path[] = "/tmp/lt-ngxconf.XXXXXX", err[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(util_write_all(fd, text, strlen(text)));
	close(fd);
	assert_true(ngxconf_scan_file(path, s, err, sizeof err));
	unlink(path);
}

static void
test_scan_listens(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(scans); i++) {
		struct ngxconf_scan s;

		scan_text(scans[i].conf, &s);
		if (scans[i].listen)
			assert_string_equal(s.listen ? s.listen : "(none)", scans[i].listen);
		else
			assert_null(s.listen);
		if (s.listen_ssl != scans[i].ssl || s.listen_http2 != scans[i].http2)
			fail_msg("case %zu (%s): ssl %d http2 %d, want %d %d", i, scans[i].conf,
				s.listen_ssl, s.listen_http2, scans[i].ssl, scans[i].http2);
		if (scans[i].stream)
			assert_string_equal(s.stream_listen ? s.stream_listen : "(none)",
				scans[i].stream);
		else
			assert_null(s.stream_listen);
		ngxconf_scan_free(&s);
	}
}

struct url_case {
	const char *arg;
	bool ssl;
	const char *url;	/* NULL: refused */
	const char *addr;	/* ngxconf_listen_addr */
};

static const struct url_case urls[] = {
	{ "8080", false, "http://127.0.0.1:8080", "127.0.0.1:8080" },
	{ "8443", true, "https://127.0.0.1:8443", "127.0.0.1:8443" },
	{ "*:443", true, "https://127.0.0.1:443", "127.0.0.1:443" },
	{ "127.0.0.2:9000", false, "http://127.0.0.2:9000", "127.0.0.2:9000" },
	{ "localhost:9001", true, "https://127.0.0.1:9001", "127.0.0.1:9001" },
	{ "[::1]:9002", true, "https://[::1]:9002", "[::1]:9002" },
	{ "10.0.0.1:80", false, NULL, NULL },	/* never load elsewhere */
	{ "example.com:443", true, NULL, NULL },
	{ "[::]:80", false, NULL, NULL },
	{ "unix:/run/x.sock", false, NULL, NULL },
	{ "0", false, NULL, NULL },
	{ "65536", false, NULL, NULL },
};

static void
test_listen_url_and_addr(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(urls); i++) {
		char *u = ngxconf_listen_url(urls[i].arg, urls[i].ssl);
		char *a = ngxconf_listen_addr(urls[i].arg);

		if (urls[i].url) {
			assert_string_equal(u ? u : "(null)", urls[i].url);
			assert_string_equal(a ? a : "(null)", urls[i].addr);
		} else if (u || a) {
			fail_msg("%s: want refused, got %s / %s", urls[i].arg, u ? u : "-",
				a ? a : "-");
		}
		free(u);
		free(a);
	}
}

static char *
write_and_read(const struct ngxconf_embedded *cf, char **dir)
{
	char err[256], *path, *text = xmalloc(8192);
	ssize_t n;

	*dir = xstrdup("/tmp/lt-ngxconf-emb.XXXXXX");
	assert_non_null(mkdtemp(*dir));
	assert_true(ngxconf_write_embedded(*dir, cf, err, sizeof err));
	path = xasprintf("%s/conf/nginx.conf", *dir);
	n = util_read_small(path, text, 8192);
	assert_true(n > 0);
	free(path);
	return text;
}

static void
test_embedded_protocols(void **state)
{
	struct ngxconf_embedded cf = { .port = 8443, .tls_crt = "/p d/tls.crt",
		.tls_key = "/p d/tls.key", .http2 = true, .stream_port = 9000,
		.stream_directives = "leaky_stream;", .http_block = "map $uri $lt_x { default 1; }",
		.stream_block = "upstream lt_up { server 127.0.0.1:9; }" };
	struct ngxconf_scan s;
	char *dir, *text, *path;

	(void)state;
	text = write_and_read(&cf, &dir);
	assert_non_null(strstr(text, "listen 127.0.0.1:8443 ssl http2;"));
	assert_non_null(strstr(text, "ssl_certificate \"/p d/tls.crt\";"));
	assert_non_null(strstr(text, "ssl_certificate_key \"/p d/tls.key\";"));
	assert_non_null(strstr(text, "stream {"));
	assert_non_null(strstr(text, "listen 127.0.0.1:9000;"));
	assert_non_null(strstr(text, "leaky_stream;"));
	/* the blocks' own directives beside their server, not in it */
	assert_non_null(strstr(text, "map $uri $lt_x"));
	assert_non_null(strstr(text, "upstream lt_up"));
	assert_true(strstr(text, "map $uri $lt_x") < strstr(text, "    server {"));
	assert_true(strstr(text, "upstream lt_up") > strstr(text, "stream {") &&
		strstr(text, "upstream lt_up") < strstr(text, "listen 127.0.0.1:9000"));
	/* what we write, our scan reads back */
	path = xasprintf("%s/conf/nginx.conf", dir);
	assert_true(ngxconf_scan_file(path, &s, text, 8192));
	assert_string_equal(s.listen, "127.0.0.1:8443");
	assert_true(s.listen_ssl && s.listen_http2);
	assert_string_equal(s.stream_listen, "127.0.0.1:9000");
	ngxconf_scan_free(&s);
	free(path);
	free(text);
	util_rm_rf(dir);
	free(dir);

	cf = (struct ngxconf_embedded){ .port = 8080 };
	text = write_and_read(&cf, &dir);
	assert_non_null(strstr(text, "listen 127.0.0.1:8080;"));
	assert_null(strstr(text, "ssl"));
	assert_null(strstr(text, "http2"));
	assert_null(strstr(text, "stream"));
	free(text);
	util_rm_rf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_listens),
		cmocka_unit_test(test_listen_url_and_addr),
		cmocka_unit_test(test_embedded_protocols),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
