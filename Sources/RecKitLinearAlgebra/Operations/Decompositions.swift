/// A thin QR decomposition `A = Q·R`.
public struct QRDecomposition<T: Scalar>: Sendable {
    /// `m × p` with orthonormal columns, `p = min(m, n)`.
    public let q: Matrix<T>
    /// `p × n` upper triangular (trapezoidal when `n > m`).
    public let r: Matrix<T>
}

/// A symmetric eigendecomposition `A = V·diag(λ)·Vᵀ`.
public struct SymmetricEigendecomposition<T: Scalar>: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [T]
    /// Orthonormal eigenvectors as columns: column `i` belongs to `values[i]`.
    public let vectors: Matrix<T>
}

/// A thin singular value decomposition `A = U·diag(σ)·Vᵀ`.
public struct SingularValueDecomposition<T: Scalar>: Sendable {
    /// `m × p` left singular vectors as columns, `p = min(m, n)`.
    public let u: Matrix<T>
    /// `p` singular values, descending, non-negative.
    public let singularValues: [T]
    /// `p × n` right singular vectors as rows.
    public let vt: Matrix<T>
}

extension LinearAlgebra {
    /// Thin QR decomposition by Householder reflections (geqrf + orgqr).
    /// - Throws: ``LinearAlgebraError/emptyMatrix(operation:shape:)``, ``LinearAlgebraError/nonFinite(operation:argument:row:column:batchIndex:)``.
    /// - Complexity: about `2·m·n² − 2n³/3` flops for R and as many again for Q.
    public static func qr<T: Scalar>(_ a: some MatrixRepresentable<T>, context: ExecutionContext = .current) throws -> QRDecomposition<T> {
        let av = a.matrixView
        try Check.notEmpty(av, "qr")
        try Check.finite(av, "qr", "A")
        try Check.threads(context)
        let (q, r) = try KernelCall.run { try context.kernels.qr(av.materialized().kernelMatrix, threads: context.threads) }
        return QRDecomposition(q: Matrix(q), r: Matrix(r))
    }

    /// Eigenvalues and eigenvectors of a symmetric matrix (syevd). Reads the lower triangle.
    /// - Throws: shape, empty and NaN errors; ``LinearAlgebraError/noConvergence(operation:iterations:)``
    ///   or ``LinearAlgebraError/factorizationFailed(operation:info:hint:)`` if the iteration fails.
    /// - Complexity: `O(n³)`.
    public static func symmetricEigen<T: Scalar>(_ a: some MatrixRepresentable<T>, context: ExecutionContext = .current) throws -> SymmetricEigendecomposition<T> {
        let m = try Check.symmetricInput(a.matrixView, "symmetricEigen", context)
        let (w, v) = try KernelCall.run { try context.kernels.symmetricEigen(m.kernelMatrix, threads: context.threads) }
        return SymmetricEigendecomposition(values: w, vectors: Matrix(v))
    }

    /// Full (thin) singular value decomposition of a dense matrix (gesdd).
    ///
    /// For the top few singular triplets of a large or sparse matrix use a truncated solver instead.
    /// - Throws: empty and NaN errors; convergence failures.
    /// - Complexity: `O(m·n·min(m, n))`.
    public static func svd<T: Scalar>(_ a: some MatrixRepresentable<T>, context: ExecutionContext = .current) throws -> SingularValueDecomposition<T> {
        let av = a.matrixView
        try Check.notEmpty(av, "svd")
        try Check.finite(av, "svd", "A")
        try Check.threads(context)
        let (u, s, vt) = try KernelCall.run { try context.kernels.svd(av.materialized().kernelMatrix, threads: context.threads) }
        return SingularValueDecomposition(u: Matrix(u), singularValues: s, vt: Matrix(vt))
    }
}
