/*
 * Stochastic gradient descent over a block of ratings for biased matrix factorisation, the native
 * back end's kernel (the contract is in CReckitShim.h). Each update reads two factor rows at random
 * (the rows of the ratings a few places ahead are prefetched) and updates them in place; rows are
 * padded to a multiple of 8 floats so the loops run over whole vectors.
 *
 * An update is a chain of dependent steps (dot product, error, row updates), so consecutive ratings
 * that share no user and no item are taken in pairs with their two chains interleaved. Neither
 * reads what the other writes, so this is exactly the sequential order's arithmetic; a pair that
 * shares a row is done one after the other. Compiled for AVX-512 (16-float vectors and an 8-float
 * tail), for AVX2+FMA and for the baseline ISA, dispatched at run time.
 */
#include "dispatch.h"
#include <string.h>

/* Ratings ahead whose factor rows are prefetched. */
#define RECKIT_SGD_AHEAD 4

typedef float reckit_sgd_v16 __attribute__((vector_size(64)));
typedef float reckit_sgd_v8 __attribute__((vector_size(32)));
typedef float reckit_sgd_v4 __attribute__((vector_size(16)));

#define RECKIT_SGD_KERNEL(SUFFIX, ATTR, V, W)                                                        \
    ATTR static inline void prefetch_##SUFFIX(const float *row, long stride) {                       \
        for (long b = 0; b < stride; b += 16) __builtin_prefetch(row + b, 1, 3);                     \
    }                                                                                                \
    ATTR static inline float dot_##SUFFIX(const float *a, const float *b, long stride) {             \
        V s0 = {0}, s1 = {0};                                                                        \
        long t = 0;                                                                                  \
        for (; t + 2 * W <= stride; t += 2 * W) {                                                    \
            V x0, y0, x1, y1;                                                                        \
            memcpy(&x0, a + t, sizeof x0);                                                           \
            memcpy(&y0, b + t, sizeof y0);                                                           \
            memcpy(&x1, a + t + W, sizeof x1);                                                       \
            memcpy(&y1, b + t + W, sizeof y1);                                                       \
            s0 += x0 * y0;                                                                           \
            s1 += x1 * y1;                                                                           \
        }                                                                                            \
        for (; t + W <= stride; t += W) {                                                            \
            V x, y;                                                                                  \
            memcpy(&x, a + t, sizeof x);                                                             \
            memcpy(&y, b + t, sizeof y);                                                             \
            s0 += x * y;                                                                             \
        }                                                                                            \
        s0 += s1;                                                                                    \
        float d = 0;                                                                                 \
        for (int j = 0; j < W; j++) d += s0[j];                                                      \
        if (W > 8 && t < stride) { /* rows are whole 8-float groups: one 8-float tail */             \
            reckit_sgd_v8 x, y, s;                                                                   \
            memcpy(&x, a + t, sizeof x);                                                             \
            memcpy(&y, b + t, sizeof y);                                                             \
            s = x * y;                                                                               \
            for (int j = 0; j < 8; j++) d += s[j];                                                   \
        }                                                                                            \
        return d;                                                                                    \
    }                                                                                                \
    /* p += lr (e q - reg p), q += lr (e p - reg q), both from the old values */                     \
    ATTR static inline void step_##SUFFIX(float *p, float *q, long stride, float le, float keep) {  \
        long t = 0;                                                                                  \
        for (; t + W <= stride; t += W) {                                                            \
            V a, b;                                                                                  \
            memcpy(&a, p + t, sizeof a);                                                             \
            memcpy(&b, q + t, sizeof b);                                                             \
            V na = keep * a + le * b, nb = keep * b + le * a;                                        \
            memcpy(p + t, &na, sizeof na);                                                           \
            memcpy(q + t, &nb, sizeof nb);                                                           \
        }                                                                                            \
        if (W > 8 && t < stride) {                                                                   \
            reckit_sgd_v8 a, b;                                                                      \
            memcpy(&a, p + t, sizeof a);                                                             \
            memcpy(&b, q + t, sizeof b);                                                             \
            reckit_sgd_v8 na = keep * a + le * b, nb = keep * b + le * a;                            \
            memcpy(p + t, &na, sizeof na);                                                           \
            memcpy(q + t, &nb, sizeof nb);                                                           \
        }                                                                                            \
    }                                                                                                \
    ATTR static double epoch_##SUFFIX(const reckit_rating *e, long n, float *p, float *q, float *bu, \
                                      float *bi, long stride, float mu, float lr, float reg,         \
                                      float reg_bias) {                                              \
        double sq = 0;                                                                               \
        const float keep = 1 - lr * reg;                                                             \
        long k = 0;                                                                                  \
        while (k < n) {                                                                              \
            for (long a = k + RECKIT_SGD_AHEAD; a < k + RECKIT_SGD_AHEAD + 2 && a < n; a++) {        \
                prefetch_##SUFFIX(p + (long)e[a].user * stride, stride);                             \
                prefetch_##SUFFIX(q + (long)e[a].item * stride, stride);                             \
            }                                                                                        \
            const long u = e[k].user, i = e[k].item;                                                 \
            float *pu = p + u * stride, *qi = q + i * stride;                                        \
            if (k + 1 < n && e[k + 1].user != u && e[k + 1].item != i) {                             \
                const long v = e[k + 1].user, j = e[k + 1].item;                                     \
                float *pv = p + v * stride, *qj = q + j * stride;                                    \
                const float d0 = dot_##SUFFIX(pu, qi, stride), d1 = dot_##SUFFIX(pv, qj, stride);    \
                const float e0 = e[k].rating - (mu + bu[u] + bi[i] + d0);                            \
                const float e1 = e[k + 1].rating - (mu + bu[v] + bi[j] + d1);                        \
                sq += (double)e0 * e0 + (double)e1 * e1;                                             \
                bu[u] += lr * (e0 - reg_bias * bu[u]);                                               \
                bi[i] += lr * (e0 - reg_bias * bi[i]);                                               \
                bu[v] += lr * (e1 - reg_bias * bu[v]);                                               \
                bi[j] += lr * (e1 - reg_bias * bi[j]);                                               \
                step_##SUFFIX(pu, qi, stride, lr * e0, keep);                                        \
                step_##SUFFIX(pv, qj, stride, lr * e1, keep);                                        \
                k += 2;                                                                              \
            } else {                                                                                 \
                const float e0 = e[k].rating - (mu + bu[u] + bi[i] + dot_##SUFFIX(pu, qi, stride));  \
                sq += (double)e0 * e0;                                                               \
                bu[u] += lr * (e0 - reg_bias * bu[u]);                                               \
                bi[i] += lr * (e0 - reg_bias * bi[i]);                                               \
                step_##SUFFIX(pu, qi, stride, lr * e0, keep);                                        \
                k += 1;                                                                              \
            }                                                                                        \
        }                                                                                            \
        return sq;                                                                                   \
    }

#if defined(__x86_64__)
RECKIT_SGD_KERNEL(avx512, RECKIT_AVX512, reckit_sgd_v16, 16)
RECKIT_SGD_KERNEL(avx2, RECKIT_AVX2, reckit_sgd_v8, 8)
#endif
RECKIT_SGD_KERNEL(base, , reckit_sgd_v4, 4)

double reckit_sgd_biased_epoch(const reckit_rating *entries, long n, float *p, float *q, float *bu, float *bi, long stride,
                               float mu, float lr, float reg, float reg_bias) {
    return RECKIT_DISPATCH(epoch_avx512, epoch_avx2, epoch_base)(entries, n, p, q, bu, bi, stride, mu, lr, reg, reg_bias);
}
