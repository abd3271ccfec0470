/* xml_count.c - the benchmark driver of bench/xml_load.sh.
 *
 *   xml_count FILE              parse FILE with vgxml (64 KiB reads, as the
 *                               engine does) and count what it delivers
 *   xml_count --run CMD ARG...  run CMD (xmllint) and measure it the same way
 *
 * Both print one line: "... ms=WALL maxrss_kb=PEAK"; peak RSS comes from
 * getrusage/wait4, so no /usr/bin/time is needed. */
#include "vgxml.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

struct counts {
	unsigned long long errors, leaks, frames, stacks, aux, bytes;
};

static int
on_error(void *ctx, const struct vgxml_error *e)
{
	struct counts *c = ctx;
	size_t i;

	c->errors++;
	c->leaks += e->has_leak;
	c->stacks += e->nstacks;
	c->aux += e->naux;
	c->bytes += e->leak.bytes;
	for (i = 0; i < e->nstacks; i++)
		c->frames += e->stacks[i].nframes;
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
run(char **argv)
{
	double t0 = now_ms();
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		perror("wait4");
		return 1;
	}
	printf("%s exit=%d ms=%.0f maxrss_kb=%ld\n", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		now_ms() - t0, ru.ru_maxrss);
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

int
main(int argc, char **argv)
{
	static char buf[64 * 1024];
	struct vgxml_cb cb = { .error = on_error };
	struct counts c = { 0 };
	struct vgxml *x;
	struct rusage ru;
	enum vgxml_rc rc = VGXML_OK;
	double t0;
	ssize_t n;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "--run"))
		return run(argv + 2);
	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: xml_count FILE | xml_count --run CMD ARG...\n");
		return 2;
	}
	t0 = now_ms();
	x = vgxml_new(&cb, &c);
	while (rc == VGXML_OK && (n = read(fd, buf, sizeof(buf))) > 0)
		rc = vgxml_feed(x, buf, (size_t)n);
	rc = vgxml_finish(x);
	getrusage(RUSAGE_SELF, &ru);
	printf("vgxml rc=%d errors=%llu leaks=%llu stacks=%llu frames=%llu aux=%llu leaked=%llu "
		"ms=%.0f maxrss_kb=%ld%s%s\n", rc, c.errors, c.leaks, c.stacks, c.frames, c.aux, c.bytes,
		now_ms() - t0, ru.ru_maxrss, rc ? " error: " : "", vgxml_error(x));
	vgxml_free(x);
	close(fd);
	return rc != VGXML_OK;
}
