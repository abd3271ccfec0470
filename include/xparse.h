/* xparse.h - streaming parser for valgrind memcheck's XML (protocol 4).
 *
 * valgrind writes --xml-file as errors happen; the engine feeds the bytes
 * in whatever chunks it reads them (xparse_feed) and gets a callback for
 * every complete top-level element: the preamble (program and arguments),
 * each <status>, each <error> (memory errors and Leak_* records, at exit or
 * from client-request leak checks), each <fatal_signal>, each
 * <errorcounts>/<suppcounts> pair. Top-level <suppression>s
 * (--gen-suppressions duplicates) are skipped, and so is any element this
 * parser does not know, with its subtree. Every element is delivered as
 * soon as its closing '>' is fed.
 *
 * Memory does not grow with the input: only the element being read is kept
 * (capped below), plus libxml2's buffer (its 10 MB lookahead limit: a tag,
 * comment or CDATA section longer than that is an error) and its name
 * dictionary (256 KiB; valgrind uses a few dozen names). About 5 MB in
 * practice.
 *
 * A file cut short (valgrind killed, v.kill, crash) has no
 * </valgrindoutput>: xparse_finish() says XPARSE_TRUNCATED, and every
 * element complete before the cut has been delivered.
 *
 * Strings: every xparse_str points to NUL-terminated UTF-8 (never NULL; ""
 * when absent) of at most XPARSE_MAX_TEXT bytes, valid only during the
 * callback (xparse_info: until xparse_free). valgrind writes file and
 * function names as raw bytes, which can make its XML invalid; bytes that
 * are not UTF-8 or are control characters other than tab, LF and CR are
 * replaced by U+FFFD before parsing, so one odd path does not lose a whole
 * session. The text is otherwise untouched: escape it for display
 * (escape.h). Texts of message and number elements (what, auxwhat, time,
 * ...) are trimmed of surrounding white space; names and paths (fn, obj,
 * dir, file, exe, arg) are kept exactly.
 *
 * Security: no DTD is accepted (valgrind writes none), so no entity is
 * ever declared or expanded; no network access; libxml2's limits on huge
 * input stay on. */
#ifndef LT_XPARSE_H
#define LT_XPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on one element; exceeding one is the error "element too large". */
#define XPARSE_MAX_TEXT (1u << 20)	/* bytes of one text node */
#define XPARSE_MAX_FRAMES 1024		/* frames of one stack (--num-callers <= 500, plus inlined) */
#define XPARSE_MAX_STACKS 64		/* stacks of one error */
#define XPARSE_MAX_AUX 256		/* auxwhat/xauxwhat of one error */
#define XPARSE_MAX_ELEMENT (16u << 20)	/* text bytes kept for one error (or the preamble) */
#define XPARSE_MAX_ARGS 4096		/* preamble lines, valgrind or program arguments */

struct xparse;

struct xparse_str {
	const char *s;
	size_t len;
};

/* memcheck's error kinds, VALGRIND.md "XML". */
enum xparse_kind {
	XPARSE_K_OTHER,		/* not a memcheck kind: see kind_name */
	XPARSE_K_UNINIT_VALUE,
	XPARSE_K_UNINIT_CONDITION,
	XPARSE_K_CORE_MEM_ERROR,
	XPARSE_K_INVALID_READ,
	XPARSE_K_INVALID_WRITE,
	XPARSE_K_INVALID_JUMP,
	XPARSE_K_SYSCALL_PARAM,
	XPARSE_K_CLIENT_CHECK,
	XPARSE_K_INVALID_FREE,
	XPARSE_K_MISMATCHED_FREE,
	XPARSE_K_OVERLAP,
	XPARSE_K_INVALID_MEMPOOL,
	XPARSE_K_FISHY_VALUE,
	XPARSE_K_LEAK_DEFINITE,
	XPARSE_K_LEAK_INDIRECT,
	XPARSE_K_LEAK_POSSIBLE,
	XPARSE_K_LEAK_REACHABLE,
	XPARSE_K_COUNT
};

struct xparse_frame {
	uint64_t ip;
	struct xparse_str obj;		/* object file, "" if unknown */
	struct xparse_str fn;		/* function, "" if unknown (???) */
	struct xparse_str dir;		/* source directory: full path = dir/file */
	struct xparse_str file;
	unsigned line;			/* 0 if none */
};

struct xparse_stack {
	size_t nframes;
	const struct xparse_frame *frames;	/* innermost first */
};

/* An <auxwhat> or <xauxwhat> note. valgrind prints a note right before the
 * stack it heads ("Block was alloc'd at" + stack) or, with no stack after
 * it, as a remark on the address ("Address 0x0 is not stack'd, ..."); so
 * the note keeps its position: `before` is the number of stacks that came
 * before it in the <error>. It heads stacks[before] when that exists and
 * follows stacks[before - 1]; before == nstacks means no stack follows. */
struct xparse_aux {
	struct xparse_str text;		/* xauxwhat: its <text>s joined by a space */
	bool x;				/* from <xauxwhat> */
	struct xparse_str dir, file;	/* xauxwhat only, "" if none */
	unsigned line;
	size_t before;
};

/* Leak_* kinds: <leakedbytes>/<leakedblocks>, plus what the text says. */
struct xparse_leak {
	uint64_t bytes, blocks;
	uint64_t direct, indirect;	/* "(D direct, I indirect)"; else direct == bytes */
	bool has_delta;			/* "(+N)" from an added/changed client check */
	int64_t bytes_delta, blocks_delta;
	unsigned recno, nrecs;		/* "loss record recno of nrecs", 0 if not said */
};

struct xparse_error {
	struct xparse_str unique;	/* as written: "0x1a" */
	uint64_t unique_id;
	unsigned tid;
	struct xparse_str threadname;	/* "" if the thread has none */
	enum xparse_kind kind;
	struct xparse_str kind_name;	/* "InvalidRead" */
	struct xparse_str what;		/* <what>, or <xwhat><text> */
	bool has_leak;			/* an <xwhat> with <leakedbytes> */
	struct xparse_leak leak;
	size_t nstacks;
	const struct xparse_stack *stacks;	/* stacks[0]: where the error happened */
	size_t naux;
	const struct xparse_aux *aux;	/* in document order */
	struct xparse_str supp_name;	/* --gen-suppressions: <sname>, <skind> */
	struct xparse_str supp_kind;
	struct xparse_str supp_text;	/* the suppression as text, ready to paste */
};

enum xparse_state {
	XPARSE_STATE_OTHER,
	XPARSE_RUNNING,
	XPARSE_FINISHED,		/* the exit leak check follows */
};

struct xparse_status {
	enum xparse_state state;
	struct xparse_str state_name;
	struct xparse_str time;		/* "00:00:00:00.031" (days:h:m:s.ms) */
	uint64_t time_ms;		/* the same in ms, 0 if unreadable */
};

struct xparse_fatal {
	unsigned tid;
	struct xparse_str threadname;
	int signo;
	struct xparse_str signame;	/* "SIGSEGV" */
	int sicode;
	struct xparse_str event;	/* "Access not within mapped region", "" if none */
	bool has_siaddr;
	uint64_t siaddr;
	struct xparse_stack stack;	/* nframes 0 if none */
};

/* What ran: from the preamble, <pid>, <ppid>, <tool> and <args>. */
struct xparse_info {
	unsigned protocol;		/* always 4 */
	struct xparse_str tool;		/* "memcheck" */
	long pid, ppid;			/* 0 if absent */
	size_t npreamble;
	const struct xparse_str *preamble;	/* the <line>s valgrind prints first */
	struct xparse_str vexe;		/* valgrind's own executable */
	size_t nvargs;
	const struct xparse_str *vargs;	/* valgrind's options */
	struct xparse_str exe;		/* the program */
	size_t nargs;
	const struct xparse_str *args;	/* its arguments, without argv[0] */
};

/* A <pair> of <errorcounts> (count + unique) or <suppcounts> (count + name). */
struct xparse_count {
	bool supp;
	uint64_t count;
	struct xparse_str unique;	/* errorcounts */
	uint64_t unique_id;
	struct xparse_str name;		/* suppcounts */
};

/* Every callback is optional. Return 0 to go on; non-zero stops the parse:
 * xparse_feed/xparse_finish then return XPARSE_CALLBACK. */
struct xparse_cb {
	int (*info)(void *ctx, const struct xparse_info *info);
	int (*status)(void *ctx, const struct xparse_status *st);
	int (*error)(void *ctx, const struct xparse_error *err);
	int (*fatal)(void *ctx, const struct xparse_fatal *f);
	int (*count)(void *ctx, const struct xparse_count *c);
};

enum xparse_rc {
	XPARSE_OK = 0,		/* feed: go on; finish: the document was complete */
	XPARSE_TRUNCATED = 1,	/* finish: input ended before </valgrindoutput> */
	XPARSE_CALLBACK = 2,	/* a callback asked to stop */
	XPARSE_ERROR = 3,	/* not memcheck XML, malformed, or too large: xparse_error() */
};

struct xparse *xparse_new(const struct xparse_cb *cb, void *ctx);
void xparse_free(struct xparse *x);
/* Parse the next bytes. Any split is fine (mid-tag, mid-character). Once
 * the result is not XPARSE_OK it stays so and further feeds do nothing. */
enum xparse_rc xparse_feed(struct xparse *x, const char *buf, size_t len);
/* End of input: XPARSE_OK if </valgrindoutput> was seen, XPARSE_TRUNCATED
 * if the input stopped before (xparse_error() says where), or the sticky
 * result of an earlier failure. */
enum xparse_rc xparse_finish(struct xparse *x);
/* One line, "" while all is well: "not XML: ...", "valgrind XML from
 * helgrind, not memcheck", "element too large: ...", "truncated: ...". */
const char *xparse_error(const struct xparse *x);
/* The preamble once delivered, else NULL. */
const struct xparse_info *xparse_info(const struct xparse *x);
/* Bytes fed so far. */
uint64_t xparse_offset(const struct xparse *x);

/* "InvalidRead" ...; "" for XPARSE_K_OTHER. */
const char *xparse_kind_name(enum xparse_kind k);
enum xparse_kind xparse_kind_from_name(const char *s, size_t len);
/* The leak_kind (leak.h) of a Leak_* kind, -1 for the others. */
int xparse_kind_leak(enum xparse_kind k);

#endif
