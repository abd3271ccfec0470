/* leaky.c - a small program with known leaks, to capture real valgrind
 * `leak_check` monitor output for the leakcheck unit tests.
 *
 *   leaky MARKER          leak, create MARKER.0, then wait for signals:
 *                         SIGUSR1 leaks more (MARKER.1), SIGUSR2 frees the
 *                         reachable blocks and leaks elsewhere (MARKER.2)
 *   leaky MARKER clean    allocate and free everything, create MARKER.0, wait
 *
 * Built with gcc -O0 -g; run under valgrind by capture.sh. No stdio: its
 * buffers would be heap blocks of their own. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#ifdef LEAKY_LIB
void lk_lib_leak(void);		/* liblk.so: a stripped library */
#endif
#ifdef LEAKY_CXX
void lk_cxx_leak(int n);	/* leaky_cxx.cc: templates, operator new */
#endif

struct conn {
	char *name;
	char *buf;
};

static void *reachable_block;	/* still reachable through a global */
static char *interior;		/* points into a block: possibly lost */
static char *length64;		/* block+8, first word = size-8: heuristic */
static void *reachable_more[8];
static volatile sig_atomic_t got_usr1, got_usr2;

static void
mark(const char *marker, int n)
{
	char path[4096];
	size_t len = strlen(marker);
	int fd;

	if (len + 3 > sizeof(path))
		_exit(2);
	memcpy(path, marker, len);
	path[len] = '.';
	path[len + 1] = (char) ('0' + n);
	path[len + 2] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}

static void
leak_definite(size_t size)
{
	char *p = malloc(size);

	p[0] = 'd';
	p = NULL;	/* forget it */
}

static void
leak_conn(void)
{
	struct conn *c = malloc(sizeof(*c));

	c->name = strdup("connection-name");	/* indirectly lost */
	c->buf = calloc(1, 200);		/* indirectly lost */
	c = NULL;
}

static void
leak_possible(void)
{
	char *p = malloc(64);

	memset(p, 'x', 64);
	interior = p + 24;	/* only an interior pointer survives */
}

static void
keep_reachable(void)
{
	reachable_block = malloc(4096);
}

static void
keep_length64(void)
{
	uint64_t n = 40;
	char *p = malloc(sizeof(n) + n);

	memcpy(p, &n, sizeof(n));
	length64 = p + sizeof(n);
}

static void
ngx_http_leaky_module_allocate_a_buffer_for_the_request_body_and_forget_to_release_it(int n)
{
	leak_definite((size_t) n);
}

/* Forced inline even at -O0: valgrind shows the inlined call as its own frame
 * with the same address as its caller's. */
static inline __attribute__((always_inline)) void
inlined_leak(void)
{
	free(malloc(1));
	(void) !malloc(33);
}

static void
call_inlined(void)
{
	inlined_leak();
}

static void
recurse(int depth)
{
	if (depth == 0) {
		leak_definite(77);
		return;
	}
	recurse(depth - 1);
}

typedef void (*leak_fn)(void);

#if defined(__x86_64__)
/* Code without symbol or object: valgrind prints "by 0x...: ???". */
static void
leak_from_anonymous_code(void)
{
	static const unsigned char tmpl[] = {
		0x55,				/* push %rbp */
		0x48, 0x89, 0xe5,		/* mov %rsp,%rbp */
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,	/* movabs $fn,%rax */
		0xff, 0xd0,			/* call *%rax */
		0x5d,				/* pop %rbp */
		0xc3,				/* ret */
	};
	leak_fn target = call_inlined;
	unsigned char *code;
	leak_fn fn;

	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return;
	memcpy(code, tmpl, sizeof(tmpl));
	memcpy(code + 6, &target, sizeof(target));
	memcpy(&fn, &code, sizeof(fn));
	fn();
}
#endif

static void
leak_initial(void)
{
	int i;

	for (i = 0; i < 11; i++)
		leak_definite(100);
	leak_conn();
	leak_possible();
	keep_reachable();
	keep_length64();
	ngx_http_leaky_module_allocate_a_buffer_for_the_request_body_and_forget_to_release_it(1234567);
	call_inlined();
	recurse(40);
#if defined(__x86_64__)
	leak_from_anonymous_code();
#endif
#ifdef LEAKY_LIB
	lk_lib_leak();
#endif
#ifdef LEAKY_CXX
	lk_cxx_leak(3);
#endif
}

static void
leak_more(void)
{
	int i;

	for (i = 0; i < 5; i++)
		leak_definite(100);
	leak_conn();
	for (i = 0; i < 8; i++)
		reachable_more[i] = malloc(16);
}

static void
free_reachable(void)
{
	int i;

	free(reachable_block);
	reachable_block = NULL;
	for (i = 0; i < 8; i++) {
		free(reachable_more[i]);
		reachable_more[i] = NULL;
	}
	leak_definite(100);
}

static void
clean(void)
{
	void *p = malloc(1000);

	free(realloc(p, 2000));
}

/* memcheck scans a little below the stack pointer too: wipe the dead frames
 * that still hold pointers to the blocks we meant to lose, or they show up
 * as reachable or possibly lost, differently from run to run. */
static void __attribute__((noinline))
scrub_stack(void)
{
	volatile char junk[16384];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_usr2 = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc < 2)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	if (argc > 2 && !strcmp(argv[2], "clean"))
		clean();
	else
		leak_initial();
	scrub_stack();
	mark(argv[1], 0);

	/* Sleep in pause(): vgdb wakes us with ptrace to answer commands. */
	for (;;) {
		pause();
		if (got_usr1) {
			got_usr1 = 0;
			leak_more();
			scrub_stack();
			mark(argv[1], 1);
		}
		if (got_usr2) {
			got_usr2 = 0;
			free_reachable();
			scrub_stack();
			mark(argv[1], 2);
		}
	}
}
