/* supp.c - valgrind suppression files: the reader, the matcher, the writer.
 *
 * What valgrind 3.19 reads (coregrind/m_errormgr.c load_one_suppressions_file
 * and memcheck's mc_errors.c), and so what is accepted here: lines are
 * trimmed of blanks (CR included); blank lines and lines starting with '#'
 * are skipped anywhere; a block is '{', a name, "TOOL[,TOOL...]:KIND", for
 * Memcheck:Param and Memcheck:FishyValue one extra line, for Memcheck:Leak
 * an optional "match-leak-kinds: LIST", then 1 to 24 location lines
 * ("fun:PAT", "obj:PAT", "src:PAT[:LINE]" or "...", at least one not
 * "...") and '}'. Blocks of other tools are skipped to their '}'. Patterns
 * glob with '*' and '?', '\' quotes the next character. src: matches the
 * frame's file name without its directory. */
#include "supp.h"
#include "sbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUPP_MAX_LOCS 24	/* valgrind's VG_DEEPEST_BACKTRACE for suppressions */
#define SUPP_MAX_FILE (64u << 20)

enum loc_type { LOC_FUN, LOC_OBJ, LOC_SRC, LOC_DOTS };

struct supp_loc {
	enum loc_type type;
	char *pat;
	unsigned line;		/* src: 0 = any line */
};

struct supp_entry {
	char *name;
	char *origin;
	unsigned kinds;		/* bit per enum leak_kind */
	struct supp_loc locs[SUPP_MAX_LOCS];
	size_t nlocs;
};

struct supp {
	struct supp_entry *e;
	size_t n, cap;
	size_t all;
};

/* The reader's state over one text. */
struct reader {
	const char *name;	/* for errors */
	const char *p, *end;
	unsigned lineno;
	char *err;
	size_t errlen;
};

static const char *const leak_words[] = { "definite", "indirect", "possible", "reachable" };

/* Memcheck's suppression kinds (mc_errors.c MC_(is_recognised_suppression)),
 * and whether one extra line follows the TOOL:KIND line. */
static const struct { const char *kind; bool extra; } mc_kinds[] = {
	{ "Param", true }, { "User", false }, { "CoreMem", false },
	{ "Value0", false }, { "Value1", false }, { "Value2", false }, { "Value4", false },
	{ "Value8", false }, { "Value16", false }, { "Value32", false }, { "Cond", false },
	{ "Addr1", false }, { "Addr2", false }, { "Addr4", false }, { "Addr8", false },
	{ "Addr16", false }, { "Addr32", false }, { "Jump", false }, { "Free", false },
	{ "Leak", false }, { "Overlap", false }, { "Mempool", false },
	{ "FishyValue", true },
};

struct supp *
supp_new(void)
{
	return xcalloc(1, sizeof(struct supp));
}

static void
entry_free(struct supp_entry *e)
{
	size_t i;

	for (i = 0; i < e->nlocs; i++)
		free(e->locs[i].pat);
	free(e->name);
	free(e->origin);
}

void
supp_free(struct supp *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		entry_free(&s->e[i]);
	free(s->e);
	free(s);
}

/* An error is one line a terminal shows as it is: control bytes of a
 * path become '?'. */
static void
clean_err(char *err)
{
	for (; *err; err++)
		if ((unsigned char)*err < 0x20 || *err == 0x7f)
			*err = '?';
}

static bool __attribute__((format(printf, 2, 3)))
fail(struct reader *r, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%.300s:%u: %s", r->name, r->lineno, what);
	clean_err(r->err);
	return false;
}

/* A piece of untrusted text for an error: at most 40 bytes, control bytes
 * and non-ASCII as '?'. */
static const char *
shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < len && i < 40; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	if (s[i])
		snprintf(buf + i, len - i, "...");
	return buf;
}

/* The next line that is not blank nor a comment, trimmed, in a fresh
 * string; NULL at the end of the text. */
static char *
next_line(struct reader *r)
{
	while (r->p < r->end) {
		const char *s = r->p, *e = memchr(s, '\n', (size_t)(r->end - s));
		const char *next = e ? e + 1 : r->end;

		if (!e)
			e = r->end;
		r->p = next;
		r->lineno++;
		while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\v' ||
			e[-1] == '\f'))
			e--;
		if (s == e || *s == '#')
			continue;
		return xstrndup(s, (size_t)(e - s));
	}
	return NULL;
}

/* "match-leak-kinds: definite,possible" (valgrind's enum set: a comma
 * list of the four kinds, or "all", or "none"). */
static bool
parse_kinds(struct reader *r, const char *list, unsigned *out)
{
	char buf[64];
	const char *p = list;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!strcmp(p, "all")) {
		*out = (1u << LEAK_KIND_COUNT) - 1;
		return true;
	}
	if (!strcmp(p, "none")) {
		*out = 0;
		return true;
	}
	*out = 0;
	for (;;) {
		size_t len = strcspn(p, ","), k;

		for (k = 0; k < LEAK_KIND_COUNT; k++)
			if (strlen(leak_words[k]) == len && !strncmp(p, leak_words[k], len))
				break;
		if (k == LEAK_KIND_COUNT)
			return fail(r, "match-leak-kinds: '%s' is not a leak kind (write a comma list "
				"of definite, indirect, possible, reachable; or all; or none)",
				shown(p, buf, sizeof buf));
		*out |= 1u << k;
		if (!p[len])
			return true;
		p += len + 1;
	}
}

static bool
parse_loc(struct reader *r, const char *line, struct supp_loc *loc)
{
	char buf[64];

	if (!strcmp(line, "...")) {
		*loc = (struct supp_loc){ LOC_DOTS, NULL, 0 };
		return true;
	}
	if (!strncmp(line, "fun:", 4) || !strncmp(line, "obj:", 4)) {
		*loc = (struct supp_loc){ line[0] == 'f' ? LOC_FUN : LOC_OBJ, xstrdup(line + 4), 0 };
		return true;
	}
	if (!strncmp(line, "src:", 4)) {
		const char *colon = strchr(line + 4, ':');
		long n = 0;

		if (colon && !util_parse_long(colon + 1, 1, 0x7fffffff, &n))
			return fail(r, "'%s': the line number after src:FILE: must be a number > 0 "
				"(write src:FILE or src:FILE:LINE)", shown(line, buf, sizeof buf));
		*loc = (struct supp_loc){ LOC_SRC,
			colon ? xstrndup(line + 4, (size_t)(colon - line - 4)) : xstrdup(line + 4),
			(unsigned)n };
		return true;
	}
	return fail(r, "'%s': a frame line is fun:NAME, obj:PATH, src:FILE[:LINE] or ... "
		"(or '}' to end the suppression)", shown(line, buf, sizeof buf));
}

/* "TOOL[,TOOL]:KIND": is it Memcheck's, a leak, and does an extra line
 * follow. */
static bool
parse_tool(struct reader *r, const char *line, bool *memcheck, bool *leak, bool *extra)
{
	char buf[64];
	const char *colon = strchr(line, ':'), *t = line;
	size_t i;

	if (!colon || colon == line || !colon[1])
		return fail(r, "'%s': expected TOOL:KIND after the name (e.g. Memcheck:Leak)",
			shown(line, buf, sizeof buf));
	*memcheck = *leak = *extra = false;
	while (t < colon) {
		size_t len = strcspn(t, ",:");

		if (len == 8 && !strncmp(t, "Memcheck", 8))
			*memcheck = true;
		t += len + 1;
	}
	if (!*memcheck)
		return true;
	for (i = 0; i < LT_ARRAY_SIZE(mc_kinds); i++)
		if (!strcmp(colon + 1, mc_kinds[i].kind)) {
			*leak = !strcmp(mc_kinds[i].kind, "Leak");
			*extra = mc_kinds[i].extra;
			return true;
		}
	return fail(r, "'%s': Memcheck has no such suppression kind (Leak, Cond, Value8, Addr8, "
		"Param, Free, Overlap, Jump, ...)", shown(colon + 1, buf, sizeof buf));
}

/* One block after its '{'; the leak ones go into s. */
static bool
parse_block(struct supp *s, struct reader *r)
{
	struct supp_entry e = { .kinds = (1u << LEAK_KIND_COUNT) - 1 };
	unsigned start = r->lineno;
	bool memcheck = false, leak = false, extra = false, ok = false, any = false;
	char *line = next_line(r);

	if (!line || !strcmp(line, "}") || !strcmp(line, "{")) {
		fail(r, "a suppression needs a name on the line after '{'");
		goto out;
	}
	e.name = line;
	e.origin = xasprintf("%s:%u", r->name, start);
	line = next_line(r);
	if (line && !parse_tool(r, line, &memcheck, &leak, &extra))
		goto out;
	while (line) {
		free(line);
		if (!(line = next_line(r)) || !strcmp(line, "}"))
			break;
		if (!memcheck)
			continue;	/* another tool's block: valgrind's to judge */
		if (extra) {
			extra = false;
			continue;
		}
		if (leak && !e.nlocs && !any && !strncmp(line, "match-leak-kinds:", 17)) {
			any = true;
			if (!parse_kinds(r, line + 17, &e.kinds))
				goto out;
			continue;
		}
		any = true;
		if (e.nlocs == SUPP_MAX_LOCS) {
			fail(r, "more than %d frame lines in one suppression (valgrind reads at most "
				"%d: end it with ... instead)", SUPP_MAX_LOCS, SUPP_MAX_LOCS);
			goto out;
		}
		if (!parse_loc(r, line, &e.locs[e.nlocs]))
			goto out;
		e.nlocs++;
	}
	if (!line) {
		fail(r, "the text ends inside the suppression that starts at line %u "
			"(close it with '}')", start);
		goto out;
	}
	if (memcheck) {
		size_t i;

		for (i = 0; i < e.nlocs && e.locs[i].type == LOC_DOTS; i++)
			;
		if (i == e.nlocs) {
			fail(r, "the suppression that starts at line %u needs a frame line other than "
				"... (fun:NAME, obj:PATH or src:FILE)", start);
			goto out;
		}
	}
	s->all++;
	if (memcheck && leak) {
		xgrow((void **)&s->e, &s->cap, s->n + 1, sizeof *s->e);
		s->e[s->n++] = e;
		memset(&e, 0, sizeof e);
	}
	ok = true;
out:
	free(line);
	entry_free(&e);
	return ok;
}

static bool
add_text(struct supp *s, const char *name, const char *text, size_t len, char *err,
	size_t errlen)
{
	struct reader r = { name, text, text + len, 0, err, errlen };
	size_t n0 = s->n, all0 = s->all;
	char buf[64], *line;

	if (memchr(text, '\0', len)) {
		const char *z = memchr(text, '\0', len), *q;

		for (q = text; q < z; q++)
			if (*q == '\n')
				r.lineno++;
		r.lineno++;
		fail(&r, "a NUL byte: this is not a text suppression file");
		return false;
	}
	while ((line = next_line(&r))) {
		bool ok = !strcmp(line, "{");

		if (!ok)
			fail(&r, "'%s': expected '{' to start a suppression (or a # comment)",
				shown(line, buf, sizeof buf));
		free(line);
		if (!ok || !parse_block(s, &r)) {
			while (s->n > n0)
				entry_free(&s->e[--s->n]);
			s->all = all0;
			return false;
		}
	}
	return true;
}

bool
supp_add_text(struct supp *s, const char *name, const char *text, char *err, size_t errlen)
{
	return add_text(s, name, text, strlen(text), err, errlen);
}

bool
supp_add_file(struct supp *s, const char *path, char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	bool ok;

	if (fd < 0) {
		snprintf(err, errlen, "suppressions %.300s: %s (give a readable valgrind "
			"suppression file)", path, strerror(errno));
		clean_err(err);
		return false;
	}
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !sbuf_read_fd(&b, fd) && !errno;
	close(fd);
	if (!ok || b.len > SUPP_MAX_FILE) {
		snprintf(err, errlen, "suppressions %.300s: %s", path,
			ok ? "over 64 MB, not a suppression file" : "cannot be read (give a regular file)");
		clean_err(err);
		sbuf_free(&b);
		return false;
	}
	ok = add_text(s, path, b.len ? b.data : "", b.len, err, errlen);
	sbuf_free(&b);
	return ok;
}

size_t
supp_count(const struct supp *s)
{
	return s ? s->n : 0;
}

size_t
supp_count_all(const struct supp *s)
{
	return s ? s->all : 0;
}

const char *
supp_name(const struct supp *s, size_t i)
{
	return i < s->n ? s->e[i].name : "";
}

const char *
supp_origin(const struct supp *s, size_t i)
{
	return i < s->n ? s->e[i].origin : "";
}

/* valgrind's VG_(string_match): '*' any run, '?' one byte, '\' quotes. */
static bool
glob(const char *pat, const char *str)
{
	const char *star = NULL, *resume = NULL;

	for (;;) {
		if (*pat == '*') {
			star = ++pat;
			resume = str;
			continue;
		}
		if (*str) {
			const char *p = pat;

			if (*p == '\\' && p[1])
				p++;
			if (*pat == '?' || (*p && *p == *str)) {
				pat = p + 1;
				str++;
				continue;
			}
		} else if (!*pat) {
			return true;
		}
		if (!star || !*resume)
			return false;
		pat = star;
		str = ++resume;
	}
}

static bool
loc_match(const struct supp_loc *l, const struct supp_frame *f)
{
	const char *base;

	switch (l->type) {
	case LOC_FUN:
		return glob(l->pat, f->fn && *f->fn ? f->fn : "???");
	case LOC_OBJ:
		return f->obj && *f->obj && glob(l->pat, f->obj);
	case LOC_SRC:
		if (!f->file || !*f->file || (l->line && l->line != f->line))
			return false;
		base = strrchr(f->file, '/');
		return glob(l->pat, base ? base + 1 : f->file);
	case LOC_DOTS:
		return true;
	}
	return false;
}

/* The locations match the stack's innermost frames ('...' spans zero or
 * more); frames past the last location do not matter. reach[j]: the
 * locations so far can end just before frame j. */
static bool
entry_match(const struct supp_entry *e, const struct supp_frame *frames, size_t n)
{
	bool reach[SUPP_MAX_LOCS + 64 + 1], *r = reach, ok = false;
	size_t i, j;

	if (n + 1 > LT_ARRAY_SIZE(reach))
		r = xmalloc(n + 1);
	memset(r, 0, n + 1);
	r[0] = true;
	for (i = 0; i < e->nlocs; i++) {
		const struct supp_loc *l = &e->locs[i];

		if (l->type == LOC_DOTS) {
			for (j = 1; j <= n; j++)
				r[j] = r[j] || r[j - 1];
			continue;
		}
		for (j = n; j > 0; j--)
			r[j] = r[j - 1] && loc_match(l, &frames[j - 1]);
		r[0] = false;
	}
	for (j = 0; j <= n && !ok; j++)
		ok = r[j];
	if (r != reach)
		free(r);
	return ok;
}

long
supp_match(const struct supp *s, enum leak_kind k, const struct supp_frame *frames, size_t n)
{
	size_t i;

	if (!s || (unsigned)k >= LEAK_KIND_COUNT)
		return -1;
	for (i = 0; i < s->n; i++)
		if ((s->e[i].kinds & (1u << k)) && entry_match(&s->e[i], frames, n))
			return (long)i;
	return -1;
}

/* One line's text as valgrind reads it back: no control bytes, braces
 * or blanks at the ends; glob characters quoted when asked. */
static void
add_clean(struct sbuf *b, const char *s, bool quote)
{
	size_t start = b->len;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '{' || c == '}')
			c = '_';
		else if (quote && (c == '*' || c == '?' || c == '\\'))
			sbuf_addc(b, '\\');
		sbuf_addc(b, (char)c);
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->len--;
	if (b->len == start)
		sbuf_adds(b, quote ? "*" : "ngx-leaktop");
	b->data[b->len] = '\0';
}

void
supp_format(struct sbuf *b, const char *name, enum leak_kind k,
	const struct supp_frame *frames, size_t nexact, bool wildcard_rest)
{
	size_t i;

	if (nexact > SUPP_MAX_LOCS - 1)
		nexact = SUPP_MAX_LOCS - 1;
	sbuf_adds(b, "{\n   ");
	while (name && (*name == ' ' || *name == '#'))
		name++;
	add_clean(b, name, false);
	/* The scan is conservative: a stale pointer into a lost site's latest
	 * block makes it possibly lost or reachable at one check; match those. */
	sbuf_printf(b, "\n   Memcheck:Leak\n   match-leak-kinds: %s\n",
		k == LEAK_DEFINITE ? "definite,possible,reachable" :
		k == LEAK_INDIRECT ? "indirect,possible,reachable" :
		(unsigned)k < LEAK_KIND_COUNT ? leak_words[k] : "all");
	for (i = 0; i < nexact; i++) {
		const struct supp_frame *f = &frames[i];
		bool fun = f->fn && *f->fn && strcmp(f->fn, "???");

		if (fun || !f->obj || !*f->obj) {
			sbuf_adds(b, "   fun:");
			add_clean(b, fun ? f->fn : NULL, true);
		} else {
			sbuf_adds(b, "   obj:");
			add_clean(b, f->obj, true);
		}
		sbuf_addc(b, '\n');
	}
	if (!nexact)
		sbuf_adds(b, "   fun:*\n");
	if (wildcard_rest)
		sbuf_adds(b, "   ...\n");
	sbuf_adds(b, "}\n");
}

/* share/nginx.supp, made a C string by the Makefile (SUPP_DEFAULT). */
static const char default_text[] =
#include "supp_default.inc"
	"";

const char *
supp_default_text(void)
{
	return default_text;
}
