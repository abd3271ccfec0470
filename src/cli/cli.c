/* cli.c - getopt_long over one table of options. */
#include "cli.h"
#include "cli_int.h"
#include "engine.h"
#include "sessionfile.h"
#include "burst.h"
#include "preflight.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option options[] = {
	{ "batch", OPT_BATCH, no_argument, NULL, "no screen: run rounds, print a table, exit 0/1/2" },
	{ "load", OPT_LOAD, required_argument, "FILE", "open a recorded run instead of running nginx: a session file, a --json report, or a valgrind memcheck XML file (any program)" },
	{ "session", OPT_SESSION, required_argument, "FILE", "append every completed check here, fsync'd (default: ~/.local/state/ngx-leaktop/sessions/DATE-PID.jsonl); --load reopens it" },
	{ "no-session", OPT_NO_SESSION, no_argument, NULL, "write no session file" },
	{ "conf", 'c', required_argument, "FILE", "nginx config (default: a generated one serving a static tree on a free 127.0.0.1 port)" },
	{ "prefix", 'p', required_argument, "DIR", "nginx prefix with -c (default: the config's directory)" },
	{ "directives", OPT_DIRECTIVES, required_argument, "TEXT", "with the generated config: directives added to its server block, e.g. 'location /x { my_module on; }'" },
	{ "url", 'u', required_argument, "URL", "request URL or path, repeatable; each burst favours the next URL in turn, so each leak names its URL (default: /)" },
	{ "request-file", OPT_REQUEST_FILE, required_argument, "FILE", "requests in the .http format of editors' REST clients (### title, METHOD URL, headers, body or < file, # @count N), repeatable; each request is a kind of its own, named by its title" },
	{ "tls", OPT_TLS, no_argument, NULL, "the generated config listens with ssl (a throwaway key and certificate made at start); URLs become https://. Certificates are never checked: load goes to loopback only" },
	{ "http2", OPT_HTTP2, no_argument, NULL, "bursts over HTTP/2, many streams per connection (TLS: ALPN; cleartext: prior knowledge) (default: HTTP/2 when nginx's listen says http2)" },
	{ "http1.1", OPT_HTTP11, no_argument, NULL, "bursts over HTTP/1.1 even where the listen says http2 (over TLS)" },
	{ "stream-directives", OPT_STREAM_DIRECTIVES, required_argument, "TEXT", "with the generated config: a stream {} server on a free 127.0.0.1 port with these directives, e.g. 'my_stream_module on;'" },
	{ "http-block", OPT_HTTP_BLOCK, required_argument, "TEXT", "with the generated config: directives added to its http {} block, beside the server, e.g. 'js_import m.js;' or 'map ...'" },
	{ "stream-block", OPT_STREAM_BLOCK, required_argument, "TEXT", "with --stream-directives: directives added to the stream {} block, beside the server, e.g. 'upstream up { server 127.0.0.1:9000; }'" },
	{ "tcp", OPT_TCP, required_argument, "HOST:PORT", "where the --send options after it go (default: the stream server of the generated config or of --conf's stream {})" },
	{ "send", OPT_SEND, required_argument, "FILE", "a TCP exchange for stream modules: connect, send FILE's bytes, read until nginx closes, close; repeatable, each a kind of its own" },
	{ "read", OPT_READ, required_argument, "BYTES", "after --send: close once BYTES were read" },
	{ "idle", OPT_IDLE, required_argument, "MS", "after --send: close after MS with nothing read (default: wait for nginx to close, up to --request-timeout)" },
	{ "requests", 'n', required_argument, "N", "requests per burst (default: 200)" },
	{ "concurrency", 'C', required_argument, "C", "requests in flight (default: 4)" },
	{ "no-keepalive", OPT_NO_KEEPALIVE, no_argument, NULL, "a new connection per request (default: keepalive, connections held open across checks)" },
	{ "method", 'X', required_argument, "METHOD", "HTTP method of the -u URLs (default: GET, POST with --data)" },
	{ "header", 'H', required_argument, "'NAME: VALUE'", "request header of the -u URLs, repeatable" },
	{ "data", 'd', required_argument, "BODY", "request body of the -u URLs" },
	{ "request-timeout", OPT_REQ_TIMEOUT, required_argument, "SEC", "per request (default: 30)" },
	{ "workers", OPT_WORKERS, required_argument, "N", "a master and N workers, as in production (default: the config's master_process; the generated config: one process)" },
	{ "reloads", OPT_RELOADS, required_argument, "N", "batch: N reloads (SIGHUP, new cycle serving, then a check) spread among the rounds; needs a master (the generated config gets one worker) (live screen: ^R)" },
	{ "attach", OPT_ATTACH, no_argument, NULL, "check an nginx someone else started under valgrind --vgdb=yes: ngx-leaktop --attach [PID] [NGINX_BINARY]; no PID lists them; never stops it" },
	{ "every", OPT_EVERY, required_argument, "SEC", "with --attach: a check every SEC seconds (batch: between its --rounds)" },
	{ "vgdb-prefix", OPT_VGDB_PREFIX, required_argument, "PREFIX", "with --attach: the --vgdb-prefix that valgrind got (default: /tmp/vgdb-pipe)" },
	{ "rounds", OPT_ROUNDS, required_argument, "R", "batch: bursts, each followed by a leak check (default: 4)" },
	{ "json", OPT_JSON, required_argument, "FILE|-", "batch: write the JSON report there (--diff: the JSON of the diff)" },
	{ "fail-on", OPT_FAIL_ON, required_argument, "WHAT", "batch: exit 1 on growing|definite|error|none (default: growing)" },
	{ "sarif", OPT_SARIF, required_argument, "FILE", "batch, --diff: write SARIF 2.1.0 for code scanning: a result per leak that fails the run and per memcheck error" },
	{ "junit", OPT_JUNIT, required_argument, "FILE", "batch, --diff: write JUnit XML for GitLab/Jenkins: a test case per leak row and per memcheck error, failures for what fails the run" },
	{ "folded", OPT_FOLDED, required_argument, "FILE", "batch, --diff: write folded stacks of what fails the run, for flamegraph.pl, inferno or speedscope (--diff: OLD and NEW columns)" },
	{ "max-bytes-per-request", OPT_MAX_PER_REQUEST, required_argument, "N", "a site growing N bytes per request or less does not fail the run (it is said)" },
	{ "max-bytes-per-reload", OPT_MAX_PER_RELOAD, required_argument, "N", "a site growing N bytes per reload or less does not fail the run (it is said)" },
	{ "suppressions", OPT_SUPP, required_argument, "FILE", "valgrind suppressions, repeatable: to valgrind, and the sites they match are hidden and counted" },
	{ "gen-suppressions", OPT_GEN_SUPP, required_argument, "FILE", "batch: write valgrind suppressions for what fails the run (--fail-on none or error: what growing fails; --diff: the new and worse rows that fail), '...' below the module's entry point (live screen: W on marked rows)" },
	{ "no-default-suppressions", OPT_NO_DEFAULT_SUPP, no_argument, NULL, "do not use the suppressions of nginx's own start-up and exit noise that ship with ngx-leaktop" },
	{ "diff", OPT_DIFF, no_argument, NULL, "ngx-leaktop --diff OLD NEW: compare two runs (session files or --json reports): new, fixed, worse (10% and 1 B more per request or reload), better, unchanged; exit 1 when something new or worse fails --fail-on" },
	{ "baseline", OPT_BASELINE, required_argument, "FILE", "with --load NEW (live screen): show NEW against the run in FILE (a session file or --json report): its change columns and fixed rows" },
	{ "source-root", OPT_SOURCE_ROOT, required_argument, "DIR", "reports name source files under DIR relative to it (default: the current directory)" },
	{ "break", OPT_BREAK, required_argument, "FILE:LINE", "batch: under gdb, print the backtrace and locals at the first hit, then go on; repeatable (live screen: d)" },
	{ "alloc-fn", OPT_ALLOC_FN, required_argument, "NAME", "your module's allocator wrapper, skipped when naming a site; 'prefix*' ok; repeatable" },
	{ "source-dir", OPT_SOURCE_DIR, required_argument, "DIR", "where to look for sources moved since the build; repeatable" },
	{ "allow-no-debug-palloc", OPT_ALLOW_PLAIN, no_argument, NULL, "run an nginx built without -DNGX_DEBUG_PALLOC=1 anyway (batch refuses it otherwise)" },
	{ "num-callers", OPT_NUM_CALLERS, required_argument, "N", "stack depth valgrind records, 12..500 (default: 40)" },
	{ "valgrind", OPT_VALGRIND, required_argument, "PATH", "valgrind binary (default: valgrind)" },
	{ "vgdb", OPT_VGDB, required_argument, "PATH", "vgdb binary (default: vgdb)" },
	{ "gdb", OPT_GDB, required_argument, "PATH", "gdb for the debugger, d and --break (default: gdb)" },
	{ "valgrind-opt", OPT_VALGRIND_OPT, required_argument, "OPT", "extra valgrind option, repeatable, e.g. --valgrind-opt=--track-origins=yes" },
	{ "check-timeout", OPT_CHECK_TIMEOUT, required_argument, "SEC", "bound on one leak check (default: 300); none with --attach: a vgdb cut off in a check crashes valgrind" },
	{ "full-checks", OPT_FULL_CHECKS, no_argument, NULL, "every check asks valgrind for every loss record (leak_check ... any) (default: the first check does, later ones only what changed since: on a big config megabytes less text per check)" },
	{ "start-timeout", OPT_START_TIMEOUT, required_argument, "SEC", "bound on nginx start-up under valgrind (default: 120)" },
	{ "help", 'h', no_argument, NULL, "this help" },
	{ "version", 'V', no_argument, NULL, "print the version and the valgrind, vgdb and gdb found (on PATH, or by --valgrind, --vgdb, --gdb given before it)" },
};

void
cli_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: ngx-leaktop [OPTIONS] NGINX_BINARY\n"
		"       ngx-leaktop --load FILE [--batch --json FILE|-] (a session file, a JSON report, valgrind's XML)\n"
		"       ngx-leaktop --diff OLD NEW [--json FILE|-] [--sarif FILE] [--junit FILE]\n"
		"Run NGINX_BINARY (built with -DNGX_DEBUG_PALLOC=1) under valgrind, fire request\n"
		"bursts at it and show which allocation sites leak, live or with --batch.\n\n");
	for (i = 0; i < LT_ARRAY_SIZE(options); i++) {
		const struct cli_option *o = &options[i];
		char left[64];

		if (o->val < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->val, o->name,
				o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
				o->arg ? o->arg : "");
		if (strlen(left) > 28)	/* too wide for the column: the help on a line of its own */
			fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
		else
			fprintf(out, "  %-28s %s\n", left, o->help);
	}
	fprintf(out, "\nExit status (batch): 0 nothing matched --fail-on, 1 something did, "
		"2 usage or setup error.\n");
}

static void
strv_add(struct cli_strv *s, const char *v)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = (char *)v;
}

static bool
num_arg(const char *name, const char *val, long min, long max, long *out, char *err, size_t errlen)
{
	if (util_parse_long(val, min, max, out))
		return true;
	snprintf(err, errlen, "--%s: '%.40s' is not a number from %ld to %ld", name, val, min, max);
	return false;
}

/* FILE:LINE, as gdb's break takes it and a frame shows it. */
static bool
break_ok(const char *arg, char *err, size_t errlen)
{
	const char *colon = strrchr(arg, ':');
	long line;
	size_t i;

	for (i = 0; arg[i]; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			break;
	if (!arg[i] && colon && colon != arg && util_parse_long(colon + 1, 1, 10000000, &line) &&
		memchr(arg, ':', (size_t)(colon - arg)) == NULL)
		return true;
	snprintf(err, errlen, "--break '%.100s': expected FILE:LINE, e.g. "
		"--break ngx_http_my_module.c:188", arg);
	return false;
}

static void
set_defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->requests = 200;
	o->concurrency = 4;
	o->keepalive = true;
	o->rounds = 4;
	o->gate.fail_on = FAIL_ON_GROWING;
	o->gate.max_per_request = -1;
	o->gate.max_per_reload = -1;
	o->num_callers = 40;
	o->valgrind = "valgrind";
	o->vgdb = "vgdb";
	o->gdb = "gdb";
	o->check_timeout_s = 300;
	o->start_timeout_s = 120;
	o->request_timeout_s = 30;
}

static bool
url_is_loopback(const char *u)
{
	if (!strstr(u, "://"))
		return u[0] == '/';
	return burst_url_is_loopback(u);
}

/* One option; false with err set. */
static bool
apply(struct cli_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	long v;

	switch (c) {
	case OPT_BATCH: o->batch = true; break;
	case OPT_LOAD: o->load = arg; break;
	case OPT_SESSION: o->session = arg; break;
	case OPT_NO_SESSION: o->no_session = true; break;
	case 'c': o->conf = arg; break;
	case 'p': o->prefix = arg; break;
	case OPT_DIRECTIVES: o->server_directives = arg; break;
	case 'u':
		if (!url_is_loopback(arg)) {
			snprintf(err, errlen, "--url %.200s: only paths (/x) and http(s):// URLs on loopback "
				"(127.0.0.1, localhost, [::1]) are allowed", arg);
			return false;
		}
		strv_add(&o->urls, arg);
		break;
	case 'n':
		if (!num_arg("requests", arg, 1, 100000000, &v, err, errlen))
			return false;
		o->requests = (unsigned long)v;
		break;
	case 'C':
		if (!num_arg("concurrency", arg, 1, 1024, &v, err, errlen))
			return false;
		o->concurrency = (unsigned)v;
		break;
	case OPT_NO_KEEPALIVE: o->keepalive = false; break;
	case OPT_FULL_CHECKS: o->full_checks = true; break;
	case 'X': o->method = arg; break;
	case 'H':
		if (!strchr(arg, ':') || strpbrk(arg, "\r\n")) {
			snprintf(err, errlen, "--header '%.200s': expected 'Name: value' on one line", arg);
			return false;
		}
		strv_add(&o->headers, arg);
		break;
	case 'd': o->body = arg; break;
	case OPT_REQ_TIMEOUT:
		if (!num_arg("request-timeout", arg, 1, 3600, &o->request_timeout_s, err, errlen))
			return false;
		break;
	case OPT_ROUNDS:
		if (!num_arg("rounds", arg, 1, 100000, &v, err, errlen))
			return false;
		o->rounds = (unsigned)v;
		o->batch_only = "--rounds";
		break;
	case OPT_JSON: o->json = arg; o->batch_only = "--json"; break;
	case OPT_FAIL_ON:
		o->batch_only = "--fail-on";
		if (!strcmp(arg, "growing"))
			o->gate.fail_on = FAIL_ON_GROWING;
		else if (!strcmp(arg, "definite"))
			o->gate.fail_on = FAIL_ON_DEFINITE;
		else if (!strcmp(arg, "none"))
			o->gate.fail_on = FAIL_ON_NONE;
		else if (!strcmp(arg, "error"))
			o->gate.fail_on = FAIL_ON_ERROR;
		else {
			snprintf(err, errlen, "--fail-on '%.40s': expected growing, definite, error or none", arg);
			return false;
		}
		break;
	case OPT_WORKERS:
		if (!num_arg("workers", arg, 1, 64, &v, err, errlen))
			return false;
		o->workers = (unsigned)v;
		break;
	case OPT_RELOADS:
		if (!num_arg("reloads", arg, 1, 10000, &v, err, errlen))
			return false;
		o->reloads = (unsigned)v;
		o->batch_only = "--reloads";
		break;
	case OPT_ATTACH: o->attach = true; break;
	case OPT_EVERY:
		if (!num_arg("every", arg, 1, 86400, &o->every_s, err, errlen))
			return false;
		break;
	case OPT_VGDB_PREFIX:
		if (!*arg || strpbrk(arg, "\n\r")) {
			snprintf(err, errlen, "--vgdb-prefix: expected a path prefix like /tmp/vgdb-pipe");
			return false;
		}
		o->vgdb_prefix = arg;
		break;
	case OPT_ALLOC_FN: strv_add(&o->alloc_fns, arg); break;
	case OPT_ALLOW_PLAIN: o->allow_no_debug_palloc = true; break;
	case OPT_SOURCE_DIR: strv_add(&o->source_dirs, arg); break;
	case OPT_NUM_CALLERS:
		if (!num_arg("num-callers", arg, 12, 500, &v, err, errlen))
			return false;
		o->num_callers = (unsigned)v;
		break;
	case OPT_VALGRIND: o->valgrind = arg; break;
	case OPT_VGDB: o->vgdb = arg; break;
	case OPT_GDB: o->gdb = arg; break;
	case OPT_BREAK:
		if (!break_ok(arg, err, errlen))
			return false;
		strv_add(&o->breaks, arg);
		o->batch_only = "--break";
		break;
	case OPT_VALGRIND_OPT:
		if (arg[0] != '-') {
			snprintf(err, errlen, "--valgrind-opt '%.200s': expected a valgrind option like --track-origins=yes", arg);
			return false;
		}
		strv_add(&o->valgrind_opts, arg);
		break;
	case OPT_CHECK_TIMEOUT:
		if (!num_arg("check-timeout", arg, 1, 86400, &o->check_timeout_s, err, errlen))
			return false;
		break;
	case OPT_START_TIMEOUT:
		if (!num_arg("start-timeout", arg, 1, 86400, &o->start_timeout_s, err, errlen))
			return false;
		break;
	default: {
		bool handled;

		if (cli_req_apply(o, c, arg, &handled, err, errlen))
			return true;
		return !handled && cli_ci_apply(o, c, arg, &handled, err, errlen);
	}
	}
	return true;
}

/* Options that go only with others, or not with others. */
static bool
cli_check_modes(const struct cli_opts *o, char *err, size_t errlen)
{
	const char *bad = NULL;

	if (o->attach) {
		bad = o->conf ? "--conf" : o->server_directives ? "--directives" : o->workers ?
			"--workers" : o->reloads ? "--reloads" : o->urls.n ? "--url" : o->breaks.n ?
			"--break" : o->load ? "--load" : NULL;
		if (bad) {
			snprintf(err, errlen, "%s does not go with --attach: the nginx is someone else's "
				"(its config, its traffic, its signals); --attach checks it", bad);
			return false;
		}
		return true;
	}
	if (o->every_s || o->vgdb_prefix) {
		snprintf(err, errlen, "%s goes with --attach", o->every_s ? "--every" : "--vgdb-prefix");
		return false;
	}
	return true;
}

static bool
all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* --attach [PID] [NGINX]: the binary defaults to the one valgrind runs
 * (main fills it in from /proc once the PID is known). */
static enum cli_result
cli_attach_args(int argc, char **argv, int i, struct cli_opts *o, char *err, size_t errlen)
{
	if (i < argc && all_digits(argv[i])) {
		if (!util_parse_long(argv[i], 1, 4194304, &o->attach_pid)) {
			snprintf(err, errlen, "--attach %.40s: not a process id", argv[i]);
			return CLI_ERROR;
		}
		i++;
	}
	if (i < argc)
		o->nginx = argv[i++];
	if (i < argc) {
		snprintf(err, errlen, "unexpected argument '%.200s': ngx-leaktop --attach [PID] "
			"[NGINX_BINARY]", argv[i]);
		return CLI_ERROR;
	}
	if (!o->session && !o->no_session && !(o->session_default = sessionfile_default_path(err, errlen)))
		return CLI_ERROR;
	return CLI_RUN;
}

static void
build_getopt(struct option *lo, char *shortopts)
{
	size_t i, k = 0;

	for (i = 0; i < LT_ARRAY_SIZE(options); i++) {
		lo[i].name = options[i].name;
		lo[i].has_arg = options[i].has_arg;
		lo[i].flag = NULL;
		lo[i].val = options[i].val;
		if (options[i].val < 256) {
			shortopts[k++] = (char)options[i].val;
			if (options[i].has_arg == required_argument)
				shortopts[k++] = ':';
		}
	}
	memset(&lo[i], 0, sizeof lo[i]);
	shortopts[k] = '\0';
}

enum cli_result
cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	struct option lo[LT_ARRAY_SIZE(options) + 1];
	char shortopts[2 + 3 * LT_ARRAY_SIZE(options)] = ":";
	int c;

	set_defaults(o);
	build_getopt(lo, shortopts + 1);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (c == 'V') {
			cli_version_print(stdout, o);
			return CLI_EXIT_OK;
		}
		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			snprintf(err, errlen, "%s option %s (see ngx-leaktop --help)",
				c == ':' ? "missing value for" : "unknown", optopt && c == '?' &&
				strncmp(bad, "--", 2) ? (char[]){ '-', (char)optopt, 0 } : bad);
			return CLI_ERROR;
		}
		if (!apply(o, c, optarg, err, errlen))
			return CLI_ERROR;
	}
	if (o->diff)
		o->batch = true;	/* a diff has no screen: its table, reports, exit status */
	if (o->batch_only && !o->batch) {
		/* the live screen would drop it without a word */
		snprintf(err, errlen, "%s goes with --batch%s", o->batch_only,
			!strcmp(o->batch_only, "--json") ? " (the live screen saves the JSON report with w)" :
			!strcmp(o->batch_only, "--break") ? " (on the live screen: d on a row)" :
			!strcmp(o->batch_only, "--reloads") ? " (on the live screen: ^R reloads)" : "");
		return CLI_ERROR;
	}
	if (!cli_check_modes(o, err, errlen) || !cli_req_finish(o, err, errlen) ||
		!cli_ci_finish(o, err, errlen))
		return CLI_ERROR;
	if (o->diff)
		return cli_ci_diff_args(argc, argv, optind, o, err, errlen);
	if (o->attach)
		return cli_attach_args(argc, argv, optind, o, err, errlen);
	if (o->load) {
		if (optind < argc) {
			snprintf(err, errlen, "--load opens a file, it runs no nginx: drop '%.200s'", argv[optind]);
			return CLI_ERROR;
		}
		return CLI_RUN;
	}
	if (optind >= argc) {
		snprintf(err, errlen, "no nginx binary given: ngx-leaktop [OPTIONS] ./objs/nginx "
			"(see --help)");
		return CLI_ERROR;
	}
	if (optind + 1 < argc) {
		snprintf(err, errlen, "unexpected argument '%.200s' after the nginx binary", argv[optind + 1]);
		return CLI_ERROR;
	}
	o->nginx = argv[optind];
	if (o->session && o->no_session) {
		snprintf(err, errlen, "--session and --no-session contradict each other");
		return CLI_ERROR;
	}
	if (!o->session && !o->no_session && !(o->session_default = sessionfile_default_path(err, errlen)))
		return CLI_ERROR;
	if (o->prefix && !o->conf) {
		snprintf(err, errlen, "--prefix goes with --conf");
		return CLI_ERROR;
	}
	if (o->server_directives && o->conf) {
		snprintf(err, errlen, "--directives is for the generated config; edit your --conf instead");
		return CLI_ERROR;
	}
	return CLI_RUN;
}

void
cli_free(struct cli_opts *o)
{
	free(o->urls.v);
	free(o->headers.v);
	free(o->alloc_fns.v);
	free(o->breaks.v);
	free(o->valgrind_opts.v);
	free(o->source_dirs.v);
	free(o->session_default);
	cli_req_free(o);
	cli_ci_free(o);
	memset(o, 0, sizeof *o);
}

void
cli_engine_opts(const struct cli_opts *o, const struct preflight *pf, struct engine_opts *eo)
{
	memset(eo, 0, sizeof *eo);
	eo->target.nginx = pf->nginx;
	eo->target.valgrind = pf->valgrind;
	eo->target.conf = o->conf;
	eo->target.prefix = o->prefix;
	eo->target.extra_server = o->server_directives;
	eo->target.valgrind_opts = o->valgrind_opts.v;
	eo->target.nvalgrind_opts = o->valgrind_opts.n;
	eo->target.num_callers = o->num_callers;
	eo->target.vgdb_full = !o->batch;	/* the live screen's debugger steps */
	eo->target.start_timeout_ms = o->start_timeout_s * 1000;
	eo->target.workers = o->workers;
	eo->target.attach_pid = o->attach_pid;
	eo->target.attach_prefix = o->vgdb_prefix;
	/* batch --every is batch's own clock between its rounds */
	eo->every_ms = o->batch ? 0 : o->every_s * 1000;
	/* reloads need the master: the generated config gets one worker */
	if (o->reloads && !o->workers && !o->conf)
		eo->target.workers = 1;
	eo->target.stop_timeout_ms = 20000;
	eo->burst.urls = o->urls.v;
	eo->burst.nurls = o->urls.n;
	eo->burst.requests = o->requests;
	eo->burst.concurrency = o->concurrency;
	eo->burst.keepalive = o->keepalive;
	eo->burst.method = o->method;
	eo->burst.headers = o->headers.v;
	eo->burst.nheaders = o->headers.n;
	eo->burst.body = o->body;
	eo->burst.timeout_ms = o->request_timeout_s * 1000;
	eo->vgdb = pf->vgdb;
	eo->alloc_fns = o->alloc_fns.v;
	eo->nalloc_fns = o->alloc_fns.n;
	eo->gdb = o->gdb;
	eo->breaks = o->breaks.v;
	eo->nbreaks = o->breaks.n;
	eo->check_timeout_ms = o->check_timeout_s * 1000;
	eo->full_checks = o->full_checks;
	eo->sessionfile = o->no_session ? NULL : o->session ? o->session : o->session_default;
	eo->nginx_version = pf->version;
	eo->debug_palloc = pf->debug_palloc;
	cli_req_engine_opts(o, eo);
	cli_ci_engine_opts(o, eo);
}
