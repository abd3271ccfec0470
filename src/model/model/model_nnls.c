/* model_nnls.c - the fit's algebra (model_fit.c): the rank of a Gram
 * matrix, and non-negative least squares on the normal equations. */
#include "model_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Columns whose normalised residual (after the ones before) is under this
 * are collinear: a 1% difference between two URLs' counts is one failed
 * request, not a design that tells them apart. */
#define FIT_RANK_TOL 1e-4

/* Rank of the symmetric PSD matrix h (n x n) by pivoted elimination: a
 * column counts when what is left of its diagonal, after the columns
 * before, is at least FIT_RANK_TOL of what it was (scale-free, so counts
 * and the one-off column compare alike); h is destroyed. */
size_t
model_nnls_rank(double *h, size_t n)
{
	size_t rank = 0, i, j, k, piv;
	bool *done = xcalloc(n + 1, sizeof *done);
	double *d0 = xcalloc(n + 1, sizeof *d0);

	for (i = 0; i < n; i++)
		d0[i] = h[i * n + i] > 0 ? h[i * n + i] : 1;
	for (k = 0; k < n; k++) {
		piv = n;
		for (i = 0; i < n; i++)
			if (!done[i] && (piv == n || h[i * n + i] / d0[i] > h[piv * n + piv] / d0[piv]))
				piv = i;
		if (piv == n || h[piv * n + piv] / d0[piv] < FIT_RANK_TOL)
			break;
		done[piv] = true;
		rank++;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if (!done[i] && !done[j])
					h[i * n + j] -= h[i * n + piv] * h[piv * n + j] / h[piv * n + piv];
	}
	free(done);
	free(d0);
	return rank;
}

/* Solve h[P,P] z = c[P] for the k indices in P (h PD on them) by LDL';
 * l is k*k scratch (D on its diagonal). */
static void
solve_sub(const double *h, size_t n, const size_t *P, size_t k, const double *c, double *z,
	double *l)
{
	size_t i, j, t;
	double s;

	for (i = 0; i < k; i++)
		for (j = 0; j <= i; j++) {
			s = h[P[i] * n + P[j]];
			for (t = 0; t < j; t++)
				s -= l[i * k + t] * l[j * k + t] * l[t * k + t];
			if (i == j)
				l[i * k + i] = s > 1e-300 ? s : 1e-300;
			else
				l[i * k + j] = s / l[j * k + j];
		}
	for (i = 0; i < k; i++) {	/* L y = c */
		s = c[P[i]];
		for (t = 0; t < i; t++)
			s -= l[i * k + t] * z[P[t]];
		z[P[i]] = s;
	}
	for (i = 0; i < k; i++)		/* D */
		z[P[i]] /= l[i * k + i];
	for (i = k; i-- > 0;) {		/* L' z = y */
		s = z[P[i]];
		for (t = i + 1; t < k; t++)
			s -= l[t * k + i] * z[P[t]];
		z[P[i]] = s;
	}
}

/* Lawson-Hanson NNLS on the normal equations: minimise x'hx/2 - c'x over
 * x >= 0 (h n x n, PD: the rank was checked). */
void
model_nnls(const double *h, const double *c, size_t n, double *x)
{
	double *w = xcalloc(n, sizeof *w), *z = xcalloc(n, sizeof *z);
	double *l = xcalloc(n * n, sizeof *l), tol = 0, alpha, a;
	size_t *P = xcalloc(n, sizeof *P), k = 0, i, j, best, iter, hit;
	bool *in = xcalloc(n, sizeof *in);

	for (i = 0; i < n; i++) {
		x[i] = 0;
		tol = c[i] > tol ? c[i] : -c[i] > tol ? -c[i] : tol;
	}
	tol = 1e-10 * (tol > 1 ? tol : 1);
	for (iter = 0; iter < 3 * n + 3; iter++) {
		for (i = 0; i < n; i++) {
			w[i] = c[i];
			for (j = 0; j < n; j++)
				w[i] -= h[i * n + j] * x[j];
		}
		best = n;
		for (i = 0; i < n; i++)
			if (!in[i] && w[i] > tol && (best == n || w[i] > w[best]))
				best = i;
		if (best == n)
			break;
		in[best] = true;
		P[k++] = best;
		for (;;) {
			solve_sub(h, n, P, k, c, z, l);
			alpha = 2;
			hit = n;
			for (i = 0; i < k; i++)
				if (z[P[i]] <= 0) {
					a = x[P[i]] / (x[P[i]] - z[P[i]]);
					if (a < alpha) {
						alpha = a;
						hit = P[i];
					}
				}
			if (alpha > 1) {
				for (i = 0; i < k; i++)
					x[P[i]] = z[P[i]];
				break;
			}
			for (i = 0; i < k; i++)
				x[P[i]] += alpha * (z[P[i]] - x[P[i]]);
			x[hit] = 0;
			for (i = j = 0; i < k; i++) {
				if (x[P[i]] <= 1e-12) {
					x[P[i]] = 0;
					in[P[i]] = false;
				} else {
					P[j++] = P[i];
				}
			}
			k = j;
			if (!k)
				break;
		}
	}
	free(w);
	free(z);
	free(l);
	free(P);
	free(in);
}
