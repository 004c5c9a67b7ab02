import RecKitLinearAlgebra

/// Learned positional embeddings: `y[b·steps + t] = x[b·steps + t] + P[t]`, `P` `steps × features`.
/// Backward: `dX = dY`, `dP[t] += Σ_b dY[b·steps + t]`.
public final class PositionalEmbedding<T: NeuralScalar>: Layer {
    public let table: Parameter<T>
    public let mask: SequenceMask

    public init(features: Int, mask: SequenceMask, standardDeviation: Double = 0.01, seed: UInt64) {
        self.mask = mask
        table = Parameter("positions", Initializer.normal(standardDeviation: standardDeviation)
            .matrix(rows: mask.steps, columns: features, fanIn: features, fanOut: features, seed: seed))
    }
    public var parameters: [Parameter<T>] { [table] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try mask.check(x, "positional embedding")
        let n = x.columns, steps = mask.steps
        var y = x
        for row in 0..<x.rows { let t = row % steps; for c in 0..<n { y.storage[row * n + c] += table.value.storage[t * n + c] } }
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let n = dy.columns, steps = mask.steps
        for row in 0..<dy.rows { let t = row % steps; for c in 0..<n { table.gradient.storage[t * n + c] += dy.storage[row * n + c] } }
        return dy
    }
}

/// `y = x + f(x)` (a residual connection). Backward: `dX = dY + f′ᵀ·dY`.
public final class Residual<T: NeuralScalar>: Layer {
    public let inner: any Layer<T>
    public init(_ inner: any Layer<T>) { self.inner = inner }
    public var parameters: [Parameter<T>] { inner.parameters }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        var y = try inner.forward(x, context: context)
        y.add(x)
        return y
    }
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        var dx = try inner.backward(dy, context: context)
        dx.add(dy)
        return dx
    }
}

/// Causal multi-head self-attention (Vaswani et al. 2017) over left-padded sequences (see
/// ``SequenceMask``). With `d = features`, `h = heads`, `dₕ = d / h`:
///
/// ```
/// [Q | K | V] = X·W_qkv + b_qkv                         (each d wide; head k is columns k·dₕ ..< (k+1)·dₕ)
/// Sₖ = Qₖ·Kₖᵀ / √dₕ,   Pₖ = softmax over keys j ≤ i that are not padding   (per sequence and head)
/// Y  = [P₁V₁ | … | PₕVₕ]·W_o + b_o
/// ```
/// A padded query (nothing to attend to) gets a zero row. Backward: `dV = Pᵀ·dO`, `dP = dO·Vᵀ`,
/// `dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √dₕ`, `dQ = dS·K`, `dK = dSᵀ·Q`, then the two projections'.
/// The per-sequence, per-head products are batched GEMMs (parallel across the batch on the
/// context's threads); the projections are GEMMs over all positions.
public final class MultiHeadSelfAttention<T: NeuralScalar>: Layer {
    public let projection: Linear<T>, output: Linear<T>
    public let heads: Int
    public let mask: SequenceMask
    var q = MatrixBatch<T>(count: 0, rows: 0, columns: 0), k = MatrixBatch<T>(count: 0, rows: 0, columns: 0)
    var v = MatrixBatch<T>(count: 0, rows: 0, columns: 0), p = MatrixBatch<T>(count: 0, rows: 0, columns: 0)

    public init(features: Int, heads: Int, mask: SequenceMask, seed: UInt64) {
        precondition(heads >= 1 && features % heads == 0, "\(features) features do not split into \(heads) heads")
        self.heads = heads
        self.mask = mask
        projection = Linear(inputs: features, outputs: 3 * features, seed: seed)
        output = Linear(inputs: features, outputs: features, seed: Seeds(seed)(.second))
    }
    public var parameters: [Parameter<T>] { projection.parameters + output.parameters }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try mask.check(x, "self-attention")
        let qkv = try projection.forward(x, context: context)
        let d = x.columns
        q = split(qkv, offset: 0, width: d); k = split(qkv, offset: d, width: d); v = split(qkv, offset: 2 * d, width: d)
        let steps = mask.steps, dh = d / heads
        p = MatrixBatch(count: q.count, rows: steps, columns: steps)
        try LinearAlgebra.batchedMultiply(q, k, transposeB: true, alpha: 1 / T.squareRoot(T(dh)), into: &p, context: context)
        maskedSoftmax()
        var o = MatrixBatch<T>(count: q.count, rows: steps, columns: dh)
        try LinearAlgebra.batchedMultiply(p, v, into: &o, context: context)
        return try output.forward(merge(o, features: d), context: context)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let d = dy.columns, steps = mask.steps, dh = d / heads
        let dOut = try output.backward(dy, context: context)
        let dO = split(dOut, offset: 0, width: d)
        var dP = MatrixBatch<T>(count: q.count, rows: steps, columns: steps)
        try LinearAlgebra.batchedMultiply(dO, v, transposeB: true, into: &dP, context: context)
        var dV = MatrixBatch<T>(count: q.count, rows: steps, columns: dh)
        try LinearAlgebra.batchedMultiply(p, dO, transposeA: true, into: &dV, context: context)
        // dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √dₕ, in place in dP
        let scale = 1 / T.squareRoot(T(dh)), rows = q.count * steps
        dP.storage.withUnsafeMutableBufferPointer { g in
            p.storage.withUnsafeBufferPointer { p in
                for row in 0..<rows {
                    let base = row * steps
                    var dot: T = 0
                    for j in 0..<steps { dot += g[base + j] * p[base + j] }
                    for j in 0..<steps { g[base + j] = p[base + j] * (g[base + j] - dot) * scale }
                }
            }
        }
        var dQ = MatrixBatch<T>(count: q.count, rows: steps, columns: dh), dK = dQ
        try LinearAlgebra.batchedMultiply(dP, k, into: &dQ, context: context)
        try LinearAlgebra.batchedMultiply(dP, q, transposeA: true, into: &dK, context: context)
        var dQKV = Matrix<T>(rows: dy.rows, columns: 3 * d)
        merge(dQ, into: &dQKV, offset: 0); merge(dK, into: &dQKV, offset: d); merge(dV, into: &dQKV, offset: 2 * d)
        return try projection.backward(dQKV, context: context)
    }

    /// Softmax of each score row over the keys the query may see; zero rows for padded queries.
    func maskedSoftmax() {
        let steps = mask.steps, count = p.count
        p.storage.withUnsafeMutableBufferPointer { s in
            for matrix in 0..<count {
                let b = matrix / heads
                for i in 0..<steps {
                    let base = (matrix * steps + i) * steps
                    guard mask.valid[b * steps + i] else { for j in 0..<steps { s[base + j] = 0 }; continue }
                    var top = -T.greatestFiniteMagnitude
                    for j in 0...i where mask.valid[b * steps + j] { top = Swift.max(top, s[base + j]) }
                    var sum: T = 0
                    for j in 0..<steps {
                        let e: T = j <= i && mask.valid[b * steps + j] ? T.exp(s[base + j] - top) : 0
                        s[base + j] = e
                        sum += e
                    }
                    for j in 0...i { s[base + j] /= sum }
                }
            }
        }
    }

    /// Columns `offset ..< offset + width` of `m` (rows batch-major) as one `steps × dₕ` matrix per
    /// sequence and head, in the order `b·heads + head`.
    func split(_ m: Matrix<T>, offset: Int, width: Int) -> MatrixBatch<T> {
        let steps = mask.steps, batch = m.rows / steps, dh = width / heads, n = m.columns
        var out = MatrixBatch<T>(count: batch * heads, rows: steps, columns: dh)
        for b in 0..<batch {
            for head in 0..<heads {
                for t in 0..<steps {
                    let from = (b * steps + t) * n + offset + head * dh, to = ((b * heads + head) * steps + t) * dh
                    for c in 0..<dh { out.storage[to + c] = m.storage[from + c] }
                }
            }
        }
        return out
    }

    /// The inverse of ``split(_:offset:width:)`` into columns `offset ..< offset + d` of `m`.
    func merge(_ batchOfHeads: MatrixBatch<T>, into m: inout Matrix<T>, offset: Int) {
        let steps = mask.steps, dh = batchOfHeads.columns, n = m.columns, batch = batchOfHeads.count / heads
        for b in 0..<batch {
            for head in 0..<heads {
                for t in 0..<steps {
                    let to = (b * steps + t) * n + offset + head * dh, from = ((b * heads + head) * steps + t) * dh
                    for c in 0..<dh { m.storage[to + c] = batchOfHeads.storage[from + c] }
                }
            }
        }
    }

    func merge(_ batchOfHeads: MatrixBatch<T>, features: Int) -> Matrix<T> {
        var m = Matrix<T>(rows: batchOfHeads.count / heads * mask.steps, columns: features)
        merge(batchOfHeads, into: &m, offset: 0)
        return m
    }
}
