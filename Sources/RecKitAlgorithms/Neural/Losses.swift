import RecKitKernels
import RecKitLinearAlgebra

/// Losses: each returns the mean loss over the batch and its gradient with respect to the
/// predictions (already divided by the batch size), ready for the last layer's `backward`.
public enum Loss {
    /// `mean (ŷ − y)²` over all elements; gradient `2(ŷ − y)/count`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func meanSquaredError<T: NeuralScalar>(_ predictions: Matrix<T>, _ targets: Matrix<T>) throws -> (loss: Double, gradient: Matrix<T>) {
        try sameShape(predictions, targets, "mean squared error")
        let n = T(predictions.storage.count)
        var g = predictions, loss = 0.0
        for k in g.storage.indices {
            let e = predictions.storage[k] - targets.storage[k]
            loss += e.doubleValue * e.doubleValue
            g.storage[k] = 2 * e / n
        }
        return (loss / Double(predictions.storage.count), g)
    }

    /// Binary cross-entropy on logits `z` with labels `y ∈ [0, 1]`:
    /// `mean softplus(z) − y·z` (= −y·log σ(z) − (1 − y)·log(1 − σ(z)), computed stably);
    /// gradient `(σ(z) − y)/count`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func binaryCrossEntropy<T: NeuralScalar>(logits: Matrix<T>, labels: Matrix<T>) throws -> (loss: Double, gradient: Matrix<T>) {
        try sameShape(logits, labels, "binary cross-entropy")
        let n = T(logits.storage.count)
        var g = logits, loss = 0.0
        for k in g.storage.indices {
            let z = logits.storage[k], y = labels.storage[k]
            loss += (T.softplus(z) - y * z).doubleValue
            g.storage[k] = (T.sigmoid(z) - y) / n
        }
        return (loss / Double(logits.storage.count), g)
    }

    /// BPR: `mean −ln σ(s⁺ − s⁻)` over pairs of a positive's and a negative's scores (`batch × 1`
    /// each); gradients `−σ(s⁻ − s⁺)/count` for the positives and the opposite for the negatives.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func bpr<T: NeuralScalar>(positive: Matrix<T>, negative: Matrix<T>) throws -> (loss: Double, positive: Matrix<T>, negative: Matrix<T>) {
        try sameShape(positive, negative, "BPR loss")
        let n = T(positive.storage.count)
        var gp = positive, gn = negative, loss = 0.0
        for k in gp.storage.indices {
            let x = positive.storage[k] - negative.storage[k]
            loss += T.softplus(-x).doubleValue
            let s = T.sigmoid(-x) / n
            gp.storage[k] = -s
            gn.storage[k] = s
        }
        return (loss / Double(positive.storage.count), gp, gn)
    }

    /// Sampled-softmax cross-entropy: each row holds the scores of one positive (column 0) and
    /// sampled negatives (the other columns); the loss is `mean −log softmax(row)[0]` and the
    /// gradient `(softmax(row) − e₀)/batch`. With `logQ` (log sampling probabilities, same shape)
    /// the scores are corrected by `−logQ` first (Bengio & Senécal; Jean et al. 2015).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func sampledSoftmax<T: NeuralScalar>(_ scores: Matrix<T>, logQ: Matrix<T>? = nil) throws -> (loss: Double, gradient: Matrix<T>) {
        if let logQ { try sameShape(scores, logQ, "sampled softmax") }
        guard scores.columns >= 1 else { throw AlgorithmError.shapeMismatch(algorithm: "sampled softmax", details: "needs at least the positive's column") }
        let n = scores.columns, b = T(scores.rows)
        var g = scores, loss = 0.0
        for r in 0..<scores.rows {
            var row = (0..<n).map { scores.storage[r * n + $0] - (logQ?.storage[r * n + $0] ?? 0) }
            let sum = row.withUnsafeMutableBufferPointer { VectorKernels.softmaxNumerators($0.baseAddress!, n) }
            loss += -(T.log(row[0] / sum)).doubleValue
            for c in 0..<n { g.storage[r * n + c] = (row[c] / sum - (c == 0 ? 1 : 0)) / b }
        }
        return (loss / Double(scores.rows), g)
    }

    /// Softmax cross-entropy over every class: row `r` of `logits` scores all classes and
    /// `targets[r]` is its true class, or −1 to leave the row out (padding). The loss is the mean
    /// of `−log softmax(row)[target]` over the rows that count, the gradient
    /// `(softmax(row) − e_target)/counted` on those rows and 0 on the others. Rows are split across
    /// `threads` (the loss sums per chunk, in chunk order: deterministic for a thread count).
    /// - Throws: ``AlgorithmError`` for a target outside the classes or mismatched rows.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func softmaxCrossEntropy<T: NeuralScalar>(logits: Matrix<T>, targets: [Int32], threads: Int = 1) throws -> (loss: Double, gradient: Matrix<T>) {
        guard targets.count == logits.rows else {
            throw AlgorithmError.shapeMismatch(algorithm: "softmax cross-entropy", details: "\(logits.rows) rows of logits but \(targets.count) targets")
        }
        let n = logits.columns, rows = logits.rows
        if let bad = targets.firstIndex(where: { $0 < -1 || Int($0) >= n }) {
            throw AlgorithmError.invalidInput(algorithm: "softmax cross-entropy", row: nil, column: nil,
                                              reason: "row \(bad)'s target \(targets[bad]) is outside 0..<\(n) (−1 skips a row)")
        }
        let counted = targets.filter { $0 >= 0 }.count
        var g = logits
        let parts = Swift.max(1, Swift.min(threads, rows / 64))
        var partial = [Double](repeating: 0, count: parts)
        g.storage.withUnsafeMutableBufferPointer { g in
            partial.withUnsafeMutableBufferPointer { partial in
                let g = UncheckedPointer(g.baseAddress!), partial = UncheckedPointer(partial.baseAddress!)
                Parallel.forEachPart(parts) { p in
                    var loss = 0.0
                    for r in Parallel.chunk(p, of: parts, count: rows) {
                        let row = g.pointer + r * n
                        guard targets[r] >= 0 else { for c in 0..<n { row[c] = 0 }; continue }
                        let sum = VectorKernels.softmaxNumerators(row, n)
                        let t = Int(targets[r])
                        loss -= (T.log(row[t] / sum)).doubleValue
                        let scale = 1 / (sum * T(counted))
                        for c in 0..<n { row[c] *= scale }
                        row[t] -= 1 / T(counted)
                    }
                    partial.pointer[p] = loss
                }
            }
        }
        return (counted == 0 ? 0 : partial.reduce(0, +) / Double(counted), g)
    }

    static func sameShape<T>(_ a: Matrix<T>, _ b: Matrix<T>, _ name: String) throws {
        guard a.rows == b.rows, a.columns == b.columns else {
            throw AlgorithmError.shapeMismatch(algorithm: name, details: "predictions \(a.shapeDescription), targets \(b.shapeDescription)")
        }
    }
}

/// A pointer handed to parallel parts that write disjoint ranges of it.
struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
