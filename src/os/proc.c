/* proc.c - fork + execvp, never a shell. */
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool
proc_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return false;
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	return true;
}

static void
child_setup_fd(int from, int to, int devnull)
{
	int fd = from >= 0 ? from : devnull;

	if (fd == to) {
		/* dup2 to itself would keep FD_CLOEXEC set. */
		fcntl(fd, F_SETFD, 0);
		return;
	}
	dup2(fd, to);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_exec(const struct proc_spec *spec, pid_t parent, int errfd)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	sigset_t none;
	int sig, e;

	if (spec->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);	/* the parent died before prctl took */
	}
	if (spec->own_pgrp)
		setpgid(0, 0);
	/* Handlers are reset by exec, but ignored signals and the mask are
	 * inherited: give the child a normal signal state. */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_setup_fd(spec->stdin_fd, 0, devnull);
	child_setup_fd(spec->stdout_fd, 1, devnull);
	child_setup_fd(spec->stderr_fd, 2, devnull);
	execvp(spec->argv[0], spec->argv);
	e = errno;
	(void)!write(errfd, &e, sizeof e);
	_exit(127);
}

pid_t
proc_spawn(const struct proc_spec *spec)
{
	int errpipe[2], child_errno = 0;
	pid_t parent = getpid(), pid;
	ssize_t n;

	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(errpipe[0]);
		close(errpipe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child_exec(spec, parent, errpipe[1]);
	close(errpipe[1]);
	do
		n = read(errpipe[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof child_errno) {
		/* exec failed: reap the child now, it never ran anything. */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		errno = child_errno;
		return -1;
	}
	return pid;
}

const char *
proc_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (SIG%s)%s", WTERMSIG(status),
			sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
			WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "stopped (status 0x%x)", status);
	return buf;
}

static bool
is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *
proc_which(const char *prog)
{
	const char *path, *p;

	if (strchr(prog, '/'))
		return is_executable_file(prog) ? xstrdup(prog) : NULL;
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; ) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char *cand = xasprintf("%.*s/%s", (int)n, n ? p : ".", prog);

		if (is_executable_file(cand))
			return cand;
		free(cand);
		if (!colon)
			break;
		p = colon + 1;
	}
	return NULL;
}
