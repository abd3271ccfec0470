/* supp.c - valgrind suppression files (first cut: holds nothing yet). */
#include "supp.h"
#include "sbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct supp {
	size_t n;
};

struct supp *
supp_new(void)
{
	return xcalloc(1, sizeof(struct supp));
}

void
supp_free(struct supp *s)
{
	free(s);
}

bool
supp_add_file(struct supp *s, const char *path, char *err, size_t errlen)
{
	(void)s;
	snprintf(err, errlen, "%s: suppression files are not read yet", path);
	return false;
}

bool
supp_add_text(struct supp *s, const char *name, const char *text, char *err, size_t errlen)
{
	(void)s;
	(void)text;
	(void)name;
	(void)err;
	(void)errlen;
	return true;
}

size_t
supp_count(const struct supp *s)
{
	return s->n;
}

size_t
supp_count_all(const struct supp *s)
{
	return s->n;
}

const char *
supp_name(const struct supp *s, size_t i)
{
	(void)s;
	(void)i;
	return "";
}

const char *
supp_origin(const struct supp *s, size_t i)
{
	(void)s;
	(void)i;
	return "";
}

long
supp_match(const struct supp *s, enum leak_kind k, const struct supp_frame *frames, size_t n)
{
	(void)s;
	(void)k;
	(void)frames;
	(void)n;
	return -1;
}

void
supp_format(struct sbuf *b, const char *name, enum leak_kind k,
	const struct supp_frame *frames, size_t nexact, bool wildcard_rest)
{
	size_t i;

	sbuf_printf(b, "{\n   %s\n   Memcheck:Leak\n   match-leak-kinds: %s\n", name,
		k == LEAK_DEFINITE ? "definite" : k == LEAK_INDIRECT ? "indirect" :
		k == LEAK_POSSIBLE ? "possible" : "reachable");
	for (i = 0; i < nexact; i++)
		sbuf_printf(b, "   %s:%s\n", *frames[i].fn ? "fun" : "obj",
			*frames[i].fn ? frames[i].fn : frames[i].obj);
	if (wildcard_rest)
		sbuf_adds(b, "   ...\n");
	sbuf_adds(b, "}\n");
}

const char *
supp_default_text(void)
{
	return "";
}
