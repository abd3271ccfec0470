/* test_vgxml_hostile.c - the streaming memcheck XML parser on input made
 * to hurt: entity bombs and external entities (no DTD at all), declared
 * encodings and stray bytes that must leave stderr silent, and elements
 * too large, too many or too deep, which are errors while memory stays
 * bounded. */
#include "vgxml_fixture.h"

#include <unistd.h>

/* Entities: never expanded beyond the predefined ones, no DTD at all. */
static void
test_entities(void **state)
{
	static const char *const bombs[] = {
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
		ERR0 "<what>&lol9;</what></error></valgrindoutput>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE v [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
		ERR0 "<what>&x;</what></error></valgrindoutput>",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE valgrindoutput SYSTEM \"http://127.0.0.1:1/x.dtd\">\n"
		"<valgrindoutput/>",
	};
	struct t_run r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(bombs); i++) {
		assert_int_equal(parse_str(&r, bombs[i]), VGXML_ERROR);
		assert_string_equal(r.msg, "not valgrind XML: it has a DTD (<!DOCTYPE>), valgrind writes none");
		assert_int_equal(r.nerrs, 0);
		run_free(&r);
	}
	/* an undeclared entity */
	assert_int_equal(parse_str(&r, HEAD ERR0 "<what>&lol;</what></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "malformed XML at line 5: Entity 'lol' not defined");
	run_free(&r);
	/* predefined entities, character references and CDATA are text */
	r.light = false;
	assert_int_equal(parse_str(&r, HEAD ERR0 "<what>a&lt;b&amp;c&gt;&quot;&apos;&#x41;&#66;"
		"<![CDATA[<x>&amp;]]>\xc3\xa9</what></error></valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	assert_string_equal(r.errs[0].what, "a<b&c>\"'AB<x>&amp;\xc3\xa9");
	run_free(&r);
}

/* Nothing reaches stderr (it is under the live screen), whatever the input
 * declares or holds; a declared encoding is ignored: the input is UTF-8. */
static void
test_quiet(void **state)
{
	static const char *const encs[] = {
		"UTF-16", "UTF-16LE", "UCS-4", "UTF-32", "EBCDIC-US", "SHIFT_JIS", "ISO-8859-1", "bogus",
	};
	static const char *const raw[] = {
		"\xff\xfe<\0v\0a\0l\0", "\xfe\xff\0<\0v", "\0\0\xfe\xff", "\x00<valgrindoutput>",
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\xff\xfe\x01\x02",
		"<!DOCTYPE x SYSTEM \"/etc/passwd\"><x/>", "<?xml version=\"2.0\"?><valgrindoutput/>",
		"<valgrindoutput xmlns:a=\"rel\"><a:b xmlns:a=\"\"/></valgrindoutput>",
	};
	char path[] = "/tmp/test_vgxml.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct t_run r = { 0 };
	size_t i;
	off_t size;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	for (i = 0; i < LT_ARRAY_SIZE(encs); i++) {
		char *doc = xasprintf("<?xml version=\"1.0\" encoding=\"%s\"?>\n<valgrindoutput>"
			"<protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>"
			ERR0 "<what>\xc3\xa9\xff\x81</what></error></valgrindoutput>\n", encs[i]);

		parse_str(&r, doc);
		if (r.rc != VGXML_OK || r.nerrs != 1 || strcmp(r.errs[0].what, "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd"))
			fail_msg("encoding %s: rc %d (%s)", encs[i], r.rc, r.msg);
		free(doc);
		run_free(&r);
	}
	for (i = 0; i < LT_ARRAY_SIZE(raw); i++) {
		parse_buf(&r, raw[i], strlen(raw[i]) + (i < 4 ? 4 : 0), 0, 1);
		run_free(&r);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(size, 0);
}

/* ---- caps: an element too large is an error, memory stays bounded ---- */

static enum vgxml_rc
parse_big(struct t_run *r, const char *head, const char *unit, size_t count, const char *tail)
{
	struct vgxml *x = vgxml_new(&t_cb, r);
	struct sbuf b = SBUF_INIT;
	size_t i;

	r->light = true;
	vgxml_feed(x, head, strlen(head));
	for (i = 0; i < count; i++) {
		sbuf_adds(&b, unit);
		if (b.len > 65536 || i + 1 == count) {
			if (vgxml_feed(x, b.data, b.len) != VGXML_OK)
				break;
			sbuf_reset(&b);
		}
	}
	vgxml_feed(x, tail, strlen(tail));
	r->rc = vgxml_finish(x);
	snprintf(r->msg, sizeof(r->msg), "%s", vgxml_error(x));
	sbuf_free(&b);
	vgxml_free(x);
	return r->rc;
}

static void
test_caps(void **state)
{
	static char text[1 << 16];
	struct t_run r = { 0 };

	(void)state;
	memset(text, 'a', sizeof(text) - 1);
	/* a 50 MB text node */
	assert_int_equal(parse_big(&r, HEAD ERR0 "<what>", text, 800, "</what></error></valgrindoutput>"),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: <what> text over 1048576 bytes at line 5");
	run_free(&r);
	/* 1 MiB exactly fits */
	memset(text, 'b', 1024);
	text[1024] = '\0';
	assert_int_equal(parse_big(&r, HEAD ERR0 "<what>", text, 1024, "</what></error></valgrindoutput>"),
		VGXML_OK);
	assert_int_equal(r.nerrs, 1);
	run_free(&r);
	/* 17 texts of 1 MiB in one error */
	{
		struct sbuf u = SBUF_INIT;
		size_t i;

		sbuf_adds(&u, "<auxwhat>");
		for (i = 0; i < 1024 * 1024 - 16; i++)
			sbuf_addc(&u, 'c');
		sbuf_adds(&u, "</auxwhat>");
		assert_int_equal(parse_big(&r, HEAD ERR0, u.data, 17, "</error></valgrindoutput>"), VGXML_ERROR);
		assert_string_equal(r.msg, "element too large: <error> over 16777216 bytes at line 5");
		sbuf_free(&u);
		run_free(&r);
	}
	assert_int_equal(parse_big(&r, HEAD ERR0, "<stack></stack>", VGXML_MAX_STACKS,
		"</error></valgrindoutput>"), VGXML_OK);
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0, "<stack></stack>", VGXML_MAX_STACKS + 1,
		"</error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 64 stacks in <error> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<stack>", "<frame><ip>0x1</ip></frame>", VGXML_MAX_FRAMES,
		"</stack></error></valgrindoutput>"), VGXML_OK);
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<stack>", "<frame><ip>0x1</ip></frame>",
		VGXML_MAX_FRAMES + 1, "</stack></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 1024 frames in a <stack> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0, "<auxwhat>x</auxwhat>", VGXML_MAX_AUX + 1,
		"</error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 256 auxwhat in <error> at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<args><argv>", "<arg>x</arg>", VGXML_MAX_ARGS + 1,
		"</argv></args></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: more than 4096 lines or arguments at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD ERR0 "<xauxwhat>", "<text>xxxxxxxxxxxxxxx</text>", 100000,
		"</xauxwhat></error></valgrindoutput>"), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: <xauxwhat> over 1048576 bytes at line 5");
	run_free(&r);
	/* a start tag, a comment, a CDATA section outside what we keep: they
	 * wait in libxml2's buffer, up to its lookup limit */
	assert_int_equal(parse_big(&r, HEAD "<error a=\"", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1000000, ""),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: a tag, comment or CDATA section over 10000000 bytes at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<!--", "--------------------------------", 1000000, "-->"),
		VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: a tag, comment or CDATA section over 10000000 bytes at line 5");
	run_free(&r);
	assert_int_equal(parse_big(&r, HEAD "<x><![CDATA[", "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 1000000, "]]></x>"),
		VGXML_ERROR);
	assert_non_null(strstr(r.msg, "element too large: "));
	run_free(&r);
	/* many errors, each small: no limit at all */
	assert_int_equal(parse_big(&r, HEAD, ERR0 "<stack><frame><ip>0x1</ip></frame></stack></error>\n",
		200000, "</valgrindoutput>"), VGXML_OK);
	assert_int_equal(r.nerrs, 200000);
	run_free(&r);
	/* distinct names: libxml2 would keep them all in its dictionary */
	{
		struct vgxml *x = vgxml_new(&t_cb, &r);
		char name[32];
		int i, n;

		vgxml_feed(x, HEAD, strlen(HEAD));
		for (i = 0; i < 1000000 && r.rc == VGXML_OK; i++) {
			n = snprintf(name, sizeof(name), "<name%d a%d=\"\"/>", i, i);
			r.rc = vgxml_feed(x, name, (size_t)n);
		}
		assert_int_equal(r.rc, VGXML_ERROR);
		assert_true(i < 100000);
		assert_string_equal(vgxml_error(x), "element too large: too many distinct names at line 5");
		vgxml_free(x);
		run_free(&r);
	}
	/* deep nesting: libxml2 would keep a stack of names */
	assert_int_equal(parse_big(&r, HEAD, "<x>", 100000, ""), VGXML_ERROR);
	assert_string_equal(r.msg, "element too large: nested deeper than 64 at line 5");
	run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
