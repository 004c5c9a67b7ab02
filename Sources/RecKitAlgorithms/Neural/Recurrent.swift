import RecKitLinearAlgebra

/// Which positions of a batch of left-padded sequences hold an item.
///
/// Sequence layers take a batch of `batch` sequences of `steps` positions as one matrix with a
/// row per position, **batch-major**: row `b·steps + t` is position `t` of sequence `b`. Shorter
/// sequences are padded on the left (their last item is always at position `steps − 1`), and
/// `valid[b·steps + t]` is false at padding. The model that owns the layers updates the shared
/// mask before each forward pass; the layers read it.
public final class SequenceMask {
    public let steps: Int
    public var valid: [Bool]

    public init(steps: Int, valid: [Bool] = []) {
        precondition(steps >= 1, "a sequence needs at least one step")
        self.steps = steps
        self.valid = valid
    }

    public var batch: Int { valid.count / steps }

    /// - Throws: ``AlgorithmError/shapeMismatch(algorithm:details:)`` unless `x` has one row per position.
    func check<T>(_ x: Matrix<T>, _ layer: String) throws {
        guard x.rows == valid.count, valid.count % steps == 0 else {
            throw AlgorithmError.shapeMismatch(algorithm: layer, details: "input is \(x.shapeDescription) but the sequence mask has "
                                                   + "\(valid.count) positions of \(steps)-step sequences; need one row per position")
        }
    }
}

/// A gated recurrent unit (Cho et al. 2014) over left-padded sequences (see ``SequenceMask``),
/// state `h₀ = 0`, the state after every step as output (`batch·steps × hidden`):
///
/// ```
/// a = x·W + b                     c = h·U + b_h            (both 3·hidden wide: r | z | n)
/// r = σ(a_r + c_r)    z = σ(a_z + c_z)    n = tanh(a_n + r ⊙ c_n)
/// h′ = (1 − z) ⊙ n + z ⊙ h        (h′ = h at padding)
/// ```
/// Backward (through time, last step first), with `dh` the output's gradient plus the next
/// step's: `dn = dh ⊙ (1 − z)`, `dz = dh ⊙ (h − n)`, `dâ_n = dn ⊙ (1 − n²)`, `dâ_r = dâ_n ⊙ c_n ⊙ r(1 − r)`,
/// `dâ_z = dz ⊙ z(1 − z)`; `da = [dâ_r, dâ_z, dâ_n]`, `dc = [dâ_r, dâ_z, dâ_n ⊙ r]`;
/// `dh_prev = dh ⊙ z + dc·Uᵀ`, `dU += hᵀ·dc`. The input products are one GEMM over all steps each
/// way (`a = X·W`, `dX = da·Wᵀ`, `dW = Xᵀ·da`); each step is one GEMM of the batch's states.
public final class GRU<T: NeuralScalar>: Layer {
    public let inputWeight: Parameter<T>, inputBias: Parameter<T>
    public let stateWeight: Parameter<T>, stateBias: Parameter<T>
    public let hidden: Int
    public let mask: SequenceMask
    // forward caches, per step t and sequence b at [(t·batch + b)·hidden + j]
    var input = Matrix<T>(rows: 0, columns: 0)
    var states: [Matrix<T>] = []            // the state entering each step (batch × hidden)
    var r: [T] = [], z: [T] = [], n: [T] = [], cn: [T] = []

    public init(inputs: Int, hidden: Int, mask: SequenceMask, seed: UInt64) {
        self.hidden = hidden
        self.mask = mask
        inputWeight = Parameter("input weight", Initializer.glorotUniform.matrix(rows: inputs, columns: 3 * hidden, fanIn: inputs, fanOut: hidden, seed: seed))
        stateWeight = Parameter("state weight", Initializer.glorotUniform.matrix(rows: hidden, columns: 3 * hidden, fanIn: hidden, fanOut: hidden, seed: Seeds(seed)(.second)))
        inputBias = Parameter("input bias", Matrix(rows: 1, columns: 3 * hidden))
        stateBias = Parameter("state bias", Matrix(rows: 1, columns: 3 * hidden))
    }

    public var parameters: [Parameter<T>] { [inputWeight, inputBias, stateWeight, stateBias] }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ x: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        try mask.check(x, "GRU")
        input = x
        let steps = mask.steps, batch = mask.batch, H = hidden, H3 = 3 * hidden
        var a = try LinearAlgebra.multiply(x, inputWeight.value, context: context)
        a.addToEveryRow(inputBias.value.storage)
        var y = Matrix<T>(rows: x.rows, columns: H)
        var h = Matrix<T>(rows: batch, columns: H)
        var states: [Matrix<T>] = []
        let cacheCount = steps * batch * H, valid = mask.valid
        var r = [T](repeating: 0, count: cacheCount), z = r, n = r, cn = r
        var c = Matrix<T>(rows: batch, columns: H3)
        for t in 0..<steps {
            states.append(h)
            try LinearAlgebra.multiply(h, stateWeight.value, into: &c, context: context)
            c.addToEveryRow(stateBias.value.storage)
            for b in 0..<batch {
                let row = b * steps + t, cache = (t * batch + b) * H
                guard valid[row] else {
                    for j in 0..<H { y.storage[row * H + j] = h.storage[b * H + j] }
                    continue
                }
                for j in 0..<H {
                    let rj = T.sigmoid(a.storage[row * H3 + j] + c.storage[b * H3 + j])
                    let zj = T.sigmoid(a.storage[row * H3 + H + j] + c.storage[b * H3 + H + j])
                    let cnj = c.storage[b * H3 + 2 * H + j]
                    let nj = T.tanh(a.storage[row * H3 + 2 * H + j] + rj * cnj)
                    let next = (1 - zj) * nj + zj * h.storage[b * H + j]
                    r[cache + j] = rj; z[cache + j] = zj; n[cache + j] = nj; cn[cache + j] = cnj
                    h.storage[b * H + j] = next
                    y.storage[row * H + j] = next
                }
            }
        }
        (self.states, self.r, self.z, self.n, self.cn) = (states, r, z, n, cn)
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws -> Matrix<T> {
        let steps = mask.steps, batch = mask.batch, H = hidden, H3 = 3 * hidden
        var da = Matrix<T>(rows: dy.rows, columns: H3)
        var dh = Matrix<T>(rows: batch, columns: H)        // gradient reaching the state after step t
        var dc = Matrix<T>(rows: batch, columns: H3)
        var dPrev = Matrix<T>(rows: batch, columns: H)
        let (states, r, z, n, cn, valid) = (states, r, z, n, cn, mask.valid)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let h = states[t]
            for b in 0..<batch {
                let row = b * steps + t, cache = (t * batch + b) * H
                guard valid[row] else {
                    for j in 0..<H {
                        dPrev.storage[b * H + j] = dh.storage[b * H + j] + dy.storage[row * H + j]
                        dc.storage[b * H3 + j] = 0; dc.storage[b * H3 + H + j] = 0; dc.storage[b * H3 + 2 * H + j] = 0
                    }
                    continue
                }
                for j in 0..<H {
                    let g = dh.storage[b * H + j] + dy.storage[row * H + j]
                    let rj = r[cache + j], zj = z[cache + j], nj = n[cache + j]
                    let dPreN = g * (1 - zj) * (1 - nj * nj)
                    let dPreZ = g * (h.storage[b * H + j] - nj) * zj * (1 - zj)
                    let dPreR = dPreN * cn[cache + j] * rj * (1 - rj)
                    da.storage[row * H3 + j] = dPreR
                    da.storage[row * H3 + H + j] = dPreZ
                    da.storage[row * H3 + 2 * H + j] = dPreN
                    dc.storage[b * H3 + j] = dPreR
                    dc.storage[b * H3 + H + j] = dPreZ
                    dc.storage[b * H3 + 2 * H + j] = dPreN * rj
                    dPrev.storage[b * H + j] = g * zj
                }
            }
            try LinearAlgebra.multiply(h, dc, transposeA: true, beta: 1, into: &stateWeight.gradient, context: context)
            dc.accumulateColumnSums(into: &stateBias.gradient)
            try LinearAlgebra.multiply(dc, stateWeight.value, transposeB: true, beta: 1, into: &dPrev, context: context)
            swap(&dh, &dPrev)
        }
        try LinearAlgebra.multiply(input, da, transposeA: true, beta: 1, into: &inputWeight.gradient, context: context)
        da.accumulateColumnSums(into: &inputBias.gradient)
        return try LinearAlgebra.multiply(da, inputWeight.value, transposeB: true, context: context)
    }
}

extension Matrix where Element: NeuralScalar {
    /// `self += other` (same shape).
    mutating func add(_ other: Matrix<Element>) {
        precondition(rows == other.rows && columns == other.columns, "cannot add a \(other.shapeDescription) matrix to a \(shapeDescription) one")
        storage.withUnsafeMutableBufferPointer { s in
            other.storage.withUnsafeBufferPointer { o in for k in s.indices { s[k] += o[k] } }
        }
    }

    /// Adds `v` (length ``columns``) to every row (a bias), rows split across `threads`.
    mutating func addToEveryRow(_ v: [Element], threads: Int = 1) {
        let n = columns, rows = rows
        storage.withUnsafeMutableBufferPointer { s in
            let s = UncheckedPointer(s.baseAddress!)
            Parallel.forEachChunk(count: rows, threads: threads, minimumChunk: Swift.max(1, 65_536 / Swift.max(1, n))) { range in
                for r in range { for c in 0..<n { s.pointer[r * n + c] += v[c] } }
            }
        }
    }

    /// `sums[c] += Σ_r self[r, c]` (a bias's gradient; `sums` is `1 × columns`).
    func accumulateColumnSums(into sums: inout Matrix<Element>) {
        let n = columns
        storage.withUnsafeBufferPointer { s in
            sums.storage.withUnsafeMutableBufferPointer { g in
                for r in 0..<rows { for c in 0..<n { g[c] += s[r * n + c] } }
            }
        }
    }
}
