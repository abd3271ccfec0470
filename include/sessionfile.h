/* sessionfile.h - the session file: every completed leak check appended as one
 * JSON line and fsync'd, so a crash of ngx-leaktop (or of the machine)
 * loses at most the check in flight. `--load FILE.jsonl` rebuilds the
 * model from it.
 *
 * Lines: {"type":"session", ...} first; then per round {"type":"round",
 * "frames": [new frames], "sites": [new sites], "values": [[site, bytes,
 * blocks, direct, indirect(, [pids])], ...], "carry": true, "urls": [new
 * URLs], "url_requests": [[url, requests that reached nginx], ...], ...};
 * frames, sites and URLs are written once, when first seen (a URL's id is
 * its place in the order written), so a line stays the size of what
 * changed. A "carry" round lists only the sites whose values or pids
 * changed since the round before (model_changed; a site that fell to 0 at
 * 0) and every site new in it: the others keep what they had. A round
 * without "carry" (older files, or the line after a failed write) lists
 * every site present, and a site it leaves out has nothing. Files without
 * "urls" (older ones) load with no per-URL counts. */
#ifndef LT_JOURNAL_H
#define LT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

struct model;
struct sessionfile;

struct sessionfile_meta {
	const char *nginx;
	const char *nginx_version;
	bool debug_palloc;
};

/* Create (O_EXCL: never overwrite) and write the header; NULL + err. */
struct sessionfile *sessionfile_open(const char *path, const struct sessionfile_meta *meta,
	char *err, size_t errlen);
/* Append the model's latest round; false + err if the write failed (the
 * session goes on; the caller warns once). */
bool sessionfile_round(struct sessionfile *j, const struct model *m, char *err, size_t errlen);
/* Append {"type":"end","reason":...} and close. */
/* After an owner search: the holders found since the last call, for the
 * sites already written (what --load shows as held_by). */
bool sessionfile_holders(struct sessionfile *j, const struct model *m, char *err, size_t errlen);
void sessionfile_close(struct sessionfile *j, const char *reason);
const char *sessionfile_path(const struct sessionfile *j);

/* Rebuild a model from a session file; meta strings are malloc'd into
 * *nginx (free it). A torn last line is skipped (*torn set). */
bool sessionfile_load(const char *path, struct model *m, char **nginx, bool *torn,
	char *err, size_t errlen);

/* The default path: $XDG_STATE_HOME/ngx-leaktop/sessions/DATE-PID.jsonl
 * (~/.local/state/... without it); directories created 0700. Malloc'd,
 * NULL + err if no place can be made. */
char *sessionfile_default_path(char *err, size_t errlen);

#endif
