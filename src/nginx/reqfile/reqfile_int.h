/* reqfile_int.h - inside the request-file parser (reqfile.h): reqfile.c
 * walks the lines a block (the text between ### separators) at a time;
 * reqfile_text.c has the text helpers, errors, variables and metadata;
 * reqfile_req.c the request line, headers and body. Private to
 * src/nginx/reqfile/. */
#ifndef LT_REQFILE_INT_H
#define LT_REQFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "reqfile.h"
#include "sbuf.h"

#define REQFILE_MAX ((size_t)16 << 20)	/* the file, its body files, expansions */
#define REQFILE_MAX_VARS 1000		/* lookups are linear */
#define REQFILE_MAX_REQS 10000
#define REQFILE_MAX_HEADERS 1000

struct reqfile_var {
	char *name, *value;
};

enum reqfile_state {
	REQFILE_OUTSIDE,	/* before the request line: comments, metadata, variables */
	REQFILE_HEADERS,
	REQFILE_BODY,
	REQFILE_AFTER,		/* a response handler: nothing more to send */
};

struct reqfile_parser {
	const char *path, *text;
	size_t len, pos;
	unsigned no;			/* the line just read */
	char *err;
	size_t errlen;
	struct reqfile_var *vars;
	size_t nvars, capvars;
	struct reqfile *out;
	size_t cap;
	size_t total;			/* bytes counted against REQFILE_MAX */
	/* the block being read */
	enum reqfile_state state;
	struct reqfile_req cur;		/* method set: it has a request line */
	size_t capheaders;
	char *title, *name;
	bool url_open;			/* ?a=1 / &b=2 lines may still follow */
	size_t body_start, body_end;	/* offsets; body_end 0: no body */
	unsigned body_no;
};

/* reqfile_text.c */
/* The error into p->err, "FILE:LINE: message" (no LINE when 0); false. */
__attribute__((format(printf, 3, 4)))
bool reqfile_fail(struct reqfile_parser *p, unsigned no, const char *fmt, ...);
/* s escaped and cut short (on a character boundary), in buf. */
const char *reqfile_show(char *buf, size_t size, const char *s, size_t n);
#define REQFILE_SHOW(buf, s, n) reqfile_show((buf), sizeof(buf), (s), (n))
bool reqfile_is_space(char c);
bool reqfile_is_name_char(char c);
void reqfile_trim(const char **s, size_t *n);
bool reqfile_starts(const char *s, size_t n, const char *prefix);
/* The first control byte (a tab allowed when tab_ok), or -1. */
long reqfile_control_at(const char *s, size_t n, bool tab_ok);
/* s[0..n) with every {{name}} replaced, appended to out (line no). */
bool reqfile_subst(struct reqfile_parser *p, unsigned no, const char *s, size_t n,
	struct sbuf *out);
/* "@name = value", s past the @. */
bool reqfile_var(struct reqfile_parser *p, const char *s, size_t n);
/* "# @key value" (s past # or //): true with key and value when it is one. */
bool reqfile_meta(const char *s, size_t n, const char **key, size_t *kn, const char **val,
	size_t *vn);
/* # @name and # @count of the block; other metadata is ignored. */
bool reqfile_parse_meta(struct reqfile_parser *p, const char *s, size_t n);

/* reqfile_req.c */
bool reqfile_is_upper_word(const char *s, size_t n);
bool reqfile_url_ok(const char *s, size_t n);
/* 10, 11, 20 for HTTP/1.0, HTTP/1.1, HTTP/2(.0); 0 otherwise. */
int reqfile_version_of(const char *s, size_t n);
/* Up to 4 words of s into w/wn; how many there are. */
size_t reqfile_words(const char *s, size_t n, const char **w, size_t *wn);
bool reqfile_request_line(struct reqfile_parser *p, const char *s, size_t n);
bool reqfile_continue_url(struct reqfile_parser *p, const char *s, size_t n);
bool reqfile_header(struct reqfile_parser *p, const char *s, size_t n);
bool reqfile_looks_like_request(const char *s, size_t n);
/* p->cur's body from the lines body_start..body_end. */
bool reqfile_build_body(struct reqfile_parser *p);

#endif
