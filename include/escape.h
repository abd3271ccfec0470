/* escape.h - make untrusted bytes safe to show.
 *
 * Every byte from valgrind, nginx, XML and source files is untrusted: a
 * function name or source line may carry terminal escape sequences. These
 * helpers turn control characters and invalid UTF-8 into visible escapes
 * (\x1b, \n, \t shown as \t only where asked) so nothing reaches a terminal
 * or a report raw. */
#ifndef LT_ESCAPE_H
#define LT_ESCAPE_H

#include <stddef.h>
#include "sbuf.h"

enum esc_flags {
	ESC_KEEP_TAB = 1,	/* let \t through (source view expands tabs itself) */
};

/* Append src[0..len) to out with control bytes (C0, DEL, C1) and invalid
 * UTF-8 sequences replaced by \xNN; valid UTF-8 passes through. */
void escape_append(struct sbuf *out, const char *src, size_t len, int flags);
/* Same, into a fresh string. */
char *escape_dup(const char *src, size_t len, int flags);
/* True when src needs no escaping at all. */
int escape_is_clean(const char *src, size_t len, int flags);

#endif
