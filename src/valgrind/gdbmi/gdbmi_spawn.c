/* gdbmi_spawn.c - start gdb in MI3 mode: argv, no shell, its own process
 * group (killing the group takes the vgdb of `target remote | vgdb`),
 * killed with us, three pipes. */
#include "gdbmi_int.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Pipes for gdb: fds[0..2] our ends (its stdin's write end, its stdout's
 * and stderr's read ends), kids[0..2] its ends. */
static bool
make_pipes(int fds[3], int kids[3])
{
	int p[3][2], i;

	for (i = 0; i < 3; i++) {
		if (!proc_pipe(p[i])) {
			while (i--) {
				close(p[i][0]);
				close(p[i][1]);
			}
			return false;
		}
	}
	fds[0] = p[0][1];
	kids[0] = p[0][0];
	for (i = 1; i < 3; i++) {
		fds[i] = p[i][0];
		kids[i] = p[i][1];
	}
	/* proc_pipe makes read ends non-blocking: here the write end too. */
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	fcntl(kids[0], F_SETFL, fcntl(kids[0], F_GETFL) & ~O_NONBLOCK);
	return true;
}

pid_t
gdbmi_spawn(const struct gdbmi_spec *spec, int fds[3], char *err, size_t errlen)
{
	const char *gdb = spec->gdb ? spec->gdb : "gdb";
	char *argv[] = { (char *)gdb, "-nx", "-q", "--interpreter=mi3", (char *)spec->program, NULL };
	struct proc_spec ps = { .argv = argv, .own_pgrp = true, .die_with_parent = true };
	int kids[3], e, i;
	pid_t pid;

	if (!make_pipes(fds, kids)) {
		snprintf(err, errlen, "cannot start gdb: pipe: %s", strerror(errno));
		return -1;
	}
	ps.stdin_fd = kids[0];
	ps.stdout_fd = kids[1];
	ps.stderr_fd = kids[2];
	pid = proc_spawn(&ps);
	e = errno;
	for (i = 0; i < 3; i++)
		close(kids[i]);
	if (pid >= 0)
		return pid;
	for (i = 0; i < 3; i++)
		close(fds[i]);
	if (e == ENOENT && !strchr(gdb, '/'))
		snprintf(err, errlen, "%s not found: install the Debian package gdb (apt-get install gdb)",
			gdb);
	else
		snprintf(err, errlen, "cannot start %s: %s", gdb, strerror(e));
	return -1;
}

