/* errors.c - provoke the memcheck error kinds, one function each, so
 * tests/data/xml/errors.xml holds real <error>s of every kind with known
 * frames. Built with gcc -O0 -g -fno-builtin by capture.sh; the line numbers
 * of the marked statements are what test_vgxml_captures.c asserts (grep "ERR:").
 * Runs under valgrind only (the errors are real). */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/memcheck.h>

void cxx_mismatch(void);		/* mismatch.cc */

struct node {
	char *name;
	struct node *next;
};

static void *still_reachable;		/* a global points to it */
static char *interior;			/* points inside a block: possibly lost */
static sigjmp_buf jump_back;
static int devnull;

static void __attribute__((noinline))
invalid_read(void)
{
	char *p = malloc(16);
	volatile char c;

	c = p[16];			/* ERR: InvalidRead */
	(void)c;
	free(p);
}

static void __attribute__((noinline))
invalid_write(void)
{
	char *p = malloc(16);

	p[20] = 'x';			/* ERR: InvalidWrite */
	free(p);
}

static void __attribute__((noinline))
use_after_free(void)
{
	int *p = malloc(4 * sizeof(int));
	volatile int v;

	free(p);
	v = p[1];			/* ERR: use after free */
	(void)v;
}

static void __attribute__((noinline))
invalid_free(void)
{
	char *p = malloc(8);

	free(p);
	free(p);			/* ERR: InvalidFree */
}

static void __attribute__((noinline))
uninit_value(void)
{
	static const int table[4] = { 1, 2, 3, 4 };
	int *p = malloc(4 * sizeof(int));
	volatile int v;

	v = table[p[0] & 3];		/* ERR: UninitValue */
	(void)v;
	free(p);
}

static void __attribute__((noinline))
uninit_condition(void)
{
	int *p = malloc(sizeof(int));
	volatile int v = 0;

	if (*p == 42)			/* ERR: UninitCondition */
		v = 1;
	(void)v;
	free(p);
}

static void __attribute__((noinline))
syscall_param(void)
{
	char *p = malloc(10);

	if (write(devnull, p, 10) < 0)	/* ERR: SyscallParam */
		abort();
	free(p);
}

static void __attribute__((noinline))
syscall_stack(void)
{
	char buf[24];

	buf[0] = 'a';
	if (write(devnull, buf, sizeof(buf)) < 0)	/* ERR: SyscallParam stack */
		abort();
}

static void __attribute__((noinline))
overlap(void)
{
	char buf[32] = "0123456789abcdefghijklmnopqrstu";

	/* glibc's memcpy is memmove, valgrind checks strcpy */
	strcpy(buf, buf + 1);		/* ERR: Overlap */
}

static void __attribute__((noinline))
fishy(void)
{
	volatile long n = -1;
	void *p = malloc((size_t)n);	/* ERR: FishyValue */

	free(p);
}

static void __attribute__((noinline))
client_check(void)
{
	char *p = malloc(8);

	p[0] = 1;
	VALGRIND_CHECK_MEM_IS_DEFINED(p, 8);		/* ERR: ClientCheck defined */
	VALGRIND_CHECK_MEM_IS_ADDRESSABLE(p, 12);	/* ERR: ClientCheck addressable */
	free(p);
}

static void
on_segv(int sig)
{
	(void)sig;
	siglongjmp(jump_back, 1);
}

static void __attribute__((noinline))
invalid_jump(void)
{
	void (*volatile fn)(void) = (void (*)(void))(uintptr_t)0x10;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(jump_back, 1) == 0)
		fn();			/* ERR: InvalidJump */
	signal(SIGSEGV, SIG_DFL);
}

static void __attribute__((noinline))
invalid_mempool(void)
{
	static char pool[64];

	VALGRIND_MEMPOOL_ALLOC(pool, pool + 8, 8);	/* ERR: InvalidMemPool */
}

static void __attribute__((noinline))
leak_definite(void)
{
	char *p = malloc(100);		/* ERR: Leak_DefinitelyLost */

	p[0] = 0;
}

static void __attribute__((noinline))
leak_indirect(void)
{
	struct node *n = malloc(sizeof(*n));	/* ERR: Leak_DefinitelyLost indirect */

	n->name = malloc(200);		/* ERR: Leak_IndirectlyLost */
	n->next = NULL;
}

static void __attribute__((noinline))
leak_possible(void)
{
	char *p = malloc(300);		/* ERR: Leak_PossiblyLost */

	interior = p + 10;
}

static void __attribute__((noinline))
leak_reachable(void)
{
	still_reachable = malloc(400);	/* ERR: Leak_StillReachable */
}

int
main(void)
{
	devnull = open("/dev/null", O_WRONLY);
	invalid_read();
	invalid_write();
	use_after_free();
	invalid_free();
	uninit_value();
	uninit_condition();
	syscall_param();
	syscall_stack();
	overlap();
	fishy();
	client_check();
	invalid_jump();
	invalid_mempool();
	cxx_mismatch();
	leak_definite();
	leak_indirect();
	leak_possible();
	leak_reachable();
	return 0;
}
