/* main.c - parse the command line, check the binary, pick a front end. */
#include "batch.h"
#include "cli.h"
#include "diff.h"
#include "offline.h"
#include "preflight.h"
#include "engine.h"
#include "live.h"
#include "target.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The program valgrind runs in process pid: the first word of its
 * command line after valgrind's own options. Malloc'd, NULL if unknown. */
static char *
attached_binary(long pid)
{
	char path[64], buf[8192];
	ssize_t n;
	size_t i = 0;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if ((n = util_read_small(path, buf, sizeof buf)) < 0)
		return NULL;
	i = strlen(buf) + 1;	/* valgrind itself */
	while (i < (size_t)n && buf[i] == '-')
		i += strlen(buf + i) + 1;
	return i < (size_t)n && buf[i] == '/' ? xstrdup(buf + i) : NULL;
}

static bool
has_gdbserver(const struct cli_opts *o)
{
	char **lines = NULL;
	size_t n = target_list_gdbservers(o->vgdb_prefix, &lines), i;
	bool found = false;

	for (i = 0; i < n; i++) {
		found = found || strtol(lines[i], NULL, 10) == o->attach_pid;
		free(lines[i]);
	}
	free(lines);
	return found;
}

/* --attach without a PID: the only nginx under valgrind, or the list.
 * -1: go on (o->attach_pid set); else the exit status. */
static int
attach_pick(struct cli_opts *o, char **binary)
{
	char **lines = NULL;
	size_t n, i, mains = 0;

	if (!o->attach_pid) {
		n = target_list_gdbservers(o->vgdb_prefix, &lines);
		for (i = 0; i < n; i++)
			mains += strstr(lines[i], "worker of") == NULL;
		if (mains == 1)
			o->attach_pid = strtol(lines[0], NULL, 10);
		if (mains != 1) {
			const char *pfx = o->vgdb_prefix ? o->vgdb_prefix : "/tmp/vgdb-pipe";

			if (n)
				fprintf(stderr, "ngx-leaktop: %zu nginx run under valgrind with a gdbserver "
					"(prefix %s); attach to one: ngx-leaktop --attach PID\n", mains, pfx);
			else
				fprintf(stderr, "ngx-leaktop: no process runs under valgrind with a gdbserver "
					"(prefix %s): start nginx under valgrind --vgdb=yes, or give its "
					"--vgdb-prefix\n", pfx);
			for (i = 0; i < n; i++)
				printf("%s\n", lines[i]);
		} else {
			fprintf(stderr, "ngx-leaktop: attaching to %ld, the one nginx under valgrind found\n",
				o->attach_pid);
		}
		for (i = 0; i < n; i++)
			free(lines[i]);
		free(lines);
		if (mains != 1)
			return 2;
	}
	if (!has_gdbserver(o)) {
		fprintf(stderr, "ngx-leaktop: process %ld has no valgrind gdbserver under %s: start it "
			"under valgrind --vgdb=yes, or give its --vgdb-prefix\n", o->attach_pid,
			o->vgdb_prefix ? o->vgdb_prefix : "/tmp/vgdb-pipe");
		return 2;
	}
	if (!o->nginx && !(o->nginx = *binary = attached_binary(o->attach_pid))) {
		fprintf(stderr, "ngx-leaktop: cannot tell which nginx binary process %ld runs: give it, "
			"ngx-leaktop --attach %ld ./objs/nginx\n", o->attach_pid, o->attach_pid);
		return 2;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct cli_opts o;
	struct preflight pf;
	struct engine_opts eo;
	char err[1024];
	char *warn, *binary = NULL;
	int rc;

	switch (cli_parse(argc, argv, &o, err, sizeof err)) {
	case CLI_EXIT_OK:
		cli_free(&o);
		return 0;
	case CLI_ERROR:
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		cli_free(&o);
		return 2;
	case CLI_RUN:
		break;
	}
	if (o.diff) {
		rc = diff_run(&o);
		cli_free(&o);
		return rc;
	}
	if (o.load) {
		rc = o.batch ? offline_batch(&o) : offline_browse(&o);
		cli_free(&o);
		return rc;
	}

	if (o.attach && (rc = attach_pick(&o, &binary)) >= 0) {
		cli_free(&o);
		return rc;
	}
	if (!preflight_run(o.nginx, o.valgrind, o.vgdb, &pf, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		preflight_free(&pf);
		cli_free(&o);
		free(binary);
		return 2;
	}
	warn = preflight_warnings(&pf);
	fputs(warn, stderr);
	free(warn);
	if (o.batch && !pf.debug_palloc && !o.allow_no_debug_palloc) {
		/* In CI a report of opaque pool blocks would pass silently. */
		fprintf(stderr, "ngx-leaktop: %s was not built with -DNGX_DEBUG_PALLOC=1: rebuild it "
			"(see above) or pass --allow-no-debug-palloc\n", o.nginx);
		rc = 2;
	} else {
		/* the front ends see the engine only: its options, from here */
		cli_engine_opts(&o, &pf, &eo);
		rc = o.batch ? batch_run(&o, &eo) : live_run(&o, &eo);
	}
	preflight_free(&pf);
	cli_free(&o);
	free(binary);
	return rc;
}
