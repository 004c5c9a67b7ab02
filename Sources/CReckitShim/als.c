/*
 * Per-row solvers of alternating least squares for the native back end. Each row's system
 * (f x f, f = the number of factors, 64 typically) is far too small for OpenBLAS to amortise a call,
 * so these build and solve it in one pass over the row's entries, in registers and L1:
 *   - cg:    a few conjugate-gradient steps on (G + sum w y y^T) x = sum c y without forming the
 *            matrix (implicit feedback; G = Y^T Y + lambda I is formed once per sweep by OpenBLAS);
 *   - solve: the matrix formed from gathered rows (register-tiled B^T B), factored (Cholesky) and
 *            solved, for implicit and explicit feedback.
 * Like sparse.c, every entry's factor row is a random read, so each loop prefetches the rows a few
 * entries ahead. The kernels are written once (als_template.h) and compiled for AVX-512, for
 * AVX2+FMA and for the baseline ISA, dispatched at run time.
 */
#include "dispatch.h"
#include <math.h>
#include <string.h>

#define RECKIT_ALS_PREFETCH 6

#define RECKIT_PREFETCH_ROW(ptr, bytes)                                                             \
    do {                                                                                            \
        const char *row_ = (const char *)(ptr);                                                     \
        for (long b_ = 0; b_ < (long)(bytes); b_ += 64) __builtin_prefetch(row_ + b_, 0, 3);       \
    } while (0)

/* 64-byte vectors for AVX-512, 32-byte for AVX2, 16-byte (SSE2, NEON) for the baseline */
typedef float reckit_v16f __attribute__((vector_size(64)));
typedef double reckit_v8d __attribute__((vector_size(64)));
typedef float reckit_v8f __attribute__((vector_size(32)));
typedef double reckit_v4d __attribute__((vector_size(32)));
typedef float reckit_v4f __attribute__((vector_size(16)));
typedef double reckit_v2d __attribute__((vector_size(16)));

#if defined(__x86_64__)
#define RK_ATTR RECKIT_AVX512
#define RK_T float
#define RK_V reckit_v16f
#define RK_W 16
#define RK_FN(x) x##_s_avx512
#include "als_template.h"
#undef RK_T
#undef RK_V
#undef RK_W
#undef RK_FN
#define RK_T double
#define RK_V reckit_v8d
#define RK_W 8
#define RK_FN(x) x##_d_avx512
#include "als_template.h"
#undef RK_T
#undef RK_V
#undef RK_W
#undef RK_FN
#undef RK_ATTR
#define RK_ATTR RECKIT_AVX2
#define RK_T float
#define RK_V reckit_v8f
#define RK_W 8
#define RK_FN(x) x##_s_avx2
#include "als_template.h"
#undef RK_T
#undef RK_V
#undef RK_W
#undef RK_FN
#define RK_T double
#define RK_V reckit_v4d
#define RK_W 4
#define RK_FN(x) x##_d_avx2
#include "als_template.h"
#undef RK_T
#undef RK_V
#undef RK_W
#undef RK_FN
#undef RK_ATTR
#endif

#define RK_ATTR
#define RK_T float
#define RK_V reckit_v4f
#define RK_W 4
#define RK_FN(x) x##_s_base
#include "als_template.h"
#undef RK_T
#undef RK_V
#undef RK_W
#undef RK_FN
#define RK_T double
#define RK_V reckit_v2d
#define RK_W 2
#define RK_FN(x) x##_d_base
#include "als_template.h"

long reckit_als_work_size(long f, int exact) { return exact ? f * f + f + RECKIT_ALS_GATHER * f : 3 * f; }

void reckit_sals_cg(long r0, long r1, long f, const long *off, const int32_t *col, const float *val, long nnz,
                    const float *gram, const float *y, float *x, float alpha, int steps, float *work) {
    RECKIT_DISPATCH(cg_rows_s_avx512, cg_rows_s_avx2, cg_rows_s_base)(r0, r1, f, off, col, val, nnz, gram, y, x, alpha, steps, work);
}
void reckit_dals_cg(long r0, long r1, long f, const long *off, const int32_t *col, const double *val, long nnz,
                    const double *gram, const double *y, double *x, double alpha, int steps, double *work) {
    RECKIT_DISPATCH(cg_rows_d_avx512, cg_rows_d_avx2, cg_rows_d_base)(r0, r1, f, off, col, val, nnz, gram, y, x, alpha, steps, work);
}
long reckit_sals_solve(long r0, long r1, long f, const long *off, const int32_t *col, const float *val, long nnz,
                       const float *gram, float lambda, const float *y, float *x, float alpha, float *work, long *order) {
    return RECKIT_DISPATCH(solve_rows_s_avx512, solve_rows_s_avx2, solve_rows_s_base)(r0, r1, f, off, col, val, nnz, gram, lambda, y, x, alpha,
                                                               work, order);
}
long reckit_dals_solve(long r0, long r1, long f, const long *off, const int32_t *col, const double *val, long nnz,
                       const double *gram, double lambda, const double *y, double *x, double alpha, double *work,
                       long *order) {
    return RECKIT_DISPATCH(solve_rows_d_avx512, solve_rows_d_avx2, solve_rows_d_base)(r0, r1, f, off, col, val, nnz, gram, lambda, y, x, alpha,
                                                               work, order);
}
