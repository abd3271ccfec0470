/* gdbmi.h - gdb's machine interface (MI3): its output parsed, and a gdb
 * process driven through it on the evloop.
 *
 * The debugger view (engine_debug) runs `gdb -nx -q --interpreter=mi3
 * NGINX` and attaches it to nginx's own valgrind gdbserver (`target remote
 * | vgdb ...`, see shared VALGRIND.md). Everything gdb prints is untrusted:
 * C strings are unescaped into plain bytes (NUL-terminated, with their
 * length; they may hold any byte, the screen escapes them), nesting and
 * sizes are capped, and a line of no known shape is an error with a reason,
 * never a crash.
 *
 * Output shapes (gdb manual, "GDB/MI Output Syntax"):
 *   [TOKEN]^done[,results]      result record (done, running, connected, error, exit)
 *   [TOKEN]*stopped,results     exec async (stopped, running)
 *   [TOKEN]+..., [TOKEN]=...    status / notify async (=breakpoint-created, ...)
 *   ~"text"  @"text"  &"text"   console / target / log stream
 *   (gdb)                       prompt
 * results are name=value pairs; a value is a "c-string", a {tuple} of
 * results, or a [list] of values or of results. */
#ifndef LT_GDBMI_H
#define LT_GDBMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evloop;
struct gdbmi;

/* ---- values and records (gdbmi_parse.c) ---- */

enum gdbmi_vkind { GDBMI_CONST, GDBMI_TUPLE, GDBMI_LIST };

struct gdbmi_value {
	enum gdbmi_vkind kind;
	char *name;		/* NULL for a bare value in a list */
	char *str;		/* CONST: unescaped bytes, NUL-terminated */
	size_t len;
	struct gdbmi_value *child;	/* TUPLE/LIST: first member */
	struct gdbmi_value *next;	/* next member of the enclosing tuple/list */
};

enum gdbmi_rtype {
	GDBMI_RESULT,	/* ^ */
	GDBMI_EXEC,	/* * */
	GDBMI_STATUS,	/* + */
	GDBMI_NOTIFY,	/* = */
	GDBMI_CONSOLE,	/* ~ */
	GDBMI_TARGET,	/* @ */
	GDBMI_LOG,	/* & */
	GDBMI_PROMPT,	/* (gdb) */
};

struct gdbmi_record {
	enum gdbmi_rtype type;
	bool has_token;
	uint64_t token;
	char *klass;		/* "done", "error", "stopped", "breakpoint-created"; NULL for streams and the prompt */
	struct gdbmi_value *results;	/* first name=value, NULL if none */
	char *text;		/* streams: unescaped bytes, NUL-terminated */
	size_t textlen;
};

/* Parse one line (without its newline). False with a one-line reason in
 * err; out is then empty. Free a parsed record with gdbmi_record_clear. */
bool gdbmi_parse_line(const char *line, size_t len, struct gdbmi_record *out,
	char *err, size_t errlen);
void gdbmi_record_clear(struct gdbmi_record *r);

/* Look up a dotted path ("frame.line", "bkpt.number") among results (a
 * first member and its next ones); in a list the first member of that
 * name counts. NULL if absent. gdbmi_str: the same for a CONST, its
 * string, else NULL. */
const struct gdbmi_value *gdbmi_get(const struct gdbmi_value *results, const char *path);
const char *gdbmi_str(const struct gdbmi_value *results, const char *path);

/* The shapes the debugger reads, copied out of a record (strings
 * malloc'd, NULL when gdb gave none; line 0 when unknown). */
struct gdbmi_frame {
	unsigned level;
	char *func;
	char *file;		/* as compiled: "src/http/ngx_http.c" or a basename */
	char *fullname;		/* absolute path gdb found, or NULL */
	unsigned line;
	char *addr;		/* "0x0000000000123456" */
};
struct gdbmi_var {
	char *name;
	char *type;
	char *value;		/* NULL for aggregates under --simple-values */
	bool arg;
};
/* A `frame={...}` tuple (of *stopped or -stack-info-frame) or one `frame`
 * of -stack-list-frames' `stack=[frame={...},...]`. */
bool gdbmi_frame_from(const struct gdbmi_value *tuple, struct gdbmi_frame *out);
void gdbmi_frame_clear(struct gdbmi_frame *f);
/* -stack-list-frames' results: *out malloc'd, the count returned. */
size_t gdbmi_frames(const struct gdbmi_value *results, struct gdbmi_frame **out);
/* -stack-list-variables --simple-values' results (variables=[{name=,
 * arg=, type=, value=},...]): *out malloc'd, the count returned. */
size_t gdbmi_vars(const struct gdbmi_value *results, struct gdbmi_var **out);
void gdbmi_frames_free(struct gdbmi_frame *f, size_t n);
void gdbmi_vars_free(struct gdbmi_var *v, size_t n);

/* An argument quoted as an MI c-string ("a \"b\"\n" -> "\"a \\\"b\\\"\\n\""),
 * malloc'd. */
char *gdbmi_quote(const char *s);

/* ---- gdb as a child process (gdbmi.c) ---- */

/* A command's end: res is its result record (^done, ^running, ^error,
 * ^connected, ^exit; for ^error gdbmi_str(res->results, "msg") says why);
 * stream is the console and target stream text (~ and @) that came while
 * it ran, e.g. a `monitor` command's answer. res is NULL when gdb died or
 * the command timed out (gdbmi_error() says which; gdb is then killed). */
typedef void (*gdbmi_done_cb)(struct gdbmi *g, const struct gdbmi_record *res,
	const char *stream, size_t streamlen, void *ctx);
/* Async records (*stopped, *running, =breakpoint-modified, ...) as they come. */
typedef void (*gdbmi_async_cb)(struct gdbmi *g, const struct gdbmi_record *rec, void *ctx);
/* gdb exited (status as from waitpid); the callbacks of commands still
 * queued ran before with res NULL. */
typedef void (*gdbmi_exit_cb)(struct gdbmi *g, int status, void *ctx);

struct gdbmi_spec {
	const char *gdb;		/* program, looked up in PATH */
	const char *program;		/* the executable whose symbols gdb reads */
	gdbmi_async_cb on_async;
	gdbmi_exit_cb on_exit;
	void *ctx;
};

/* Start gdb (argv, no shell, own process group, dies with us). The first
 * prompt comes once gdb has read the program's symbols: gdbmi_ready()
 * turns true then; commands given before wait for it. NULL with a
 * one-line reason if gdb cannot be started (a missing gdb names the
 * package to install). */
struct gdbmi *gdbmi_start(struct evloop *loop, const struct gdbmi_spec *spec,
	char *err, size_t errlen);
/* Queue a command ("-exec-next", "-break-insert file.c:188"); commands
 * run one at a time, in order (the next is written when the previous
 * one's result record came). timeout_ms bounds the wait for its result
 * once written (<= 0: none). False if gdb is gone, or the command is
 * empty or holds a newline (it would be two commands). */
bool gdbmi_command(struct gdbmi *g, const char *command, int64_t timeout_ms,
	gdbmi_done_cb cb, void *ctx);
/* Write a command at once, ahead of the queue, with no callback: for
 * -exec-interrupt while a command waits (mi-async on). */
bool gdbmi_send_now(struct gdbmi *g, const char *command);
bool gdbmi_ready(const struct gdbmi *g);
bool gdbmi_busy(const struct gdbmi *g);
pid_t gdbmi_pid(const struct gdbmi *g);
/* Why gdb is gone or a command failed, one line ("" if nothing went wrong). */
const char *gdbmi_error(const struct gdbmi *g);
/* Milliseconds since gdb started (for the progress shown while it reads
 * symbols). */
int64_t gdbmi_age_ms(const struct gdbmi *g);
/* Kill gdb's process group (SIGKILL: gdb keeps nothing worth a clean
 * exit, and the group holds the vgdb of `target remote | vgdb`) and reap
 * gdb; queued commands get res NULL; no exit callback. Safe inside a
 * callback (the memory goes when the callback returned). */
void gdbmi_free(struct gdbmi *g);

#endif
