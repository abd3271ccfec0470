/* cli.h - command line: one option table yields getopt_long's array and
 * the --help text, so help never drifts from what is parsed. */
#ifndef LT_CLI_H
#define LT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "report.h"

struct engine_opts;
struct preflight;
struct report_set;
struct reqset;
struct supp;


struct cli_strv {
	char **v;
	size_t n;
};

/* --send FILE: a TCP exchange, to the --tcp before it (NULL: the stream
 * server of the generated config or of the config's stream {}). */
struct cli_send {
	const char *addr;
	const char *file;
	unsigned long read_bytes;	/* --read after it; 0: until nginx closes */
	long idle_ms;			/* --idle after it; 0: none */
};

struct cli_opts {
	bool batch;
	bool allow_no_debug_palloc;
	const char *nginx;	/* NULL with --load */
	const char *load;	/* --load FILE: offline, no nginx is run */
	const char *conf;
	const char *prefix;
	const char *server_directives;
	struct cli_strv urls, headers, alloc_fns, valgrind_opts, source_dirs, breaks;
	unsigned long requests;
	unsigned concurrency;
	bool keepalive;
	const char *method;
	const char *body;
	unsigned rounds;
	const char *json;
	const char *batch_only;	/* a batch option seen (--json, --rounds, --fail-on) */
	const char *session;	/* --session FILE */
	bool no_session;
	char *session_default;	/* malloc'd default path, when used */
	unsigned num_callers;
	const char *valgrind;
	const char *vgdb;
	const char *gdb;
	long check_timeout_s;
	bool full_checks;	/* --full-checks */
	long start_timeout_s;
	long request_timeout_s;
	unsigned workers;	/* --workers N, 0 = as the config says */
	unsigned reloads;	/* --reloads N (batch) */
	bool attach;		/* --attach [PID] [NGINX] */
	long attach_pid;	/* 0: list the candidates (or the only one) */
	long every_s;		/* --every SEC */
	const char *vgdb_prefix;	/* --vgdb-prefix (attach) */
	/* what the bursts send (cli_req.c) */
	struct cli_strv req_files;	/* --request-file, repeatable */
	struct cli_send *sends;
	size_t nsends;
	const char *tcp_addr;	/* the last --tcp */
	bool tcp_unused;	/* a --tcp no --send followed */
	bool tls;		/* --tls: the generated config listens with ssl */
	int http_version;	/* 20 --http2, 11 --http1.1, 0 as the listen says */
	const char *stream_directives;
	const char *http_block, *stream_block;	/* --http-block, --stream-block */
	struct reqset *reqs;	/* every kind: -u, request files, sends (cli_parse builds it) */
	/* CI (cli_ci.c) */
	const char *sarif, *junit, *folded;	/* --sarif, --junit, --folded FILE */
	const char *gen_supp;		/* --gen-suppressions FILE */
	struct cli_strv supp_files;	/* --suppressions FILE, repeatable */
	bool no_default_supp;		/* --no-default-suppressions */
	struct supp *supp;		/* the default set and every file, read */
	struct report_gate gate;	/* --fail-on and the budgets */
	bool diff;			/* --diff OLD NEW */
	const char *diff_old, *diff_new;
	const char *baseline;		/* --baseline FILE (with --load, live) */
	const char *source_root;	/* --source-root DIR; NULL: the current directory */
};

enum cli_result {
	CLI_RUN,	/* go on */
	CLI_EXIT_OK,	/* --help / --version printed */
	CLI_ERROR,	/* err has a one-line message */
};

enum cli_result cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);
void cli_free(struct cli_opts *o);
void cli_usage(FILE *out);
/* Fill engine options from the command line and the preflight result;
 * pointers refer into o and pf, which must outlive the engine. */
void cli_engine_opts(const struct cli_opts *o, const struct preflight *pf, struct engine_opts *eo);

/* The CI report options, listed once (cli_ci.c): the option, what it
 * writes, where its path is in struct cli_opts, and what renders it (NULL
 * for --gen-suppressions: written from the rows that fail). --json, the
 * run's own report, is apart. */
struct cli_output {
	const char *option, *what;
	size_t off;
	char *(*render)(const struct report_set *s);
};
extern const struct cli_output cli_outputs[];
extern const size_t cli_noutputs;
/* Its path in o; NULL if it was not asked for. */
const char *cli_output_path(const struct cli_opts *o, const struct cli_output *out);
/* A report goes to standard output ("-", --json's too): the table goes to
 * standard error then. */
bool cli_output_dash(const struct cli_opts *o);

#endif
