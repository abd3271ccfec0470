/* load_driver.c - report_load for the test scripts: a recorded run (a
 * session file or a --json report) loaded into a model, written out again
 * as a JSON report, so a script can compare the verdicts of a report
 * loaded back with those of the run that wrote it.
 *
 *   load_driver FILE     the JSON report on stdout; exit 2 with the
 *                        one-line error on stderr */
#include "model.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	struct report_gate gate = REPORT_GATE_INIT;
	struct report_meta meta = { .nginx_version = "", .gate = &gate };
	struct model *m;
	char err[512], *nginx = NULL, *text;

	if (argc != 2) {
		fprintf(stderr, "usage: load_driver FILE\n");
		return 2;
	}
	m = model_new();
	if (!report_load(argv[1], m, &nginx, NULL, err, sizeof err)) {
		fprintf(stderr, "load_driver: %s\n", err);
		free(nginx);
		model_free(m);
		return 2;
	}
	meta.nginx = nginx;
	text = report_json_render(m, &meta);
	printf("%s\n", text);
	free(text);
	free(nginx);
	model_free(m);
	return 0;
}
