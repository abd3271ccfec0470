/* test_burst_kinds.c - kinds of request against a real nginx
 * (burst_nginx.h): each kind's method, headers (its own instead of the
 * spec's, or the spec's) and binary body reach nginx as that kind, on
 * easy handles shared by every kind (a GET after a HEAD on the same
 * handle gets its body again, a GET after a POST sends none), over
 * HTTP/1.1 and HTTP/2; the weights give each kind its planned count
 * (burst_plan_weighted); burst_set_reqs copies the kinds. nginx logs
 * "method|X-Kind|Content-Length|status|bytes|protocol|connection". */
#include "burst_nginx.h"
#include "burst_int.h"

static char *kind_a[] = { "X-Kind: a" };
static char *spec_hdr[] = { "X-Kind: spec" };

/* GET with its own header; POST with a binary body; PUT with an empty
 * body and the spec's header; HEAD with no header at all. */
static void
four_kinds(struct burst_req *r)
{
	static char *kind_b[] = { "X-Kind: b" };

	memset(r, 0, 4 * sizeof *r);
	r[0].headers = kind_a;
	r[0].nheaders = 1;
	r[0].own_headers = true;
	r[1].method = "POST";
	r[1].headers = kind_b;
	r[1].nheaders = 1;
	r[1].own_headers = true;
	r[1].body = "x\0yz";
	r[1].body_len = 4;
	r[1].own_body = true;
	r[2].method = "PUT";
	r[2].body = "";
	r[2].own_body = true;
	r[3].method = "HEAD";
	r[3].own_headers = true;
}

static void
expect_kinds(struct fix *f, const char *proto, const unsigned long *before)
{
	const char *needle[4] = { "GET|a|-|200|6|", "POST|b|4|200|7|", "PUT|spec|0|200|9|",
		"HEAD|-|-|200|0|" };
	char buf[64];
	size_t k;

	for (k = 0; k < 4; k++) {
		snprintf(buf, sizeof buf, "%s%s|", needle[k], proto);
		assert_true(burst_url_sent(f->burst, k) > 0);
		assert_int_equal(ngx_log_count(&ngx, "access.log", buf) - before[k],
			burst_url_sent(f->burst, k));
		assert_int_equal(burst_url_reached(f->burst, k), burst_url_sent(f->burst, k));
	}
}

static void
run_kinds(struct fix *f, int port, bool http2, const char *proto)
{
	/* HTTP/2: where nginx reads the body (burst_nginx.h) */
	char *url = xasprintf("%s%s", ngx.url[port], http2 ? "read/" : "");
	char *urls[4] = { url, url, url, url };
	const char *needle[4] = { "GET|a|-|200|6|", "POST|b|4|200|7|", "PUT|spec|0|200|9|",
		"HEAD|-|-|200|0|" };
	struct burst_req r[4];
	struct burst_spec sp;
	unsigned long before[4];
	char buf[64];
	size_t k;

	four_kinds(r);
	/* one slot: every kind follows every other on the same handle */
	sp = ngx_spec(urls, r, 4, 80, 1);
	sp.headers = spec_hdr;
	sp.nheaders = 1;
	sp.http2 = http2;
	for (k = 0; k < 4; k++) {
		snprintf(buf, sizeof buf, "%s%s|", needle[k], proto);
		before[k] = ngx_log_count(&ngx, "access.log", buf);
	}
	ngx_burst(f, &sp);
	ngx_run_burst(f);
	if (getenv("LT_DEBUG"))
		fprintf(stderr, "%s: 2xx %lu 4xx %lu 5xx %lu errors %lu '%s'\n", proto,
			f->st.status[2], f->st.status[4], f->st.status[5], f->st.transport_errors,
			f->st.last_error);
	if (getenv("LT_DEBUG"))
		for (k = 0; k < 4; k++)
			fprintf(stderr, "  kind %zu sent %lu reached %lu\n", k,
				burst_url_sent(f->burst, k), burst_url_reached(f->burst, k));
	assert_int_equal(f->st.done, 80);
	assert_int_equal(f->st.status[2], 80);
	assert_int_equal(f->st.transport_errors, 0);
	expect_kinds(f, proto, before);
	burst_free(f->burst);
	f->burst = NULL;
	free(url);
}

static void
test_kinds_reach_nginx(void **state)
{
	run_kinds(*state, NGX_HTTP, false, "HTTP/1.1");
	run_kinds(*state, NGX_TLS, false, "HTTP/1.1");
	run_kinds(*state, NGX_H2C, true, "HTTP/2.0");
}

/* Weights 1 and 3: burst 0 is 5:3 of 8, burst 1 is 1:7. */
static void
test_weights(void **state)
{
	struct fix *f = *state;
	char *urls[2] = { ngx.url[NGX_HTTP], ngx.url[NGX_HTTP] };
	static char *kind_b[] = { "X-Kind: b" };
	struct burst_req r[2];
	struct burst_spec sp;
	unsigned long a0, b0, plan[2];

	memset(r, 0, sizeof r);
	r[0].headers = kind_a;
	r[0].nheaders = 1;
	r[0].own_headers = true;
	r[0].weight = 1;
	r[1].headers = kind_b;
	r[1].nheaders = 1;
	r[1].own_headers = true;
	r[1].weight = 3;
	sp = ngx_spec(urls, r, 2, 80, 4);
	ngx_burst(f, &sp);
	a0 = ngx_log_count(&ngx, "access.log", "GET|a|");
	b0 = ngx_log_count(&ngx, "access.log", "GET|b|");
	ngx_run_burst(f);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "GET|a|") - a0, 50);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "GET|b|") - b0, 30);
	ngx_run_burst(f);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "GET|a|") - a0, 60);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "GET|b|") - b0, 100);
	burst_plan_weighted(80, 2, (unsigned long[]){ 1, 3 }, 1, plan);
	assert_int_equal(burst_url_sent(f->burst, 0), plan[0]);
	assert_int_equal(plan[0], 10);
}

/* burst_set_reqs copies: the caller's kinds may go at once. */
static void
test_set_reqs_copies(void **state)
{
	struct fix *f = *state;
	char *urls[1] = { ngx.url[NGX_HTTP] };
	struct burst_spec sp = ngx_spec(urls, NULL, 1, 10, 2);
	struct burst_req *r = xcalloc(1, sizeof *r);
	char **u = xcalloc(1, sizeof *u);
	unsigned long before = ngx_log_count(&ngx, "access.log", "DELETE|zz|3|");

	ngx_burst(f, &sp);
	ngx_run_burst(f);
	u[0] = xstrdup(ngx.url[NGX_HTTP]);
	r->method = xstrdup("DELETE");
	r->headers = xcalloc(1, sizeof *r->headers);
	r->headers[0] = xstrdup("X-Kind: zz");
	r->nheaders = 1;
	r->own_headers = true;
	r->body = xstrdup("abc");
	r->body_len = 3;
	r->own_body = true;
	assert_true(burst_set_reqs(f->burst, u, r, 1));
	free((char *)r->method);
	free(r->headers[0]);
	free(r->headers);
	free((char *)r->body);
	free(r);
	free(u[0]);
	free(u);
	ngx_run_burst(f);
	assert_int_equal(f->st.status[2], 10);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "DELETE|zz|3|") - before, 10);
	/* back to plain requests */
	assert_true(burst_set_urls(f->burst, urls, 1));
	ngx_run_burst(f);
	assert_int_equal(ngx_log_count(&ngx, "access.log", "DELETE|zz|3|") - before, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kinds_reach_nginx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_reqs_copies, setup, teardown),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, ngx_group_setup, ngx_group_teardown);
	burst_global_cleanup();
	return rc;
}
