/* tlscert.h - a throwaway TLS key and self-signed certificate for the
 * generated config's `listen ... ssl` (--tls): an EC P-256 key (cheap
 * handshakes under valgrind) and a certificate for localhost and
 * 127.0.0.1 valid for a week, written 0600 into the private directory.
 * Nothing leaves the machine: the bursts check no certificate on
 * loopback. libcrypto; no curses. */
#ifndef LT_TLSCERT_H
#define LT_TLSCERT_H

#include <stdbool.h>
#include <stddef.h>

/* dir/tls.crt and dir/tls.key; *crt and *key get their paths (malloc'd).
 * False with a one-line err. */
bool tlscert_write(const char *dir, char **crt, char **key, char *err, size_t errlen);

#endif
