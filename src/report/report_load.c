/* report_load.c - a recorded run into a model (first cut: session files). */
#include "report.h"
#include "sessionfile.h"
#include "util.h"

#include <stdio.h>

bool
report_load(const char *path, struct model *m, char **nginx, char *err, size_t errlen)
{
	bool torn;

	return sessionfile_load(path, m, nginx, &torn, err, errlen);
}
