/* reqfile_text.c - the request file's text: errors that show the
 * offending bytes escaped, whitespace, {{variables}} and # @metadata. */
#include "reqfile_int.h"
#include "escape.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHOW_MAX 60			/* bytes of offending text in an error */

bool
reqfile_fail(struct reqfile_parser *p, unsigned no, const char *fmt, ...)
{
	char msg[512];
	char *file = escape_dup(p->path, strlen(p->path), 0);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (no)
		snprintf(p->err, p->errlen, "%s:%u: %s", file, no, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", file, msg);
	free(file);
	return false;
}

/* s escaped and cut to SHOW_MAX bytes (on a character boundary), in buf. */
const char *
reqfile_show(char *buf, size_t size, const char *s, size_t n)
{
	char *e = escape_dup(s, n, 0);
	size_t len = strlen(e), cut = len;

	if (cut > SHOW_MAX && size > SHOW_MAX + 4) {
		cut = SHOW_MAX;
		while (cut > 0 && ((unsigned char)e[cut] & 0xc0) == 0x80)
			cut--;
		snprintf(buf, size, "%.*s...", (int)cut, e);
	} else {
		snprintf(buf, size, "%s", e);
	}
	free(e);
	return buf;
}

bool
reqfile_is_space(char c)
{
	return c == ' ' || c == '\t';
}

void
reqfile_trim(const char **s, size_t *n)
{
	while (*n && reqfile_is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && reqfile_is_space((*s)[*n - 1]))
		(*n)--;
}

bool
reqfile_starts(const char *s, size_t n, const char *prefix)
{
	size_t l = strlen(prefix);

	return n >= l && memcmp(s, prefix, l) == 0;
}

/* The first control byte (tab allowed when tab_ok), or -1. */
long
reqfile_control_at(const char *s, size_t n, bool tab_ok)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(c == '\t' && tab_ok)) || c == 0x7f)
			return (long)i;
	}
	return -1;
}

bool
reqfile_read_all(const char *path, size_t max, char **out, size_t *len, int *errnum)
{
	struct sbuf b = SBUF_INIT;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*errnum = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		*errnum = errno;
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (S_ISDIR(st.st_mode)) {
		*errnum = EISDIR;
		close(fd);
		return false;
	}
	for (;;) {
		ssize_t r;

		sbuf_reserve(&b, 65536);
		r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			*errnum = errno;
		if (r <= 0)
			break;
		b.len += (size_t)r;
		b.data[b.len] = '\0';
		if (b.len > max) {
			*errnum = EFBIG;
			break;
		}
	}
	close(fd);
	if (*errnum) {
		sbuf_free(&b);
		return false;
	}
	*len = b.len;
	*out = sbuf_detach(&b);
	return true;
}

static const struct reqfile_var *
lookup(const struct reqfile_parser *p, const char *name, size_t n)
{
	size_t i;

	for (i = p->nvars; i-- > 0;)
		if (strlen(p->vars[i].name) == n && memcmp(p->vars[i].name, name, n) == 0)
			return &p->vars[i];
	return NULL;
}

/* One {{name}} (inner text in[0..n)) of line no, appended to out. */
static bool
subst_one(struct reqfile_parser *p, unsigned no, const char *in, size_t n, struct sbuf *out)
{
	const char *name = in;
	const struct reqfile_var *v;
	char b[96], b2[96];

	reqfile_trim(&name, &n);
	if (n && name[0] == '$')
		return reqfile_fail(p, no, "{{%s}}: system variables are not supported (write the value)",
			REQFILE_SHOW(b, name, n));
	v = lookup(p, name, n);
	if (!v && memchr(name, '.', n))
		return reqfile_fail(p, no, "{{%s}}: request variables are not supported "
			"(write the value, or define a file variable: @name = value)",
			REQFILE_SHOW(b, name, n));
	if (!v)
		return reqfile_fail(p, no, "undefined variable {{%s}} (define it above: @%s = value; "
			"environment files are not read)",
			REQFILE_SHOW(b, name, n), REQFILE_SHOW(b2, name, n));
	p->total += strlen(v->value);
	if (p->total > REQFILE_MAX)
		return reqfile_fail(p, no, "variables make the requests larger than 16 MB (use shorter values)");
	sbuf_adds(out, v->value);
	return true;
}

/* s[0..n) with every {{name}} replaced, appended to out. An unclosed {{
 * stays as it is. */
bool
reqfile_subst(struct reqfile_parser *p, unsigned no, const char *s, size_t n, struct sbuf *out)
{
	size_t i = 0;

	sbuf_add(out, "", 0);	/* NUL terminated even when nothing follows */
	sbuf_reserve(out, n);
	while (i < n) {
		const char *o = memmem(s + i, n - i, "{{", 2);
		const char *c = o ? memmem(o + 2, (size_t)(s + n - (o + 2)), "}}", 2) : NULL;

		if (!c) {
			sbuf_add(out, s + i, n - i);
			break;
		}
		sbuf_add(out, s + i, (size_t)(o - (s + i)));
		if (!subst_one(p, no, o + 2, (size_t)(c - (o + 2)), out))
			return false;
		i = (size_t)(c + 2 - s);
	}
	return true;
}

bool
reqfile_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-';
}

/* "@name = value" (s past the @). */
bool
reqfile_var(struct reqfile_parser *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *name = s, *val;
	size_t nn, vn;
	struct sbuf v = SBUF_INIT;
	char b[96];
	long bad = reqfile_control_at(s, n, true);

	if (bad >= 0)
		return reqfile_fail(p, p->no, "variable line '@%s' has a control character (remove it)",
			REQFILE_SHOW(b, s, n));
	if (!eq)
		return reqfile_fail(p, p->no, "variable line '@%s' has no '=' (want @name = value)",
			REQFILE_SHOW(b, s, n));
	nn = (size_t)(eq - s);
	reqfile_trim(&name, &nn);
	if (!nn)
		return reqfile_fail(p, p->no, "variable line '@%s' has no name (want @name = value)",
			REQFILE_SHOW(b, s, n));
	for (size_t i = 0; i < nn; i++)
		if (!reqfile_is_name_char(name[i]))
			return reqfile_fail(p, p->no, "variable name '%s' may have only letters, digits, _ and -",
				REQFILE_SHOW(b, name, nn));
	val = eq + 1;
	vn = (size_t)(s + n - val);
	reqfile_trim(&val, &vn);
	if (!reqfile_subst(p, p->no, val, vn, &v)) {
		sbuf_free(&v);
		return false;
	}
	if (!lookup(p, name, nn) && p->nvars >= REQFILE_MAX_VARS) {
		sbuf_free(&v);
		return reqfile_fail(p, p->no, "more than %d variables (use fewer)", REQFILE_MAX_VARS);
	}
	xgrow((void **)&p->vars, &p->capvars, p->nvars + 1, sizeof *p->vars);
	p->vars[p->nvars].name = xstrndup(name, nn);
	p->vars[p->nvars++].value = sbuf_detach(&v);	/* the last definition wins */
	return true;
}

/* "# @name x" / "// @count 3" (s past the # or //): true with *key (and
 * *val) set when it is metadata, a plain comment otherwise. */
bool
reqfile_meta(const char *s, size_t n, const char **key, size_t *kn, const char **val, size_t *vn)
{
	size_t i = 0;

	while (i < n && reqfile_is_space(s[i]))
		i++;
	if (i >= n || s[i] != '@')
		return false;
	*key = s + ++i;
	while (i < n && reqfile_is_name_char(s[i]))
		i++;
	*kn = (size_t)(s + i - *key);
	while (i < n && reqfile_is_space(s[i]))
		i++;
	if (i < n && s[i] == '=')
		i++;
	*val = s + i;
	*vn = n - i;
	reqfile_trim(val, vn);
	return *kn > 0;
}

bool
reqfile_parse_meta(struct reqfile_parser *p, const char *s, size_t n)
{
	const char *k, *v;
	size_t kn, vn;
	char b[96], num[32];
	long count;

	if (!reqfile_meta(s, n, &k, &kn, &v, &vn))
		return true;
	if (kn == 4 && !memcmp(k, "name", 4)) {
		if (!vn)
			return reqfile_fail(p, p->no, "'# @name' has no name (want # @name NAME)");
		if (reqfile_control_at(v, vn, false) >= 0)
			return reqfile_fail(p, p->no, "'# @name %s' has a control character (remove it)",
				REQFILE_SHOW(b, v, vn));
		free(p->name);
		p->name = xstrndup(v, vn);
	} else if (kn == 5 && !memcmp(k, "count", 5)) {
		snprintf(num, sizeof num, "%.*s", (int)(vn < 31 ? vn : 31), v);
		if (vn > 31 || memchr(v, '\0', vn) || !util_parse_long(num, 1, 1000000, &count))
			return reqfile_fail(p, p->no, "'# @count %s' is not a number from 1 to 1000000 "
				"(want # @count N)", REQFILE_SHOW(b, v, vn));
		p->cur.count = (unsigned long)count;
	}
	return true;	/* other metadata (@note, @no-redirect, ...): nothing to do */
}
