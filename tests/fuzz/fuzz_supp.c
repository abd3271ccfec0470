/* fuzz_supp.c - libFuzzer target for valgrind suppression files (supp.h).
 * Whatever the bytes: the read ends with one line of error text free of
 * control characters, or with suppressions the matcher runs on real nginx
 * stacks. And the bytes as a name and frames for supp_format always give a
 * block that reads back and matches the stack it was made from. */
#include "supp.h"
#include "sbuf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile long sink;

static const struct supp_frame stack[] = {
	{ "malloc", "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so", "", 0 },
	{ "ngx_alloc", "", "/build/nginx/src/os/unix/ngx_alloc.c", 22 },
	{ "ngx_http_leaky_leak_alloc", "", "/w/tests/fixture/ngx_http_leaky_module.c", 188 },
	{ "???", "/lib/x86_64-linux-gnu/libc.so.6", "", 0 },
	{ "", "", "", 0 },
	{ "main", "", "nginx.c", 380 },
};

/* One line, not empty, no control byte (a terminal would obey it). */
static void
check_error(const char *err, size_t errlen)
{
	size_t len = strnlen(err, errlen), i;

	if (!len || len == errlen)
		abort();
	for (i = 0; i < len; i++)
		if (iscntrl((unsigned char)err[i]))
			abort();
}

static void
roundtrip(const char *text, size_t len)
{
	struct supp_frame f[3] = { { text, "", "", 0 }, { "", text + len / 2, "", 0 },
		{ text + len / 3, "", "x.c", 1 } };
	struct sbuf b = SBUF_INIT;
	struct supp *s = supp_new();
	char err[512];

	supp_format(&b, text, (enum leak_kind)(len % LEAK_KIND_COUNT), f, len % 4, len & 1);
	if (!supp_add_text(s, "gen", b.data, err, sizeof err) || supp_count(s) != 1)
		abort();
	/* a name or frame cleaned of what the format cannot hold may match
	 * another stack; the cleaned one never fails to read back */
	sink += supp_match(s, (enum leak_kind)(len % LEAK_KIND_COUNT), f, 3);
	supp_free(s);
	sbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct supp *s = supp_new();
	size_t i, n;
	int k;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 0x55, sizeof err);
	if (!supp_add_text(s, "fuzz.supp", text, err, sizeof err)) {
		check_error(err, sizeof err);
		if (supp_count(s) || supp_count_all(s))
			abort();
	}
	n = supp_count(s);
	for (i = 0; i < n; i++)
		sink += (long)strlen(supp_name(s, i)) + (long)strlen(supp_origin(s, i));
	for (k = 0; k < LEAK_KIND_COUNT; k++)
		for (i = 0; i <= sizeof stack / sizeof stack[0]; i++)
			sink += supp_match(s, (enum leak_kind)k, stack, i);
	supp_free(s);
	roundtrip(text, strlen(text));
	free(text);
	return 0;
}
