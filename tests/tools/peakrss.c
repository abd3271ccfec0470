/* peakrss.c - run a command and print its peak resident set size.
 *
 *   peakrss CMD ARG...
 *
 * CMD's output goes where ours goes, but stdout to /dev/null; prints
 * "maxrss_kb=N ms=T exit=E" on stdout once it ended (wait4's rusage, so no
 * /usr/bin/time is needed), and exits with CMD's exit status. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	int status, fd;
	double t0 = now_ms();
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: peakrss CMD ARG...\n");
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		perror("peakrss");
		return 2;
	}
	printf("maxrss_kb=%ld ms=%.0f exit=%d\n", ru.ru_maxrss, now_ms() - t0,
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
