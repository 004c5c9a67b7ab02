/*
 * Run-time choice between the instruction-set variants of the shim's own kernels (sparse.c,
 * als.c, sgd.c): AVX-512, AVX2+FMA or the baseline ISA. Private to the shim: not part of its
 * public header (which has reckit_native_simd_level and reckit_native_simd_limit).
 */
#ifndef RECKIT_DISPATCH_H
#define RECKIT_DISPATCH_H
#include "CReckitShim.h"

#if defined(__x86_64__)
#define RECKIT_AVX2 __attribute__((target("avx2,fma")))
/* The AVX-512 subset every AVX-512 CPU since 2017 has (F, CD, BW, DQ, VL). */
#define RECKIT_AVX512 __attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma")))

/* 1 when the CPU has AVX2 and FMA and the OS saves ymm state (used by the FMA peak probe). */
static inline int reckit_use_avx2(void) {
    uint32_t need = RECKIT_CPU_AVX2 | RECKIT_CPU_FMA | RECKIT_CPU_OS_YMM;
    return (reckit_cpu_features() & need) == need;
}
#define RECKIT_DISPATCH(AVX512, AVX2, BASE)                                                          \
    (reckit_native_simd_level() == 2 ? (AVX512) : reckit_native_simd_level() == 1 ? (AVX2) : (BASE))
#else
#define RECKIT_DISPATCH(AVX512, AVX2, BASE) (BASE)
#endif

#endif
