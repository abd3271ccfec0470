/* journal.h - the session file: every completed leak check appended as one
 * JSON line and fsync'd, so a crash of ngx-leaktop (or of the machine)
 * loses at most the check in flight. `--load FILE.jsonl` rebuilds the
 * model from it.
 *
 * Lines: {"type":"session", ...} first; then per round {"type":"round",
 * "frames": [new frames], "sites": [new sites], "values": [[site, bytes,
 * blocks, direct, indirect], ...], ...}; frames and sites are written once,
 * when first seen, so a line stays the size of what changed. */
#ifndef LT_JOURNAL_H
#define LT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

struct model;
struct journal;

struct journal_meta {
	const char *nginx;
	const char *nginx_version;
	bool debug_palloc;
};

/* Create (O_EXCL: never overwrite) and write the header; NULL + err. */
struct journal *journal_open(const char *path, const struct journal_meta *meta,
	char *err, size_t errlen);
/* Append the model's latest round; false + err if the write failed (the
 * session goes on; the caller warns once). */
bool journal_round(struct journal *j, const struct model *m, char *err, size_t errlen);
/* Append {"type":"end","reason":...} and close. */
void journal_close(struct journal *j, const char *reason);
const char *journal_path(const struct journal *j);

/* Rebuild a model from a session file; meta strings are malloc'd into
 * *nginx (free it). A torn last line is skipped (*torn set). */
bool journal_load(const char *path, struct model *m, char **nginx, bool *torn,
	char *err, size_t errlen);

/* The default path: $XDG_STATE_HOME/ngx-leaktop/sessions/DATE-PID.jsonl
 * (~/.local/state/... without it); directories created 0700. Malloc'd,
 * NULL + err if no place can be made. */
char *journal_default_path(char *err, size_t errlen);

#endif
