/* tui_source.h - read the source files valgrind names in its frames.
 *
 * valgrind runs with --fullpath-after=, so frames carry the path the
 * compiler saw. A checkout moved since the build is found through search
 * directories (--source-dir): each directory is tried with every suffix of
 * the path, longest first. Only regular files are read (a FIFO named like a
 * source would block the screen) and files above TUI_SOURCE_MAX_BYTES are
 * refused. The bytes are returned as they are: they are untrusted, the
 * caller escapes them before they reach a terminal. No curses here. */
#ifndef LT_TUI_SOURCE_H
#define LT_TUI_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#define TUI_SOURCE_MAX_BYTES (32u << 20)
/* Files kept in the cache; the oldest is dropped first. */
#define TUI_SOURCE_CACHE_FILES 8

struct tui_source_cache;
struct tui_source_file;

struct tui_source_cache *tui_source_cache_new(char *const *dirs, size_t ndirs);
void tui_source_cache_free(struct tui_source_cache *c);

/* The readable path for path: path itself, else a search dir + a suffix of
 * it. Malloc'd, or NULL if none is a regular file. */
char *tui_source_resolve(const char *path, char *const *dirs, size_t ndirs);

/* The file behind a frame's path, loaded once and cached. NULL with a
 * one-line reason in err (not found, too big, unreadable). */
const struct tui_source_file *tui_source_get(struct tui_source_cache *c, const char *path, char *err,
	size_t errlen);

/* The path it was read from (after the search). */
const char *tui_source_path(const struct tui_source_file *f);
size_t tui_source_nlines(const struct tui_source_file *f);
/* Line n (1-based) without its newline; NULL past the end. */
const char *tui_source_line(const struct tui_source_file *f, size_t n, size_t *len);

#endif
