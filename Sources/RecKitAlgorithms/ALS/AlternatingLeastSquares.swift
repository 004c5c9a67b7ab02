import RecKitData
import RecKitLinearAlgebra

/// What the entries of the rating matrix mean to ALS.
public enum ALSFeedback: Sendable, Equatable {
    /// Observed ratings to reconstruct: `min Σ_{(u,i) observed} (r_ui − x_uᵀy_i)² + λ(Σ n_u‖x_u‖² + Σ n_i‖y_i‖²)`
    /// (weighted-λ regularisation, Zhou et al. 2008; `n_u`, `n_i` are the entry counts).
    case explicit
    /// Implicit feedback (Hu, Koren & Volinsky 2008): preference `p_ui = 1{r_ui > 0}`, confidence
    /// `c_ui = 1 + α·r_ui`, over **all** user–item pairs:
    /// `min Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ(‖X‖² + ‖Y‖²)`.
    case implicit(alpha: Double)
}

/// How each user's (item's) `f × f` least-squares system is solved.
public enum ALSSolver: Sendable, Equatable {
    /// Form the normal equations and solve them exactly (batched Cholesky).
    case cholesky
    /// Implicit feedback only: a few conjugate-gradient steps warm-started from the previous
    /// factors, with `YᵀY` formed once per sweep and corrections only over the user's entries
    /// (Takács, Pilászy & Tikk 2011; the solver of benfred/implicit).
    case conjugateGradient(steps: Int)
}

/// Options of ``AlternatingLeastSquares``.
public struct ALSOptions: Sendable {
    public var factors = 64
    /// λ (must be > 0 for explicit feedback, ≥ 0 for implicit).
    public var regularization = 0.05
    public var iterations = 15
    public var feedback = ALSFeedback.implicit(alpha: 1)
    public var solver = ALSSolver.conjugateGradient(steps: 3)
    /// Standard deviation of the random initial factors (× 1/√factors).
    public var initialScale = 0.1
    public var seed: UInt64 = 0

    public init(factors: Int = 64, regularization: Double = 0.05, iterations: Int = 15, feedback: ALSFeedback = .implicit(alpha: 1),
                solver: ALSSolver = .conjugateGradient(steps: 3), seed: UInt64 = 0) {
        self.factors = factors
        self.regularization = regularization
        self.iterations = iterations
        self.feedback = feedback
        self.solver = solver
        self.seed = seed
    }
}

/// Factors fitted by ALS, and how the fit went.
public struct ALSFactors<T: Scalar>: Sendable {
    /// `users × f`, row-major.
    public var users: Matrix<T>
    /// `items × f`, row-major.
    public var items: Matrix<T>
    /// The objective after each iteration (see ``ALSFeedback``).
    public var losses: [Double]
    /// Wall seconds of each iteration (both half-sweeps).
    public var secondsPerIteration: [Double]
}

/// Alternating least squares for matrix factorisation `R ≈ X·Yᵀ`.
///
/// Each iteration solves for every user with the items fixed, then for every item with the users
/// fixed. Every half-sweep is parallel over users (items), each system solved single-threaded with
/// OpenBLAS held at one thread; `YᵀY` (implicit feedback) is one threaded Gram product. With the
/// Cholesky solver each sweep decreases the objective (each update is an exact minimiser).
public enum AlternatingLeastSquares {
    /// Fits factors to a `users × items` rating matrix.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for impossible options or NaN/∞ ratings
    ///   (naming the entry); ``LinearAlgebraError/notPositiveDefinite(operation:order:batchIndex:)``
    ///   naming the user or item whose system is singular, with a hint to raise the regularisation.
    public static func fit(_ ratings: CSRMatrix<Float>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> ALSFactors<Float> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    /// ``fit(_:options:context:progress:)`` in Double.
    public static func fit(_ ratings: CSRMatrix<Double>, options: ALSOptions, context: ExecutionContext = .current,
                           progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)? = nil) throws -> ALSFactors<Double> {
        try run(ratings, options: options, context: context, progress: progress)
    }

    // The two entry points above call this with a concrete type, so the optimiser specialises it
    // and everything it calls (a generic entry point called from another module would run the
    // SIMD kernels through witness tables, ~100× slower).
    static func run<T: Scalar>(_ ratings: CSRMatrix<T>, options: ALSOptions, context: ExecutionContext,
                               progress: ((_ iteration: Int, _ loss: Double, _ seconds: Double) -> Void)?) throws -> ALSFactors<T> {
        let f = options.factors
        guard f >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: factors must be ≥ 1, got \(f)") }
        guard options.iterations >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: iterations must be ≥ 1, got \(options.iterations)") }
        guard options.regularization.isFinite, options.regularization >= 0 else {
            throw LinearAlgebraError.invalidArgument("ALS: regularization must be a finite number ≥ 0, got \(options.regularization)")
        }
        if case .implicit(let alpha) = options.feedback, !(alpha.isFinite && alpha > 0) {
            throw LinearAlgebraError.invalidArgument("ALS: alpha must be a finite number > 0, got \(alpha)")
        }
        if case .conjugateGradient(let steps) = options.solver {
            guard case .implicit = options.feedback else {
                throw LinearAlgebraError.invalidArgument("ALS: the conjugate-gradient solver is for implicit feedback; use the Cholesky solver for explicit ratings")
            }
            guard steps >= 1 else { throw LinearAlgebraError.invalidArgument("ALS: conjugate-gradient steps must be ≥ 1, got \(steps)") }
        }
        guard ratings.rows > 0, ratings.columns > 0, ratings.nonZeroCount > 0 else {
            throw LinearAlgebraError.emptyMatrix(operation: "ALS", shape: ratings.shapeDescription + " with \(ratings.nonZeroCount) entries")
        }
        if let (u, i) = ratings.firstNonFinite {
            throw LinearAlgebraError.invalidArgument("ALS: the rating of user \(u), item \(i) is not finite")
        }
        if case .implicit = options.feedback, let k = ratings.values.firstIndex(where: { $0 < 0 }) {
            let u = ratings.rowOffsets.lastIndex { $0 <= k }!
            throw LinearAlgebraError.invalidArgument("ALS: implicit feedback needs values ≥ 0 (confidence 1 + α·r); user \(u), item \(ratings.columnIndices[k]) has \(ratings.values[k])")
        }
        let byItem = ratings.transposed()
        let scale = T(options.initialScale / Double(f).squareRoot())
        var users = Matrix<T>.gaussian(rows: ratings.rows, columns: f, seed: options.seed) * scale
        var items = Matrix<T>.gaussian(rows: ratings.columns, columns: f, seed: options.seed &+ 1) * scale
        var losses: [Double] = [], seconds: [Double] = []
        let clock = ContinuousClock()
        for iteration in 1...options.iterations {
            let start = clock.now
            try solveSide(ratings, fixed: items, into: &users, side: "user", options: options, context: context)
            try solveSide(byItem, fixed: users, into: &items, side: "item", options: options, context: context)
            let s = (clock.now - start).seconds
            let loss = try objective(ratings, users: users, items: items, options: options, context: context)
            guard loss.isFinite else {
                throw LinearAlgebraError.invalidArgument("ALS: the objective became \(loss) at iteration \(iteration); check the data's scale and raise the regularisation")
            }
            losses.append(loss)
            seconds.append(s)
            progress?(iteration, loss, s)
        }
        return ALSFactors(users: users, items: items, losses: losses, secondsPerIteration: seconds)
    }

    /// Solves for every row of `solved` (one per row of `r`) with the other side `fixed`.
    static func solveSide<T: Scalar>(_ r: CSRMatrix<T>, fixed y: Matrix<T>, into x: inout Matrix<T>, side: String,
                                     options: ALSOptions, context: ExecutionContext) throws {
        let f = options.factors, n = r.rows
        let lambda = T(options.regularization)
        var alpha: T = 0, implicit = false
        if case .implicit(let a) = options.feedback { implicit = true; alpha = T(a) }
        // Implicit: every system shares YᵀY + λI.
        var base = Matrix<T>(rows: f, columns: f)
        if implicit {
            base = try LinearAlgebra.gram(y, transposeA: true, context: context)
            for d in 0..<f { base.storage[d * f + d] += lambda }
        }
        let offsets = r.rowOffsets, columns = r.columnIndices, values = r.values
        let ops = VectorOps<T>.concrete
        if case .conjugateGradient(let steps) = options.solver {
            try offsets.withUnsafeBufferPointer { ob in
                try columns.withUnsafeBufferPointer { cb in
                    try values.withUnsafeBufferPointer { vb in
                        try base.storage.withUnsafeBufferPointer { bb in
                            try y.storage.withUnsafeBufferPointer { yb in
                                try x.storage.withUnsafeMutableBufferPointer { xb in
                                    let O = ob.baseAddress!, J = cb.baseAddress!, V = vb.baseAddress!
                                    let G = bb.baseAddress!, Y = yb.baseAddress!, X = xb.baseAddress!
                                    Parallel.forEachChunk(count: n, threads: context.threads, minimumChunk: 64) { rows in
                                        let work = UnsafeMutablePointer<T>.allocate(capacity: 3 * f)
                                        defer { work.deallocate() }
                                        for u in rows {
                                            conjugateGradient(entries: O[u]..<O[u + 1], columns: J, values: V, gram: G, y: Y, x: X + u * f, f: f,
                                                              alpha: alpha, steps: steps, work: work, ops: ops)
                                        }
                                    }
                                    try Self.checkFinite(X, rows: n, f: f, side: side)
                                }
                            }
                        }
                    }
                }
            }
            return
        }
        // Cholesky: build each system, then solve the batch.
        let batch = 2048
        var start = 0
        while start < n {
            let count = Swift.min(batch, n - start)
            var a = MatrixBatch<T>(count: count, rows: f, columns: f)
            var b = MatrixBatch<T>(count: count, rows: f, columns: 1)
            a.storage.withUnsafeMutableBufferPointer { ab in
                b.storage.withUnsafeMutableBufferPointer { bbuf in
                    y.storage.withUnsafeBufferPointer { yb in
                        base.storage.withUnsafeBufferPointer { gb in
                            let A = ab.baseAddress!, Bv = bbuf.baseAddress!, Y = yb.baseAddress!, G = gb.baseAddress!
                            Parallel.forEachChunk(count: count, threads: context.threads, minimumChunk: 16) { local in
                                // Per thread: the user's rows scaled by √w (in chunks), and the system.
                                let chunkRows = 4096
                                var gathered = Matrix<T>(rows: chunkRows, columns: f)
                                var system = Matrix<T>(rows: f, columns: f)
                                let single = ExecutionContext(backend: context.backend, threads: 1)
                                for k in local {
                                    let u = start + k
                                    let rhs = Bv + k * f
                                    if implicit {
                                        system.storage.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: G, count: f * f) }
                                    } else {
                                        let reg = lambda * T(offsets[u + 1] - offsets[u])
                                        system.storage.withUnsafeMutableBufferPointer { sb in
                                            sb.update(repeating: 0)
                                            for d in 0..<f { sb[d * f + d] = reg }
                                        }
                                    }
                                    var p = offsets[u]
                                    while p < offsets[u + 1] {
                                        let rows = Swift.min(chunkRows, offsets[u + 1] - p)
                                        gathered.storage.withUnsafeMutableBufferPointer { gb in
                                            let out = gb.baseAddress!
                                            for q in 0..<rows {
                                                let e = p + q
                                                let yi = Y + Int(columns[e]) * f
                                                let (w, c): (T, T) = implicit ? (alpha * values[e], 1 + alpha * values[e]) : (1, values[e])
                                                let root = w.squareRoot()
                                                for t in 0..<f { out[q * f + t] = root * yi[t] }
                                                ops.axpy(c, yi, rhs, f)
                                            }
                                        }
                                        // system += Gᵀ·G over these rows (one SYRK)
                                        try? LinearAlgebra.gram(gathered.rows(0..<rows), transposeA: true, alpha: 1, beta: 1, into: &system, context: single)
                                        p += rows
                                    }
                                    system.storage.withUnsafeBufferPointer { A.advanced(by: k * f * f).update(from: $0.baseAddress!, count: f * f) }
                                }
                            }
                        }
                    }
                }
            }
            let solution: MatrixBatch<T>
            do {
                solution = try LinearAlgebra.batchedSolvePositiveDefinite(a, b, context: context)
            } catch LinearAlgebraError.notPositiveDefinite(_, let order, let index) {
                let which = start + (index ?? 0)
                throw LinearAlgebraError.invalidArgument(
                    "ALS: the least-squares system of \(side) \(which) (\(offsets[which + 1] - offsets[which]) entries) is singular "
                    + "(leading minor \(order) is not positive); raise the regularization above \(options.regularization)")
            }
            x.storage.replaceSubrange(start * f..<(start + count) * f, with: solution.storage)
            start += count
        }
    }

    /// A few CG steps on `(YᵀY + λI + Σ (c−1)·y yᵀ)·x = Σ c·y` from the current `x`; `work` holds
    /// `3f` scratch elements.
    @inline(__always)
    static func conjugateGradient<T: Scalar>(entries: Range<Int>, columns: UnsafePointer<Int32>, values: UnsafePointer<T>, gram: UnsafePointer<T>,
                                            y: UnsafePointer<T>, x: UnsafeMutablePointer<T>, f: Int, alpha: T, steps: Int,
                                            work: UnsafeMutablePointer<T>, ops: VectorOps<T>) {
        let r = work, p = work + f, ap = work + 2 * f
        // out = A·v
        func apply(_ v: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
            for i in 0..<f { out[i] = ops.dot(gram + i * f, v, f) }
            for q in entries {
                let yi = y + Int(columns[q]) * f
                ops.axpy(alpha * values[q] * ops.dot(yi, v, f), yi, out, f)
            }
        }
        // r = b − A·x
        apply(UnsafePointer(x), ap)
        for j in 0..<f { r[j] = -ap[j] }
        for q in entries { ops.axpy(1 + alpha * values[q], y + Int(columns[q]) * f, r, f) }
        p.update(from: r, count: f)
        var rs = ops.dot(r, r, f)
        for _ in 0..<steps {
            if rs <= T.leastNormalMagnitude { break }
            apply(UnsafePointer(p), ap)
            let pap = ops.dot(p, ap, f)
            guard pap > 0 else { break }
            let a = rs / pap
            ops.axpy(a, p, x, f)
            ops.axpy(-a, ap, r, f)
            let next = ops.dot(r, r, f)
            let beta = next / rs
            for j in 0..<f { p[j] = r[j] + beta * p[j] }
            rs = next
        }
    }

    static func checkFinite<T: Scalar>(_ x: UnsafePointer<T>, rows: Int, f: Int, side: String) throws {
        if let k = VectorKernels.firstNonFinite(x, rows * f) {
            throw LinearAlgebraError.invalidArgument("ALS: the factors of \(side) \(k / f) became non-finite; raise the regularization")
        }
    }

    /// The objective of ``ALSFeedback`` for the current factors (in Double).
    static func objective<T: Scalar>(_ r: CSRMatrix<T>, users x: Matrix<T>, items y: Matrix<T>, options: ALSOptions,
                                     context: ExecutionContext) throws -> Double {
        let f = options.factors, lambda = options.regularization
        var loss = 0.0, penalty = 0.0
        switch options.feedback {
        case .explicit:
            for u in 0..<r.rows {
                var nu = 0.0
                for p in r.range(ofRow: u) {
                    let i = Int(r.columnIndices[p])
                    var dot = 0.0
                    for t in 0..<f { dot += x.storage[u * f + t].doubleValue * y.storage[i * f + t].doubleValue }
                    let e = r.values[p].doubleValue - dot
                    loss += e * e
                    nu += 1
                }
                var n2 = 0.0
                for t in 0..<f { n2 += x.storage[u * f + t].doubleValue * x.storage[u * f + t].doubleValue }
                penalty += lambda * nu * n2
            }
            let counts = r.columnStatistics().counts
            for i in 0..<y.rows {
                var n2 = 0.0
                for t in 0..<f { n2 += y.storage[i * f + t].doubleValue * y.storage[i * f + t].doubleValue }
                penalty += lambda * Double(counts[i]) * n2
            }
        case .implicit(let alpha):
            // Σ_all (xᵀy)² = trace((XᵀX)(YᵀY)), then correct on the entries.
            let xtx = try LinearAlgebra.gram(x, transposeA: true, context: context)
            let yty = try LinearAlgebra.gram(y, transposeA: true, context: context)
            for a in 0..<f { for b in 0..<f { loss += xtx.storage[a * f + b].doubleValue * yty.storage[a * f + b].doubleValue } }
            for u in 0..<r.rows {
                for p in r.range(ofRow: u) {
                    let i = Int(r.columnIndices[p])
                    var dot = 0.0
                    for t in 0..<f { dot += x.storage[u * f + t].doubleValue * y.storage[i * f + t].doubleValue }
                    let c = 1 + alpha * r.values[p].doubleValue
                    loss += c * (1 - dot) * (1 - dot) - dot * dot
                }
            }
            for t in 0..<x.storage.count { penalty += lambda * x.storage[t].doubleValue * x.storage[t].doubleValue }
            for t in 0..<y.storage.count { penalty += lambda * y.storage[t].doubleValue * y.storage[t].doubleValue }
        }
        return loss + penalty
    }
}

/// SIMD dot and axpy for a precision, as concrete functions: generic code in this module calls
/// them instead of RecKitLinearAlgebra's generic kernels, which would run unspecialised (through
/// witness tables) when called from here.
struct VectorOps<T: Scalar> {
    let dot: (UnsafePointer<T>, UnsafePointer<T>, Int) -> T
    let axpy: (T, UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void

    static var concrete: VectorOps<T> {
        switch T.dtype {
        case .float: return unsafeBitCast(VectorOps<Float>(dot: VectorKernels.dotFloat, axpy: VectorKernels.axpyFloat), to: VectorOps<T>.self)
        case .double: return unsafeBitCast(VectorOps<Double>(dot: VectorKernels.dotDouble, axpy: VectorKernels.axpyDouble), to: VectorOps<T>.self)
        }
    }
}
