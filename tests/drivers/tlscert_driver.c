/* tlscert_driver.c - tlscert_write for the test scripts: a throwaway key
 * and certificate for the protocol fixture config (tests/lib.sh,
 * lt_fixture_proto_conf) with no openssl command to install.
 *
 *   tlscert_driver DIR     writes DIR/tls.crt and DIR/tls.key (0600),
 *                          prints their paths, one a line; exit 1 with
 *                          the one-line error on stderr */
#include "tlscert.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	char *crt, *key, err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: tlscert_driver DIR\n");
		return 2;
	}
	if (!tlscert_write(argv[1], &crt, &key, err, sizeof err)) {
		fprintf(stderr, "tlscert_driver: %s\n", err);
		return 1;
	}
	printf("%s\n%s\n", crt, key);
	free(crt);
	free(key);
	return 0;
}
