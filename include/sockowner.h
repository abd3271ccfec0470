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

/* One line of /proc/net/tcp or tcp6, for sockowner_map and its tests:
 * false for the header line or anything malformed. */
struct sockowner_line {
	unsigned local_port, remote_port;
	unsigned state;		/* the kernel's TCP state; 1 = ESTABLISHED */
	bool loopback;		/* both ends 127/8, ::1 or ::ffff:127/104 */
	unsigned long inode;	/* 0: no process holds it (not accepted yet) */
};
bool sockowner_parse_line(const char *line, struct sockowner_line *out);

#endif
