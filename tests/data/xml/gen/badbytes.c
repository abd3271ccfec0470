/* badbytes.c - capture.sh compiles this under a file name holding a Latin-1
 * byte and a control character: valgrind copies such names into the XML
 * raw, which makes the document invalid UTF-8. */
#include <stdlib.h>

int
main(void)
{
	char *p = malloc(4);

	return p[5];			/* ERR: InvalidRead, frame file with bad bytes */
}
