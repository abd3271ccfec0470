/* vgxml.h - streaming parser for valgrind memcheck's XML (protocol 4).
 *
 * valgrind writes --xml-file as errors happen; the engine feeds the bytes
 * in whatever chunks it reads them (vgxml_feed) and gets a callback for
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
 * </valgrindoutput>: vgxml_finish() says VGXML_TRUNCATED, and every
 * element complete before the cut has been delivered.
 *
 * Strings: every vgxml_str points to NUL-terminated UTF-8 (never NULL; ""
 * when absent) of at most VGXML_MAX_TEXT bytes, valid only during the
 * callback (vgxml_info: until vgxml_free). valgrind writes file and
 * function names as raw bytes, which can make its XML invalid; bytes that
 * are not UTF-8 or are control characters other than tab, LF and CR are
 * replaced by U+FFFD before parsing, so one odd path does not lose a whole
 * run. The text is otherwise untouched: escape it for display
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
#define VGXML_MAX_TEXT (1u << 20)	/* bytes of one text node */
#define VGXML_MAX_FRAMES 1024		/* frames of one stack (--num-callers <= 500, plus inlined) */
#define VGXML_MAX_STACKS 64		/* stacks of one error */
#define VGXML_MAX_AUX 256		/* auxwhat/xauxwhat of one error */
#define VGXML_MAX_ELEMENT (16u << 20)	/* text bytes kept for one error (or the preamble) */
#define VGXML_MAX_ARGS 4096		/* preamble lines, valgrind or program arguments */

struct vgxml;

struct vgxml_str {
	const char *s;
	size_t len;
};

/* memcheck's error kinds, VALGRIND.md "XML". */
enum vgxml_kind {
	VGXML_K_OTHER,		/* not a memcheck kind: see kind_name */
	VGXML_K_UNINIT_VALUE,
	VGXML_K_UNINIT_CONDITION,
	VGXML_K_CORE_MEM_ERROR,
	VGXML_K_INVALID_READ,
	VGXML_K_INVALID_WRITE,
	VGXML_K_INVALID_JUMP,
	VGXML_K_SYSCALL_PARAM,
	VGXML_K_CLIENT_CHECK,
	VGXML_K_INVALID_FREE,
	VGXML_K_MISMATCHED_FREE,
	VGXML_K_OVERLAP,
	VGXML_K_INVALID_MEMPOOL,
	VGXML_K_FISHY_VALUE,
	VGXML_K_LEAK_DEFINITE,
	VGXML_K_LEAK_INDIRECT,
	VGXML_K_LEAK_POSSIBLE,
	VGXML_K_LEAK_REACHABLE,
	VGXML_K_COUNT
};

struct vgxml_frame {
	uint64_t ip;
	struct vgxml_str obj;		/* object file, "" if unknown */
	struct vgxml_str fn;		/* function, "" if unknown (???) */
	struct vgxml_str dir;		/* source directory: full path = dir/file */
	struct vgxml_str file;
	unsigned line;			/* 0 if none */
};

struct vgxml_stack {
	size_t nframes;
	const struct vgxml_frame *frames;	/* innermost first */
};

/* An <auxwhat> or <xauxwhat> note. valgrind prints a note right before the
 * stack it heads ("Block was alloc'd at" + stack) or, with no stack after
 * it, as a remark on the address ("Address 0x0 is not stack'd, ..."); so
 * the note keeps its position: `before` is the number of stacks that came
 * before it in the <error>. It heads stacks[before] when that exists and
 * follows stacks[before - 1]; before == nstacks means no stack follows. */
struct vgxml_aux {
	struct vgxml_str text;		/* xauxwhat: its <text>s joined by a space */
	bool x;				/* from <xauxwhat> */
	struct vgxml_str dir, file;	/* xauxwhat only, "" if none */
	unsigned line;
	size_t before;
};

/* Leak_* kinds: <leakedbytes>/<leakedblocks>, plus what the text says. */
struct vgxml_leak {
	uint64_t bytes, blocks;
	uint64_t direct, indirect;	/* "(D direct, I indirect)"; else direct == bytes */
	bool has_delta;			/* "(+N)" from an added/changed client check */
	int64_t bytes_delta, blocks_delta;
	unsigned recno, nrecs;		/* "loss record recno of nrecs", 0 if not said */
};

struct vgxml_error {
	struct vgxml_str unique;	/* as written: "0x1a" */
	uint64_t unique_id;
	unsigned tid;
	struct vgxml_str threadname;	/* "" if the thread has none */
	enum vgxml_kind kind;
	struct vgxml_str kind_name;	/* "InvalidRead" */
	struct vgxml_str what;		/* <what>, or <xwhat><text> */
	bool has_leak;			/* an <xwhat> with <leakedbytes> */
	struct vgxml_leak leak;
	size_t nstacks;
	const struct vgxml_stack *stacks;	/* stacks[0]: where the error happened */
	size_t naux;
	const struct vgxml_aux *aux;	/* in document order */
	struct vgxml_str supp_name;	/* --gen-suppressions: <sname>, <skind> */
	struct vgxml_str supp_kind;
	struct vgxml_str supp_text;	/* the suppression as text, ready to paste */
};

enum vgxml_state {
	VGXML_STATE_OTHER,
	VGXML_RUNNING,
	VGXML_FINISHED,		/* the exit leak check follows */
};

struct vgxml_status {
	enum vgxml_state state;
	struct vgxml_str state_name;
	struct vgxml_str time;		/* "00:00:00:00.031" (days:h:m:s.ms) */
	uint64_t time_ms;		/* the same in ms, 0 if unreadable */
};

struct vgxml_fatal {
	unsigned tid;
	struct vgxml_str threadname;
	int signo;
	struct vgxml_str signame;	/* "SIGSEGV" */
	int sicode;
	struct vgxml_str event;	/* "Access not within mapped region", "" if none */
	bool has_siaddr;
	uint64_t siaddr;
	struct vgxml_stack stack;	/* nframes 0 if none */
};

/* What ran: from the preamble, <pid>, <ppid>, <tool> and <args>. */
struct vgxml_info {
	unsigned protocol;		/* always 4 */
	struct vgxml_str tool;		/* "memcheck" */
	long pid, ppid;			/* 0 if absent */
	size_t npreamble;
	const struct vgxml_str *preamble;	/* the <line>s valgrind prints first */
	struct vgxml_str vexe;		/* valgrind's own executable */
	size_t nvargs;
	const struct vgxml_str *vargs;	/* valgrind's options */
	struct vgxml_str exe;		/* the program */
	size_t nargs;
	const struct vgxml_str *args;	/* its arguments, without argv[0] */
};

/* A <pair> of <errorcounts> (count + unique) or <suppcounts> (count + name). */
struct vgxml_count {
	bool supp;
	uint64_t count;
	struct vgxml_str unique;	/* errorcounts */
	uint64_t unique_id;
	struct vgxml_str name;		/* suppcounts */
};

/* Every callback is optional. Return 0 to go on; non-zero stops the parse:
 * vgxml_feed/vgxml_finish then return VGXML_CALLBACK. */
struct vgxml_cb {
	int (*info)(void *ctx, const struct vgxml_info *info);
	int (*status)(void *ctx, const struct vgxml_status *st);
	int (*error)(void *ctx, const struct vgxml_error *err);
	int (*fatal)(void *ctx, const struct vgxml_fatal *f);
	int (*count)(void *ctx, const struct vgxml_count *c);
};

enum vgxml_rc {
	VGXML_OK = 0,		/* feed: go on; finish: the document was complete */
	VGXML_TRUNCATED = 1,	/* finish: input ended before </valgrindoutput> */
	VGXML_CALLBACK = 2,	/* a callback asked to stop */
	VGXML_ERROR = 3,	/* not memcheck XML, malformed, or too large: vgxml_error() */
};

struct vgxml *vgxml_new(const struct vgxml_cb *cb, void *ctx);
void vgxml_free(struct vgxml *x);
/* Parse the next bytes. Any split is fine (mid-tag, mid-character). Once
 * the result is not VGXML_OK it stays so and further feeds do nothing. */
enum vgxml_rc vgxml_feed(struct vgxml *x, const char *buf, size_t len);
/* End of input: VGXML_OK if </valgrindoutput> was seen, VGXML_TRUNCATED
 * if the input stopped before (vgxml_error() says where), or the sticky
 * result of an earlier failure. */
enum vgxml_rc vgxml_finish(struct vgxml *x);
/* One line, "" while all is well: "not XML: ...", "valgrind XML from
 * helgrind, not memcheck", "element too large: ...", "truncated: ...". */
const char *vgxml_error(const struct vgxml *x);
/* The preamble once delivered, else NULL. */
const struct vgxml_info *vgxml_info(const struct vgxml *x);
/* Bytes fed so far. */
uint64_t vgxml_offset(const struct vgxml *x);

/* "InvalidRead" ...; "" for VGXML_K_OTHER. */
const char *vgxml_kind_name(enum vgxml_kind k);
enum vgxml_kind vgxml_kind_from_name(const char *s, size_t len);
/* The leak_kind (leak.h) of a Leak_* kind, -1 for the others. */
int vgxml_kind_leak(enum vgxml_kind k);

#endif
