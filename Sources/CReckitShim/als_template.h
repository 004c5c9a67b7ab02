/*
 * The per-row solvers of alternating least squares, written once and instantiated by als.c for each
 * precision and instruction set. Before including, als.c defines:
 *   RK_T       element type (float, double)
 *   RK_V       a GCC/Clang vector of RK_T (32 bytes for AVX2, 16 for the baseline)
 *   RK_W       lanes of RK_V
 *   RK_FN(x)   the name of function x in this instance
 *   RK_ATTR    the function attribute choosing the instruction set (empty for the baseline)
 * Matrices are row-major; `f` is the number of factors. See CReckitShim.h for the contracts.
 */

static inline RK_ATTR RK_V RK_FN(load)(const RK_T *p) { RK_V v; memcpy(&v, p, sizeof v); return v; }
static inline RK_ATTR void RK_FN(store)(RK_T *p, RK_V v) { memcpy(p, &v, sizeof v); }
static inline RK_ATTR RK_V RK_FN(splat)(RK_T a) {
    RK_V v;
    for (int i = 0; i < RK_W; i++) v[i] = a;
    return v;
}
static inline RK_ATTR RK_T RK_FN(sum)(RK_V v) { /* pairwise, so the adds run in parallel */
    for (int h = RK_W / 2; h >= 1; h /= 2)
        for (int i = 0; i < h; i++) v[i] += v[i + h];
    return v[0];
}

/* sum x[t] * y[t], t < n */
static inline RK_ATTR RK_T RK_FN(dot)(const RK_T *restrict x, const RK_T *restrict y, long n) {
    RK_V a0 = RK_FN(splat)(0), a1 = a0;
    long t = 0;
    for (; t + 2 * RK_W <= n; t += 2 * RK_W) {
        a0 += RK_FN(load)(x + t) * RK_FN(load)(y + t);
        a1 += RK_FN(load)(x + t + RK_W) * RK_FN(load)(y + t + RK_W);
    }
    for (; t + RK_W <= n; t += RK_W) a0 += RK_FN(load)(x + t) * RK_FN(load)(y + t);
    RK_T s = RK_FN(sum)(a0 + a1);
    for (; t < n; t++) s += x[t] * y[t];
    return s;
}

/* y[t] += a * x[t], t < n */
static inline RK_ATTR void RK_FN(axpy)(RK_T a, const RK_T *restrict x, RK_T *restrict y, long n) {
    const RK_V av = RK_FN(splat)(a);
    long t = 0;
    for (; t + RK_W <= n; t += RK_W) RK_FN(store)(y + t, RK_FN(load)(y + t) + av * RK_FN(load)(x + t));
    for (; t < n; t++) y[t] += a * x[t];
}

/* out = G * v for a symmetric f x f G (rows are columns): out = sum_j v[j] * G[j, :], four vectors
 * of out held in registers at a time. */
static inline RK_ATTR void RK_FN(symv)(const RK_T *restrict g, const RK_T *restrict v, RK_T *restrict out, long f) {
    long t = 0;
    for (; t + 4 * RK_W <= f; t += 4 * RK_W) {
        RK_V c0 = RK_FN(splat)(0), c1 = c0, c2 = c0, c3 = c0;
        for (long j = 0; j < f; j++) {
            const RK_V s = RK_FN(splat)(v[j]);
            const RK_T *row = g + j * f + t;
            c0 += s * RK_FN(load)(row);
            c1 += s * RK_FN(load)(row + RK_W);
            c2 += s * RK_FN(load)(row + 2 * RK_W);
            c3 += s * RK_FN(load)(row + 3 * RK_W);
        }
        RK_FN(store)(out + t, c0);
        RK_FN(store)(out + t + RK_W, c1);
        RK_FN(store)(out + t + 2 * RK_W, c2);
        RK_FN(store)(out + t + 3 * RK_W, c3);
    }
    for (; t + RK_W <= f; t += RK_W) {
        RK_V c0 = RK_FN(splat)(0);
        for (long j = 0; j < f; j++) c0 += RK_FN(splat)(v[j]) * RK_FN(load)(g + j * f + t);
        RK_FN(store)(out + t, c0);
    }
    for (; t < f; t++) {
        RK_T s = 0;
        for (long j = 0; j < f; j++) s += v[j] * g[j * f + t];
        out[t] = s;
    }
}

/* out += sum_q coef_q * y_q over entries begin..<end of one row, y_q = Y's row col[q], where
 * coef_q = alpha r_q (y_q . v) - (initial ? c_q : 0) and c_q = 1 + alpha r_q when r_q > 0, else 0.
 * Four entries at a time: four dot products share the loads of v, and out is loaded and stored
 * once per four rows. Rows are prefetched RECKIT_ALS_PREFETCH entries ahead. */
static inline RK_ATTR void RK_FN(apply_entries)(long begin, long end, long nnz, long f, const int32_t *restrict col,
                                               const RK_T *restrict val, const RK_T *restrict y, RK_T alpha,
                                               const RK_T *restrict v, int initial, RK_T *restrict out) {
    const long bytes = f * (long)sizeof(RK_T), fv = f / RK_W * RK_W;
    long q = begin;
    for (; q + 4 <= end; q += 4) {
        for (long k = 0; k < 4; k++)
            if (q + k + RECKIT_ALS_PREFETCH < nnz) RECKIT_PREFETCH_ROW(y + (long)col[q + k + RECKIT_ALS_PREFETCH] * f, bytes);
        const RK_T *restrict y0 = y + (long)col[q] * f, *restrict y1 = y + (long)col[q + 1] * f;
        const RK_T *restrict y2 = y + (long)col[q + 2] * f, *restrict y3 = y + (long)col[q + 3] * f;
        RK_V s0 = RK_FN(splat)(0), s1 = s0, s2 = s0, s3 = s0;
        for (long t = 0; t < fv; t += RK_W) {
            const RK_V pv = RK_FN(load)(v + t);
            s0 += RK_FN(load)(y0 + t) * pv;
            s1 += RK_FN(load)(y1 + t) * pv;
            s2 += RK_FN(load)(y2 + t) * pv;
            s3 += RK_FN(load)(y3 + t) * pv;
        }
        RK_T d[4] = {RK_FN(sum)(s0), RK_FN(sum)(s1), RK_FN(sum)(s2), RK_FN(sum)(s3)};
        for (long t = fv; t < f; t++) { d[0] += y0[t] * v[t]; d[1] += y1[t] * v[t]; d[2] += y2[t] * v[t]; d[3] += y3[t] * v[t]; }
        RK_T c[4];
        for (int k = 0; k < 4; k++) {
            const RK_T r = val[q + k];
            c[k] = alpha * r * d[k] - (initial && r > 0 ? 1 + alpha * r : 0);
        }
        const RK_V c0 = RK_FN(splat)(c[0]), c1 = RK_FN(splat)(c[1]), c2 = RK_FN(splat)(c[2]), c3 = RK_FN(splat)(c[3]);
        for (long t = 0; t < fv; t += RK_W) {
            RK_V o = RK_FN(load)(out + t);
            o += c0 * RK_FN(load)(y0 + t);
            o += c1 * RK_FN(load)(y1 + t);
            o += c2 * RK_FN(load)(y2 + t);
            o += c3 * RK_FN(load)(y3 + t);
            RK_FN(store)(out + t, o);
        }
        for (long t = fv; t < f; t++) out[t] += c[0] * y0[t] + c[1] * y1[t] + c[2] * y2[t] + c[3] * y3[t];
    }
    for (; q < end; q++) {
        const RK_T *restrict yq = y + (long)col[q] * f;
        const RK_T r = val[q];
        RK_FN(axpy)(alpha * r * RK_FN(dot)(yq, v, f) - (initial && r > 0 ? 1 + alpha * r : 0), yq, out, f);
    }
}

/* Implicit ALS by conjugate gradient for rows r0..<r1 (see reckit_sals_cg in CReckitShim.h). */
RK_ATTR static void RK_FN(cg_rows)(long r0, long r1, long f, const long *restrict off, const int32_t *restrict col,
                                   const RK_T *restrict val, long nnz, const RK_T *restrict gram,
                                   const RK_T *restrict y, RK_T *restrict x, RK_T alpha, int steps, RK_T *restrict work) {
    RK_T *restrict r = work, *restrict p = work + f, *restrict ap = work + 2 * f;
    for (long u = r0; u < r1; u++) {
        RK_T *restrict xu = x + u * f;
        const long begin = off[u], end = off[u + 1];
        /* ap = A x - b, with A x = G x + sum alpha r y (y.x) and b = sum c y */
        RK_FN(symv)(gram, xu, ap, f);
        RK_FN(apply_entries)(begin, end, nnz, f, col, val, y, alpha, xu, 1, ap);
        for (long t = 0; t < f; t++) { r[t] = -ap[t]; p[t] = r[t]; }
        RK_T rs = RK_FN(dot)(r, r, f);
        for (int s = 0; s < steps; s++) {
            if (!(rs > 0)) break;
            RK_FN(symv)(gram, p, ap, f);
            RK_FN(apply_entries)(begin, end, end, f, col, val, y, alpha, p, 0, ap);
            const RK_T pap = RK_FN(dot)(p, ap, f);
            if (!(pap > 0)) break;
            const RK_T a = rs / pap;
            RK_FN(axpy)(a, p, xu, f);
            RK_FN(axpy)(-a, ap, r, f);
            const RK_T next = RK_FN(dot)(r, r, f);
            const RK_T beta = next / rs;
            for (long t = 0; t < f; t++) p[t] = r[t] + beta * p[t];
            rs = next;
        }
    }
}

/* 1 when syrk_upper can use its register tiles for this f (otherwise it takes the rank-1 path). */
static inline int RK_FN(tiled)(long f) { return f % 4 == 0 && f % (2 * RK_W) == 0; }

/* The upper triangle of B^T B (B is m x f) added to A: a[i, j] += sum_q b[q, i] b[q, j] for j >= i.
 * With `overwrite` (tiled f only) A is written, not read: a[i, j] = base[i, j] + sum (0 + sum when
 * base is NULL). Some j < i are written too; no caller reads the lower triangle. Tiles of 4 rows x
 * 2 vectors of A stay in registers while B's rows stream from L1. */
static inline RK_ATTR void RK_FN(syrk_upper)(const RK_T *restrict b, long m, RK_T *restrict a, long f,
                                            int overwrite, const RK_T *restrict base) {
    if (!RK_FN(tiled)(f)) {
        for (long q = 0; q < m; q++) {
            const RK_T *restrict bq = b + q * f;
            for (long i = 0; i < f; i++) RK_FN(axpy)(bq[i], bq + i, a + i * f + i, f - i);
        }
        return;
    }
    for (long i0 = 0; i0 < f; i0 += 4) {
        for (long j0 = i0 / (2 * RK_W) * (2 * RK_W); j0 < f; j0 += 2 * RK_W) {
            RK_V c00 = RK_FN(splat)(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (long q = 0; q < m; q++) {
                const RK_T *restrict bq = b + q * f;
                const RK_V b0 = RK_FN(load)(bq + j0), b1 = RK_FN(load)(bq + j0 + RK_W);
                RK_V s = RK_FN(splat)(bq[i0]);
                c00 += s * b0; c01 += s * b1;
                s = RK_FN(splat)(bq[i0 + 1]);
                c10 += s * b0; c11 += s * b1;
                s = RK_FN(splat)(bq[i0 + 2]);
                c20 += s * b0; c21 += s * b1;
                s = RK_FN(splat)(bq[i0 + 3]);
                c30 += s * b0; c31 += s * b1;
            }
            RK_T *restrict a0 = a + i0 * f + j0;
            if (overwrite && !base) {
                RK_FN(store)(a0, c00); RK_FN(store)(a0 + RK_W, c01);
                RK_FN(store)(a0 + f, c10); RK_FN(store)(a0 + f + RK_W, c11);
                RK_FN(store)(a0 + 2 * f, c20); RK_FN(store)(a0 + 2 * f + RK_W, c21);
                RK_FN(store)(a0 + 3 * f, c30); RK_FN(store)(a0 + 3 * f + RK_W, c31);
                continue;
            }
            const RK_T *restrict s0 = overwrite ? base + i0 * f + j0 : a0;
            RK_FN(store)(a0, RK_FN(load)(s0) + c00);
            RK_FN(store)(a0 + RK_W, RK_FN(load)(s0 + RK_W) + c01);
            RK_FN(store)(a0 + f, RK_FN(load)(s0 + f) + c10);
            RK_FN(store)(a0 + f + RK_W, RK_FN(load)(s0 + f + RK_W) + c11);
            RK_FN(store)(a0 + 2 * f, RK_FN(load)(s0 + 2 * f) + c20);
            RK_FN(store)(a0 + 2 * f + RK_W, RK_FN(load)(s0 + 2 * f + RK_W) + c21);
            RK_FN(store)(a0 + 3 * f, RK_FN(load)(s0 + 3 * f) + c30);
            RK_FN(store)(a0 + 3 * f + RK_W, RK_FN(load)(s0 + 3 * f + RK_W) + c31);
        }
    }
}

/* In-place Cholesky A = U^T U of the upper triangle (row-major), left-looking by rows:
 *   U[k, c] = (A[k, c] - sum_{j<k} U[j, k] U[j, c]) / U[k, k]   for c >= k,
 * with row k held in registers four vectors at a time while the rows above stream from L1 (one
 * load per multiply-add, no stores in the inner loop). When f is a multiple of the vector width,
 * rows are processed from the aligned column at or below the diagonal: the extra columns are in the
 * lower triangle, which is never read. Returns 0, or the order k + 1 of the first leading minor whose
 * pivot is not above eps * its original diagonal (not positive definite, or singular in this
 * precision). */
static inline RK_ATTR long RK_FN(potrf_upper)(RK_T *restrict a, long f, RK_T eps) {
    const int whole = f % RK_W == 0;
    for (long k = 0; k < f; k++) {
        RK_T *restrict row = a + k * f;
        const RK_T original = row[k];
        long c = whole ? k / RK_W * RK_W : k;
        for (; c + 4 * RK_W <= f; c += 4 * RK_W) {
            RK_V c0 = RK_FN(load)(row + c), c1 = RK_FN(load)(row + c + RK_W);
            RK_V c2 = RK_FN(load)(row + c + 2 * RK_W), c3 = RK_FN(load)(row + c + 3 * RK_W);
            for (long j = 0; j < k; j++) {
                const RK_T *restrict uj = a + j * f + c;
                const RK_V m = RK_FN(splat)(a[j * f + k]);
                c0 -= m * RK_FN(load)(uj);
                c1 -= m * RK_FN(load)(uj + RK_W);
                c2 -= m * RK_FN(load)(uj + 2 * RK_W);
                c3 -= m * RK_FN(load)(uj + 3 * RK_W);
            }
            RK_FN(store)(row + c, c0);
            RK_FN(store)(row + c + RK_W, c1);
            RK_FN(store)(row + c + 2 * RK_W, c2);
            RK_FN(store)(row + c + 3 * RK_W, c3);
        }
        for (; c + RK_W <= f; c += RK_W) {
            RK_V c0 = RK_FN(load)(row + c);
            for (long j = 0; j < k; j++) c0 -= RK_FN(splat)(a[j * f + k]) * RK_FN(load)(a + j * f + c);
            RK_FN(store)(row + c, c0);
        }
        for (; c < f; c++) {
            RK_T v = row[c];
            for (long j = 0; j < k; j++) v -= a[j * f + k] * a[j * f + c];
            row[c] = v;
        }
        const RK_T d = row[k];
        if (!(d > eps * original) || !(d < INFINITY)) return k + 1;
        const RK_T u = sqrt(d), inv = 1 / u;
        row[k] = u;
        for (long j = k + 1; j < f; j++) row[j] *= inv;
    }
    return 0;
}

/* x = A^-1 b from A = U^T U: U^T z = b by rows of U (axpys), then U x = z (dots). b is overwritten. */
static inline RK_ATTR void RK_FN(potrs_upper)(const RK_T *restrict u, long f, RK_T *restrict b, RK_T *restrict x) {
    for (long k = 0; k < f; k++) {
        b[k] /= u[k * f + k];
        RK_FN(axpy)(-b[k], u + k * f + k + 1, b + k + 1, f - k - 1);
    }
    for (long k = f - 1; k >= 0; k--) x[k] = (b[k] - RK_FN(dot)(u + k * f + k + 1, x + k + 1, f - k - 1)) / u[k * f + k];
}

/* Exact ALS solves for rows r0..<r1 (see reckit_sals_solve in CReckitShim.h). */
RK_ATTR static long RK_FN(solve_rows)(long r0, long r1, long f, const long *restrict off, const int32_t *restrict col,
                                      const RK_T *restrict val, long nnz, const RK_T *restrict gram, RK_T lambda,
                                      const RK_T *restrict y, RK_T *restrict x, RK_T alpha, RK_T *restrict work,
                                      long *restrict order) {
    RK_T *restrict a = work, *restrict b = work + f * f;
    RK_T *restrict gathered = b + f; /* RECKIT_ALS_GATHER rows */
    const long bytes = f * (long)sizeof(RK_T);
    const RK_T eps = sizeof(RK_T) == 4 ? (RK_T)1.1920929e-7 : (RK_T)2.220446049250313e-16;
    for (long u = r0; u < r1; u++) {
        const long begin = off[u], end = off[u + 1];
        RK_T *restrict xu = x + u * f;
        if (begin == end) { memset(xu, 0, (size_t)bytes); continue; } /* no data: b = 0, so x = 0 */
        /* Tiled: the first chunk's tiles write A = base + B^T B (base G, or 0 for explicit);
         * otherwise A starts as a copy. Explicit adds lambda n_u I afterwards. */
        const int tiled = RK_FN(tiled)(f);
        if (!tiled) {
            if (gram) memcpy(a, gram, (size_t)(f * bytes));
            else memset(a, 0, (size_t)(f * bytes));
        }
        memset(b, 0, (size_t)bytes);
        for (long q0 = begin; q0 < end; q0 += RECKIT_ALS_GATHER) {
            const long m = end - q0 < RECKIT_ALS_GATHER ? end - q0 : RECKIT_ALS_GATHER;
            for (long k = 0; k < m; k++) {
                const long q = q0 + k;
                if (q + RECKIT_ALS_PREFETCH < nnz) RECKIT_PREFETCH_ROW(y + (long)col[q + RECKIT_ALS_PREFETCH] * f, bytes);
                const RK_T *restrict yq = y + (long)col[q] * f;
                /* implicit: weight c - 1 = alpha r on y y^T, c y into b (r > 0); explicit: 1 and r */
                const RK_T w = gram ? alpha * val[q] : 1, c = gram ? (val[q] > 0 ? 1 + alpha * val[q] : 0) : val[q];
                const RK_T root = sqrt(w);
                RK_T *restrict g = gathered + k * f;
                for (long t = 0; t < f; t++) g[t] = root * yq[t];
                RK_FN(axpy)(c, yq, b, f);
            }
            RK_FN(syrk_upper)(gathered, m, a, f, tiled && q0 == begin, gram);
        }
        if (!gram)
            for (long t = 0; t < f; t++) a[t * f + t] += lambda * (RK_T)(end - begin);
        const long failed = RK_FN(potrf_upper)(a, f, eps);
        if (failed) { *order = failed; return u; }
        RK_FN(potrs_upper)(a, f, b, xu);
    }
    return -1;
}
