/* report_supp_stub.c - STAND-IN for the suppressions helper's
 * report_supp_add (#18): W on a recorded run's screen (--load) needs it.
 * Drop this file when the real one is merged. */
#include "report.h"
#include "model.h"
#include "supp.h"

bool
report_supp_add(struct model *m, struct supp *set, const char *name, const char *text, char *err,
	size_t errlen)
{
	if (!supp_add_text(set, name, text, err, errlen))
		return false;
	model_set_suppressions(m, set);
	return true;
}
