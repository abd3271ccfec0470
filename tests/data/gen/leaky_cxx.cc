// leaky_cxx.cc - C++ frames: templates, operator new, overloads, namespaces.
#include <cstddef>

namespace lk {
template <typename T> struct box {
	T *v;
};

template <typename T> box<T> *
make_box(T x)
{
	box<T> *b = new box<T>;
	b->v = new T[4];
	b->v[0] = x;
	return b;
}

int *
leak(int n)
{
	return new int[n];
}

double *
leak(double d)
{
	return new double(d);
}
}

extern "C" void lk_cxx_leak(int n);

void
lk_cxx_leak(int n)
{
	(void) lk::make_box<long>(5);
	(void) lk::leak(n);
	(void) lk::leak(2.5);
}
