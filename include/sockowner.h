/* sockowner.h - which process holds the server end of a loopback TCP
 * connection: the connection's entry in /proc/net/tcp and tcp6 (local
 * port = the server's, remote port = ours) gives the socket's inode, and
 * the process whose /proc/PID/fd links to socket:[inode] holds it. Read
 * once per call, no polling. Used to count an nginx worker's requests:
 * with reuseport or accept_mutex off the kernel spreads connections. */
#ifndef LT_SOCKOWNER_H
#define LT_SOCKOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* For each client port ports[i] of a connection to server_port on
 * loopback, owner[i] gets the pid among pids[0..npids) holding its
 * server end, or 0 if none of them does (closed, not yet accepted).
 * False (owner all 0) if /proc cannot be read. */
bool sockowner_map(unsigned server_port, const unsigned *ports, size_t n,
	const pid_t *pids, size_t npids, pid_t *owner);

#endif
