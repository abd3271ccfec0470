/* main.c - parse the command line, check the binary, pick a front end. */
#include "batch.h"
#include "cli.h"
#include "offline.h"
#include "preflight.h"
#include "engine.h"
#include "live.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	struct cli_opts o;
	struct preflight pf;
	struct engine_opts eo;
	char err[1024];
	char *warn;
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
	if (o.load) {
		rc = o.batch ? offline_batch(&o) : offline_browse(&o);
		cli_free(&o);
		return rc;
	}

	if (!preflight_run(o.nginx, o.valgrind, o.vgdb, &pf, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s\n", err);
		preflight_free(&pf);
		cli_free(&o);
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
	return rc;
}
