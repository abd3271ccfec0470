/* test_vgxml_protocol.c - the streaming memcheck XML parser refuses what
 * is not memcheck's XML protocol 4: another tool's output, another
 * protocol version, a header edited away, input that is not XML or not
 * valgrind's, each with its one-line message. */
#include "vgxml_fixture.h"

/* ---- not memcheck protocol 4 ---- */

static void
test_other_tool(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_file(&r, "xml/helgrind.xml"), VGXML_ERROR);
	assert_string_equal(r.msg, "valgrind XML from helgrind, not memcheck (run valgrind with --tool=memcheck)");
	assert_int_equal(r.nerrs, 0);
	assert_int_equal(r.ninfo, 0);
	run_free(&r);
}

/* The fixture with its header edited. */
static enum vgxml_rc
parse_edited(struct t_run *r, const char *from, const char *to)
{
	size_t len;
	char *buf = read_data("memcheck_fixture.xml", &len), *p = strstr(buf, from);
	struct sbuf b = SBUF_INIT;

	assert_non_null(p);
	sbuf_add(&b, buf, (size_t)(p - buf));
	sbuf_adds(&b, to);
	sbuf_adds(&b, p + strlen(from));
	parse_buf(r, b.data, b.len, 0, 3);
	sbuf_free(&b);
	free(buf);
	return r->rc;
}

static void
test_protocol(void **state)
{
	struct t_run r = { 0 };

	(void)state;
	assert_int_equal(parse_edited(&r, "<protocolversion>4<", "<protocolversion>3<"), VGXML_ERROR);
	assert_string_equal(r.msg, "unsupported valgrind XML protocol version \"3\" (need 4)");
	assert_int_equal(r.nerrs, 0);
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocolversion>4<", "<protocolversion>5<"), VGXML_ERROR);
	assert_string_equal(r.msg, "unsupported valgrind XML protocol version \"5\" (need 4)");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocolversion>4</protocolversion>", ""), VGXML_ERROR);
	assert_string_equal(r.msg, "not valgrind XML protocol 4: no <protocolversion> first");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<protocoltool>memcheck</protocoltool>", ""), VGXML_ERROR);
	assert_non_null(strstr(r.msg, "no <protocoltool>"));
	run_free(&r);
	assert_int_equal(parse_edited(&r, ">memcheck</protocoltool>", ">\x1b[31mdrd</protocoltool>"),
		VGXML_ERROR);
	/* the tool name is untrusted: the ESC never reaches the message */
	assert_string_equal(r.msg, "valgrind XML from \xef\xbf\xbd[31mdrd, not memcheck (run valgrind with --tool=memcheck)");
	run_free(&r);
	assert_int_equal(parse_edited(&r, "<valgrindoutput>", "<valgrind>"), VGXML_ERROR);
	assert_string_equal(r.msg, "not valgrind XML: the root element is <valgrind>, not <valgrindoutput>");
	run_free(&r);
}

static void
test_not_valgrind(void **state)
{
	static const struct {
		const char *doc, *msg;
		enum vgxml_rc rc;
	} cases[] = {
		{ "", "truncated: empty input", VGXML_TRUNCATED },
		{ "  \n", "truncated: input ends before <valgrindoutput>", VGXML_TRUNCATED },
		{ "<?xml version=\"1.0\"?>\n<valgr", "truncated: input ends before <valgrindoutput>", VGXML_TRUNCATED },
		{ "hello world", "not XML: ", VGXML_ERROR },
		{ "h", "not XML: ", VGXML_ERROR },
		{ "{\"json\": true}", "not XML: ", VGXML_ERROR },
		{ "==123== Memcheck, a memory error detector\n", "not XML: ", VGXML_ERROR },
		{ "<html><body>hi</body></html>", "not valgrind XML: the root element is <html>, not <valgrindoutput>", VGXML_ERROR },
		{ "<?xml version=\"1.0\"?><a:valgrindoutput xmlns:a=\"urn:x\"/>", "not valgrind XML: the root element is <a:valgrindoutput>, not <valgrindoutput>", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput>", "", VGXML_OK },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput><x/>", "malformed XML at line 1: Extra content at the end of the document", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool></valgrindoutput>\n<?xml", "malformed XML", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>four</protocolversion>", "unsupported valgrind XML protocol version \"four\" (need 4)", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool></protocoltool>", "valgrind XML from an unnamed tool, not memcheck (run valgrind with --tool=memcheck)", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool><error></error>", "<error> without <kind> at line 1", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool><error><kind>X</kind></error>", "<error> without <unique> at line 1", VGXML_ERROR },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>\n<status><state>RUNNING</state><time>1</time></status>", "truncated: no </valgrindoutput> after line 2", VGXML_TRUNCATED },
		{ "<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool>\n<error><unique>0x1</unique><tid>1", "truncated: input ends inside <error> at line 2", VGXML_TRUNCATED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < LT_ARRAY_SIZE(cases); i++) {
		struct t_run r = { 0 };

		parse_str(&r, cases[i].doc);
		if (r.rc != cases[i].rc || strncmp(r.msg, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("case %zu: rc %d \"%s\", want %d \"%s\"", i, r.rc, r.msg, cases[i].rc,
				cases[i].msg);
		assert_int_equal(r.nerrs, 0);
		run_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_tool),
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_not_valgrind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
