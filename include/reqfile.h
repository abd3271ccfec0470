/* reqfile.h - request files in the .http format of editors' REST clients
 * (VS Code's REST Client, JetBrains' HTTP client):
 *
 *   @token = abc                      file variable, {{token}} anywhere after
 *   ### Create a user                 separator; its text names the request
 *   # @name create                    names it too (the ### title wins)
 *   # @count 3                        weight: 3 shares of a burst (default 1)
 *   POST /users HTTP/1.1              METHOD URL [HTTP/1.1|HTTP/2]; URL alone: GET
 *   Content-Type: application/json    headers up to a blank line
 *
 *   {"name": "{{token}}"}             body up to the next ###
 *   < ./big.json                      or: the body is that file (binary, as is;
 *                                     relative to the request file's directory)
 *
 * Lines starting with # or // are comments outside a body. A URL may be
 * a path (/users: resolved against nginx) or a full URL. Every error
 * names the file and line: "api.http:12: header 'X-A' has no ':' (want
 * Name: value)". No curses, no network. */
#ifndef LT_REQFILE_H
#define LT_REQFILE_H

#include <stdbool.h>
#include <stddef.h>

struct reqfile_req {
	char *title;		/* "### title" or "# @name", NULL if neither */
	char *method;		/* "GET" when the line has no method */
	char *url;		/* as written, variables substituted */
	int http_version;	/* 11, 20 from the request line; 0 none */
	char **headers;		/* "Name: value", variables substituted */
	size_t nheaders;
	char *body;		/* NULL: no body; else body_len bytes (+ a NUL) */
	size_t body_len;
	unsigned long count;	/* # @count N: 1..1000000, default 1 */
	char *file;		/* the request file, as given */
	unsigned line;		/* its request line */
};

struct reqfile {
	struct reqfile_req *reqs;
	size_t n;
};

/* Read and parse path (at most 16 MB, bodies from < files included).
 * False with a one-line err naming file:line and what is wrong; at
 * least one request on success. */
bool reqfile_load(const char *path, struct reqfile *out, char *err, size_t errlen);
/* The same on text already read; path names it in errors and anchors
 * "< file" bodies. */
bool reqfile_parse(const char *path, const char *text, size_t len, struct reqfile *out,
	char *err, size_t errlen);
void reqfile_free(struct reqfile *rf);
/* The bytes of a file (a body, a --send file): at most max bytes, NUL
 * terminated, *out malloc'd. False with *errnum (EFBIG: over max). */
bool reqfile_read_all(const char *path, size_t max, char **out, size_t *len, int *errnum);
/* The kind's name: its title, else "METHOD URL". Malloc'd. */
char *reqfile_kind_name(const struct reqfile_req *r);

#endif
