import RecKitKernels
import RecKitLinearAlgebra

/// A trainable tensor and its gradient, both row-major matrices of the same shape. Dense layers
/// accumulate into ``gradient``; an ``Embedding`` table instead records the rows a batch touched in
/// ``sparseGradient`` so that optimisers update only those rows.
public final class Parameter<T: NeuralScalar> {
    public let name: String
    public var value: Matrix<T>
    public var gradient: Matrix<T>
    /// Row-sparse gradient (embedding tables): nil for dense parameters.
    public var sparseGradient: SparseRows<T>?

    public init(_ name: String, _ value: Matrix<T>, sparse: Bool = false) {
        self.name = name
        self.value = value
        self.gradient = sparse ? Matrix(rows: 0, columns: value.columns) : Matrix(rows: value.rows, columns: value.columns)
        self.sparseGradient = sparse ? SparseRows(columns: value.columns, tableRows: value.rows) : nil
    }

    public var isSparse: Bool { sparseGradient != nil }

    /// Clears the gradient before the next batch.
    public func zeroGradient() {
        if sparseGradient != nil { sparseGradient!.removeAll() }
        else { gradient.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
    }

    /// `‖gradient‖²` (the sparse rows for an embedding table).
    public var gradientNormSquared: Double {
        let g = sparseGradient?.values ?? gradient.storage
        return g.reduce(0.0) { $0 + $1.doubleValue * $1.doubleValue }
    }

    /// Adds another parameter's gradient (same shape) into this one's: a replica's share of a batch.
    public func accumulate(_ other: Parameter<T>) {
        if let theirs = other.sparseGradient {
            var mine = sparseGradient ?? SparseRows(columns: theirs.columns, tableRows: value.rows)
            sparseGradient = nil  // so that adding to `mine` does not copy it
            theirs.values.withUnsafeBufferPointer { g in
                for (k, row) in theirs.rows.enumerated() { mine.add(row: row, g.baseAddress! + k * theirs.columns) }
            }
            sparseGradient = mine
        } else {
            gradient.add(other.gradient)
        }
    }

    /// Adds `λ·value` to the gradient: the gradient of an L2 penalty `λ/2·‖value‖²` in the loss
    /// (unlike Adam's decoupled decay, it passes through the moments). Dense parameters only.
    public func addPenaltyGradient(_ lambda: T) {
        precondition(sparseGradient == nil, "addPenaltyGradient: \(name) has a row-sparse gradient")
        value.storage.withUnsafeBufferPointer { w in
            gradient.storage.withUnsafeMutableBufferPointer { g in VectorKernels.axpy(lambda, w.baseAddress!, g.baseAddress!, g.count) }
        }
    }

    /// Multiplies the gradient by `factor` (gradient clipping).
    public func scaleGradient(_ factor: T) {
        if let s = sparseGradient {
            var scaled = s
            for k in scaled.values.indices { scaled.values[k] *= factor }
            sparseGradient = scaled
        } else {
            for k in gradient.storage.indices { gradient.storage[k] *= factor }
        }
    }
}

/// A gradient that is non-zero only in some rows of a table of `tableRows` rows: `rows[k]`'s
/// gradient is `values[k·columns ..< (k+1)·columns]`. Rows are unique (repeated ids in a batch are
/// summed). A dense slot index over the table finds a row's entry without hashing; clearing resets
/// only the touched slots and keeps the storage, so a batch costs what it touches.
public struct SparseRows<T: NeuralScalar> {
    public let columns: Int
    public private(set) var rows: [Int32] = []
    public var values: [T] = []
    /// `slot[row]` is the row's index in `rows` plus one, 0 when absent.
    private var slot: [Int32]

    public init(columns: Int, tableRows: Int) {
        self.columns = columns
        slot = [Int32](repeating: 0, count: tableRows)
    }

    /// Adds `g` (length `columns`) to row `row` (`0 ..< tableRows`).
    public mutating func add(row: Int32, _ g: UnsafePointer<T>) {
        let k = Int(slot[Int(row)]) - 1
        if k >= 0 {
            values.withUnsafeMutableBufferPointer { v in for t in 0..<columns { v[k * columns + t] += g[t] } }
        } else {
            rows.append(row)
            slot[Int(row)] = Int32(rows.count)
            values.append(contentsOf: UnsafeBufferPointer(start: g, count: columns))
        }
    }

    /// Empties it for the next batch, keeping its storage.
    public mutating func removeAll() {
        for r in rows { slot[Int(r)] = 0 }
        rows.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }
}

/// Global gradient-norm clipping: if `√Σ‖g‖²` over the parameters exceeds `maxNorm`, every gradient
/// is scaled by `maxNorm / norm`. Returns the norm before clipping.
@discardableResult
public func clipGradients<T: NeuralScalar>(_ parameters: [Parameter<T>], maxNorm: Double) -> Double {
    let norm = parameters.reduce(0.0) { $0 + $1.gradientNormSquared }.squareRoot()
    if norm > maxNorm, norm > 0 { for p in parameters { p.scaleGradient(T(maxNorm / norm)) } }
    return norm
}

/// Weight initialisers (seeded).
public enum Initializer {
    /// Glorot/Xavier uniform: `U(−a, a)`, `a = √(6 / (fanIn + fanOut))` — for tanh/sigmoid layers.
    case glorotUniform
    /// He/Kaiming normal: `N(0, 2 / fanIn)` — for ReLU layers.
    case heNormal
    /// `N(0, σ²)` — embeddings.
    case normal(standardDeviation: Double)
    case zeros

    public func matrix<T: NeuralScalar>(rows: Int, columns: Int, fanIn: Int, fanOut: Int, seed: UInt64) -> Matrix<T> {
        var rng = SeededGenerator(seed: seed)
        var m = Matrix<T>(rows: rows, columns: columns)
        for k in m.storage.indices {
            switch self {
            case .glorotUniform:
                let a = (6.0 / Double(fanIn + fanOut)).squareRoot()
                m.storage[k] = T(Double.random(in: -a...a, using: &rng))
            case .heNormal: m.storage[k] = T(rng.nextGaussian() * (2.0 / Double(fanIn)).squareRoot())
            case .normal(let s): m.storage[k] = T(rng.nextGaussian() * s)
            case .zeros: m.storage[k] = 0
            }
        }
        return m
    }
}
