/*
 * Run-time choice between a kernel compiled for AVX2+FMA and one for the baseline ISA, shared by
 * the shim's own kernels (sparse.c, als.c). Private to the shim: not part of its public header.
 */
#ifndef RECKIT_DISPATCH_H
#define RECKIT_DISPATCH_H
#include "CReckitShim.h"

#if defined(__x86_64__)
#define RECKIT_AVX2 __attribute__((target("avx2,fma")))

/* 1 when the CPU has AVX2 and FMA and the OS saves ymm state (checked once). Threads may ask at
 * the same time, so the cache is read and written atomically (ThreadSanitizer reported the plain
 * int); every thread computes the same answer, so relaxed order suffices. */
static inline int reckit_use_avx2(void) {
    static int cached = -1;
    int answer = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (answer < 0) {
        uint32_t f = reckit_cpu_features();
        uint32_t need = RECKIT_CPU_AVX2 | RECKIT_CPU_FMA | RECKIT_CPU_OS_YMM;
        answer = (f & need) == need;
        __atomic_store_n(&cached, answer, __ATOMIC_RELAXED);
    }
    return answer;
}
#define RECKIT_DISPATCH(AVX2, BASE) (reckit_use_avx2() ? (AVX2) : (BASE))
#else
#define RECKIT_DISPATCH(AVX2, BASE) (BASE)
#endif

#endif
