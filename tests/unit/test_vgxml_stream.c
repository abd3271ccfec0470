/* test_vgxml_stream.c - the streaming memcheck XML parser fed in pieces:
 * any chunking gives the same events, UTF-8 split across feeds, callbacks
 * that stop the parse, and cuts at every byte offset.
 *
 * The cut tests compare event logs (vgxml_fixture.h): a parse of any
 * prefix of a file must deliver exactly a prefix of the full parse's
 * events, and every element complete in the prefix. */
#include "vgxml_fixture.h"

/* ---- chunking, UTF-8 across feeds, callbacks that stop ---- */

static void
test_chunks(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 63, 4096, 65537, 1 << 20 };
	struct t_run full = { 0 }, r = { 0 };
	size_t len, i;
	char *buf = read_data("xml/errors_supp.xml", &len);

	(void)state;
	full.light = true;
	parse_buf(&full, buf, len, len, 0);
	assert_int_equal(full.rc, VGXML_OK);
	for (i = 0; i < LT_ARRAY_SIZE(sizes); i++) {
		r.light = true;
		assert_int_equal(parse_buf(&r, buf, len, sizes[i], 0), VGXML_OK);
		assert_int_equal(r.log.len, full.log.len);
		assert_memory_equal(r.log.data, full.log.data, full.log.len);
		run_free(&r);
	}
	free(buf);
	run_free(&full);
}

static void
test_utf8_split(void **state)
{
	/* é, €, 𝄞, then bad bytes: a stray continuation, a lone lead, an
	 * overlong '/', a surrogate, U+FFFE, a NUL and ESC */
	static const char doc[] = HEAD ERR0 "<what>\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e|\x80|\xc3|\xc0\xaf|"
		"\xed\xa0\x80|\xef\xbf\xbe|\0|\x1b|\xf4\x90\x80\x80</what></error></valgrindoutput>";
	static const char want[] = "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e|\xef\xbf\xbd|\xef\xbf\xbd|"
		"\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
		"\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd";
	size_t chunk;

	(void)state;
	for (chunk = 1; chunk <= 9; chunk++) {
		struct t_run r = { 0 };

		assert_int_equal(parse_buf(&r, doc, sizeof(doc) - 1, chunk, 0), VGXML_OK);
		assert_int_equal(r.nerrs, 1);
		assert_string_equal(r.errs[0].what, want);
		run_free(&r);
	}
	/* the input ends inside a character */
	{
		struct t_run r = { 0 };
		struct vgxml *x = vgxml_new(&t_cb, &r);

		assert_int_equal(vgxml_feed(x, HEAD ERR0 "<what>\xe2\x82", sizeof(HEAD ERR0) + 7), VGXML_OK);
		assert_int_equal(vgxml_finish(x), VGXML_TRUNCATED);
		assert_int_equal(vgxml_feed(x, "x", 1), VGXML_TRUNCATED);
		vgxml_free(x);
		run_free(&r);
	}
}

static void
test_callback_stop(void **state)
{
	struct t_run r = { 0 };
	size_t len;
	char *buf = read_data("memcheck_fixture.xml", &len);
	struct vgxml *x;

	(void)state;
	r.stop_at = 3;
	assert_int_equal(parse_buf(&r, buf, len, 1000, 0), VGXML_CALLBACK);
	assert_int_equal(r.nerrs, 3);
	assert_string_equal(r.msg, "stopped by the caller");
	run_free(&r);
	/* the same with the whole file in one feed */
	r.stop_at = 1;
	x = vgxml_new(&t_cb, &r);
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_CALLBACK);
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_CALLBACK);
	assert_int_equal(vgxml_finish(x), VGXML_CALLBACK);
	assert_int_equal(r.nerrs, 1);
	assert_int_equal(vgxml_offset(x), len);
	assert_non_null(vgxml_info(x));
	assert_int_equal(vgxml_info(x)->pid, 482);
	vgxml_free(x);
	run_free(&r);
	/* no callbacks at all */
	x = vgxml_new(NULL, NULL);
	assert_null(vgxml_info(x));
	assert_int_equal(vgxml_feed(x, buf, len), VGXML_OK);
	assert_int_equal(vgxml_finish(x), VGXML_OK);
	assert_int_equal(vgxml_info(x)->nargs, 6);
	vgxml_free(x);
	free(buf);
}

/* ---- cut at every byte offset ---- */

/* Offsets just after each "</error>" and after "</valgrindoutput>". */
static size_t *
closes(const char *buf, size_t len, size_t *n, size_t *doc_end)
{
	size_t *v = NULL, cap = 0;
	const char *p = buf;

	*n = 0;
	while ((p = memmem(p, len - (size_t)(p - buf), "</error>", 8))) {
		p += 8;
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = (size_t)(p - buf);
	}
	p = memmem(buf, len, "</valgrindoutput>", 17);
	assert_non_null(p);
	*doc_end = (size_t)(p - buf) + 17;
	return v;
}

/* Feed buf[0..k) in random chunks; before and after the end of input,
 * exactly the errors whose </error> is in the prefix are delivered, and
 * the events are the full parse's first ones, byte for byte. */
static void
cut_file(const char *name)
{
	struct t_run full = { 0 };
	size_t len, nclose, doc_end, k, c = 0, i;
	char *buf = read_data(name, &len);
	size_t *close = closes(buf, len, &nclose, &doc_end);
	unsigned seed = 12345;
	bool *boundary;

	full.light = true;
	parse_buf(&full, buf, len, 4096, 0);
	assert_int_equal(full.rc, VGXML_OK);
	assert_int_equal(full.nerrs, nclose);
	boundary = xcalloc(full.log.len + 1, 1);
	boundary[0] = true;
	for (i = 0; i < full.nev; i++)
		boundary[full.ev_end[i]] = true;
	for (k = 0; k <= len; k++) {
		struct t_run r = { 0 };
		struct vgxml *x = vgxml_new(&t_cb, &r);
		size_t off = 0, n;

		r.light = true;
		while (c < nclose && close[c] <= k)
			c++;
		while (off < k) {
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 16) % 8 ? 1 + (seed >> 4) % 4000 : 1 + (seed >> 4) % 4;
			if (n > k - off)
				n = k - off;
			assert_int_equal(vgxml_feed(x, buf + off, n), VGXML_OK);
			off += n;
		}
		if (r.nerrs != c)
			fail_msg("%s: cut at %zu: %zu errors delivered before the end, want %zu", name, k, r.nerrs, c);
		r.rc = vgxml_finish(x);
		if (r.rc != (k >= doc_end ? VGXML_OK : VGXML_TRUNCATED))
			fail_msg("%s: cut at %zu: rc %d (%s)", name, k, r.rc, vgxml_error(x));
		if (r.nerrs != c)
			fail_msg("%s: cut at %zu: %zu errors, want %zu", name, k, r.nerrs, c);
		if (r.log.len > full.log.len || !boundary[r.log.len] ||
			memcmp(r.log.data ? r.log.data : "", full.log.data, r.log.len))
			fail_msg("%s: cut at %zu: events differ from the full parse's", name, k);
		vgxml_free(x);
		run_free(&r);
	}
	free(boundary);
	free(close);
	free(buf);
	run_free(&full);
}

static void
test_cut_fixture(void **state)
{
	(void)state;
	cut_file("memcheck_fixture.xml");
}

static void
test_cut_errors(void **state)
{
	(void)state;
	cut_file("xml/errors_supp.xml");
	cut_file("xml/abort.xml");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_utf8_split),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_cut_fixture),
		cmocka_unit_test(test_cut_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
