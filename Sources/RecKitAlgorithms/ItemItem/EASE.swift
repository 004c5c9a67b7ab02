import RecKitData
import RecKitLinearAlgebra

/// EASE (Steck 2019): the item–item weight matrix `B` (`items × items`, zero diagonal) minimising
///
/// ```
/// ‖X − X·B‖²_F + λ‖B‖²_F   subject to diag(B) = 0
/// ```
/// in closed form: `G = XᵀX + λI`, `P = G⁻¹`, `B_ij = −P_ij / P_jj` (`i ≠ j`). User `u`'s scores are
/// `x_u·B`. The Gram matrix comes from a sparse product (`Σ_u n_u²` work); the inverse is one
/// Cholesky factorisation and inversion of the dense `items × items` matrix on the chosen back
/// end (LAPACK `potrf` + `potri` through OpenBLAS, or the pure-Swift Cholesky) — `n³` flops and
/// `n²` memory, so EASE suits catalogues up to a few tens of thousands of items.
public enum EASE {
    /// The weights for `X` (`users × items`; binarise it first for implicit feedback), row-major,
    /// in Double or Float (`T`).
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` for λ ≤ 0 or NaN/∞ in `X`;
    ///   ``LinearAlgebraError/notPositiveDefinite(operation:order:batchIndex:)`` if `G` is not
    ///   positive definite in this precision (raise λ).
    public static func weights(_ x: CSRMatrix<Float>, lambda: Double, dtype: DType = .double,
                               context: ExecutionContext = .current) throws -> Matrix<Float> {
        switch dtype {
        case .float: return try solve(x, lambda: lambda, as: Float.self, context: context)
        case .double: return try solve(x, lambda: lambda, as: Double.self, context: context).converted(to: Float.self)
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func solve<T: Scalar>(_ x: CSRMatrix<Float>, lambda: Double, as: T.Type, context: ExecutionContext) throws -> Matrix<T> {
        guard lambda.isFinite, lambda > 0 else { throw LinearAlgebraError.invalidArgument("EASE: λ must be a finite number > 0, got \(lambda)") }
        if let (u, i) = x.firstNonFinite { throw LinearAlgebraError.invalidArgument("EASE: the value of user \(u), item \(i) is not finite") }
        let n = x.columns
        guard n > 0 else { throw LinearAlgebraError.emptyMatrix(operation: "EASE", shape: x.shapeDescription) }
        var g = gram(x.converted(to: T.self), context: context)
        for i in 0..<n { g.storage[i * n + i] += T(lambda) }
        let p = try LinearAlgebra.cholesky(g, context: context).inverse()
        var b = p
        for j in 0..<n {
            let d = p.storage[j * n + j]
            for i in 0..<n { b.storage[i * n + j] = i == j ? 0 : -p.storage[i * n + j] / d }
        }
        return b
    }

    /// `XᵀX`, dense `items × items`: Gustavson's sparse product, parallel over items.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gram<T: Scalar>(_ x: CSRMatrix<T>, context: ExecutionContext) -> Matrix<T> {
        let n = x.columns, byItem = x.transposed()
        var g = Matrix<T>(rows: n, columns: n)
        g.storage.withUnsafeMutableBufferPointer { gb in
            let G = gb.baseAddress!
            let parts = Swift.max(1, Swift.min(n, context.threads * 8))
            Parallel.forEachPart(parts, threads: context.threads) { part in
                for i in Parallel.chunk(part, of: parts, count: n) {
                    let row = G + i * n
                    for p in byItem.range(ofRow: i) {
                        let u = Int(byItem.columnIndices[p]), v = byItem.values[p]
                        for q in x.range(ofRow: u) { row[Int(x.columnIndices[q])] += v * x.values[q] }
                    }
                }
            }
        }
        return g
    }
}
