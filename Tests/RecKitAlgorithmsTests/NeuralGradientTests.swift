import Foundation
import Testing
import RecKitAlgorithms
import RecKitLinearAlgebra
import RecKitTestSupport

/// The neural toolkit's hand-derived backward passes against central finite differences, in
/// Double, on both back ends: relative error ≤ 1e-6 for every layer's input and parameter
/// gradients and every loss. Then the optimisers on problems with known answers.
@Suite struct NeuralGradientTests {
    static let h = 1e-6

    /// `‖a − n‖ / max(‖a‖, ‖n‖)`.
    static func relativeError(_ a: [Double], _ n: [Double]) -> Double {
        let d = zip(a, n).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let s = max(TestSupport.norm(a), TestSupport.norm(n))
        return s == 0 ? 0 : d / s
    }

    static func random(_ rows: Int, _ columns: Int, seed: UInt64, awayFromZero: Bool = false) -> Matrix<Double> {
        var m = Matrix<Double>.random(rows: rows, columns: columns, seed: seed)
        // ReLU's kink at 0: keep inputs at least 0.05 from it so a ±h step never crosses it.
        if awayFromZero { for k in m.storage.indices where abs(m.storage[k]) < 0.05 { m.storage[k] += m.storage[k] < 0 ? -0.05 : 0.05 } }
        return m
    }

    /// Checks `layer` with the scalar `L = Σ forward(x) ⊙ R` for a random `R`: its analytic input
    /// and parameter gradients against central differences.
    static func check(_ layer: any Layer<Double>, input x: Matrix<Double>, context: ExecutionContext, label: String) throws {
        let y = try layer.forward(x, context: context)
        let r = random(y.rows, y.columns, seed: 99)
        func loss(_ input: Matrix<Double>) throws -> Double {
            let out = try layer.forward(input, context: context)
            return zip(out.storage, r.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for p in layer.parameters { p.zeroGradient() }
        _ = try layer.forward(x, context: context)
        let dx = try layer.backward(r, context: context)
        var numeric = [Double](repeating: 0, count: x.storage.count)
        for k in x.storage.indices {
            var plus = x, minus = x
            plus.storage[k] += h; minus.storage[k] -= h
            numeric[k] = (try loss(plus) - loss(minus)) / (2 * h)
        }
        let inputError = relativeError(dx.storage, numeric)
        #expect(inputError <= 1e-6, "\(label): input gradient relative error \(inputError)")
        for p in layer.parameters {
            let analytic = p.gradient.storage
            var num = [Double](repeating: 0, count: p.value.storage.count)
            for k in p.value.storage.indices {
                let saved = p.value.storage[k]
                p.value.storage[k] = saved + h; let lp = try loss(x)
                p.value.storage[k] = saved - h; let lm = try loss(x)
                p.value.storage[k] = saved
                num[k] = (lp - lm) / (2 * h)
            }
            let e = relativeError(analytic, num)
            #expect(e <= 1e-6, "\(label): \(p.name) gradient relative error \(e)")
        }
    }

    @Test(arguments: Backend.allCases)
    func layerGradientsMatchFiniteDifferences(backend: Backend) throws {
        let context = ExecutionContext(backend: backend, threads: 2)
        let linear = Linear<Double>(inputs: 7, outputs: 5, seed: 1)
        linear.bias!.value = Self.random(1, 5, seed: 2)
        try Self.check(linear, input: Self.random(6, 7, seed: 3), context: context, label: "Linear")
        for kind in Activation<Double>.Kind.allCases {
            try Self.check(Activation<Double>(kind), input: Self.random(4, 6, seed: 4, awayFromZero: true) * 2, context: context, label: "\(kind)")
        }
        let norm = LayerNorm<Double>(features: 6)
        norm.gain.value = Self.random(1, 6, seed: 5) + Matrix(rows: 1, columns: 6, repeating: 1)
        norm.shift.value = Self.random(1, 6, seed: 6)
        try Self.check(norm, input: Self.random(5, 6, seed: 7), context: context, label: "LayerNorm")
        let mlp = Sequential<Double>([Linear<Double>(inputs: 5, outputs: 8, seed: 8), Activation<Double>(.gelu), LayerNorm<Double>(features: 8),
                                      Linear<Double>(inputs: 8, outputs: 3, seed: 9), Activation<Double>(.tanh)])
        try Self.check(mlp, input: Self.random(4, 5, seed: 10), context: context, label: "MLP")
    }

    /// The sequence layers on three left-padded sequences of 5 steps (lengths 5, 3 and 1), alone
    /// and stacked as a pre-norm transformer block.
    @Test(arguments: Backend.allCases)
    func sequenceLayerGradientsMatchFiniteDifferences(backend: Backend) throws {
        let context = ExecutionContext(backend: backend, threads: 2)
        let mask = SequenceMask(steps: 5, valid: [true, true, true, true, true, false, false, true, true, true, false, false, false, false, true])
        let x = Self.random(15, 4, seed: 11)
        let gru = GRU<Double>(inputs: 4, hidden: 3, mask: mask, seed: 12)
        gru.inputBias.value = Self.random(1, 9, seed: 13); gru.stateBias.value = Self.random(1, 9, seed: 14)
        try Self.check(gru, input: x, context: context, label: "GRU")
        try Self.check(PositionalEmbedding<Double>(features: 4, mask: mask, standardDeviation: 1, seed: 15), input: x, context: context, label: "positions")
        for heads in [1, 2] {
            let attention = MultiHeadSelfAttention<Double>(features: 4, heads: heads, mask: mask, seed: 16)
            attention.projection.bias!.value = Self.random(1, 12, seed: 17)
            try Self.check(attention, input: x, context: context, label: "attention, \(heads) heads")
        }
        let block = Sequential<Double>([
            Residual(Sequential<Double>([LayerNorm<Double>(features: 4), MultiHeadSelfAttention<Double>(features: 4, heads: 2, mask: mask, seed: 18)])),
            Residual(Sequential<Double>([LayerNorm<Double>(features: 4), Linear<Double>(inputs: 4, outputs: 4, seed: 19), Activation<Double>(.gelu),
                                         Linear<Double>(inputs: 4, outputs: 4, seed: 20)])),
        ])
        try Self.check(block, input: x, context: context, label: "transformer block")
    }

    /// Causality and padding: changing a later or a padded position leaves earlier outputs alone.
    @Test func attentionAndRecurrenceOnlyLookBack() throws {
        let mask = SequenceMask(steps: 4, valid: [false, true, true, true])
        let layers: [(String, any Layer<Double>)] = [("GRU", GRU<Double>(inputs: 3, hidden: 3, mask: mask, seed: 1)),
                                                     ("attention", MultiHeadSelfAttention<Double>(features: 3, heads: 1, mask: mask, seed: 2))]
        for (name, layer) in layers {
            let x = Self.random(4, 3, seed: 3)
            let y = try layer.forward(x, context: .current)
            var later = x, padded = x
            for c in 0..<3 { later.storage[3 * 3 + c] += 1; padded.storage[c] += 1 }
            let yLater = try layer.forward(later, context: .current), yPadded = try layer.forward(padded, context: .current)
            #expect(Array(yLater.storage[3..<9]) == Array(y.storage[3..<9]), "\(name): a later step changed an earlier output")
            #expect(Array(yPadded.storage[3...]) == Array(y.storage[3...]), "\(name): padding changed a real position's output")
            #expect(y.storage[9..<12] != yLater.storage[9..<12])
        }
        #expect(throws: AlgorithmError.self) { _ = try GRU<Double>(inputs: 3, hidden: 3, mask: mask, seed: 1).forward(Self.random(5, 3, seed: 1), context: .current) }
    }

    @Test func dropoutKeepsTheExpectationAndMasksTheGradient() throws {
        let d = Dropout<Double>(rate: 0.25, seed: 3)
        let x = Matrix<Double>(rows: 200, columns: 50, repeating: 1)
        let y = try d.forward(x, context: .current)
        let mean = y.storage.reduce(0, +) / Double(y.storage.count)
        #expect(abs(mean - 1) < 0.03, "mean after dropout \(mean)")
        let zeros = y.storage.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / Double(y.storage.count) - 0.25) < 0.02)
        let g = try d.backward(Matrix(rows: 200, columns: 50, repeating: 1), context: .current)
        #expect(g.storage == y.storage)  // the gradient of x ↦ mask ⊙ x is the mask
        d.training = false
        #expect(try d.forward(x, context: .current).storage == x.storage)
    }

    @Test func embeddingGradientsAreRowSparseAndSummed() throws {
        let e = Embedding<Double>(count: 10, dimension: 3, seed: 1)
        let ids: [Int32] = [4, 7, 4]
        let y = try e.forward(ids)
        #expect(y.row(0) == e.table.value.row(4) && y.row(1) == e.table.value.row(7))
        e.backward(try Matrix([[1, 2, 3], [4, 5, 6], [10, 20, 30]]))
        let g = e.table.sparseGradient!
        #expect(g.rows == [4, 7] && g.values == [11, 22, 33, 4, 5, 6])
        #expect(throws: AlgorithmError.self) { _ = try e.forward([10]) }
    }

    @Test func lossGradientsMatchFiniteDifferences() throws {
        let z = Self.random(4, 3, seed: 1) * 3, y = Matrix<Double>(rows: 4, columns: 3) { r, c in Double((r + c) % 2) }
        func numeric(_ x: Matrix<Double>, _ f: (Matrix<Double>) throws -> Double) rethrows -> [Double] {
            try x.storage.indices.map { k in
                var p = x, m = x
                p.storage[k] += Self.h; m.storage[k] -= Self.h
                return (try f(p) - f(m)) / (2 * Self.h)
            }
        }
        let mse = try Loss.meanSquaredError(z, y)
        #expect(Self.relativeError(mse.gradient.storage, try numeric(z) { try Loss.meanSquaredError($0, y).loss }) <= 1e-6)
        let bce = try Loss.binaryCrossEntropy(logits: z, labels: y)
        #expect(Self.relativeError(bce.gradient.storage, try numeric(z) { try Loss.binaryCrossEntropy(logits: $0, labels: y).loss }) <= 1e-6)
        // BCE equals −y·log σ(z) − (1 − y)·log(1 − σ(z)), also for a large logit.
        let big = try Loss.binaryCrossEntropy(logits: Matrix([[40.0]]), labels: Matrix([[0.0]]))
        #expect(abs(big.loss - 40) < 1e-12)
        let pos = Self.random(5, 1, seed: 2), neg = Self.random(5, 1, seed: 3)
        let bpr = try Loss.bpr(positive: pos, negative: neg)
        #expect(Self.relativeError(bpr.positive.storage, try numeric(pos) { try Loss.bpr(positive: $0, negative: neg).loss }) <= 1e-6)
        #expect(Self.relativeError(bpr.negative.storage, try numeric(neg) { try Loss.bpr(positive: pos, negative: $0).loss }) <= 1e-6)
        let logQ = Self.random(4, 3, seed: 4)
        let ss = try Loss.sampledSoftmax(z, logQ: logQ)
        #expect(Self.relativeError(ss.gradient.storage, try numeric(z) { try Loss.sampledSoftmax($0, logQ: logQ).loss }) <= 1e-6)
        #expect(throws: AlgorithmError.self) { _ = try Loss.meanSquaredError(z, Matrix(rows: 3, columns: 3)) }
        let targets: [Int32] = [2, -1, 0, 1]
        let ce = try Loss.softmaxCrossEntropy(logits: z, targets: targets)
        #expect(Self.relativeError(ce.gradient.storage, try numeric(z) { try Loss.softmaxCrossEntropy(logits: $0, targets: targets).loss }) <= 1e-6)
        #expect(ce.gradient.row(1) == [0, 0, 0])  // a skipped row has no gradient
        #expect(throws: AlgorithmError.self) { _ = try Loss.softmaxCrossEntropy(logits: z, targets: [3, 0, 0, 0]) }

    }

    @Test func optimizersReachTheLeastSquaresSolution() throws {
        // min ‖X·w − t‖²/n has the closed form w* = (XᵀX)⁻¹Xᵀt; Adam, AdamW (tiny decay) and
        // SGD with momentum must get there from zero.
        let x = Self.random(64, 4, seed: 1), wTrue = try Matrix<Double>([[1.5], [-2], [0.5], [3]])
        let t = try LinearAlgebra.multiply(x, wTrue)
        let exact = try LinearAlgebra.solvePositiveDefinite(try LinearAlgebra.gram(x, transposeA: true), try LinearAlgebra.multiply(x, t, transposeA: true))
        let optimizers: [(String, any Optimizer<Double>, Int)] = [("adam", Adam<Double>(learningRate: 0.05), 3000),
                                                                 ("adamw", Adam<Double>(learningRate: 0.05, weightDecay: 1e-6), 3000),
                                                                 ("sgd", SGDMomentum<Double>(learningRate: 0.05, momentum: 0.9), 3000)]
        for (name, optimizer, steps) in optimizers {
            let layer = Linear<Double>(inputs: 4, outputs: 1, bias: false, initializer: .zeros, seed: 0)
            for _ in 0..<steps {
                layer.weight.zeroGradient()
                let (_, g) = try Loss.meanSquaredError(try layer.forward(x, context: .current), t)
                _ = try layer.backward(g, context: .current)
                optimizer.step(layer.parameters)
            }
            let error = zip(layer.weight.value.storage, exact.storage).map { abs($0 - $1) }.max()!
            #expect(error < 1e-3, "\(name): largest error \(error)")
        }
    }

    @Test func lbfgsSolvesAQuadraticAndDescendsRosenbrock() throws {
        // f(w) = ½wᵀAw − bᵀw, A = MᵀM + I (30 × 30, SPD): the minimiser is A⁻¹b. Each step may not
        // raise f (Armijo), and in Double the iterate must reach A⁻¹b to 1e-8 relative well within
        // 100 steps (exact line searches would need at most 30; ours are backtracking).
        let n = 30
        let m = Self.random(n, n, seed: 3), b = Self.random(n, 1, seed: 4)
        var a = try LinearAlgebra.gram(m, transposeA: true)
        for i in 0..<n { a[i, i] += 1 }
        let exact = try LinearAlgebra.solvePositiveDefinite(a, b)
        let w = Parameter<Double>("weight", Matrix(rows: n, columns: 1))
        func quadratic() throws -> Double {
            let aw = try LinearAlgebra.multiply(a, w.value)
            var f = 0.0
            for k in 0..<n {
                w.gradient.storage[k] = aw.storage[k] - b.storage[k]
                f += 0.5 * w.value.storage[k] * aw.storage[k] - b.storage[k] * w.value.storage[k]
            }
            return f
        }
        let lbfgs = LBFGS<Double>(memory: 10)
        var previous = Double.infinity, steps = 0
        while steps < 100 {
            let f = try lbfgs.step([w], objective: quadratic)
            #expect(f <= previous, "step \(steps): f rose from \(previous) to \(f)")
            previous = f
            steps += 1
            if TestSupport.norm(zip(w.value.storage, exact.storage).map { $0 - $1 }) <= 1e-8 * TestSupport.norm(exact.storage) { break }
        }
        #expect(steps < 100, "not at A⁻¹b after 100 steps")

        // Rosenbrock (1 − x)² + 100(y − x²)² from (−1.2, 1): a curved valley to the minimum (1, 1).
        let v = Parameter<Double>("weight", try Matrix([[-1.2, 1]]))
        func rosenbrock() -> Double {
            let x = v.value.storage[0], y = v.value.storage[1]
            v.gradient.storage[0] = -2 * (1 - x) - 400 * x * (y - x * x)
            v.gradient.storage[1] = 200 * (y - x * x)
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        }
        let descent = LBFGS<Double>(memory: 5)
        for _ in 0..<200 where !descent.stalled { _ = try descent.step([v], objective: rosenbrock) }
        #expect(abs(v.value.storage[0] - 1) < 1e-5 && abs(v.value.storage[1] - 1) < 1e-5, "ended at \(v.value.storage)")
    }

    /// Adam's vectorised update is bit-identical to its definition applied one element at a time,
    /// in both precisions: a dense parameter whose length is no multiple of the vector width (so
    /// the scalar tail runs too) and an embedding table updated lazily, only in the rows each batch
    /// touched (a repeated id summed; a row of an earlier batch neither updated again nor carrying
    /// its old gradient).
    @Test func adamMatchesItsDefinitionElementByElement() throws {
        try adamCheck(Float.self)
        try adamCheck(Double.self)
    }

    private func adamCheck<T: NeuralScalar>(_: T.Type) throws {
        let (lr, b1, b2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        let adam = Adam<T>(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        let dense = Parameter<T>("dense", Matrix(rows: 1, columns: 13) { _, c in T(Double(c) / 7 - 0.9) })
        let table = Embedding<T>(count: 5, dimension: 11, standardDeviation: 0.5, seed: 3)
        var w = (dense.value.storage, table.table.value.storage)
        var m = ([T](repeating: 0, count: 13), [T](repeating: 0, count: 55))
        var v = m
        let batches: [[Int32]] = [[3, 1, 3], [1], [4, 0]]
        for (step, ids) in batches.enumerated() {
            dense.zeroGradient(); table.table.zeroGradient()
            dense.gradient = Matrix(rows: 1, columns: 13) { _, c in T(Double((c * 7 + step * 3) % 11) / 5 - 1) }
            _ = try table.forward(ids)
            table.backward(Matrix(rows: ids.count, columns: 11) { r, c in T(Double((r * 5 + c + step) % 9) / 4 - 1) })
            // the definition, in T, in the same order of operations
            let t = Double(step + 1)
            let k1 = T(1 / (1 - Double.exp(t * Double.log(b1)))), k2 = T(1 / (1 - Double.exp(t * Double.log(b2))))
            let (tb1, tb2, tlr, teps, tdecay) = (T(b1), T(b2), T(lr), T(eps), T(lr * wd))
            func update(_ w: inout [T], _ m: inout [T], _ v: inout [T], _ k: Int, _ g: T) {
                m[k] = tb1 * m[k] + (1 - tb1) * g
                v[k] = tb2 * v[k] + (1 - tb2) * g * g
                w[k] -= tlr * (m[k] * k1) / ((v[k] * k2).squareRoot() + teps) + tdecay * w[k]
            }
            for k in 0..<13 { update(&w.0, &m.0, &v.0, k, dense.gradient.storage[k]) }
            var summed: [Int32: [T]] = [:]
            let g = table.table.sparseGradient!
            #expect(Set(g.rows) == Set(ids) && g.rows.count == Set(ids).count, "batch \(step): rows \(g.rows)")
            for (r, id) in ids.enumerated() {
                let row = (0..<11).map { c in T(Double((r * 5 + c + step) % 9) / 4 - 1) }
                summed[id] = zip(summed[id] ?? [T](repeating: 0, count: 11), row).map(+)
            }
            for (id, row) in summed { for c in 0..<11 { update(&w.1, &m.1, &v.1, Int(id) * 11 + c, row[c]) } }
            adam.step([dense, table.table])
            #expect(dense.value.storage == w.0, "\(T.self) dense, step \(step + 1)")
            #expect(table.table.value.storage == w.1, "\(T.self) embedding, step \(step + 1)")
        }
    }

    @Test func clippingScalesTheGlobalNorm() throws {
        let a = Parameter<Double>("a", Matrix(rows: 1, columns: 2)), b = Parameter<Double>("b", Matrix(rows: 1, columns: 1))
        a.gradient = try Matrix([[3, 0]]); b.gradient = try Matrix([[4]])
        #expect(clipGradients([a, b], maxNorm: 1) == 5)
        #expect(abs(a.gradient[0, 0] - 0.6) < 1e-12 && abs(b.gradient[0, 0] - 0.8) < 1e-12)
        #expect(clipGradients([a, b], maxNorm: 10) <= 1 + 1e-12)
    }
}
