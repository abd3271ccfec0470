/* preflight.h - check the nginx binary and the valgrind tools before
 * starting anything, and explain what is missing. */
#ifndef LT_PREFLIGHT_H
#define LT_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

struct preflight {
	char *nginx;		/* absolute path of the binary */
	char *version;		/* "nginx/1.22.1" */
	char *configure_args;	/* from nginx -V, "" if none */
	bool debug_palloc;	/* -DNGX_DEBUG_PALLOC=1 given */
	bool debug_info;	/* the ELF has .debug_info */
	char *valgrind;		/* resolved paths */
	char *vgdb;
};

/* Fatal problems (missing/non-executable binary, not nginx, no valgrind or
 * vgdb) return false with a one-line err. Non-fatal ones are left in the
 * flags for preflight_warnings(). */
bool preflight_run(const char *nginx, const char *valgrind, const char *vgdb,
	struct preflight *out, char *err, size_t errlen);
void preflight_free(struct preflight *p);

/* Lines of warnings (NGX_DEBUG_PALLOC missing, no debug info), each ending
 * in '\n', with the ./configure line to rebuild; "" when all is well.
 * Malloc'd. */
char *preflight_warnings(const struct preflight *p);

/* The first line of `path --version` (stdout and stderr, run without a
 * shell, killed after 10 s), control bytes escaped; NULL when it printed
 * nothing or could not run. Malloc'd. */
char *preflight_tool_version(const char *path);

/* True if the file is an ELF with a .debug_info section. */
bool preflight_has_debug_info(const char *path);

#endif
