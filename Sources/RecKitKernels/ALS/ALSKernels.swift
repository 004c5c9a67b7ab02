import CReckitShim

/// The ALS half-sweep and objective over raw CSR arrays, split between threads; each part of the
/// rows runs the back end's ``BackendKernels/alsConjugateGradient(rows:f:csr:gram:y:x:alpha:steps:work:)``
/// or ``BackendKernels/alsSolve(rows:f:csr:gram:lambda:y:x:alpha:work:)``.
///
/// Layout: the CSR matrix (`offsets`, `indices`, `values`) has one row per row being solved; `y`
/// (`columns × f`) is the fixed side, `x` (`rows × f`) the side being solved, both row-major.
package enum ALSKernels {
    /// Rows the exact solver gathers per chunk (the shim's constant, so both back ends share it).
    package static let gatherRows = Int(RECKIT_ALS_GATHER)

    /// Scratch elements per thread: `A` (f²), `b` (f) and the gathered rows, or CG's three vectors.
    package static func workSize(f: Int, exact: Bool) -> Int { reckit_als_work_size(f, exact ? 1 : 0) }

    /// Solves every row of `x` with `y` fixed, the parts of `parts` handed to threads one at a time.
    /// With `cgSteps`, that many conjugate-gradient steps from `x`'s current rows (implicit feedback,
    /// `gram = YᵀY + λI` required); otherwise exact Cholesky solves (implicit with `gram`, explicit
    /// weighted-λ without). Rows do not depend on the split.
    /// - Returns: the first row (in part order) whose system was not positive definite and the order
    ///   of the failing leading minor, or nil.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func solveRows<T: Scalar>(offsets: [Int], indices: [Int32], values: [T], parts: [Range<Int>], f: Int,
                                             fixed y: [T], gram: [T]?, lambda: T, alpha: T, cgSteps: Int?,
                                             into x: inout [T], context: ExecutionContext) -> (row: Int, order: Int)? {
        let workSize = workSize(f: f, exact: cgSteps == nil)
        let kernels = context.kernels
        var failures = [(row: Int, order: Int)?](repeating: nil, count: parts.count)
        CSRPointers.with(offsets: offsets, columns: indices, values: values) { csr in
            (gram ?? []).withUnsafeBufferPointer { gb in
                y.withUnsafeBufferPointer { yb in
                    x.withUnsafeMutableBufferPointer { xb in
                        failures.withUnsafeMutableBufferPointer { fb in
                            let G = gram != nil ? gb.baseAddress : nil, Y = yb.baseAddress!, X = xb.baseAddress!, F = fb.baseAddress!
                            Parallel.forEachPart(parts.count, threads: context.threads) { part in
                                let work = UnsafeMutablePointer<T>.allocate(capacity: workSize)
                                work.initialize(repeating: 0, count: workSize)
                                defer { work.deallocate() }
                                if let steps = cgSteps {
                                    kernels.alsConjugateGradient(rows: parts[part], f: f, csr: csr, gram: G!, y: Y, x: X,
                                                                 alpha: alpha, steps: steps, work: work)
                                } else {
                                    F[part] = kernels.alsSolve(rows: parts[part], f: f, csr: csr, gram: G, lambda: lambda,
                                                               y: Y, x: X, alpha: alpha, work: work)
                                }
                            }
                        }
                    }
                }
            }
        }
        return failures.lazy.compactMap { $0 }.first
    }

    /// The sum over stored entries of ALS's per-entry objective terms, in Double, parallel over the
    /// row ranges `parts` (summed in part order, so deterministic for a split):
    /// - implicit (`alpha` given): `c·(p − xᵀy)² − (xᵀy)²` with `c = 1 + α·r`, `p = 1{r > 0}` (the
    ///   caller adds `Σ_all (xᵀy)²` as a trace);
    /// - explicit: `e² + λ·(‖x_u‖² + ‖y_i‖² [+ b_u² + b_i²])` with `e = r − xᵀy [− μ − b_u − b_i]`.
    /// Each `xᵀy` is a dot product in `T`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func entryLoss<T: Scalar>(offsets: [Int], indices: [Int32], values: [T], parts: [Range<Int>], f: Int,
                                             x: [T], y: [T], alpha: Double?, lambda: Double,
                                             biases: (mean: Double, user: [Double], item: [Double])?) -> Double {
        var partial = [Double](repeating: 0, count: parts.count)
        CSRPointers.with(offsets: offsets, columns: indices, values: values) { csr in
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeBufferPointer { yb in
                    partial.withUnsafeMutableBufferPointer { out in
                        let X = xb.baseAddress!, Y = yb.baseAddress!, sums = out.baseAddress!
                        let O = csr.offsets, J = csr.columns, R = csr.values
                        Parallel.forEachPart(parts.count) { part in
                            var loss = 0.0
                            for u in parts[part] {
                                let xu = X + u * f
                                for q in O[u]..<O[u + 1] {
                                    let dot = VectorKernels.dot(xu, Y + Int(J[q]) * f, f).doubleValue, v = R[q].doubleValue
                                    if let alpha {
                                        let c = 1 + alpha * v, p = v > 0 ? 1.0 : 0.0
                                        loss += c * (p - dot) * (p - dot) - dot * dot
                                    } else {
                                        let i = Int(J[q]), yi = Y + i * f
                                        var e = v - dot, norms = VectorKernels.dot(xu, xu, f).doubleValue + VectorKernels.dot(yi, yi, f).doubleValue
                                        if let biases {
                                            e -= biases.mean + biases.user[u] + biases.item[i]
                                            norms += biases.user[u] * biases.user[u] + biases.item[i] * biases.item[i]
                                        }
                                        loss += e * e + lambda * norms
                                    }
                                }
                            }
                            sums[part] = loss
                        }
                    }
                }
            }
        }
        return partial.reduce(0, +)
    }

    /// The first row of `x` (`rows × f`) holding a NaN or infinity.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func firstNonFiniteRow<T: Scalar>(_ x: [T], f: Int) -> Int? {
        x.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress, let k = VectorKernels.firstNonFinite(p, b.count) else { return nil }
            return k / f
        }
    }
}
