/*
 * The floating-point peak of one core, measured: independent fused multiply-adds at the widest
 * vector width the CPU and OS support (512-bit with AVX-512, 256-bit with AVX2+FMA, else 128-bit
 * multiplies and adds). A GEMM kernel cannot beat it on one core; `reckit bench` draws it into its
 * GFLOP/s chart. Twelve accumulators hide the FMA latency (4–5 cycles on two pipes).
 */
#include "dispatch.h"
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define ROUNDS 4096
#define ACCUMULATORS 12

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static float fma_rounds_512(long blocks) {
    __m512 acc[ACCUMULATORS];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int k = 0; k < ACCUMULATORS; k++) acc[k] = _mm512_set1_ps((float)k);
    for (long i = 0; i < blocks * ROUNDS; i++)
        for (int k = 0; k < ACCUMULATORS; k++) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
    __m512 s = acc[0];
    for (int k = 1; k < ACCUMULATORS; k++) s = _mm512_add_ps(s, acc[k]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma_rounds_256(long blocks) {
    __m256 acc[ACCUMULATORS];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int k = 0; k < ACCUMULATORS; k++) acc[k] = _mm256_set1_ps((float)k);
    for (long i = 0; i < blocks * ROUNDS; i++)
        for (int k = 0; k < ACCUMULATORS; k++) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
    __m256 s = acc[0];
    for (int k = 1; k < ACCUMULATORS; k++) s = _mm256_add_ps(s, acc[k]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
#endif

/* Baseline: 4-lane multiplies and adds, written with vector extensions (SSE2 or NEON). */
typedef float v4sf __attribute__((vector_size(16)));
static float mul_add_rounds_128(long blocks) {
    v4sf acc[ACCUMULATORS];
    const v4sf a = {0.999999f, 0.999999f, 0.999999f, 0.999999f}, b = {1e-7f, 1e-7f, 1e-7f, 1e-7f};
    for (int k = 0; k < ACCUMULATORS; k++) acc[k] = (v4sf){(float)k, (float)k, (float)k, (float)k};
    for (long i = 0; i < blocks * ROUNDS; i++)
        for (int k = 0; k < ACCUMULATORS; k++) acc[k] = acc[k] * a + b;
    v4sf s = acc[0];
    for (int k = 1; k < ACCUMULATORS; k++) s += acc[k];
    return s[0] + s[1] + s[2] + s[3];
}

double reckit_fma_peak_gflops(double seconds, int *vector_bits) {
    int bits = 128;
#if defined(__x86_64__)
    uint32_t f = reckit_cpu_features();
    if ((f & (RECKIT_CPU_AVX512F | RECKIT_CPU_OS_ZMM)) == (RECKIT_CPU_AVX512F | RECKIT_CPU_OS_ZMM)) bits = 512;
    else if (reckit_use_avx2()) bits = 256;
#endif
    if (vector_bits) *vector_bits = bits;
    volatile float sink = 0;
    double best = 0, spent = 0;
    long blocks = 8;
    while (spent < seconds) {
        double t0 = now_seconds();
        float r;
#if defined(__x86_64__)
        if (bits == 512) r = fma_rounds_512(blocks);
        else if (bits == 256) r = fma_rounds_256(blocks);
        else
#endif
            r = mul_add_rounds_128(blocks);
        double t = now_seconds() - t0;
        sink += r;
        spent += t;
        double flops = (double)blocks * ROUNDS * ACCUMULATORS * (bits / 32) * 2;
        if (t > 0 && flops / t > best) best = flops / t;
        if (t < 0.01) blocks *= 2;
    }
    (void)sink;
    return best / 1e9;
}
