/*
 * The shim's own tests, run by ctest: the BLAS/LAPACK wrappers' layout conventions on small
 * hand-computed cases, and the kernel-selection rule. Prints "N passed, N failed" and exits
 * non-zero on any failure.
 */
#include "CReckitShim.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static int passed = 0, failed = 0;
#define CHECK(cond, what) do { if (cond) passed++; else { failed++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what); } } while (0)
#define NEAR(a, b, tol) (fabs((double)(a) - (double)(b)) <= (tol))

static void test_gemm(void) {
    /* row-major: [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154] */
    float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7, 8, 9, 10, 11, 12}, c[4] = {1, 1, 1, 1};
    reckit_sgemm(0, 0, 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2);
    CHECK(c[0] == 58 && c[1] == 64 && c[2] == 139 && c[3] == 154, "sgemm row-major product");
    double ad[] = {1, 2, 3, 4, 5, 6}, bd[] = {7, 8, 9, 10, 11, 12}, cd[4] = {1, 1, 1, 1};
    reckit_dgemm(0, 0, 2, 2, 3, 2.0, ad, 3, bd, 2, -1.0, cd, 2);
    CHECK(cd[0] == 115 && cd[3] == 307, "dgemm alpha/beta");
    /* A^T * A for A = [1 2 3; 4 5 6] (3x3): first row 17 22 27 */
    double g[9] = {0};
    reckit_dgemm(1, 0, 3, 3, 2, 1.0, ad, 3, ad, 3, 0.0, g, 3);
    CHECK(g[0] == 17 && g[1] == 22 && g[2] == 27 && g[8] == 45, "dgemm transposed A");
}

static void test_gemv_syrk(void) {
    double a[] = {1, 2, 3, 4, 5, 6}, x[] = {1, 0, 1}, y[2] = {0, 0};
    reckit_dgemv(0, 2, 3, 1.0, a, 3, x, 1, 0.0, y, 1);
    CHECK(y[0] == 4 && y[1] == 10, "dgemv");
    double c[4] = {0, -1, 0, 0};
    reckit_dsyrk(0, 2, 3, 1.0, a, 3, 0.0, c, 2); /* lower of A*A^T = [14 .; 32 77] */
    CHECK(c[0] == 14 && c[2] == 32 && c[3] == 77 && c[1] == -1, "dsyrk writes the lower triangle only");
}

static void test_cholesky(void) {
    /* A = [4 2; 2 3] -> L = [2 0; 1 sqrt(2)]; A x = [8 7] -> x = [1.25 1.5] */
    double a[] = {4, 2, 2, 3};
    CHECK(reckit_dpotrf(2, a, 2) == 0, "dpotrf succeeds");
    CHECK(NEAR(a[0], 2, 1e-15) && NEAR(a[2], 1, 1e-15) && NEAR(a[3], sqrt(2.0), 1e-15), "dpotrf gives row-major lower L");
    CHECK(a[1] == 2, "dpotrf leaves the strict upper triangle alone");
    double b[] = {8, 7};
    CHECK(reckit_dpotrs(2, 1, a, 2, b, 1) == 0 && NEAR(b[0], 1.25, 1e-14) && NEAR(b[1], 1.5, 1e-14), "dpotrs one rhs");
    double b2[] = {8, 4, 7, 2}; /* two rhs, row-major 2x2: [8 4; 7 2] -> x2 = A^{-1}[4 2] = [1 0] */
    CHECK(reckit_dpotrs(2, 2, a, 2, b2, 2) == 0 && NEAR(b2[0], 1.25, 1e-14) && NEAR(b2[1], 1, 1e-14) && NEAR(b2[3], 0, 1e-14), "dpotrs two rhs");
    float bad[] = {1, 2, 2, 1};
    CHECK(reckit_spotrf(2, bad, 2) == 2, "spotrf reports the failing minor");
    float s[] = {4, 0, 2, 3}, rhs[] = {8, 7};
    CHECK(reckit_sposv(2, 1, s, 2, rhs, 1) == 0 && NEAR(rhs[0], 1.25f, 1e-6), "sposv");
}

static void test_decompositions(void) {
    double a[] = {3, 0, 0, -4, 0, 0}; /* 3x2 */
    double s[2], u[6], vt[4];
    const double a0[] = {3, 0, 0, -4, 0, 0};
    CHECK(reckit_dgesdd(3, 2, a, 2, s, u, 2, vt, 2) == 0 && NEAR(s[0], 4, 1e-14) && NEAR(s[1], 3, 1e-14), "dgesdd singular values");
    double worst = 0; /* row-major U (3x2) diag(s) Vt (2x2) must rebuild A */
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 2; c++) {
            double x = u[r * 2] * s[0] * vt[c] + u[r * 2 + 1] * s[1] * vt[2 + c];
            worst = fmax(worst, fabs(x - a0[r * 2 + c]));
        }
    CHECK(worst < 1e-14, "dgesdd row-major U, Vt rebuild A");
    double e[] = {2, 1, 1, 2}, w[2];
    CHECK(reckit_dsyevd(2, e, 2, w) == 0 && NEAR(w[0], 1, 1e-14) && NEAR(w[1], 3, 1e-14), "dsyevd eigenvalues ascending");
    double q[] = {3, 1, 4, 2}, tau[2];
    CHECK(reckit_dgeqrf(2, 2, q, 2, tau) == 0 && NEAR(fabs(q[0]), 5, 1e-14), "dgeqrf |R00| = column norm");
    double r00 = q[0], r01 = q[1], r11 = q[3];
    CHECK(reckit_dorgqr(2, 2, 2, q, 2, tau) == 0 && NEAR(q[0] * q[0] + q[2] * q[2], 1, 1e-14), "dorgqr orthonormal column");
    /* Q (row-major) times R must rebuild {3, 1; 4, 2} */
    CHECK(NEAR(q[0] * r00, 3, 1e-14) && NEAR(q[2] * r00, 4, 1e-14) && NEAR(q[0] * r01 + q[1] * r11, 1, 1e-14)
          && NEAR(q[2] * r01 + q[3] * r11, 2, 1e-14), "dgeqrf + dorgqr: Q*R = A, row-major");
}

static void test_kernel_selection(void) {
    uint32_t f = reckit_cpu_features();
    int current = reckit_kernel_index(reckit_blas_corename());
    CHECK(current >= 0, "OpenBLAS reports a kernel RecKit knows");
    CHECK(reckit_kernel_supported_by(current, f), "the kernel in use is one this CPU supports");
    int skx = reckit_kernel_index("skylakex"), hsw = reckit_kernel_index("Haswell");
    CHECK(skx >= 0 && hsw >= 0 && reckit_kernel_index("nonsense") == -1, "kernel names are case-insensitive");
    uint32_t avx512 = reckit_kernel_requirements(skx), avx2 = reckit_kernel_requirements(hsw);
    CHECK(reckit_kernel_auto_choice(avx512, "Haswell") == skx, "AVX-512 machine upgrades to SkylakeX");
    CHECK(reckit_kernel_auto_choice(avx2, "Zen") == reckit_kernel_index("Zen"), "AVX2 machine keeps OpenBLAS's Zen");
    CHECK(reckit_kernel_auto_choice(avx2, "SkylakeX") == hsw, "unsupported pick is replaced");
    CHECK(reckit_blas_select_kernel("nonsense") == 1, "unknown kernel refused");
    if (!reckit_kernel_supported_by(skx, f)) CHECK(reckit_blas_select_kernel("SkylakeX") == 2, "unsupported kernel refused");
    CHECK(reckit_blas_select_kernel(reckit_kernel_name(hsw)) == (reckit_kernel_supported_by(hsw, f) ? 0 : 2), "supported kernel accepted");
    CHECK(reckit_available_cores() >= 1, "at least one core");
}

int main(void) {
    test_gemm();
    test_gemv_syrk();
    test_cholesky();
    test_decompositions();
    test_kernel_selection();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
