/* proc.h - spawn child processes without a shell (fork + execvp). */
#ifndef LT_PROC_H
#define LT_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct proc_spec {
	char *const *argv;	/* argv[0] looked up in PATH by execvp */
	int stdin_fd;		/* -1: /dev/null */
	int stdout_fd;		/* -1: /dev/null */
	int stderr_fd;		/* -1: /dev/null */
	/* Put the child in its own process group so a terminal's Ctrl-C reaches
	 * us only, and we decide how valgrind and nginx stop. */
	bool own_pgrp;
	/* Kill the child when ngx-leaktop dies (even by SIGKILL): a valgrind
	 * left running after us is exactly what users must never see. */
	bool die_with_parent;
};

/* Returns the pid, or -1 with errno set (including a failed exec: the
 * child reports its exec errno through a CLOEXEC pipe). */
pid_t proc_spawn(const struct proc_spec *spec);

/* pipe2 with O_CLOEXEC on both ends and O_NONBLOCK on the read end. */
bool proc_pipe(int fds[2]);

/* Human text for a waitpid status: "exited with status 1",
 * "killed by signal 11 (SIGSEGV)". Writes into buf. */
const char *proc_status_text(int status, char *buf, size_t len);

/* Look up a program in PATH (or check a path with a slash); malloc'd. */
char *proc_which(const char *prog);

#endif
