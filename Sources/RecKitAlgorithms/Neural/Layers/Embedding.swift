import RecKitLinearAlgebra

/// A lookup table `count × dimension`: row `i` of the output is row `ids[i]` of the table.
/// Backward: row `ids[i]` of the gradient += row `i` of `dY`, kept row-sparse
/// (``Parameter/sparseGradient``) so optimisers touch only the rows a batch used.
public final class Embedding<T: NeuralScalar> {
    public let table: Parameter<T>
    var ids: [Int32] = []

    public init(count: Int, dimension: Int, standardDeviation: Double = 0.01, seed: UInt64) {
        table = Parameter("embedding", Initializer.normal(standardDeviation: standardDeviation)
            .matrix(rows: count, columns: dimension, fanIn: dimension, fanOut: dimension, seed: seed), sparse: true)
    }

    public var parameters: [Parameter<T>] { [table] }
    public var dimension: Int { table.value.columns }

    /// - Throws: ``AlgorithmError/invalidInput(algorithm:row:column:reason:)`` for an id outside the table.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func forward(_ ids: [Int32]) throws -> Matrix<T> {
        let d = dimension, n = table.value.rows
        var y = Matrix<T>(rows: ids.count, columns: d)
        for (r, id) in ids.enumerated() {
            guard id >= 0, Int(id) < n else { throw AlgorithmError.invalidInput(algorithm: "embedding", row: nil, column: nil, reason: "id \(id) is outside 0..<\(n)") }
            y.storage.replaceSubrange(r * d..<(r + 1) * d, with: table.value.storage[Int(id) * d..<(Int(id) + 1) * d])
        }
        self.ids = ids
        return y
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func backward(_ dy: Matrix<T>) {
        let d = dimension
        dy.storage.withUnsafeBufferPointer { g in
            for (r, id) in ids.enumerated() { table.sparseGradient!.add(row: id, g.baseAddress! + r * d) }
        }
    }
}
