/* reqset.h - the kinds of request a run sends, from every place a user
 * names them: -u URLs (with -X, -H, -d), request files (reqfile.h),
 * --send files over raw TCP, and the live screen's kind editor, whose
 * rows are entries in one line of text each:
 *
 *   /leak/alloc  or  https://127.0.0.1:8443/x   GET (the run's -X, -H, -d)
 *   POST /upload                                 that method, the rest the run's
 *   @api.http                                    every request of the file
 *   @api.http#Create user   @api.http#2          the one so titled, or the 2nd
 *   tcp < hello.bin   tcp 127.0.0.1:9000 < x     a TCP exchange sending the file
 *
 * A set yields the spec's kinds (urls and burst_req, burst.h) as written:
 * paths stay paths and "tcp:" (no address) is the default stream server;
 * the engine resolves them against nginx. Each kind keeps the entry that
 * makes it again and where it came from. Strings are owned by the set. */
#ifndef LT_REQSET_H
#define LT_REQSET_H

#include <stdbool.h>
#include <stddef.h>

struct burst_req;
struct reqset;

/* What -X, -H and -d say, for kinds with no method, headers or body of
 * their own (copied). */
struct reqset_defaults {
	const char *method;	/* NULL: GET (POST with a body) */
	char **headers;
	size_t nheaders;
	const char *body;	/* NULL: none */
};

struct reqset *reqset_new(const struct reqset_defaults *d);
void reqset_free(struct reqset *rs);
/* A copy with the same defaults and no kinds (the editor's next set). */
struct reqset *reqset_empty_like(const struct reqset *rs);

/* -u: a path or a full URL; GET with the defaults. */
bool reqset_add_url(struct reqset *rs, const char *url, char *err, size_t errlen);
/* --request-file: every request of path, or the one titled (or numbered,
 * "2") select. Errors name file:line. */
bool reqset_add_file(struct reqset *rs, const char *path, const char *select,
	char *err, size_t errlen);
/* --tcp/--send: a TCP exchange sending the bytes of send_file (at most
 * 16 MB) to addr ("HOST:PORT"; NULL: the default stream server). */
bool reqset_add_tcp(struct reqset *rs, const char *addr, const char *send_file,
	unsigned long read_bytes, long idle_ms, char *err, size_t errlen);
/* One entry as above. */
bool reqset_add_entry(struct reqset *rs, const char *entry, char *err, size_t errlen);

size_t reqset_count(const struct reqset *rs);
/* The spec's kinds: urls as written ("/x", "https://...", "tcp:",
 * "tcp://127.0.0.1:9000"), and one burst_req each (name set). */
char **reqset_urls(const struct reqset *rs);
const struct burst_req *reqset_reqs(const struct reqset *rs);
/* Of kind i: its name; the entry that makes it again; where it came from
 * ("-u", "api.http:12", "--send hello.bin"); "http", "tcp". */
const char *reqset_name(const struct reqset *rs, size_t i);
const char *reqset_entry(const struct reqset *rs, size_t i);
const char *reqset_source(const struct reqset *rs, size_t i);
bool reqset_is_tcp(const struct reqset *rs, size_t i);
/* Kinds whose request line asked for HTTP/2 (20) or HTTP/1.1 (11). */
bool reqset_wants_version(const struct reqset *rs, int version);

#endif
