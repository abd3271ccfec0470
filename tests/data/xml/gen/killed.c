/* killed.c - make an error and leak, then wait to be killed with SIGKILL:
 * the XML file then stops without </valgrindoutput> (truncated).
 *   killed MARKER   creates MARKER when the errors are written */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static void __attribute__((noinline))
bug(void)
{
	int *p = malloc(sizeof(int));
	volatile int v = 0;

	if (*p)				/* ERR: UninitCondition before the kill */
		v = 1;
	(void)v;
}

int
main(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return 2;
	bug();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	for (;;)
		pause();
}
