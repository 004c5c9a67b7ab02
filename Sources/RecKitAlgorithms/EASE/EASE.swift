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
    /// - Throws: ``AlgorithmError`` for λ ≤ 0, NaN/∞ in `X` or no items;
    ///   ``AlgorithmError/notPositiveDefinite(algorithm:matrix:minor:precision:hint:)`` if `G` is not
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
        guard lambda.isFinite, lambda > 0 else {
            throw AlgorithmError.invalidOption(algorithm: "EASE", option: "lambda", value: "\(lambda)", requirement: "a finite number > 0")
        }
        if let (u, i) = x.firstNonFinite { throw AlgorithmError.nonFiniteInput(algorithm: "EASE", row: u, column: i) }
        let n = x.columns
        guard n > 0 else { throw AlgorithmError.emptyInput(algorithm: "EASE", details: x.shapeDescription) }
        let xt = x.converted(to: T.self)
        var g = Matrix(rows: n, columns: n, uncheckedStorage: SparseKernels.gram(rows: xt.rows, columns: n, offsets: xt.rowOffsets,
                                                                                 indices: xt.columnIndices, values: xt.values, context: context))
        for i in 0..<n { g.storage[i * n + i] += T(lambda) }
        let p: Matrix<T>
        do {
            p = try LinearAlgebra.cholesky(g, context: context).inverse()
        } catch let LinearAlgebraError.notPositiveDefinite(_, minor, _) {
            throw AlgorithmError.notPositiveDefinite(algorithm: "EASE", matrix: "XᵀX + λI", minor: minor, precision: T.dtype,
                                                     hint: "raise λ (now \(lambda))")
        }
        var b = p
        for j in 0..<n {
            let d = p.storage[j * n + j]
            for i in 0..<n { b.storage[i * n + j] = i == j ? 0 : -p.storage[i * n + j] / d }
        }
        return b
    }
}
