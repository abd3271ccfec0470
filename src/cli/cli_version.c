/* cli_version.c - --version: ngx-leaktop's version and the tools it would
 * run (valgrind, vgdb, gdb), found as the run would find them: the paths
 * of --valgrind, --vgdb, --gdb given before --version, else PATH. */
#include "cli.h"
#include "cli_int.h"
#include "preflight.h"
#include "proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tool {
	const char *name;	/* what the line says */
	const char *prog;	/* the option's value, or the default name */
	const char *package;	/* Debian package that has it */
	const char *what_for;	/* "" when every run needs it */
	bool ask_version;	/* vgdb has no --version */
};

static void
tool_line(FILE *out, const struct tool *t)
{
	char *path = proc_which(t->prog), *version;

	if (!path) {
		fprintf(out, "%s: %s%snot found (apt-get install %s%s)\n", t->name,
			strcmp(t->prog, t->name) ? t->prog : "", strcmp(t->prog, t->name) ? " " : "",
			t->package, t->what_for);
		return;
	}
	version = t->ask_version ? preflight_tool_version(path) : NULL;
	if (version)
		fprintf(out, "%s: %s (%s)\n", t->name, path, version);
	else
		fprintf(out, "%s: %s\n", t->name, path);
	free(version);
	free(path);
}

void
cli_version_print(FILE *out, const struct cli_opts *o)
{
	const struct tool tools[] = {
		{ "valgrind", o->valgrind, "valgrind", "", true },
		{ "vgdb", o->vgdb, "valgrind", "", false },
		{ "gdb", o->gdb, "gdb", "; only the debugger and --break need it", true },
	};
	size_t i;

	fprintf(out, "ngx-leaktop %s\n", LT_VERSION);
	for (i = 0; i < sizeof tools / sizeof tools[0]; i++)
		tool_line(out, &tools[i]);
}
