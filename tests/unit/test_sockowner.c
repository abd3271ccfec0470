/* test_sockowner.c - sockowner: the /proc/net/tcp and tcp6 line parser on
 * lines captured on this machine (IPv4, ::1, IPv4-mapped, a listener, a
 * TIME_WAIT without inode), malformed lines, and the real thing: a child
 * process accepts a connection this process made, and sockowner_map names
 * the child, never a pid that does not hold the socket. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sockowner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Captured from /proc/net/tcp and tcp6 (python sockets on loopback). */
static const char *HEADER =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
static const char *V4_LISTEN =
	"   0: 0100007F:50AA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4423888 1 00000000de301d54 100 0 0 10 0                   ";
static const char *V4_EST =
	"   3: 0100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 4429029 2 00000000feed29d3 20 0 0 10 -1                   \n";
static const char *V4_TIMEWAIT =
	"   3: 0100007F:89A2 0100007F:50AA 06 00000000:00000000 03:00001312 00000000     0        0 0 3 000000001355c3c6                                      ";
static const char *V6_LISTEN =
	"   0: 00000000000000000000000000000000:B607 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4429026 1 00000000dd7cef02 100 0 0 10 0";
static const char *V6_EST =
	"   1: 00000000000000000000000001000000:B607 00000000000000000000000001000000:D1DC 01 00000000:00000000 00:00000000 00000000     0        0 4429028 1 00000000c962253f 20 0 0 10 -1";
static const char *V6_MAPPED =
	"   2: 0000000000000000FFFF00000100007F:B607 0000000000000000FFFF00000100007F:BA88 01 00000000:00000000 00:00000000 00000000     0        0 4429030 1 0000000053afe640 20 0 0 10 -1";

static void
test_parse_captured(void **state)
{
	struct sockowner_line l;

	(void)state;
	assert_false(sockowner_parse_line(HEADER, &l));

	assert_true(sockowner_parse_line(V4_EST, &l));
	assert_int_equal(l.local_port, 0xBA88);
	assert_int_equal(l.remote_port, 0xB607);
	assert_int_equal(l.state, 1);
	assert_true(l.loopback);
	assert_int_equal(l.inode, 4429029);

	assert_true(sockowner_parse_line(V4_LISTEN, &l));
	assert_int_equal(l.state, 0x0A);
	assert_int_equal(l.local_port, 0x50AA);
	assert_int_equal(l.remote_port, 0);
	assert_false(l.loopback);	/* the remote end is 0.0.0.0 */

	assert_true(sockowner_parse_line(V4_TIMEWAIT, &l));
	assert_int_equal(l.state, 6);
	assert_int_equal(l.inode, 0);

	assert_true(sockowner_parse_line(V6_LISTEN, &l));
	assert_false(l.loopback);
	assert_int_equal(l.local_port, 0xB607);

	assert_true(sockowner_parse_line(V6_EST, &l));
	assert_true(l.loopback);
	assert_int_equal(l.state, 1);
	assert_int_equal(l.local_port, 0xB607);
	assert_int_equal(l.remote_port, 0xD1DC);
	assert_int_equal(l.inode, 4429028);

	assert_true(sockowner_parse_line(V6_MAPPED, &l));
	assert_true(l.loopback);
	assert_int_equal(l.remote_port, 0xBA88);
	assert_int_equal(l.inode, 4429030);
}

static void
test_parse_other_hosts(void **state)
{
	struct sockowner_line l;

	(void)state;
	/* 10.0.2.15 and 2001:db8::1 are not loopback, ::ffff:10.0.0.1 neither */
	assert_true(sockowner_parse_line(
		"   3: 0F02000A:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 7 2", &l));
	assert_false(l.loopback);
	assert_true(sockowner_parse_line(
		"   1: B80D0120000000000000000001000000:B607 00000000000000000000000001000000:D1DC 01 00000000:00000000 00:00000000 00000000     0        0 8 1", &l));
	assert_false(l.loopback);
	assert_true(sockowner_parse_line(
		"   2: 0000000000000000FFFF00000100000A:B607 0000000000000000FFFF00000100007F:BA88 01 00000000:00000000 00:00000000 00000000     0        0 9 1", &l));
	assert_false(l.loopback);
}

static void
test_parse_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"   3:",
		/* truncated before the inode */
		"   3: 0100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0",
		/* not hex, short address, short port, long state */
		"   3: 0100007G:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 5 2",
		"   3: 100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 5 2",
		"   3: 0100007F:BA8 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 5 2",
		"   3: 0100007F:BA88 0100007F:B607 001 00000000:00000000 00:00000000 00000000     0        0 5 2",
		/* an IPv4 end with an IPv6 end; no colon after sl; inode not a number */
		"   3: 0100007F:BA88 00000000000000000000000001000000:D1DC 01 00000000:00000000 00:00000000 00000000     0        0 5 2",
		"   3 0100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 5 2",
		"   3: 0100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 5x 2",
		"   3: 0100007F:BA88 0100007F:B607 01 00000000:00000000 00:00000000 00000000     0        0 -5 2",
	};
	struct sockowner_line l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (sockowner_parse_line(bad[i], &l))
			fail_msg("accepted: %s", bad[i]);
}

/* A child that accepts one connection on lfd and holds it until done is
 * closed (or this process exits, a failed test too); it writes a byte to
 * ready once it has accepted. */
static pid_t
holder(int lfd, int ready, const int done[2])
{
	pid_t pid = fork();
	char c = 'a';

	assert_true(pid >= 0);
	if (pid == 0) {
		int cfd = accept(lfd, NULL, NULL);

		close(done[1]);	/* else our own copy keeps EOF away */
		if (cfd < 0 || write(ready, &c, 1) != 1)
			_exit(1);
		while (read(done[0], &c, 1) > 0)
			;
		_exit(0);
	}
	return pid;
}

static unsigned
port_of(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t len = sizeof sa;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin6_port);	/* sin_port is at the same offset */
}

/* listen on family's loopback (or, mapped, on :: for an IPv4 client),
 * let a child accept, and ask who holds the server end */
static void
owner_case(int family, bool mapped)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr *a = family == AF_INET6 ? (void *)&a6 : (void *)&a4;
	socklen_t alen = family == AF_INET6 ? sizeof a6 : sizeof a4;
	int lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), cfd, ready[2], done[2];
	pid_t child, self = getpid(), owner[3];
	unsigned ports[3], server;
	char c;

	assert_true(lfd >= 0);
	if (mapped)
		a6.sin6_addr = in6addr_any;
	assert_int_equal(bind(lfd, a, alen), 0);
	assert_int_equal(listen(lfd, 4), 0);
	server = port_of(lfd);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	child = holder(lfd, ready[1], done);
	close(done[0]);
	if (mapped) {
		family = AF_INET;
		a = (void *)&a4;
		alen = sizeof a4;
	}
	a4.sin_port = a6.sin6_port = htons((uint16_t)server);
	cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, a, alen), 0);
	assert_int_equal(read(ready[0], &c, 1), 1);

	ports[0] = port_of(cfd);
	ports[1] = 1;		/* no such connection */
	ports[2] = ports[0];
	assert_true(sockowner_map(server, ports, 3, (pid_t[]){ self, child }, 2, owner));
	assert_int_equal(owner[0], child);
	assert_int_equal(owner[1], 0);
	assert_int_equal(owner[2], child);
	/* this process holds the client end and the listener, not the server end */
	assert_true(sockowner_map(server, ports, 1, &self, 1, owner));
	assert_int_equal(owner[0], 0);
	/* the roles swapped, the entry found is the client end's: ours */
	assert_true(sockowner_map(ports[0], &server, 1, (pid_t[]){ child, self }, 2, owner));
	assert_int_equal(owner[0], self);

	/* closed from our side: the child still holds it (CLOSE_WAIT), but
	 * the connection is over, as when we drain one of nginx's */
	close(cfd);
	assert_true(sockowner_map(server, ports, 1, (pid_t[]){ self, child }, 2, owner));
	assert_int_equal(owner[0], 0);

	close(done[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	close(lfd);
	close(ready[0]);
	close(ready[1]);
}

static void
test_owner_ipv4(void **state)
{
	(void)state;
	owner_case(AF_INET, false);
}

static void
test_owner_ipv6(void **state)
{
	(void)state;
	owner_case(AF_INET6, false);
}

static void
test_owner_mapped(void **state)
{
	(void)state;
	owner_case(AF_INET6, true);
}

static void
test_owner_nothing_asked(void **state)
{
	pid_t self = getpid(), owner[1] = { 42 };

	(void)state;
	assert_true(sockowner_map(80, NULL, 0, &self, 1, owner));
	assert_int_equal(owner[0], 42);	/* n = 0: untouched */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_captured),
		cmocka_unit_test(test_parse_other_hosts),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_owner_ipv4),
		cmocka_unit_test(test_owner_ipv6),
		cmocka_unit_test(test_owner_mapped),
		cmocka_unit_test(test_owner_nothing_asked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
