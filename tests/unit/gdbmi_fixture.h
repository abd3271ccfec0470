/* gdbmi_fixture.h - shared by the tests of the gdb client on a real gdb
 * (test_gdbmi_client.c, test_gdbmi_vgdb.c): what of a process group still
 * runs, read from /proc, so a test can tell that gdbmi took gdb's whole
 * group (gdb's sh and its children, vgdb) with it. Header-only because
 * the Makefile builds each tests/unit/test_*.c on its own. */
#ifndef LT_TEST_GDBMI_FIXTURE_H
#define LT_TEST_GDBMI_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Members of process group pgrp that still run. Zombies do not: a killed
 * child of gdb's sh, or a killed vgdb, waits there for PID 1 to reap it. */
static inline int
gdbmi_fx_live_members(pid_t pgrp)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], buf[512], *rp, state;
		long pg;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(buf, sizeof buf, f) && (rp = strrchr(buf, ')')) &&
			sscanf(rp + 1, " %c %*d %ld", &state, &pg) == 2 && pg == pgrp && state != 'Z')
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The members of pgrp still running after up to 2 s: SIGKILL lands at
 * once, but the kernel gets 2 s before one counts as left behind. */
static inline int
gdbmi_fx_left_in_group(pid_t pgrp)
{
	int i;

	for (i = 0; i < 200 && gdbmi_fx_live_members(pgrp); i++)
		usleep(10000);
	return gdbmi_fx_live_members(pgrp);
}

#endif
