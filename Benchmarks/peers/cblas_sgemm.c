/*
 * The plain-C baseline: cblas_sgemm on row-major n x n matrices, 1 warm-up and `reps` timed runs,
 * printing one JSON line with the median seconds and GFLOP/s. The kernel is OpenBLAS's choice, or
 * OPENBLAS_CORETYPE's; threads from OPENBLAS_NUM_THREADS.
 *   cc -O2 cblas_sgemm.c $(pkg-config --cflags --libs openblas) -o cblas_sgemm && ./cblas_sgemm 2048 9
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern char *openblas_get_corename(void);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2048, reps = argc > 2 ? atoi(argv[2]) : 9;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    srand(1);
    for (long i = 0; i < (long)n * n; i++) { a[i] = rand() / (float)RAND_MAX - 0.5f; b[i] = rand() / (float)RAND_MAX - 0.5f; }
    double *t = malloc(sizeof(double) * reps);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    for (int r = 0; r < reps; r++) {
        double s = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        t[r] = now() - s;
    }
    qsort(t, reps, sizeof(double), cmp);
    double med = t[reps / 2];
    printf("{\"peer\": \"c-cblas_sgemm\", \"kernel\": \"%s\", \"threads\": %d, \"n\": %d, \"seconds\": %.6f, \"gflops\": %.2f}\n",
           openblas_get_corename(), openblas_get_num_threads(), n, med, 2.0 * n * n * n / med / 1e9);
    return 0;
}
