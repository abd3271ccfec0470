// mismatch.cc - MismatchedFree for errors.c: new[] released by free(),
// new released by delete[].
#include <cstdlib>

extern "C" void cxx_mismatch(void);

static void __attribute__((noinline))
new_free()
{
	int *p = new int[4];

	free(p);			// ERR: MismatchedFree free
}

static void __attribute__((noinline))
new_delete_array()
{
	int *p = new int;

	delete[] p;			// ERR: MismatchedFree delete[]
}

extern "C" void
cxx_mismatch(void)
{
	new_free();
	new_delete_array();
}
