import RecKitData
import RecKitLinearAlgebra

/// A matrix seen only through its products with blocks of vectors: what iterative solvers
/// (truncated SVD, CG) need. `apply(X)` is `A·X` for `X` (columns × b); `applyTransposed(Y)` is
/// `Aᵀ·Y` for `Y` (rows × b). All blocks are row-major.
public protocol MatrixOperator<Element>: Sendable {
    associatedtype Element: Scalar
    var rows: Int { get }
    var columns: Int { get }
    func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element>
    func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element>
}

/// A dense matrix as an operator (products by GEMM).
public struct DenseOperator<Element: Scalar>: MatrixOperator {
    public let matrix: Matrix<Element>
    public init(_ matrix: Matrix<Element>) { self.matrix = matrix }
    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }
    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        try LinearAlgebra.multiply(matrix, x, context: context)
    }
    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        try LinearAlgebra.multiply(matrix, y, transposeA: true, context: context)
    }
}

/// A CSR matrix as an operator (RecKit's sparse × dense kernels).
public struct SparseOperator<Element: Scalar>: MatrixOperator {
    public let matrix: CSRMatrix<Element>
    public init(_ matrix: CSRMatrix<Element>) { self.matrix = matrix }
    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }
    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> { try matrix.multiply(x, context: context) }
    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        try matrix.multiplyTransposed(y, context: context)
    }
}

/// `A − 1·μᵀ` without forming it: `A` with each column's mean (over all rows, zeros included)
/// subtracted, so a sparse matrix stays sparse.
///
/// ```
/// (A − 1μᵀ)·X  = A·X − 1·(μᵀX)        (A − 1μᵀ)ᵀ·Y = Aᵀ·Y − μ·(1ᵀY)
/// ```
public struct CenteredOperator<Base: MatrixOperator>: MatrixOperator {
    public typealias Element = Base.Element
    public let base: Base
    /// Column means μ (length `columns`).
    public let means: [Element]

    public init(_ base: Base, columnMeans: [Element]) throws {
        guard columnMeans.count == base.columns else {
            throw LinearAlgebraError.shapeMismatch(operation: "CenteredOperator", details: "\(columnMeans.count) means for \(base.columns) columns")
        }
        self.base = base
        self.means = columnMeans
    }

    public var rows: Int { base.rows }
    public var columns: Int { base.columns }

    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        var ax = try base.apply(x, context: context)
        let shift = try LinearAlgebra.multiply(x, vector: means, transposeA: true, context: context) // μᵀX, length b
        for i in 0..<ax.rows { for t in 0..<ax.columns { ax[i, t] -= shift[t] } }
        return ax
    }

    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        var aty = try base.applyTransposed(y, context: context)
        var sums = [Element](repeating: 0, count: y.columns) // 1ᵀY
        for i in 0..<y.rows { for t in 0..<y.columns { sums[t] += y[i, t] } }
        for j in 0..<aty.rows { for t in 0..<aty.columns { aty[j, t] -= means[j] * sums[t] } }
        return aty
    }
}
