/* intern.h - string interning into an arena.
 *
 * A leak check repeats the same few thousand function and file names
 * millions of times; each distinct string is stored once and compared by
 * pointer afterwards. */
#ifndef LT_INTERN_H
#define LT_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct intern;

struct intern *intern_new(void);
void intern_free(struct intern *in);
/* Returns a stable NUL-terminated copy; the same pointer for equal bytes.
 * An empty string is interned as "" (never NULL). */
const char *intern_get(struct intern *in, const char *s, size_t n);
size_t intern_count(const struct intern *in);
size_t intern_bytes(const struct intern *in);

/* The hash the model uses for its own tables too. */
uint64_t intern_hash(const void *p, size_t n, uint64_t seed);

#endif
