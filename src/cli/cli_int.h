/* cli_int.h - inside the command line: cli.c parses the option table,
 * cli_req.c the options that say what the bursts send (request files,
 * TLS, HTTP/2, TCP exchanges) and builds the kinds. Private to src/cli/. */
#ifndef LT_CLI_INT_H
#define LT_CLI_INT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_opts;
struct engine_opts;
enum cli_result;

enum {
	OPT_BATCH = 256, OPT_ROUNDS, OPT_JSON, OPT_FAIL_ON, OPT_ALLOC_FN, OPT_NUM_CALLERS,
	OPT_VALGRIND, OPT_VGDB, OPT_VALGRIND_OPT, OPT_CHECK_TIMEOUT, OPT_FULL_CHECKS, OPT_START_TIMEOUT,
	OPT_BREAK, OPT_GDB, OPT_WORKERS, OPT_RELOADS, OPT_ATTACH, OPT_EVERY, OPT_VGDB_PREFIX,
	OPT_REQ_TIMEOUT, OPT_NO_KEEPALIVE, OPT_SOURCE_DIR, OPT_DIRECTIVES, OPT_ALLOW_PLAIN, OPT_LOAD, OPT_SESSION, OPT_NO_SESSION,
	/* cli_req.c's */
	OPT_REQUEST_FILE, OPT_TLS, OPT_HTTP2, OPT_HTTP11, OPT_TCP, OPT_SEND, OPT_READ, OPT_IDLE,
	OPT_STREAM_DIRECTIVES, OPT_HTTP_BLOCK, OPT_STREAM_BLOCK,
	/* cli_ci.c's */
	OPT_SARIF, OPT_JUNIT, OPT_FOLDED, OPT_GEN_SUPP, OPT_SUPP, OPT_NO_DEFAULT_SUPP,
	OPT_MAX_PER_REQUEST, OPT_MAX_PER_RELOAD, OPT_DIFF, OPT_BASELINE, OPT_SOURCE_ROOT,
};

struct cli_option {
	const char *name;
	int val;		/* short option char or OPT_* */
	int has_arg;
	const char *arg;	/* placeholder in help */
	const char *help;	/* "(default: ...)" included where there is one */
};

/* One request option (OPT_REQUEST_FILE ... OPT_STREAM_DIRECTIVES); false
 * with err set, or if c is not one of them (*handled false). */
bool cli_req_apply(struct cli_opts *o, int c, const char *arg, bool *handled,
	char *err, size_t errlen);
/* After every option: the checks between them, then the kinds built
 * (o->reqs). False with err set. */
bool cli_req_finish(struct cli_opts *o, char *err, size_t errlen);
void cli_req_free(struct cli_opts *o);
/* Fill the engine's options that cli_req.c owns. */
void cli_req_engine_opts(const struct cli_opts *o, struct engine_opts *eo);

/* One CI option (OPT_SARIF ... OPT_SOURCE_ROOT), as cli_req_apply. */
bool cli_ci_apply(struct cli_opts *o, int c, const char *arg, bool *handled, char *err,
	size_t errlen);
/* After every option: the checks between them, the report paths, the
 * suppressions read (o->supp). False with err set. */
bool cli_ci_finish(struct cli_opts *o, char *err, size_t errlen);
/* --diff OLD NEW: the two positional arguments from argv[i]. */
enum cli_result cli_ci_diff_args(int argc, char **argv, int i, struct cli_opts *o, char *err,
	size_t errlen);
void cli_ci_free(struct cli_opts *o);
void cli_ci_engine_opts(const struct cli_opts *o, struct engine_opts *eo);

/* --version: the version, then a line for each of valgrind, vgdb and gdb:
 * the path found (the option's value, or PATH) and what `--version` says,
 * or "not found" with the package to install. */
void cli_version_print(FILE *out, const struct cli_opts *o);

#endif
