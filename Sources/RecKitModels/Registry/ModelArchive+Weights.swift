import RecKitAlgorithms
import RecKitLinearAlgebra

/// How the neural models save their networks: the parameters' values in the network's
/// ``Parameter`` order, as float arrays `p0`, `p1`, ….
extension ModelArchive {
    mutating func storeWeights(_ weights: [Matrix<Float>]) {
        for (k, w) in weights.enumerated() { floats["p\(k)"] = w.storage }
    }

    /// The stored weights, each shaped like the matching parameter of a freshly built network with
    /// the model's options.
    /// - Throws: ``ModelError/invalidArchive(file:reason:)`` for a missing array or one of the wrong length.
    func weights(shapedLike parameters: [Parameter<Float>]) throws -> [Matrix<Float>] {
        try parameters.enumerated().map { k, p in
            Matrix(rows: p.value.rows, columns: p.value.columns, uncheckedStorage: try floats("p\(k)", count: p.value.storage.count))
        }
    }
}
