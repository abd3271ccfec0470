/* xstream.h - valgrind's XML stream turned into what the front ends show:
 * memcheck errors (merrors) as they arrive, with valgrind's counts of them
 * once it has written them at exit, the fatal signal that killed
 * the program, and the exit-time leak report as a model of its own (one
 * round; kept apart from the live rounds, whose verdicts it would skew:
 * at exit nginx frees its pools and the picture changes).
 *
 * Fed live by the engine (following the file) or offline from a file
 * (--load FILE.xml). */
#ifndef LT_XSTREAM_H
#define LT_XSTREAM_H

#include <stdbool.h>
#include <stddef.h>

struct model;
struct merrors;
struct xstream;

struct xstream_cb {
	void (*error)(void *ctx, bool is_new);	/* a memcheck error arrived */
	void (*fatal)(void *ctx);		/* <fatal_signal>: xstream_fatal() */
	/* valgrind's <errorcounts> (written at exit) changed errors' counts
	 * (merrors.h); called once, from xstream_finish. */
	void (*counts)(void *ctx);
};

/* Errors' frames go into live (shared frame table with the leak sites).
 * exit_in_live: the exit report becomes live's round (offline: it is the
 * only round there is); otherwise it gets a model of its own. */
struct xstream *xstream_new(struct model *live, bool exit_in_live, const struct xstream_cb *cb,
	void *ctx);
void xstream_free(struct xstream *xs);

void xstream_feed(struct xstream *xs, const char *buf, size_t len);
/* End of input: closes the exit report if one was started. Returns false
 * if the stream was not usable memcheck XML (xstream_message says why);
 * a cut-off stream is fine (xstream_truncated). */
bool xstream_finish(struct xstream *xs);
/* Offline: the whole file, in chunks, constant memory. */
bool xstream_load_file(struct xstream *xs, const char *path, char *err, size_t errlen);

struct merrors *xstream_errors(const struct xstream *xs);
/* The exit leak report (one round), NULL if the stream had none. */
struct model *xstream_exit_model(const struct xstream *xs);
bool xstream_truncated(const struct xstream *xs);
/* "nginx got SIGSEGV (Access not within mapped region at 0x0) in fn (file:line)", or "". */
const char *xstream_fatal(const struct xstream *xs);
/* Parse problem ("not XML: ...", "truncated: ..."), or "". */
const char *xstream_message(const struct xstream *xs);
/* The program valgrind ran, "" before the preamble. */
const char *xstream_program(const struct xstream *xs);

#endif
