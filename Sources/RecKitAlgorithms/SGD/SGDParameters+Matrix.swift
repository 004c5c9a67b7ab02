import RecKitLinearAlgebra

extension SGDParameters {
    /// Unpadded rows as a matrix in the caller's numbering: row `r` is padded row `order[r]` of `a`.
    func factors(_ a: [Float], order: [Int32]) -> Matrix<Float> {
        Matrix(rows: order.count, columns: factors, uncheckedStorage: unpadded(a, order: order))
    }
}
