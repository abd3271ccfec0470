/* kinds.h - the kinds of request a run sends, as the front ends show
 * them: the engine's resolved URLs and HTTP version with the set's names,
 * entries and sources (reqset.h), for the JSON's "kinds" (report_kind)
 * and the live screen's kind editor (tui_kind). */
#ifndef LT_KINDS_H
#define LT_KINDS_H

#include <stddef.h>

struct engine;
struct reqset;
struct report_kind;
struct tui_kind;

/* One entry per kind the engine sends (its spec's URLs); set may be NULL
 * (then the names are the engine's). Strings point into the engine and
 * the set: valid until either changes. Arrays malloc'd, *n their size. */
struct report_kind *kinds_report(const struct engine *e, const struct reqset *set, size_t *n);
struct tui_kind *kinds_tui(const struct engine *e, const struct reqset *set, size_t *n);

#endif
