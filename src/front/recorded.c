/* recorded.c - a recorded run read for --load, --diff and --baseline. */
#include "recorded.h"
#include "cli.h"
#include "model.h"
#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct model *
recorded_load(const struct cli_opts *o, const char *path, const char *what, char **nginx)
{
	struct model *m = model_new();
	char err[512];
	bool torn = false;
	size_t i;

	for (i = 0; i < o->alloc_fns.n; i++)
		model_add_alloc_fn(m, o->alloc_fns.v[i]);
	model_set_suppressions(m, o->supp);
	if (!report_load(path, m, nginx, &torn, err, sizeof err)) {
		fprintf(stderr, "ngx-leaktop: %s%s%s\n", what ? what : "", what ? " " : "", err);
		model_free(m);
		free(*nginx);
		*nginx = NULL;
		return NULL;
	}
	if (torn)
		fprintf(stderr, "ngx-leaktop: warning: %s ends in a torn line (a crash mid-write): "
			"skipped it\n", path);
	if (!model_nrounds(m)) {
		/* compared with it, every leak would be "new" */
		fprintf(stderr, "ngx-leaktop: %s%s%s holds no completed check (nginx or ngx-leaktop "
			"stopped before the baseline)\n", what ? what : "", what ? " " : "", path);
		model_free(m);
		free(*nginx);
		*nginx = NULL;
		return NULL;
	}
	return m;
}
