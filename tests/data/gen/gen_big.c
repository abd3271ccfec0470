/* gen_big.c - write a big, realistic `leak_check full reachable increased`
 * answer for timing leakcheck: real frame lines taken from a captured answer,
 * recombined into NRECORDS records of about 30 frames with varied addresses,
 * sizes, deltas and kinds, then a LEAK SUMMARY that matches them.
 *
 *   gen_big CAPTURE NRECORDS > big.txt */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXPOOL 100000

static char *pool[MAXPOOL];	/* "fn (file:line)" parts of real frames */
static size_t npool;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* 1234567 -> "1,234,567" as valgrind prints it. */
static const char *
commas(uint64_t v, char *buf)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), i, j = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = tmp[i];
	}
	buf[j] = '\0';
	return buf;
}

static void
load(const char *path)
{
	char line[70000];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) && npool < MAXPOOL) {
		char *by = strstr(line, "    by 0x"), *colon;

		if (!by || !(colon = strstr(by, ": ")))
			continue;
		pool[npool++] = strdup(colon + 2);	/* keeps the newline */
	}
	fclose(f);
	if (!npool) {
		fprintf(stderr, "no frames in %s\n", path);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "definitely lost", "indirectly lost",
		"possibly lost", "still reachable" };
	uint64_t tb[4] = { 0 }, tn[4] = { 0 };
	unsigned long i, n;
	const int pid = 4242;

	if (argc != 3)
		return 2;
	load(argv[1]);
	n = strtoul(argv[2], NULL, 10);
	printf("sending command leak_check full reachable increased to pid %d\n", pid);
	for (i = 0; i < n; i++) {
		char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32];
		uint64_t blocks = 1 + next() % 2000, size = 8 + next() % 5000;
		uint64_t bytes = blocks * size, ind = next() % 3 ? 0 : bytes / 3;
		int k = (int)(next() % 4), nf = 24 + (int)(next() % 13), j;

		if (k != 0)
			ind = 0;
		if (ind)
			printf("==%d== %s (+%s) (%s (+%s) direct, %s (+%s) indirect) bytes in %s (+%s) blocks"
				" are %s in loss record %lu of %lu\n", pid, commas(bytes, a), commas(bytes / 2, b),
				commas(bytes - ind, c), commas((bytes - ind) / 2, d), commas(ind, e),
				commas(bytes / 2 - (bytes - ind) / 2, f), commas(blocks, g), commas(blocks / 2, h), kinds[k], i + 1, n);
		else
			printf("==%d== %s (+%s) bytes in %s (+%s) blocks are %s in loss record %lu of %lu\n",
				pid, commas(bytes, a), commas(bytes / 2, b), commas(blocks, c), commas(blocks / 2, d),
				kinds[k], i + 1, n);
		printf("==%d==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n", pid);
		for (j = 1; j < nf; j++)
		{
			/* One code location, one address, as in a real process. */
			size_t pick = next() % npool;

			printf("==%d==    by 0x%llX: %s", pid, (unsigned long long)(0x100000 + pick * 0x1F3),
				pool[pick]);
		}
		printf("==%d== \n", pid);
		tb[k] += bytes - ind;
		tn[k] += blocks;
		if (k == 0 && ind)
			tb[1] += ind;
	}
	printf("==%d== LEAK SUMMARY:\n", pid);
	for (i = 0; i < 4; i++) {
		char a[32], b[32];

		printf("==%d== %*s: %s (+0) bytes in %s (+0) blocks\n", pid, 18, kinds[i], commas(tb[i], a),
			commas(tn[i], b));
	}
	printf("==%d==         suppressed: 0 (+0) bytes in 0 (+0) blocks\n==%d== \n", pid, pid);
	return 0;
}
