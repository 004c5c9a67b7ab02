import RecKitData
import Synchronization
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
    /// `A·X` into `result`, reusing its storage when the shape fits (iterative solvers call this
    /// in loops; fresh large results cost page faults every time).
    func apply(_ x: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws
    /// `Aᵀ·Y` into `result`, reusing its storage when the shape fits.
    func applyTransposed(_ y: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws

    /// Whether this process holds only a block of `A`'s rows, the other blocks being held by other
    /// processes (RecKitDistributed): then `rows` is the block's rows, vectors of length `rows`
    /// are this block's part, `applyTransposed` returns the full `Aᵀ·Y` (summed over the blocks),
    /// and a sum over rows needs ``sumOverRowBlocks(_:)``. False by default.
    var isRowDistributed: Bool { get }
    /// The rows of the whole matrix (`rows` unless ``isRowDistributed``).
    var totalRows: Int { get }
    /// Replaces each partial sum over this block's rows by the sum over all blocks (in place);
    /// nothing to do for an operator that holds all rows.
    func sumOverRowBlocks(_ partial: inout [Double]) throws

    /// The two products of a Lanczos bidiagonalisation step in one pass over the matrix, when the
    /// operator can do that: `w = A·x − β·previous` (`previous` empty: no shift) and `s = Aᵀ·w`.
    /// nil (the default): the solver applies `A` and `Aᵀ` one after the other.
    func productAndTransposedProduct(_ x: [Element], minus beta: Element, times previous: [Element],
                                     context: ExecutionContext) throws -> (w: [Element], s: [Element])?
    /// The same step for `Aᵀ`: `w = Aᵀ·y − β·previous` and `s = A·w` (what ``TransposedOperator`` asks of its base).
    func transposedProductAndProduct(_ y: [Element], minus beta: Element, times previous: [Element],
                                     context: ExecutionContext) throws -> (w: [Element], s: [Element])?
}

extension MatrixOperator {
    public var isRowDistributed: Bool { false }
    public var totalRows: Int { rows }
    public func sumOverRowBlocks(_ partial: inout [Double]) throws {}
    public func productAndTransposedProduct(_ x: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? { nil }
    public func transposedProductAndProduct(_ y: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? { nil }

    public func apply(_ x: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        result = try apply(x, context: context)
    }
    public func applyTransposed(_ y: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        result = try applyTransposed(y, context: context)
    }
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
///
/// Products with a block of vectors use the CSR arrays both ways (`Aᵀ·Y` scatters into per-thread
/// buffers). Products of `Aᵀ` with one or a few vectors instead gather through the rows of a CSR
/// copy of `Aᵀ`, built on first use and kept: that is 2–3× faster than scattering, and costs a
/// second copy of the matrix in memory. Lanczos's step (`A·x`, then `Aᵀ` of the result) streams
/// the matrix once, scattering each row while it is in cache
/// (``productAndTransposedProduct(_:minus:times:context:)``).
public struct SparseOperator<Element: Scalar>: MatrixOperator {
    public let matrix: CSRMatrix<Element>
    private let transposeCache = TransposeCache<Element>()
    private let narrowValues = NarrowValuesCache()
    /// `Aᵀ·Y` with at most this many columns gathers through the cached transpose.
    static var gatherColumns: Int { 4 }

    public init(_ matrix: CSRMatrix<Element>) { self.matrix = matrix }
    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }
    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        var result = Matrix<Element>(rows: 0, columns: 0)
        try apply(x, into: &result, context: context)
        return result
    }
    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        var result = Matrix<Element>(rows: 0, columns: 0)
        try applyTransposed(y, into: &result, context: context)
        return result
    }
    public func apply(_ x: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        if try !vectorProduct(matrix, x, transposed: false, into: &result, context: context) {
            try matrix.multiply(x, into: &result, context: context)
        }
    }
    public func applyTransposed(_ y: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        if y.columns <= Self.gatherColumns {
            let t = transposeCache.transpose(of: matrix)
            if try !vectorProduct(t, y, transposed: true, into: &result, context: context) {
                try t.multiply(y, into: &result, context: context)
            }
        } else {
            try matrix.multiplyTransposed(y, into: &result, context: context)
        }
    }

    public func productAndTransposedProduct(_ x: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? {
        try fusedStep(matrix, transposed: false, x, beta, previous, context)
    }
    public func transposedProductAndProduct(_ y: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? {
        try fusedStep(transposeCache.transpose(of: matrix), transposed: true, y, beta, previous, context)
    }
    /// One pass over `a` (the matrix or its cached transpose), streaming Float values when a
    /// Double matrix's values are exact in Float (as ``vectorProduct(_:_:transposed:into:context:)``).
    private func fusedStep(_ a: CSRMatrix<Element>, transposed: Bool, _ x: [Element], _ beta: Element, _ previous: [Element],
                           _ context: ExecutionContext) throws -> (w: [Element], s: [Element]) {
        let narrow = Element.self == Double.self ? narrowValues.values(transposed: transposed, of: { a.exactFloatValues }) : nil
        return try a.productAndTransposedProduct(x, minus: beta, times: previous, narrowValues: narrow, context: context)
    }

    /// A Double matrix whose values Float holds exactly (ratings) is streamed as Float in
    /// products with one vector — bound by that stream — with the vectors and
    /// every sum in Double (``CSRMatrix/multiply(vector:narrowValues:into:context:)``). Returns
    /// false when that does not apply.
    private func vectorProduct(_ a: CSRMatrix<Element>, _ x: Matrix<Element>, transposed: Bool, into result: inout Matrix<Element>,
                               context: ExecutionContext) throws -> Bool {
        guard Element.self == Double.self, x.columns == 1,
              let narrow = narrowValues.values(transposed: transposed, of: { a.exactFloatValues }) else { return false }
        var y = unsafeBitCast(result, to: Matrix<Double>.self)
        result = Matrix(rows: 0, columns: 0)
        try unsafeBitCast(a, to: CSRMatrix<Double>.self).multiply(vector: unsafeBitCast(x, to: Matrix<Double>.self), narrowValues: narrow,
                                                                  into: &y, context: context)
        result = unsafeBitCast(y, to: Matrix<Element>.self)
        return true
    }
}

/// The Float copies of a sparse operator's values (of the matrix and of its cached transpose,
/// which hold them in different orders), made on first use and kept; nil when Float cannot hold
/// every value exactly. Shared by the operator's copies.
final class NarrowValuesCache: Sendable {
    private let stored = Mutex<[Bool: [Float]?]>([:])
    func values(transposed: Bool, of make: () -> [Float]?) -> [Float]? {
        stored.withLock { cache in
            if let known = cache[transposed] { return known }
            let made = make()
            cache[transposed] = made
            return made
        }
    }
}

/// The lazily built transpose of a sparse operator's matrix, shared by its copies.
final class TransposeCache<Element: Scalar>: Sendable {
    private let stored = Mutex<CSRMatrix<Element>?>(nil)
    func transpose(of a: CSRMatrix<Element>) -> CSRMatrix<Element> {
        stored.withLock { cached in
            if let cached { return cached }
            let t = a.transposed()
            cached = t
            return t
        }
    }
}

/// `Aᵀ` of an operator, without forming it (apply and applyTransposed swap).
public struct TransposedOperator<Base: MatrixOperator>: MatrixOperator {
    public typealias Element = Base.Element
    public let base: Base
    public init(_ base: Base) { self.base = base }
    public var rows: Int { base.columns }
    public var columns: Int { base.rows }
    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> { try base.applyTransposed(x, context: context) }
    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> { try base.apply(y, context: context) }
    public func productAndTransposedProduct(_ x: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? {
        try base.transposedProductAndProduct(x, minus: beta, times: previous, context: context)
    }
    public func transposedProductAndProduct(_ y: [Element], minus beta: Element, times previous: [Element],
                                            context: ExecutionContext) throws -> (w: [Element], s: [Element])? {
        try base.productAndTransposedProduct(y, minus: beta, times: previous, context: context)
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
            throw AlgorithmError.shapeMismatch(algorithm: "CenteredOperator", details: "\(columnMeans.count) means for \(base.columns) columns")
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
