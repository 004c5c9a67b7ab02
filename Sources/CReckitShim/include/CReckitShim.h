#ifndef CRECKIT_SHIM_H
#define CRECKIT_SHIM_H
/*
 * RecKit's C shim over OpenBLAS (CBLAS) and LAPACKE.
 *
 * Contract for every wrapper below:
 *   - matrices are ROW-MAJOR; `ld*` is the row stride in elements (>= columns);
 *   - `trans*` is 0 (no transpose) or 1 (transpose);
 *   - symmetric/triangular routines use the LOWER triangle;
 *   - LAPACK wrappers return LAPACK's `info` (0 = success, < 0 = bad argument,
 *     > 0 = numerical failure, meaning depends on the routine).
 * Integer widths are pinned: RecKit links the 32-bit-index (LP64) OpenBLAS.
 */
#include <stdint.h>
#include <cblas.h>
#include <lapacke.h>

_Static_assert(sizeof(blasint) == 4, "RecKit expects the LP64 OpenBLAS (32-bit blasint)");
_Static_assert(sizeof(lapack_int) == 4, "RecKit expects the LP64 LAPACKE (32-bit lapack_int)");

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features (x86-64: CPUID + XGETBV; other architectures report none) ---- */
enum {
    RECKIT_CPU_SSE2 = 1u << 0, RECKIT_CPU_SSE3 = 1u << 1, RECKIT_CPU_SSSE3 = 1u << 2,
    RECKIT_CPU_SSE41 = 1u << 3, RECKIT_CPU_SSE42 = 1u << 4, RECKIT_CPU_AVX = 1u << 5,
    RECKIT_CPU_FMA = 1u << 6, RECKIT_CPU_AVX2 = 1u << 7, RECKIT_CPU_AVX512F = 1u << 8,
    RECKIT_CPU_AVX512DQ = 1u << 9, RECKIT_CPU_AVX512CD = 1u << 10, RECKIT_CPU_AVX512BW = 1u << 11,
    RECKIT_CPU_AVX512VL = 1u << 12, RECKIT_CPU_AVX512BF16 = 1u << 13, RECKIT_CPU_AMXBF16 = 1u << 14,
    RECKIT_CPU_OS_YMM = 1u << 20,   /* OS saves AVX (ymm) state: XCR0 bits 1,2 */
    RECKIT_CPU_OS_ZMM = 1u << 21,   /* OS saves AVX-512 state: XCR0 bits 5,6,7 */
    RECKIT_CPU_OS_AMX = 1u << 22    /* OS saves AMX tile state: XCR0 bits 17,18 */
};
uint32_t reckit_cpu_features(void);
/* One core's measured single-precision peak in GFLOP/s: independent FMAs at the widest vector
 * width the CPU and OS support, for about `seconds`; the width in bits goes to *vector_bits. */
double reckit_fma_peak_gflops(double seconds, int *vector_bits);
/* Lower-case name of feature bit `bit` (0-31), or NULL for an unused bit. */
const char *reckit_cpu_feature_name(unsigned bit);
/* Cores this process may run on (its affinity mask), at least 1. */
int reckit_available_cores(void);
/* glibc malloc: serve blocks up to `heap_block` bytes from the heap (M_MMAP_THRESHOLD) and keep up
   to `retained` bytes of freed memory at its top (M_TRIM_THRESHOLD). 1 if both were set, 0
   otherwise (another C library: nothing is done). */
int reckit_keep_freed_memory(long heap_block, long retained);
/* Raw feature bits of a kernel (what it needs), for tests of the selection rule. */
uint32_t reckit_kernel_requirements(int index);
/* Writes the CPU brand string (NUL-terminated) into `buf`. */
void reckit_cpu_brand(char *buf, int len);

/* ---- Instruction-set variant of the shim's own kernels (sparse.c, als.c, sgd.c) ---- */
/* 2 AVX-512 (F, CD, BW, DQ, VL; OS saves zmm), 1 AVX2+FMA, 0 the baseline ISA: the highest this
 * CPU and OS run, or lower when RECKIT_SHIM_KERNEL (read at start-up) or the limit below asks. */
int reckit_native_simd_level(void);
/* "auto" or "RECKIT_SHIM_KERNEL": how the level was chosen. */
const char *reckit_native_simd_source(void);
/* Limits the variant the calling thread runs to `level` (-1: no limit), for tests of each
 * variant; other threads are not affected. Returns the level now in effect on this thread. */
int reckit_native_simd_limit(int level);

/* ---- OpenBLAS kernel selection ---- */
/* Kernels RecKit knows, in the order of preference used by automatic selection. */
int reckit_kernel_count(void);
const char *reckit_kernel_name(int index);
/* ISA tier: 0 SSE3, 1 SSE4.2, 2 AVX, 3 AVX2+FMA, 4 AVX-512. */
int reckit_kernel_tier(int index);
/* Index of a kernel by case-insensitive name, or -1. */
int reckit_kernel_index(const char *name);
/* 1 if the CPU and OS support everything `index` needs, for the feature set `features`. */
int reckit_kernel_supported_by(int index, uint32_t features);
/* The kernel automatic selection picks for `features` and OpenBLAS's own pick `openblas_pick`. */
int reckit_kernel_auto_choice(uint32_t features, const char *openblas_pick);

/* Name OpenBLAS reports for the kernel in use ("Zen", "Haswell", "SkylakeX", ...). */
const char *reckit_blas_corename(void);
/* OpenBLAS build configuration string (includes its version). */
const char *reckit_blas_config(void);
/* 1 when this OpenBLAS can switch kernels at run time (DYNAMIC_ARCH build). */
int reckit_blas_can_switch(void);
/*
 * Switch OpenBLAS to kernel `name`. Returns 0 on success, 1 unknown name, 2 not supported by
 * this CPU/OS, 3 OpenBLAS cannot switch (not a DYNAMIC_ARCH build), 4 OpenBLAS did not take it.
 * Not thread-safe: call when no BLAS work is running.
 */
int reckit_blas_select_kernel(const char *name);
/* How the kernel in use was chosen: "auto", "RECKIT_BLAS_KERNEL", "OPENBLAS_CORETYPE", "api". */
const char *reckit_blas_selection_source(void);
/* Why environment overrides were refused at start-up (one message per line), or NULL. */
const char *reckit_blas_env_refusal(void);
/* How long idle OpenBLAS workers spin before sleeping (see shim.c): a description for `reckit info`. */
const char *reckit_blas_spin_setting(void);
/* Run start-up selection and the spin limit (idempotent; also runs from a load-time constructor). */
void reckit_blas_initialize(void);

/* ---- Sparse (CSR) x dense products (sparse.c; OpenBLAS has none) ----
 * A is CSR: row i's entries are col[off[i] ..< off[i+1]] with values val[...]; nnz = off[rows].
 * B and C are row-major with row strides ldb, ldc; k columns are used. Only rows r0 ..< r1 of A are
 * processed, so callers can split the work between threads. C must be initialised (the kernels add).
 *   csrmm:    C[i, :] += sum_p val[p] * B[col[p], :]   (C = A * B, rows r0..<r1 of C)
 *   csrmm_t:  C[col[p], :] += val[p] * B[i, :]         (C = A^T * B, scatter; disjoint writes need
 *                                                       disjoint rows of C or disjoint columns)
 */
void reckit_dcsrmm(long r0, long r1, long k, const long *off, const int32_t *col, const double *val, long nnz,
                   const double *b, long ldb, double *c, long ldc);
void reckit_scsrmm(long r0, long r1, long k, const long *off, const int32_t *col, const float *val, long nnz,
                   const float *b, long ldb, float *c, long ldc);
void reckit_dcsrmm_t(long r0, long r1, long k, const long *off, const int32_t *col, const double *val, long nnz,
                     const double *b, long ldb, double *c, long ldc);
void reckit_scsrmm_t(long r0, long r1, long k, const long *off, const int32_t *col, const float *val, long nnz,
                     const float *b, long ldb, float *c, long ldc);

/* ---- Alternating least squares, one row's system at a time (als.c) ----
 * R is CSR as above (rows r0 ..< r1 are solved; nnz = off[rows]); Y is the fixed side, row-major
 * (columns x f); X is the side being solved, row-major (rows x f), row u overwritten. `work` is
 * per-thread scratch of reckit_als_work_size(f, exact) elements.
 *   cg:    implicit feedback, preference p = 1{r > 0}, confidence c = 1 + alpha r. Starting from X's
 *          row, `steps` conjugate-gradient steps on (G + sum_q alpha r_q y_q y_q^T) x = sum_q c_q p_q y_q,
 *          where gram = G = Y^T Y + lambda I (f x f, symmetric).
 *   solve: the same system formed and solved exactly (Cholesky) when gram != NULL; with gram == NULL
 *          explicit feedback, (lambda n_u I + sum_q y_q y_q^T) x = sum_q r_q y_q (weighted-lambda).
 *          A row without entries gets x = 0. Returns -1, or the first row whose system is not
 *          positive definite in this precision, with *order = the failing leading minor's order.
 */
/* Rows gathered per chunk by the exact solver (both back ends). */
#define RECKIT_ALS_GATHER 64
long reckit_als_work_size(long f, int exact);
void reckit_sals_cg(long r0, long r1, long f, const long *off, const int32_t *col, const float *val, long nnz,
                    const float *gram, const float *y, float *x, float alpha, int steps, float *work);
void reckit_dals_cg(long r0, long r1, long f, const long *off, const int32_t *col, const double *val, long nnz,
                    const double *gram, const double *y, double *x, double alpha, int steps, double *work);
long reckit_sals_solve(long r0, long r1, long f, const long *off, const int32_t *col, const float *val, long nnz,
                       const float *gram, float lambda, const float *y, float *x, float alpha, float *work, long *order);
long reckit_dals_solve(long r0, long r1, long f, const long *off, const int32_t *col, const double *val, long nnz,
                       const double *gram, double lambda, const double *y, double *x, double alpha, double *work,
                       long *order);

/* ---- Stochastic gradient descent for biased matrix factorisation (sgd.c) ----
 * One pass over `n` ratings in the given order. P (users x stride) and Q (items x stride) are
 * row-major Float with a row stride that is a multiple of 8 (the padding columns stay zero); bu, bi
 * are the biases. For each rating, e = r - (mu + bu[u] + bi[i] + p_u . q_i), then
 *   bu[u] += lr (e - reg_bias bu[u]),  bi[i] += lr (e - reg_bias bi[i]),
 *   p_u   += lr (e q_i - reg p_u),     q_i   += lr (e p_u - reg q_i)   (both from the old values).
 * Returns the sum of e^2 (errors before each update).
 */
typedef struct { int32_t user; int32_t item; float rating; } reckit_rating;
double reckit_sgd_biased_epoch(const reckit_rating *entries, long n, float *p, float *q, float *bu, float *bi, long stride,
                               float mu, float lr, float reg, float reg_bias);

/* ---- Threads ---- */
static inline void reckit_blas_set_threads(int n) { openblas_set_num_threads(n); }
static inline int reckit_blas_get_threads(void) { return openblas_get_num_threads(); }

/* ---- BLAS level 1-3 (row-major) ---- */
static inline void reckit_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                                const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static inline void reckit_dgemm(int ta, int tb, int m, int n, int k, double alpha, const double *a, int lda,
                                const double *b, int ldb, double beta, double *c, int ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
/* y <- alpha*op(A)*x + beta*y, A is m x n. */
static inline void reckit_sgemv(int ta, int m, int n, float alpha, const float *a, int lda,
                                const float *x, int incx, float beta, float *y, int incy) {
    cblas_sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
static inline void reckit_dgemv(int ta, int m, int n, double alpha, const double *a, int lda,
                                const double *x, int incx, double beta, double *y, int incy) {
    cblas_dgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
/* Lower triangle of C (n x n) <- alpha*op(A)*op(A)^T + beta*C; op(A) is n x k. */
static inline void reckit_ssyrk(int ta, int n, int k, float alpha, const float *a, int lda,
                                float beta, float *c, int ldc) {
    cblas_ssyrk(CblasRowMajor, CblasLower, ta ? CblasTrans : CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc);
}
static inline void reckit_dsyrk(int ta, int n, int k, double alpha, const double *a, int lda,
                                double beta, double *c, int ldc) {
    cblas_dsyrk(CblasRowMajor, CblasLower, ta ? CblasTrans : CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc);
}

/* Y (m x n, row-major) <- Y * L^-T for a row-major lower-triangular L (n x n): the triangular solve
   X * L^T = Y in place (Cholesky QR's second factor). */
static inline void reckit_strsm_right_lower_t(int m, int n, const float *l, int ldl, float *y, int ldy) {
    cblas_strsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, m, n, 1.0f, l, ldl, y, ldy);
}
static inline void reckit_dtrsm_right_lower_t(int m, int n, const double *l, int ldl, double *y, int ldy) {
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, m, n, 1.0, l, ldl, y, ldy);
}

/* ---- LAPACK (row-major, lower triangle) ---- */
/*
 * Cholesky without copies: a row-major lower triangle is the same memory as a column-major upper
 * triangle, so these call LAPACK's column-major 'U' routines directly (the _work variants: no
 * internal NaN scan, no allocation; RecKit checks its inputs itself). Row-major L with A = L*L^T
 * is column-major U with A = U^T*U.
 */
static inline int reckit_spotrf(int n, float *a, int lda) {
    return LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', n, a, lda);
}
static inline int reckit_dpotrf(int n, double *a, int lda) {
    return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, a, lda);
}
/* Solves L*L^T*X = B for row-major B (n x nrhs, row stride ldb). */
static inline int reckit_spotrs(int n, int nrhs, const float *l, int ldl, float *b, int ldb) {
    if (nrhs == 1 && ldb == 1) return LAPACKE_spotrs_work(LAPACK_COL_MAJOR, 'U', n, 1, l, ldl, b, n > 0 ? n : 1);
    return LAPACKE_spotrs(LAPACK_ROW_MAJOR, 'L', n, nrhs, l, ldl, b, ldb);
}
static inline int reckit_dpotrs(int n, int nrhs, const double *l, int ldl, double *b, int ldb) {
    if (nrhs == 1 && ldb == 1) return LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', n, 1, l, ldl, b, n > 0 ? n : 1);
    return LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', n, nrhs, l, ldl, b, ldb);
}
/* The inverse from the Cholesky factor (potri): on entry the row-major lower L (= column-major U),
 * on exit the lower triangle of (L L^T)^-1, row-major; the strict upper triangle is not touched. */
static inline int reckit_spotri(int n, float *a, int lda) { return LAPACKE_spotri_work(LAPACK_COL_MAJOR, 'U', n, a, lda); }
static inline int reckit_dpotri(int n, double *a, int lda) { return LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'U', n, a, lda); }
/* Factor and solve in one call (posv); same layout as potrf/potrs. */
static inline int reckit_sposv(int n, int nrhs, float *a, int lda, float *b, int ldb) {
    if (nrhs == 1 && ldb == 1) return LAPACKE_sposv_work(LAPACK_COL_MAJOR, 'U', n, 1, a, lda, b, n > 0 ? n : 1);
    return LAPACKE_sposv(LAPACK_ROW_MAJOR, 'L', n, nrhs, a, lda, b, ldb);
}
static inline int reckit_dposv(int n, int nrhs, double *a, int lda, double *b, int ldb) {
    if (nrhs == 1 && ldb == 1) return LAPACKE_dposv_work(LAPACK_COL_MAJOR, 'U', n, 1, a, lda, b, n > 0 ? n : 1);
    return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', n, nrhs, a, lda, b, ldb);
}
/*
 * QR of a row-major m x n matrix (row stride lda >= n) without copies. Its memory is the column-major
 * n x m matrix A^T, and the LQ factorisation A^T = L*Qt gives A = Qt^T * L^T: so LAPACK's column-major
 * gelqf/orglq work on RecKit's buffer directly, where the row-major ?geqrf/?orgqr would make LAPACKE
 * transpose A in and out. After geqrf, R (= L^T) is the row-major upper triangle and the min(m, n)
 * reflectors lie below it, their scalars in tau.
 */
static inline int reckit_sgeqrf(int m, int n, float *a, int lda, float *tau) {
    return LAPACKE_sgelqf(LAPACK_COL_MAJOR, n, m, a, lda, tau);
}
static inline int reckit_dgeqrf(int m, int n, double *a, int lda, double *tau) {
    return LAPACKE_dgelqf(LAPACK_COL_MAJOR, n, m, a, lda, tau);
}
/* Overwrites the first n columns of the row-major m x lda buffer with the first n columns of Q, from
 * geqrf's k reflectors (n <= lda). */
static inline int reckit_sorgqr(int m, int n, int k, float *a, int lda, const float *tau) {
    return LAPACKE_sorglq(LAPACK_COL_MAJOR, n, m, k, a, lda, tau);
}
static inline int reckit_dorgqr(int m, int n, int k, double *a, int lda, const double *tau) {
    return LAPACKE_dorglq(LAPACK_COL_MAJOR, n, m, k, a, lda, tau);
}
/* Symmetric eigendecomposition (lower triangle read); ascending eigenvalues in w, eigenvectors in the columns of a. */
static inline int reckit_ssyevd(int n, float *a, int lda, float *w) {
    return LAPACKE_ssyevd(LAPACK_ROW_MAJOR, 'V', 'L', n, a, lda, w);
}
static inline int reckit_dsyevd(int n, double *a, int lda, double *w) {
    return LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', n, a, lda, w);
}
/*
 * Thin SVD (jobz 'S') of a row-major m x n matrix without copies: A (m x n) = U (m x k) diag(s) Vt (k x n),
 * k = min(m, n), all row-major; A is destroyed. The buffer is the column-major n x m matrix A^T, and
 * A^T = U' S V'^T gives A = V' S U'^T: column-major gesdd writes V'^T (k x m, ld k) -- which is the
 * row-major U -- and U' (n x k, ld n) -- the row-major Vt. So ldu must be k and ldvt n.
 */
static inline int reckit_sgesdd(int m, int n, float *a, int lda, float *s, float *u, int ldu, float *vt, int ldvt) {
    return LAPACKE_sgesdd(LAPACK_COL_MAJOR, 'S', n, m, a, lda, s, vt, ldvt, u, ldu);
}
static inline int reckit_dgesdd(int m, int n, double *a, int lda, double *s, double *u, int ldu, double *vt, int ldvt) {
    return LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', n, m, a, lda, s, vt, ldvt, u, ldu);
}

#ifdef __cplusplus
}
#endif
#endif
