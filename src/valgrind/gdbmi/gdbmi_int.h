/* gdbmi_int.h - limits of the gdb/MI parser, shared by its files and tests.
 *
 * gdb's output is untrusted: the limits bound the memory one line can
 * make us allocate and the recursion of the descent. */
#ifndef LT_GDBMI_INT_H
#define LT_GDBMI_INT_H

#include "gdbmi.h"

/* Tuples and lists inside each other: gdb nests 4 deep at most in what
 * the debugger reads (variables=[{...}], stack=[frame={...}]). */
#define GDBMI_MAX_DEPTH 64
/* One line: a `monitor leak_check` answer arrives split in many @ lines,
 * each a few hundred bytes; 16 MiB leaves room for huge values. */
#define GDBMI_MAX_LINE (16u << 20)
/* Values (names, strings, tuples, lists) of one record: ~100 bytes each,
 * so a hostile line of "[a,a,a,...]" costs at most ~30 MB. */
#define GDBMI_MAX_VALUES (1u << 18)
/* Digits of a token (uint64_t). */
#define GDBMI_MAX_TOKEN_DIGITS 20

void gdbmi_value_free(struct gdbmi_value *v);
/* Start spec->gdb on spec->program; fds: our ends of its stdin (write,
 * non-blocking), stdout and stderr (read, non-blocking). -1 with a
 * one-line reason in err (a missing gdb names its Debian package). */
pid_t gdbmi_spawn(const struct gdbmi_spec *spec, int fds[3], char *err, size_t errlen);

#endif
