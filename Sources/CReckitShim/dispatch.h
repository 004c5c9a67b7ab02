/*
 * Run-time choice between a kernel compiled for AVX2+FMA and one for the baseline ISA, shared by
 * the shim's own kernels (sparse.c, als.c). Private to the shim: not part of its public header.
 */
#ifndef RECKIT_DISPATCH_H
#define RECKIT_DISPATCH_H
#include "CReckitShim.h"

#if defined(__x86_64__)
#define RECKIT_AVX2 __attribute__((target("avx2,fma")))

/* 1 when the CPU has AVX2 and FMA and the OS saves ymm state (checked once). */
static inline int reckit_use_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        uint32_t f = reckit_cpu_features();
        uint32_t need = RECKIT_CPU_AVX2 | RECKIT_CPU_FMA | RECKIT_CPU_OS_YMM;
        cached = (f & need) == need;
    }
    return cached;
}
#define RECKIT_DISPATCH(AVX2, BASE) (reckit_use_avx2() ? (AVX2) : (BASE))
#else
#define RECKIT_DISPATCH(AVX2, BASE) (BASE)
#endif

#endif
