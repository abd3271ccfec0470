/* sockowner.c - which process holds the server end of a loopback TCP
 * connection (sockowner.h). Two reads of the kernel's tables per call:
 * /proc/net/tcp and tcp6 give the inode of each wanted connection's server
 * end, then each candidate's /proc/PID/fd is read once and its
 * socket:[inode] links matched. Nothing is cached: fds come and go between
 * calls and a stale answer would count requests to the wrong worker. */
#include "sockowner.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

enum { TCP_ESTABLISHED_STATE = 1 };

/* n hex digits at s (exactly), into *v. */
static bool
hex_field(const char *s, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* "0100007F:1F90" or the 32-digit IPv6 form: each 32-bit word is printed
 * in host order, so its bytes as they lie in memory are the address's. */
static bool
parse_addr(const char *tok, size_t len, bool *loopback, unsigned *port)
{
	unsigned char a[16];
	uint32_t w, p;
	size_t nw = len == 13 ? 1 : len == 37 ? 4 : 0, i;

	if (!nw || tok[nw * 8] != ':' || !hex_field(tok + nw * 8 + 1, 4, &p))
		return false;
	for (i = 0; i < nw; i++) {
		if (!hex_field(tok + i * 8, 8, &w))
			return false;
		memcpy(a + i * 4, &w, 4);
	}
	*port = p;
	if (nw == 1)
		*loopback = a[0] == 127;
	else {
		struct in6_addr in6;

		memcpy(&in6, a, sizeof in6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6) ||
			(IN6_IS_ADDR_V4MAPPED(&in6) && a[12] == 127);
	}
	return true;
}

/* The next space-separated token of *s: its start, its length in *len. */
static const char *
token(const char **s, size_t *len)
{
	const char *p = *s, *t;

	while (*p == ' ')
		p++;
	t = p;
	while (*p && *p != ' ' && *p != '\n')
		p++;
	*len = (size_t)(p - t);
	*s = p;
	return *len ? t : NULL;
}

bool
sockowner_parse_line(const char *line, struct sockowner_line *out)
{
	const char *s = line, *t[10];
	size_t len[10], i;
	bool lb_local, lb_remote;
	uint32_t st;
	char *end;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	for (i = 0; i < 10; i++)
		if (!(t[i] = token(&s, &len[i])))
			return false;
	if (t[0][len[0] - 1] != ':' || len[3] != 2 || !hex_field(t[3], 2, &st) ||
		!parse_addr(t[1], len[1], &lb_local, &out->local_port) ||
		!parse_addr(t[2], len[2], &lb_remote, &out->remote_port) || len[1] != len[2])
		return false;
	if (t[9][0] < '0' || t[9][0] > '9')
		return false;
	out->inode = strtoul(t[9], &end, 10);
	if (end != t[9] + len[9])
		return false;
	out->state = st;
	out->loopback = lb_local && lb_remote;
	return true;
}

/* inode[i] gets the server end's inode of the connection from ports[i]. */
static bool
read_table(const char *path, unsigned server_port, const unsigned *ports, size_t n,
	unsigned long *inode)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, i;
	struct sockowner_line l;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		if (!sockowner_parse_line(line, &l) || l.state != TCP_ESTABLISHED_STATE ||
			l.local_port != server_port || !l.loopback || !l.inode)
			continue;
		for (i = 0; i < n; i++)
			if (ports[i] == l.remote_port)
				inode[i] = l.inode;
	}
	free(line);
	fclose(f);
	return true;
}

/* The inode of a "socket:[N]" link, 0 for any other. */
static unsigned long
socket_inode(int dfd, const char *name)
{
	char buf[64], *end;
	ssize_t k = readlinkat(dfd, name, buf, sizeof buf - 1);
	unsigned long v;

	if (k < 10 || strncmp(buf, "socket:[", 8))
		return 0;
	buf[k] = '\0';
	v = strtoul(buf + 8, &end, 10);
	return *end == ']' ? v : 0;
}

/* Match pid's socket fds against the wanted inodes; how many it owns. */
static size_t
scan_pid(pid_t pid, const unsigned long *inode, size_t n, pid_t *owner)
{
	char path[32];
	DIR *d;
	struct dirent *de;
	size_t i, got = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	if (!(d = opendir(path)))
		return 0;
	while ((de = readdir(d))) {
		unsigned long ino;

		if (de->d_name[0] == '.' || !(ino = socket_inode(dirfd(d), de->d_name)))
			continue;
		for (i = 0; i < n; i++)
			if (inode[i] == ino && !owner[i]) {
				owner[i] = pid;
				got++;
			}
	}
	closedir(d);
	return got;
}

bool
sockowner_map(unsigned server_port, const unsigned *ports, size_t n,
	const pid_t *pids, size_t npids, pid_t *owner)
{
	unsigned long *inode;
	size_t i, want = 0, got = 0;
	bool ok4, ok6;

	memset(owner, 0, n * sizeof *owner);
	if (!n)
		return true;
	inode = calloc(n, sizeof *inode);
	if (!inode)
		return false;
	ok4 = read_table("/proc/net/tcp", server_port, ports, n, inode);
	for (i = 0; i < n; i++)
		want += inode[i] != 0;
	/* tcp6 costs as much as tcp (the kernel walks the same tables): read
	 * only for what tcp did not have (an IPv6 or IPv4-mapped listener) */
	ok6 = want == n;
	if (!ok6) {
		ok6 = read_table("/proc/net/tcp6", server_port, ports, n, inode);
		for (i = 0, want = 0; i < n; i++)
			want += inode[i] != 0;
	}
	for (i = 0; i < npids && got < want; i++)
		got += scan_pid(pids[i], inode, n, owner);
	free(inode);
	return ok4 || ok6;
}
