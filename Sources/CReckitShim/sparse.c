/*
 * Sparse (CSR) x dense products for the native back end. OpenBLAS has no sparse routines, so these
 * are RecKit's own. What makes them fast on rating matrices is not arithmetic but memory: every
 * stored entry touches a random row of the dense operand, and the loop stalls on those loads unless
 * they are requested early. Each kernel prefetches the row needed RECKIT_PREFETCH_DISTANCE entries
 * ahead (measured on a 100 000 x 20 000, 2 M-entry matrix with 74 dense columns: 50-60 ms -> 38-43 ms
 * per product on one core).
 *
 * The kernels work on a range of CSR rows so the caller (Swift's Parallel) can split the work; they
 * are compiled twice -- for AVX2+FMA and for the baseline ISA -- and dispatch on the CPU at run
 * time (the AVX-512 level runs the AVX2 loops; see below).
 */
#include "dispatch.h"

#define RECKIT_PREFETCH_DISTANCE 8

#define RECKIT_PREFETCH_ROW(ptr, bytes, write)                                                      \
    do {                                                                                            \
        const char *row_ = (const char *)(ptr);                                                     \
        for (long b_ = 0; b_ < (long)(bytes); b_ += 64) __builtin_prefetch(row_ + b_, write, 3);   \
    } while (0)

/* C[i, 0..KW) += sum over row i of val[p] * B[col[p], 0..KW) with the row's sums in registers, for
   narrow blocks (KW = 2, 4, 8: a few vectors at once), where the general loop below spends its time
   on the store-to-load chain through C: Float, 2 M entries, k = 4, 2 threads, Zen 4 (`reckit bench
   sparse --columns 4`): 4.0 ms -> 1.9 ms. KW is a constant at every call, so `acc` stays in registers. */
#define RECKIT_DEFINE_CSRMM_NARROW(NAME, T, ATTR)                                                   \
    ATTR static inline __attribute__((always_inline)) void NAME(                                   \
        long r0, long r1, const long KW, const long *restrict off, const int32_t *restrict col,     \
        const T *restrict val, long nnz, const T *restrict b, long ldb, T *restrict c, long ldc) {  \
        for (long i = r0; i < r1; i++) {                                                            \
            T acc[8] = {0};                                                                         \
            for (long p = off[i]; p < off[i + 1]; p++) {                                            \
                if (p + RECKIT_PREFETCH_DISTANCE < nnz)                                             \
                    __builtin_prefetch(b + (long)col[p + RECKIT_PREFETCH_DISTANCE] * ldb, 0, 3);    \
                const T v = val[p];                                                                 \
                const T *restrict x = b + (long)col[p] * ldb;                                       \
                for (long t = 0; t < KW; t++) acc[t] += v * x[t];                                   \
            }                                                                                       \
            T *restrict out = c + i * ldc;                                                          \
            for (long t = 0; t < KW; t++) out[t] += acc[t];                                         \
        }                                                                                           \
    }

/* C[i, 0..k) += sum over row i of val[p] * B[col[p], 0..k), for r0 <= i < r1 (gather). */
#define RECKIT_DEFINE_CSRMM(NAME, T, ATTR)                                                          \
    RECKIT_DEFINE_CSRMM_NARROW(NAME##_narrow, T, ATTR)                                              \
    ATTR static void NAME(long r0, long r1, long k, const long *restrict off,                       \
                          const int32_t *restrict col, const T *restrict val, long nnz,             \
                          const T *restrict b, long ldb, T *restrict c, long ldc) {                 \
        switch (k) {                                                                                \
        case 2: NAME##_narrow(r0, r1, 2, off, col, val, nnz, b, ldb, c, ldc); return;               \
        case 4: NAME##_narrow(r0, r1, 4, off, col, val, nnz, b, ldb, c, ldc); return;               \
        case 8: NAME##_narrow(r0, r1, 8, off, col, val, nnz, b, ldb, c, ldc); return;               \
        default: break;                                                                             \
        }                                                                                           \
        for (long i = r0; i < r1; i++) {                                                            \
            T *restrict out = c + i * ldc;                                                          \
            for (long p = off[i]; p < off[i + 1]; p++) {                                            \
                if (p + RECKIT_PREFETCH_DISTANCE < nnz)                                             \
                    RECKIT_PREFETCH_ROW(b + (long)col[p + RECKIT_PREFETCH_DISTANCE] * ldb,          \
                                        k * (long)sizeof(T), 0);                                    \
                const T v = val[p];                                                                 \
                const T *restrict x = b + (long)col[p] * ldb;                                       \
                for (long t = 0; t < k; t++) out[t] += v * x[t];                                    \
            }                                                                                       \
        }                                                                                           \
    }

/* C[col[p], 0..k) += val[p] * B[i, 0..k) for every entry of rows r0 <= i < r1 (scatter: A^T * B). */
#define RECKIT_DEFINE_CSRMM_T(NAME, T, ATTR)                                                        \
    ATTR static void NAME(long r0, long r1, long k, const long *restrict off,                       \
                          const int32_t *restrict col, const T *restrict val, long nnz,             \
                          const T *restrict b, long ldb, T *restrict c, long ldc) {                 \
        for (long i = r0; i < r1; i++) {                                                            \
            const T *restrict x = b + i * ldb;                                                      \
            for (long p = off[i]; p < off[i + 1]; p++) {                                            \
                if (p + RECKIT_PREFETCH_DISTANCE < nnz)                                             \
                    RECKIT_PREFETCH_ROW(c + (long)col[p + RECKIT_PREFETCH_DISTANCE] * ldc,          \
                                        k * (long)sizeof(T), 1);                                    \
                const T v = val[p];                                                                 \
                T *restrict out = c + (long)col[p] * ldc;                                           \
                for (long t = 0; t < k; t++) out[t] += v * x[t];                                    \
            }                                                                                       \
        }                                                                                           \
    }

#if defined(__x86_64__)
/* No AVX-512 variant: compiled for AVX-512 (the same loops, 512-bit vectors), the gather product
   took 0.029-0.035 s against 0.016-0.022 s for the AVX2 variant on Zen 4 (100 000 x 20 000, 2 M
   entries, k = 64; `RECKIT_SHIM_KERNEL=avx512|avx2 reckit bench sparse --threads 1`), so the
   AVX-512 level runs the AVX2 loops. */
RECKIT_DEFINE_CSRMM(csrmm_d_avx2, double, RECKIT_AVX2)
RECKIT_DEFINE_CSRMM(csrmm_s_avx2, float, RECKIT_AVX2)
RECKIT_DEFINE_CSRMM_T(csrmm_t_d_avx2, double, RECKIT_AVX2)
RECKIT_DEFINE_CSRMM_T(csrmm_t_s_avx2, float, RECKIT_AVX2)
#endif
RECKIT_DEFINE_CSRMM(csrmm_d_base, double, )
RECKIT_DEFINE_CSRMM(csrmm_s_base, float, )
RECKIT_DEFINE_CSRMM_T(csrmm_t_d_base, double, )
RECKIT_DEFINE_CSRMM_T(csrmm_t_s_base, float, )

void reckit_dcsrmm(long r0, long r1, long k, const long *off, const int32_t *col, const double *val, long nnz,
                   const double *b, long ldb, double *c, long ldc) {
    RECKIT_DISPATCH(csrmm_d_avx2, csrmm_d_avx2, csrmm_d_base)(r0, r1, k, off, col, val, nnz, b, ldb, c, ldc);
}
void reckit_scsrmm(long r0, long r1, long k, const long *off, const int32_t *col, const float *val, long nnz,
                   const float *b, long ldb, float *c, long ldc) {
    RECKIT_DISPATCH(csrmm_s_avx2, csrmm_s_avx2, csrmm_s_base)(r0, r1, k, off, col, val, nnz, b, ldb, c, ldc);
}
void reckit_dcsrmm_t(long r0, long r1, long k, const long *off, const int32_t *col, const double *val, long nnz,
                     const double *b, long ldb, double *c, long ldc) {
    RECKIT_DISPATCH(csrmm_t_d_avx2, csrmm_t_d_avx2, csrmm_t_d_base)(r0, r1, k, off, col, val, nnz, b, ldb, c, ldc);
}
void reckit_scsrmm_t(long r0, long r1, long k, const long *off, const int32_t *col, const float *val, long nnz,
                     const float *b, long ldb, float *c, long ldc) {
    RECKIT_DISPATCH(csrmm_t_s_avx2, csrmm_t_s_avx2, csrmm_t_s_base)(r0, r1, k, off, col, val, nnz, b, ldb, c, ldc);
}
