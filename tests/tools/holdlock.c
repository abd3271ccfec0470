/* holdlock.c - take the lock vgdb takes (an fcntl write lock on valgrind's
 * shared memory file) and hold it until killed: a stand-in for a debugger
 * attached through vgdb. Prints "locked" once it holds it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct flock fl;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDWR)) < 0) {
		perror("holdlock");
		return 2;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLKW, &fl) < 0) {
		perror("holdlock: fcntl");
		return 2;
	}
	printf("locked\n");
	fflush(stdout);
	pause();
	return 0;
}
