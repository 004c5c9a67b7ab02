import CReckitShim

/// The native back end (``Backend/blas``): OpenBLAS and LAPACKE for dense work, the shim's C
/// kernels (`sparse.c`, `als.c`, `sgd.c`; AVX2+FMA where the CPU has it) for sparse products, ALS
/// rows and SGD epochs. Every function dispatches on the precision to the `reckit_s…`/`reckit_d…`
/// wrapper; the operands were validated by the caller.
package enum OpenBLASBackend: BackendKernels {
    package static var backend: Backend { .blas }

    @inline(__always) static func f<T: Scalar>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) static func f<T: Scalar>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
    @inline(__always) static func d<T: Scalar>(_ p: UnsafePointer<T>) -> UnsafePointer<Double> {
        UnsafeRawPointer(p).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) static func d<T: Scalar>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
    }
    @inline(__always) static func i(_ x: Int) -> Int32 { Int32(truncatingIfNeeded: x) }
    @inline(__always) static func flag(_ b: Bool) -> Int32 { b ? 1 : 0 }

    /// `C ← β·C + α·op(A)·op(B)`; `op(A)` is `m × k`, `op(B)` is `k × n`.
    package static func gemm<T: Scalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        return Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float:
                reckit_sgemm(flag(transA), flag(transB), i(m), i(n), i(k), Float(alpha.doubleValue), f(a), i(lda),
                             f(b), i(ldb), Float(beta.doubleValue), f(c), i(ldc))
            case .double:
                reckit_dgemm(flag(transA), flag(transB), i(m), i(n), i(k), alpha.doubleValue, d(a), i(lda),
                             d(b), i(ldb), beta.doubleValue, d(c), i(ldc))
            }
        }
    }

    /// One entry into the thread-count gate at 1 thread for the whole run (see `BLASThreadGate`).
    package static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R {
        try Engine.withBLASThreads(1, body)
    }

    /// `y ← β·y + α·op(A)·x`; `A` is `m × n`.
    package static func gemv<T: Scalar>(trans: Bool, m: Int, n: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                x: UnsafePointer<T>, beta: T, y: UnsafeMutablePointer<T>, threads: Int) {
        return Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float:
                reckit_sgemv(flag(trans), i(m), i(n), Float(alpha.doubleValue), f(a), i(lda), f(x), 1, Float(beta.doubleValue), f(y), 1)
            case .double:
                reckit_dgemv(flag(trans), i(m), i(n), alpha.doubleValue, d(a), i(lda), d(x), 1, beta.doubleValue, d(y), 1)
            }
        }
    }

    /// Lower triangle of `C (n × n) ← β·C + α·op(A)·op(A)ᵀ`; `op(A)` is `n × k`.
    package static func syrkLower<T: Scalar>(trans: Bool, n: Int, k: Int, alpha: T, a: UnsafePointer<T>, lda: Int,
                                     beta: T, c: UnsafeMutablePointer<T>, ldc: Int, threads: Int) {
        return Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float: reckit_ssyrk(flag(trans), i(n), i(k), Float(alpha.doubleValue), f(a), i(lda), Float(beta.doubleValue), f(c), i(ldc))
            case .double: reckit_dsyrk(flag(trans), i(n), i(k), alpha.doubleValue, d(a), i(lda), beta.doubleValue, d(c), i(ldc))
            }
        }
    }

    /// Y ← Y·L⁻ᵀ in place (trsm), L lower triangular n × n, Y m × n.
    package static func solveRightLowerTransposed<T: Scalar>(m: Int, n: Int, l: UnsafePointer<T>, ldl: Int, y: UnsafeMutablePointer<T>, ldy: Int, threads: Int) {
        return Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float: reckit_strsm_right_lower_t(i(m), i(n), f(l), i(ldl), f(y), i(ldy))
            case .double: reckit_dtrsm_right_lower_t(i(m), i(n), d(l), i(ldl), d(y), i(ldy))
            }
        }
    }

    /// Cholesky in place (lower triangle); returns LAPACK's info.
    package static func choleskyFactor<T: Scalar>(n: Int, a: UnsafeMutablePointer<T>, lda: Int, threads: Int) -> Int {
        return Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float: return Int(reckit_spotrf(i(n), f(a), i(lda)))
            case .double: return Int(reckit_dpotrf(i(n), d(a), i(lda)))
            }
        }
    }

    /// `(L·Lᵀ)⁻¹` from the row-major lower factor: potri writes the lower triangle, mirrored here.
    package static func choleskyInverse<T: Scalar>(n: Int, l: UnsafePointer<T>, threads: Int) -> (inverse: [T], info: Int) {
        return Engine.withBLASThreads(threads) {
            var x = [T](repeating: 0, count: n * n)
            let info = x.withUnsafeMutableBufferPointer { xb -> Int in
                guard let a = xb.baseAddress else { return 0 }
                a.update(from: l, count: n * n)
                switch T.dtype {
                case .float: return Int(reckit_spotri(i(n), f(a), i(n)))
                case .double: return Int(reckit_dpotri(i(n), d(a), i(n)))
                }
            }
            for r in 0..<n { for c in (r + 1)..<Swift.max(r + 1, n) { x[r * n + c] = x[c * n + r] } }
            return (x, info)
        }
    }

    /// Solves `L·Lᵀ·X = B` in place of the row-major `n × nrhs` B.
    package static func choleskySolve<T: Scalar>(n: Int, nrhs: Int, l: UnsafePointer<T>, ldl: Int,
                                                 b: UnsafeMutablePointer<T>, ldb: Int, threads: Int) -> Int {
        Engine.withBLASThreads(threads) {
            switch T.dtype {
            case .float: return Int(reckit_spotrs(i(n), i(nrhs), f(l), i(ldl), f(b), i(ldb)))
            case .double: return Int(reckit_dpotrs(i(n), i(nrhs), d(l), i(ldl), d(b), i(ldb)))
            }
        }
    }

    /// Thin QR through the shim's copy-free geqrf + orgqr (column-major LQ of the same memory).
    package static func qr<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (q: KernelMatrix<T>, r: KernelMatrix<T>) {
        return try Engine.withBLASThreads(threads) {
            let m = a.rows, n = a.columns, p = Swift.min(m, n)
            var work = a
            var tau = [T](repeating: 0, count: p)
            var info = work.storage.withUnsafeMutableBufferPointer { w in
                tau.withUnsafeMutableBufferPointer { t in
                    switch T.dtype {
                    case .float: return Int(reckit_sgeqrf(i(m), i(n), f(w.baseAddress!), i(n), f(t.baseAddress!)))
                    case .double: return Int(reckit_dgeqrf(i(m), i(n), d(w.baseAddress!), i(n), d(t.baseAddress!)))
                    }
                }
            }
            guard info == 0 else { throw KernelError.factorizationFailed(operation: "QR (geqrf)", info: info, hint: "check the input for NaN") }
            var r = KernelMatrix<T>(rows: p, columns: n)
            for row in 0..<p { for col in row..<n { r.storage[row * n + col] = work.storage[row * n + col] } }
            // Q overwrites the first p columns of the reflector block in place.
            info = work.storage.withUnsafeMutableBufferPointer { w in
                tau.withUnsafeBufferPointer { t in
                    switch T.dtype {
                    case .float: return Int(reckit_sorgqr(i(m), i(p), i(p), f(w.baseAddress!), i(n), f(t.baseAddress!)))
                    case .double: return Int(reckit_dorgqr(i(m), i(p), i(p), d(w.baseAddress!), i(n), d(t.baseAddress!)))
                    }
                }
            }
            guard info == 0 else { throw KernelError.factorizationFailed(operation: "QR (orgqr)", info: info, hint: "check the input for NaN") }
            if p == n { return (work, r) }
            var q = KernelMatrix<T>(rows: m, columns: p)
            for row in 0..<m { for col in 0..<p { q.storage[row * p + col] = work.storage[row * n + col] } }
            return (q, r)
        }
    }

    /// Symmetric eigendecomposition through syevd (lower triangle read).
    package static func symmetricEigen<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (values: [T], vectors: KernelMatrix<T>) {
        return try Engine.withBLASThreads(threads) {
            let n = a.rows
            var v = a
            var w = [T](repeating: 0, count: n)
            let info = v.storage.withUnsafeMutableBufferPointer { vb in
                w.withUnsafeMutableBufferPointer { wb in
                    switch T.dtype {
                    case .float: return Int(reckit_ssyevd(i(n), f(vb.baseAddress!), i(n), f(wb.baseAddress!)))
                    case .double: return Int(reckit_dsyevd(i(n), d(vb.baseAddress!), i(n), d(wb.baseAddress!)))
                    }
                }
            }
            guard info == 0 else {
                throw KernelError.factorizationFailed(
                    operation: "symmetric eigendecomposition (syevd)", info: info,
                    hint: info > 0 ? "the algorithm did not converge; check the input's scaling" : "invalid argument")
            }
            return (w, v)
        }
    }

    /// Thin SVD through gesdd.
    package static func svd<T: Scalar>(_ a: KernelMatrix<T>, threads: Int) throws -> (u: KernelMatrix<T>, s: [T], vt: KernelMatrix<T>) {
        return try Engine.withBLASThreads(threads) {
            let m = a.rows, n = a.columns, p = Swift.min(m, n)
            var work = a
            var s = [T](repeating: 0, count: p)
            var u = KernelMatrix<T>(rows: m, columns: p)
            var vt = KernelMatrix<T>(rows: p, columns: n)
            let info = work.storage.withUnsafeMutableBufferPointer { wb in
                s.withUnsafeMutableBufferPointer { sb in
                    u.storage.withUnsafeMutableBufferPointer { ub in
                        vt.storage.withUnsafeMutableBufferPointer { vb in
                            switch T.dtype {
                            case .float:
                                return Int(reckit_sgesdd(i(m), i(n), f(wb.baseAddress!), i(n), f(sb.baseAddress!),
                                                         f(ub.baseAddress!), i(p), f(vb.baseAddress!), i(n)))
                            case .double:
                                return Int(reckit_dgesdd(i(m), i(n), d(wb.baseAddress!), i(n), d(sb.baseAddress!),
                                                         d(ub.baseAddress!), i(p), d(vb.baseAddress!), i(n)))
                            }
                        }
                    }
                }
            }
            guard info == 0 else {
                throw KernelError.factorizationFailed(
                    operation: "SVD (gesdd)", info: info,
                    hint: info > 0 ? "the bidiagonal SVD did not converge; check the input's scaling" : "invalid argument")
            }
            return (u, s, vt)
        }
    }

    // MARK: The shim's C kernels

    package static func csrTimesDense<T: Scalar>(transposed: Bool, rows: Range<Int>, width: Int, csr: CSRPointers<T>,
                                                 b: UnsafePointer<T>, ldb: Int, c: UnsafeMutablePointer<T>, ldc: Int) {
        let (r0, r1, O, J, nnz) = (rows.lowerBound, rows.upperBound, csr.offsets, csr.columns, csr.nonZeroCount)
        switch (T.dtype, transposed) {
        case (.float, false): reckit_scsrmm(r0, r1, width, O, J, f(csr.values), nnz, f(b), ldb, f(c), ldc)
        case (.float, true): reckit_scsrmm_t(r0, r1, width, O, J, f(csr.values), nnz, f(b), ldb, f(c), ldc)
        case (.double, false): reckit_dcsrmm(r0, r1, width, O, J, d(csr.values), nnz, d(b), ldb, d(c), ldc)
        case (.double, true): reckit_dcsrmm_t(r0, r1, width, O, J, d(csr.values), nnz, d(b), ldb, d(c), ldc)
        }
    }

    package static func alsConjugateGradient<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>,
                                                        y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T, steps: Int,
                                                        work: UnsafeMutablePointer<T>) {
        let (r0, r1, O, J, nnz) = (rows.lowerBound, rows.upperBound, csr.offsets, csr.columns, csr.nonZeroCount)
        switch T.dtype {
        case .float:
            reckit_sals_cg(r0, r1, f, O, J, Self.f(csr.values), nnz, Self.f(gram), Self.f(y), Self.f(x), Float(alpha.doubleValue),
                           Int32(steps), Self.f(work))
        case .double:
            reckit_dals_cg(r0, r1, f, O, J, d(csr.values), nnz, d(gram), d(y), d(x), alpha.doubleValue, Int32(steps), d(work))
        }
    }

    package static func alsSolve<T: Scalar>(rows: Range<Int>, f: Int, csr: CSRPointers<T>, gram: UnsafePointer<T>?, lambda: T,
                                            y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, alpha: T,
                                            work: UnsafeMutablePointer<T>) -> (row: Int, order: Int)? {
        let (r0, r1, O, J, nnz) = (rows.lowerBound, rows.upperBound, csr.offsets, csr.columns, csr.nonZeroCount)
        var order = 0
        let row: Int
        switch T.dtype {
        case .float:
            row = reckit_sals_solve(r0, r1, f, O, J, Self.f(csr.values), nnz, gram.map { Self.f($0) }, Float(lambda.doubleValue),
                                    Self.f(y), Self.f(x), Float(alpha.doubleValue), Self.f(work), &order)
        case .double:
            row = reckit_dals_solve(r0, r1, f, O, J, d(csr.values), nnz, gram.map { d($0) }, lambda.doubleValue,
                                    d(y), d(x), alpha.doubleValue, d(work), &order)
        }
        return row < 0 ? nil : (row, order)
    }

    package static func sgdBiasedEpoch(_ entries: UnsafeBufferPointer<RatingEntry>, p: UnsafeMutablePointer<Float>, q: UnsafeMutablePointer<Float>,
                                       bu: UnsafeMutablePointer<Float>, bi: UnsafeMutablePointer<Float>, stride: Int,
                                       mu: Float, lr: Float, reg: Float, regBias: Float) -> Double {
        // RatingEntry has reckit_rating's layout (RatingEntry.swift; checked by a test).
        let raw = UnsafeRawPointer(entries.baseAddress)?.assumingMemoryBound(to: reckit_rating.self)
        return reckit_sgd_biased_epoch(raw, entries.count, p, q, bu, bi, stride, mu, lr, reg, regBias)
    }
}
