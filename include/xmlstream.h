/* xmlstream.h - valgrind's XML stream turned into what the front ends show:
 * memcheck errors (memerrors) as they arrive, with valgrind's counts of them
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
#include <stdint.h>

struct leak_summary;
struct model;
struct memerrors;
struct xmlstream;

struct xmlstream_cb {
	void (*error)(void *ctx, bool is_new);	/* a memcheck error arrived */
	void (*fatal)(void *ctx);		/* <fatal_signal>: xmlstream_fatal() */
	/* valgrind's <errorcounts> (written at exit) changed errors' counts
	 * (memerrors.h); called once, from xmlstream_finish. */
	void (*counts)(void *ctx);
};

/* Errors' frames go into live (shared frame table with the leak sites).
 * exit_in_live: the exit report becomes live's round (offline: it is the
 * only round there is); otherwise it gets a model of its own. */
struct xmlstream *xmlstream_new(struct model *live, bool exit_in_live, const struct xmlstream_cb *cb,
	void *ctx);
/* Another process's stream whose errors join errors (another stream's,
 * which outlives this one): a worker's, forked with its own XML file. */
struct xmlstream *xmlstream_new_into(struct model *live, struct memerrors *errors,
	const struct xmlstream_cb *cb, void *ctx);
void xmlstream_free(struct xmlstream *xs);

void xmlstream_feed(struct xmlstream *xs, const char *buf, size_t len);
/* End of input: closes the exit report if one was started. Returns false
 * if the stream was not usable memcheck XML (xmlstream_message says why);
 * a cut-off stream is fine (xmlstream_truncated). */
bool xmlstream_finish(struct xmlstream *xs);
/* Offline: the whole file, in chunks, constant memory. */
bool xmlstream_load_file(struct xmlstream *xs, const char *path, char *err, size_t errlen);

struct memerrors *xmlstream_errors(const struct xmlstream *xs);
/* The exit leak report (one round), NULL if the stream had none (or it
 * went into another's model: xmlstream_exit_into). */
struct model *xmlstream_exit_model(const struct xmlstream *xs);
/* Before any input: the exit report's records go into exit, as source's
 * (model_round_source), not into a model of the stream's own. exit's round
 * is its owner's to begin before and to end after every stream that
 * shares it is finished: nginx's processes each write their own exit
 * report, and they are shown as one, the sum of xmlstream_exit_summary. */
void xmlstream_exit_into(struct xmlstream *xs, struct model *exit, uint32_t source);
/* Once finished: whether the stream had an exit report, and its totals. */
bool xmlstream_exit_summary(const struct xmlstream *xs, struct leak_summary *sum);
bool xmlstream_truncated(const struct xmlstream *xs);
/* "nginx got SIGSEGV (Access not within mapped region at 0x0) in fn (file:line)", or "". */
const char *xmlstream_fatal(const struct xmlstream *xs);
/* Parse problem ("not XML: ...", "truncated: ..."), or "". */
const char *xmlstream_message(const struct xmlstream *xs);
/* The program valgrind ran, "" before the preamble. */
const char *xmlstream_program(const struct xmlstream *xs);

#endif
