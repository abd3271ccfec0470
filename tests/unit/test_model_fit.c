/* test_model_fit.c - which request leaks: the fit of a growing site's
 * bytes to the requests of each URL, fed with the rotating bursts of the
 * engine (burst k: weight n+1 on URL k mod n, 1 on the others) and with
 * designs that cannot tell URLs apart. The sites' series are what a real
 * handler does with the requests it gets: a counter per URL, a cache that
 * fills, an init on first use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakcheck.h"
#include "model.h"
#include "report.h"
#include <jansson.h>
#include "util.h"

#define NU 5
#define MAXS 12

/* A simulated handler: the bytes it holds after `req` more requests of
 * each URL (cumulative state in st). */
struct sim {
	const char *fn;
	uint64_t bytes;
	uint64_t st[NU];	/* requests seen per URL */
	void (*step)(struct sim *s, const uint64_t *req);
};

static void
leak_a(struct sim *s, const uint64_t *req)	/* /leak/pool: 1,088 B per request */
{
	s->bytes += 1088 * req[0];
}

static void
rare_b(struct sim *s, const uint64_t *req)	/* one request in 7 of URL 1 keeps 512 B */
{
	uint64_t before = s->st[1] / 7;

	s->st[1] += req[1];
	s->bytes += 512 * (s->st[1] / 7 - before);
}

static void
err_c(struct sim *s, const uint64_t *req)	/* error path of URL 2 only: 300 B */
{
	s->bytes += 300 * req[2];
}

static void
cache(struct sim *s, const uint64_t *req)	/* 100 B per request of any URL, up to 30 KB */
{
	uint64_t i;

	for (i = 0; i < NU; i++)
		s->bytes += 100 * req[i];
	if (s->bytes > 30000)
		s->bytes = 30000;
}

static void
lazy(struct sim *s, const uint64_t *req)	/* 4 KB on the first request */
{
	if (!s->bytes && (req[0] || req[1] || req[2] || req[3] || req[4]))
		s->bytes = 4096;
}

static void
init_then_leak(struct sim *s, const uint64_t *req)	/* 2 KB once, then 64 B per URL-3 request */
{
	if (!s->st[0] && req[3]) {
		s->bytes += 2000;
		s->st[0] = 1;
	}
	s->bytes += 64 * req[3];
}

static void
two_urls(struct sim *s, const uint64_t *req)	/* 100 B per URL-0, 50 B per URL-3 request */
{
	s->bytes += 100 * req[0] + 50 * req[3];
}

/* 256 B per URL-0 request on a keepalive connection's pool, all freed
 * when nginx closes the connection (every 900 requests of any URL), then
 * taken again by the requests after the close. */
static void
conn_leak(struct sim *s, const uint64_t *req)
{
	uint64_t total = req[0] + req[1] + req[2] + req[3] + req[4];

	s->st[1] += total;
	if (s->st[1] / 900 != (s->st[1] - total) / 900)
		s->bytes = 256 * (req[0] / 2);
	else
		s->bytes += 256 * req[0];
}

static const char *const urls[NU] = {
	"http://127.0.0.1:1/leak/pool", "http://127.0.0.1:1/rare", "http://127.0.0.1:1/err/c",
	"http://127.0.0.1:1/lazy", "http://127.0.0.1:1/clean",
};

/* One round: the URLs' requests (reached nginx), then every site. */
static void
round_of(struct model *m, struct sim *sims, size_t ns, const uint64_t *req)
{
	struct leak_summary sum;
	uint64_t total = 0;
	size_t i;

	memset(&sum, 0, sizeof sum);
	for (i = 0; i < NU; i++)
		total += req[i];
	model_round_begin(m, total, 0);
	for (i = 0; i < NU; i++) {
		uint32_t id = model_url_intern(m, urls[i]);

		if (req[i])
			model_round_url_requests(m, id, req[i]);
	}
	for (i = 0; i < ns; i++) {
		struct leakcheck_frame f = { .ip = 0x1000 + i, .fn = { sims[i].fn, strlen(sims[i].fn) },
			.file = { "mod.c", 5 }, .line = 10 + (unsigned)i };
		struct leakcheck_record rec = { .kind = LEAK_REACHABLE, .blocks = 1, .nframes = 1,
			.frames = &f };

		sims[i].step(&sims[i], req);
		rec.bytes = rec.direct = sims[i].bytes;
		if (sims[i].bytes)
			model_round_add(m, &rec);
	}
	model_round_end(m, &sum, 0);
}

/* Burst k (1-based) of the rotation: unit * (NU+1) requests of URL
 * (k-1) mod NU, unit of each other one. */
static void
rotating(uint64_t *req, size_t k, uint64_t unit)
{
	size_t i;

	for (i = 0; i < NU; i++)
		req[i] = unit * (i == (k - 1) % NU ? NU + 1 : 1);
}

static const struct model_site *
site_of(const struct model *m, const char *fn)
{
	size_t i;

	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		if (!strcmp(model_site_frame(m, s, 0)->fn, fn))
			return s;
	}
	fail_msg("no site in %s", fn);
	return NULL;
}

/* The site's URLs are exactly want[0..n) (URL index, bytes per request), in order. */
static void
assert_urls(const struct model *m, const char *fn, const int *want, const double *bpr, size_t n,
	double tol)
{
	const struct model_site *s = site_of(m, fn);
	size_t i;

	if (s->nurls != n || s->attrib != MODEL_ATTRIB_DONE) {
		for (i = 0; i < s->nurls; i++)
			print_error("%s: %s %.3f\n", fn, model_url(m, s->urls[i].url),
				s->urls[i].bytes_per_request);
		fail_msg("%s: %u URLs (attrib %d), want %zu", fn, s->nurls, s->attrib, n);
	}
	for (i = 0; i < n; i++) {
		assert_string_equal(model_url(m, s->urls[i].url), urls[want[i]]);
		assert_float_equal(s->urls[i].bytes_per_request, bpr[i], tol * bpr[i]);
	}
}

#define SIM(f) { #f, 0, { 0 }, f }

/* A run being fed: the model, its sites, the last burst's requests, the
 * next burst of the rotation, and a URL whose requests never reach nginx
 * (-1: none). */
struct fit {
	struct model *m;
	struct sim *sims;
	size_t ns;
	uint64_t req[NU];
	size_t k;
	int fails;
};

/* A new model and its baseline round (no burst before it). */
static struct model *
fit_start(struct fit *f, struct sim *sims, size_t ns)
{
	memset(f, 0, sizeof *f);
	f->m = model_new();
	f->sims = sims;
	f->ns = ns;
	f->k = 1;
	f->fails = -1;
	round_of(f->m, sims, ns, f->req);
	return f->m;
}

/* The rotation's bursts of unit up to burst `to` (not included), a round
 * after each. */
static void
fit_rotate(struct fit *f, size_t to, uint64_t unit)
{
	for (; f->k < to; f->k++) {
		rotating(f->req, f->k, unit);
		if (f->fails >= 0)
			f->req[f->fails] = 0;
		round_of(f->m, f->sims, f->ns, f->req);
	}
}

static void
test_rotating_12_rounds(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(rare_b), SIM(err_c), SIM(cache), SIM(lazy),
		SIM(init_then_leak), SIM(two_urls) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 7);
	size_t k, i;

	(void)state;
	fit_rotate(&f, 12, 20);
	assert_int_equal(site_of(m, "leak_a")->growth, GROWTH_GROWING);
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	assert_int_equal(site_of(m, "rare_b")->growth, GROWTH_GROWING);
	assert_urls(m, "rare_b", (int[]){ 1 }, (double[]){ 512.0 / 7 }, 1, 0.05);
	assert_urls(m, "err_c", (int[]){ 2 }, (double[]){ 300 }, 1, 1e-6);
	assert_urls(m, "init_then_leak", (int[]){ 3 }, (double[]){ 64 }, 1, 1e-6);
	assert_urls(m, "two_urls", (int[]){ 0, 3 }, (double[]){ 100, 50 }, 2, 1e-6);
	/* a cache that filled, an init: bounded, nothing to attribute */
	assert_int_equal(site_of(m, "cache")->growth, GROWTH_BOUNDED);
	assert_int_equal(site_of(m, "cache")->attrib, MODEL_ATTRIB_NONE);
	assert_int_equal(site_of(m, "cache")->nurls, 0);
	assert_int_equal(site_of(m, "lazy")->growth, GROWTH_BOUNDED);
	assert_int_equal(site_of(m, "lazy")->attrib, MODEL_ATTRIB_NONE);
	/* the clean URL drives nothing */
	for (i = 0; i < model_nsites(m); i++) {
		const struct model_site *s = model_site(m, i);

		for (k = 0; k < s->nurls; k++)
			assert_string_not_equal(model_url(m, s->urls[k].url), urls[4]);
	}
	assert_int_equal(model_attrib_urls(m), 5);
	assert_int_equal(model_attrib_rounds_needed(m), 6);
	{
		char note[160];

		assert_false(model_attrib_note(m, note, sizeof note));
	}
	model_free(m);
}

/* Small bursts: one request of each URL, six of the rotating one. The
 * rare leak shows in a few rounds only, and stays growing. */
static void
test_rare_leak_small_bursts(void **state)
{
	struct sim sims[] = { SIM(rare_b), SIM(leak_a) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 2);
	const struct model_site *s;
	size_t k, id, rises = 0;

	(void)state;
	fit_rotate(&f, 12, 1);
	s = site_of(m, "rare_b");
	id = (size_t)(s - model_site(m, 0));
	for (k = 1; k < 12; k++)
		rises += model_site_bytes(m, id, k) > model_site_bytes(m, id, k - 1);
	assert_in_range(rises, 2, 6);	/* only some rounds rise */
	assert_int_equal(s->growth, GROWTH_GROWING);
	assert_int_equal(s->attrib, MODEL_ATTRIB_DONE);
	assert_true(s->nurls >= 1);
	assert_string_equal(model_url(m, s->urls[0].url), urls[1]);
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	model_free(m);
}

/* Too few rounds: 5 URLs and the one-off need 6 rounds after the baseline. */
static void
test_few_rounds(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(lazy) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 2);
	char note[160];

	(void)state;
	fit_rotate(&f, 4, 20);
	assert_int_equal(site_of(m, "leak_a")->growth, GROWTH_GROWING);
	assert_int_equal(site_of(m, "leak_a")->attrib, MODEL_ATTRIB_FEW_ROUNDS);
	assert_int_equal(site_of(m, "leak_a")->nurls, 0);
	assert_true(model_attrib_note(m, note, sizeof note));
	assert_string_equal(note,
		"5 URLs need at least 6 rounds after the baseline to tell apart; this run has 3");
	fit_rotate(&f, 6, 20);
	assert_int_equal(site_of(m, "leak_a")->attrib, MODEL_ATTRIB_FEW_ROUNDS);
	fit_rotate(&f, 7, 20);	/* the 7th round */
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	assert_false(model_attrib_note(m, note, sizeof note));
	model_free(m);
}

/* Round robin, the same mix every round: never separable. */
static void
test_collinear(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(err_c) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 2);
	char note[160];
	size_t k, i;

	(void)state;
	for (k = 1; k < 12; k++) {
		for (i = 0; i < NU; i++)
			f.req[i] = 40 - (k == i + 3);	/* each URL lost one request once */
		round_of(m, sims, 2, f.req);
	}
	assert_int_equal(site_of(m, "leak_a")->growth, GROWTH_GROWING);
	assert_int_equal(site_of(m, "leak_a")->attrib, MODEL_ATTRIB_FEW_ROUNDS);
	assert_int_equal(site_of(m, "err_c")->attrib, MODEL_ATTRIB_FEW_ROUNDS);
	assert_true(model_attrib_note(m, note, sizeof note));
	assert_non_null(strstr(note, "same mix"));
	model_free(m);
}

/* Checks without a burst between the rotating ones; two of them see a
 * one-off rise (nginx's own, not a request's), one before the first
 * request: the one-off column stays for the first rise with requests. */
static void
test_rounds_without_requests(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(err_c), SIM(init_then_leak) };
	uint64_t none[NU] = { 0 };
	struct fit f;
	struct model *m = fit_start(&f, sims, 3);
	size_t k;

	(void)state;
	sims[2].bytes += 777;
	round_of(m, sims, 3, none);
	for (k = 1; k < 16; k++) {
		if (k % 3 == 0) {
			if (k == 6)
				sims[1].bytes += 777;	/* noise in a round with no request */
			round_of(m, sims, 3, none);
			continue;
		}
		fit_rotate(&f, f.k + 1, 20);	/* the rotation's next burst */
	}
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	assert_urls(m, "err_c", (int[]){ 2 }, (double[]){ 300 }, 1, 1e-6);
	assert_urls(m, "init_then_leak", (int[]){ 3 }, (double[]){ 64 }, 1, 1e-6);
	model_free(m);
}

/* URL 4's requests never reached nginx: left out of the fit, no division
 * by zero, and 4 URLs need 5 rounds after the baseline. */
static void
test_url_all_failed(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(init_then_leak) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 2);
	char note[160];

	(void)state;
	f.fails = 4;
	fit_rotate(&f, 4, 20);
	assert_int_equal(model_nurls(m), 5);
	assert_int_equal(model_attrib_urls(m), 4);
	assert_true(model_attrib_note(m, note, sizeof note));
	assert_string_equal(note,
		"4 URLs need at least 5 rounds after the baseline to tell apart; this run has 3");
	fit_rotate(&f, 6, 20);
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	assert_urls(m, "init_then_leak", (int[]){ 3 }, (double[]){ 64 }, 1, 1e-6);
	model_free(m);
}

/* One URL: it drives the site, at the site's own bytes per request. */
static void
test_one_url(void **state)
{
	struct sim sims[] = { SIM(leak_a) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 1);
	const struct model_site *s;
	size_t k;

	(void)state;
	f.req[0] = 200;
	for (k = 1; k < 3; k++)
		round_of(m, sims, 1, f.req);
	s = site_of(m, "leak_a");
	assert_int_equal(s->attrib, MODEL_ATTRIB_DONE);
	assert_int_equal(s->nurls, 1);
	assert_string_equal(model_url(m, s->urls[0].url), urls[0]);
	assert_float_equal(s->urls[0].bytes_per_request, s->bytes_per_request, 1e-9);
	assert_float_equal(s->urls[0].bytes_per_request, 1088, 1e-9);
	/* the baseline moved to the latest round: nothing grows, nothing drives */
	model_set_baseline(m, 2);
	assert_int_equal(s->attrib, MODEL_ATTRIB_NONE);
	assert_int_equal(s->nurls, 0);
	model_free(m);
}

/* A group sums its sites' URLs per URL, biggest first. */
static void
test_group_urls(void **state)
{
	struct model_site_url u1[] = { { 0, 100 }, { 3, 50 } }, u2[] = { { 3, 80 }, { 2, 10 } };
	struct model_site a = { .urls = u1, .nurls = 2, .attrib = MODEL_ATTRIB_DONE,
		.growth = GROWTH_GROWING };
	struct model_site b = { .urls = u2, .nurls = 2, .attrib = MODEL_ATTRIB_DONE,
		.growth = GROWTH_GROWING };
	struct model_site c = { .attrib = MODEL_ATTRIB_FEW_ROUNDS, .growth = GROWTH_GROWING };
	struct model_group g;

	(void)state;
	model_group_init(&g, &c);
	assert_int_equal(g.attrib, MODEL_ATTRIB_FEW_ROUNDS);
	model_group_add(&g, &a);
	model_group_add(&g, &b);
	assert_int_equal(g.attrib, MODEL_ATTRIB_DONE);
	assert_int_equal(g.nurls, 3);
	assert_int_equal(g.urls[0].url, 3);
	assert_float_equal(g.urls[0].bytes_per_request, 130, 1e-9);
	assert_int_equal(g.urls[1].url, 0);
	assert_int_equal(g.urls[2].url, 2);
}

/* The JSON site whose function is fn. */
static json_t *
json_site_of(json_t *root, const char *fn)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(root, "sites"), i, s)
		if (!strcmp(json_string_value(json_object_get(s, "function")), fn))
			return s;
	fail_msg("no JSON site %s", fn);
	return NULL;
}

/* JSON sites[].urls and the table's TOP URL; urls_note and the line under
 * the table while the rounds cannot tell the URLs apart. */
static void
test_reports(void **state)
{
	struct sim sims[] = { SIM(leak_a), SIM(cache), SIM(two_urls) };
	struct report_meta meta = { .nginx = "nginx" };
	struct fit fit;
	struct model *m = fit_start(&fit, sims, 3);
	char *text, table[8192];
	json_t *root, *u;
	FILE *f;

	(void)state;
	fit_rotate(&fit, 4, 20);
	text = report_json_render(m, &meta);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_array_size(json_object_get(json_site_of(root, "leak_a"), "urls")), 0);
	assert_string_equal(json_string_value(json_object_get(json_site_of(root, "leak_a"),
		"urls_note")),
		"5 URLs need at least 6 rounds after the baseline to tell apart; this run has 3");
	json_decref(root);
	free(text);
	f = fmemopen(table, sizeof table, "w");
	report_table_print(f, m, 0);
	fclose(f);
	assert_non_null(strstr(table, "(more rounds)"));
	assert_non_null(strstr(table, "which URL leaks: 5 URLs need at least 6 rounds"));

	fit_rotate(&fit, 12, 20);
	text = report_json_render(m, &meta);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	u = json_object_get(json_site_of(root, "leak_a"), "urls");
	assert_int_equal(json_array_size(u), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(u, 0), "url")), urls[0]);
	assert_float_equal(json_real_value(json_object_get(json_array_get(u, 0),
		"bytes_per_request")), 1088, 1e-6);
	assert_null(json_object_get(json_site_of(root, "leak_a"), "urls_note"));
	u = json_object_get(json_site_of(root, "two_urls"), "urls");
	assert_int_equal(json_array_size(u), 2);	/* biggest first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(u, 1), "url")), urls[3]);
	assert_int_equal(json_array_size(json_object_get(json_site_of(root, "cache"), "urls")), 0);
	json_decref(root);
	free(text);
	f = fmemopen(table, sizeof table, "w");
	report_table_print(f, m, 0);
	fclose(f);
	assert_non_null(strstr(table, "TOP URL"));
	assert_non_null(strstr(table, "growing /leak/pool 1088.0\n"));
	assert_non_null(strstr(table, "growing /leak/pool 100.0 (+1)\n"));
	assert_null(strstr(table, "which URL leaks"));
	model_free(m);
}

/* A connection-lifetime leak: the rounds where nginx closed the
 * connection (the bytes fell) say nothing per request; the others name
 * its URL at its rate, and no clean URL. */
static void
test_connection_closed(void **state)
{
	struct sim sims[] = { SIM(conn_leak), SIM(leak_a) };
	struct fit f;
	struct model *m = fit_start(&f, sims, 2);

	(void)state;
	fit_rotate(&f, 16, 20);
	assert_int_equal(site_of(m, "conn_leak")->growth, GROWTH_GROWING);
	assert_urls(m, "conn_leak", (int[]){ 0 }, (double[]){ 256 }, 1, 1e-6);
	assert_urls(m, "leak_a", (int[]){ 0 }, (double[]){ 1088 }, 1, 1e-6);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotating_12_rounds),
		cmocka_unit_test(test_rare_leak_small_bursts),
		cmocka_unit_test(test_few_rounds),
		cmocka_unit_test(test_collinear),
		cmocka_unit_test(test_rounds_without_requests),
		cmocka_unit_test(test_url_all_failed),
		cmocka_unit_test(test_one_url),
		cmocka_unit_test(test_group_urls),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_connection_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
