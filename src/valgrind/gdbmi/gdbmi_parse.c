/* gdbmi_parse.c - one line of gdb/MI3 output into a record, by recursive
 * descent over the grammar of the gdb manual ("GDB/MI Output Syntax").
 *
 * The input is untrusted: every byte is checked against the grammar, the
 * nesting, the line and the number of values are capped (gdbmi_int.h),
 * and the first fault ends the parse with a one-line reason naming its
 * column. Nothing half-built survives a failure. */
#include "gdbmi_int.h"
#include "sbuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len, pos;
	unsigned depth;
	size_t nvalues;
	char *err;
	size_t errlen;
	bool failed;
};

static struct gdbmi_value *parse_value(struct parser *p);

/* Record the first fault only: later ones are its consequences. */
static bool fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool
fail(struct parser *p, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	if (p->failed)
		return false;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "gdb/MI column %zu: %s", p->pos + 1, what);
	return false;
}

static int
peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* A byte for a message: printable as itself, else its code. */
static const char *
show(int c, char *buf, size_t n)
{
	if (c < 0)
		snprintf(buf, n, "end of line");
	else if (c > 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "byte 0x%02x", (unsigned)c);
	return buf;
}

static bool
expect(struct parser *p, char c)
{
	char b[32];

	if (peek(p) == (unsigned char)c) {
		p->pos++;
		return true;
	}
	return fail(p, "expected '%c', found %s", c, show(peek(p), b, sizeof b));
}

static struct gdbmi_value *
new_value(struct parser *p, enum gdbmi_vkind kind)
{
	struct gdbmi_value *v;

	if (++p->nvalues > GDBMI_MAX_VALUES) {
		fail(p, "more than %u values in one record", GDBMI_MAX_VALUES);
		return NULL;
	}
	v = xcalloc(1, sizeof *v);
	v->kind = kind;
	return v;
}

void
gdbmi_value_free(struct gdbmi_value *v)
{
	while (v) {
		struct gdbmi_value *next = v->next;

		gdbmi_value_free(v->child);
		free(v->name);
		free(v->str);
		free(v);
		v = next;
	}
}

static bool
is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-' || c == '.';
}

/* A variable or a record's class: [A-Za-z0-9_.-]+, malloc'd. */
static char *
parse_name(struct parser *p, const char *what)
{
	size_t start = p->pos;
	char b[32];

	while (is_name_char(peek(p)))
		p->pos++;
	if (p->pos == start) {
		fail(p, "expected %s, found %s", what, show(peek(p), b, sizeof b));
		return NULL;
	}
	return xstrndup(p->s + start, p->pos - start);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte after a backslash (at p->pos); false on an escape C and gdb
 * do not know. \NNN octal (1-3 digits, <= 0377), \xN or \xNN hex. */
static bool
parse_escape(struct parser *p, struct sbuf *b)
{
	static const char simple[] = "n\nt\tr\rb\bf\fv\va\ae\033\\\\\"\"''??";
	int c = peek(p), v;
	const char *hit;
	char sb[32];

	if (c >= '0' && c <= '7') {
		int n = 0;

		v = 0;
		while (n < 3 && peek(p) >= '0' && peek(p) <= '7') {
			v = v * 8 + (peek(p) - '0');
			p->pos++;
			n++;
		}
		if (v > 0377)
			return fail(p, "octal escape \\%o is more than a byte", (unsigned)v);
		sbuf_addc(b, (char)v);
		return true;
	}
	if (c == 'x') {
		p->pos++;
		if ((v = hexval(peek(p))) < 0)
			return fail(p, "\\x without hex digits");
		p->pos++;
		if (hexval(peek(p)) >= 0)
			v = v * 16 + hexval(p->s[p->pos++]);
		sbuf_addc(b, (char)v);
		return true;
	}
	for (hit = simple; c > 0 && *hit; hit += 2) {
		if (*hit == c) {
			p->pos++;
			sbuf_addc(b, hit[1]);
			return true;
		}
	}
	return fail(p, "unknown escape \\ followed by %s", show(c, sb, sizeof sb));
}

/* A c-string at p->pos; its unescaped bytes in *out (NUL-terminated). */
static bool
parse_cstring(struct parser *p, char **out, size_t *outlen)
{
	struct sbuf b = SBUF_INIT;
	size_t start = p->pos;

	if (!expect(p, '"'))
		return false;
	for (;;) {
		int c = peek(p);

		if (c < 0) {
			p->pos = start;
			fail(p, "c-string not closed before the end of the line");
			break;
		}
		p->pos++;
		if (c == '"') {
			*outlen = b.len;
			*out = sbuf_detach(&b);
			return true;
		}
		if (c == 0) {
			p->pos--;
			fail(p, "NUL byte inside a c-string");
			break;
		}
		if (c == '\\') {
			if (!parse_escape(p, &b))
				break;
			continue;
		}
		sbuf_addc(&b, (char)c);
	}
	sbuf_free(&b);
	return false;
}

/* name=value */
static struct gdbmi_value *
parse_result(struct parser *p)
{
	char *name = parse_name(p, "a result's name");
	struct gdbmi_value *v;

	if (!name)
		return NULL;
	if (!expect(p, '=') || !(v = parse_value(p))) {
		free(name);
		return NULL;
	}
	v->name = name;
	return v;
}

/* Members of a tuple (results) or of a list (values or results) up to
 * the closing byte; the opening one was read. */
static bool
parse_members(struct parser *p, struct gdbmi_value *parent, char close, bool results_only)
{
	struct gdbmi_value **tail = &parent->child;

	if (peek(p) == (unsigned char)close) {
		p->pos++;
		return true;
	}
	for (;;) {
		int c = peek(p);
		bool bare = !results_only && (c == '"' || c == '{' || c == '[');
		struct gdbmi_value *m = bare ? parse_value(p) : parse_result(p);

		if (!m)
			return false;
		*tail = m;
		tail = &m->next;
		if (peek(p) == (unsigned char)close) {
			p->pos++;
			return true;
		}
		if (!expect(p, ','))
			return false;
	}
}

static struct gdbmi_value *
parse_value(struct parser *p)
{
	int c = peek(p);
	struct gdbmi_value *v;
	char b[32];
	bool ok;

	if (c == '"') {
		if (!(v = new_value(p, GDBMI_CONST)))
			return NULL;
		if (!parse_cstring(p, &v->str, &v->len)) {
			gdbmi_value_free(v);
			return NULL;
		}
		return v;
	}
	if (c != '{' && c != '[') {
		fail(p, "expected a value (\", { or [), found %s", show(c, b, sizeof b));
		return NULL;
	}
	if (p->depth >= GDBMI_MAX_DEPTH) {
		fail(p, "tuples and lists nested deeper than %d", GDBMI_MAX_DEPTH);
		return NULL;
	}
	if (!(v = new_value(p, c == '{' ? GDBMI_TUPLE : GDBMI_LIST)))
		return NULL;
	p->pos++;
	p->depth++;
	ok = parse_members(p, v, c == '{' ? '}' : ']', c == '{');
	p->depth--;
	if (!ok) {
		gdbmi_value_free(v);
		return NULL;
	}
	return v;
}

/* (',' result)* up to the end of the line. */
static bool
parse_results(struct parser *p, struct gdbmi_record *r)
{
	struct gdbmi_value **tail = &r->results;

	while (peek(p) == ',') {
		struct gdbmi_value *m;

		p->pos++;
		if (!(m = parse_result(p)))
			return false;
		*tail = m;
		tail = &m->next;
	}
	return true;
}

static bool
parse_token(struct parser *p, struct gdbmi_record *r)
{
	uint64_t t = 0;
	size_t n = 0;

	while (peek(p) >= '0' && peek(p) <= '9') {
		unsigned d = (unsigned)(p->s[p->pos] - '0');

		if (++n > GDBMI_MAX_TOKEN_DIGITS)
			return fail(p, "token longer than %d digits", GDBMI_MAX_TOKEN_DIGITS);
		if (t > (UINT64_MAX - d) / 10)
			return fail(p, "token does not fit in 64 bits");
		t = t * 10 + d;
		p->pos++;
	}
	r->has_token = n > 0;
	r->token = t;
	return true;
}

static bool
parse_record(struct parser *p, struct gdbmi_record *r)
{
	static const char marks[] = "^*+=~@&";
	static const enum gdbmi_rtype types[] = { GDBMI_RESULT, GDBMI_EXEC, GDBMI_STATUS,
		GDBMI_NOTIFY, GDBMI_CONSOLE, GDBMI_TARGET, GDBMI_LOG };
	const char *m;
	char b[32];
	int c;

	if (p->len >= 5 && !memcmp(p->s, "(gdb)", 5)) {
		p->pos = 5;
		while (peek(p) == ' ')
			p->pos++;
		r->type = GDBMI_PROMPT;
		return true;
	}
	if (!parse_token(p, r))
		return false;
	c = peek(p);
	m = c > 0 ? strchr(marks, c) : NULL;
	if (!m)
		return fail(p, "expected a record (^ * + = ~ @ & or (gdb)), found %s",
			show(c, b, sizeof b));
	p->pos++;
	r->type = types[m - marks];
	if (r->type >= GDBMI_CONSOLE) {
		if (r->has_token)
			return fail(p, "a stream record has no token");
		return parse_cstring(p, &r->text, &r->textlen);
	}
	if (!(r->klass = parse_name(p, "a record class")))
		return false;
	return parse_results(p, r);
}

bool
gdbmi_parse_line(const char *line, size_t len, struct gdbmi_record *out, char *err, size_t errlen)
{
	struct parser p = { .s = line, .len = len, .err = err, .errlen = errlen };
	char b[32];

	memset(out, 0, sizeof *out);
	if (errlen)
		err[0] = '\0';
	/* gdb on a terminal ends lines with \r\n; through pipes it does not. */
	if (p.len && line[p.len - 1] == '\r')
		p.len--;
	if (len > GDBMI_MAX_LINE)
		fail(&p, "line of %zu bytes, more than %u", len, GDBMI_MAX_LINE);
	else if (!p.len)
		fail(&p, "empty line");
	else if (parse_record(&p, out) && p.pos < p.len)
		fail(&p, "%s after the end of the record", show(peek(&p), b, sizeof b));
	if (p.failed) {
		gdbmi_record_clear(out);
		return false;
	}
	return true;
}

void
gdbmi_record_clear(struct gdbmi_record *r)
{
	if (!r)
		return;
	free(r->klass);
	free(r->text);
	gdbmi_value_free(r->results);
	memset(r, 0, sizeof *r);
}

char *
gdbmi_quote(const char *s)
{
	struct sbuf b = SBUF_INIT;

	sbuf_addc(&b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sbuf_addc(&b, '\\');
			sbuf_addc(&b, (char)c);
		} else if (c == '\n') {
			sbuf_adds(&b, "\\n");
		} else if (c == '\t') {
			sbuf_adds(&b, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			sbuf_printf(&b, "\\%03o", c);
		} else {
			sbuf_addc(&b, (char)c);
		}
	}
	sbuf_addc(&b, '"');
	return sbuf_detach(&b);
}
