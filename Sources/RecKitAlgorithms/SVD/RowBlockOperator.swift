import RecKitData
import RecKitLinearAlgebra

/// A block of a sparse matrix's rows held by one process, the other blocks held by others
/// (RecKitDistributed's ranks): `A·X` is this block's rows of the product (no communication),
/// `Aᵀ·Y` the full product — this block's contribution summed over the blocks by `sum` (an MPI
/// all-reduce) — and sums over rows go through ``sumOverRowBlocks(_:)``. The solvers that accept it
/// (``SingularValues/lanczos(_:rank:options:context:)``) then compute, on every process, the same
/// replicated right vectors and singular values, and each process's rows of the left vectors.
public struct RowBlockOperator<Element: Scalar>: MatrixOperator {
    /// This process's rows (`rows × columns`).
    public let block: SparseOperator<Element>
    public let totalRows: Int
    /// Sums each element over the processes, in place (every process calls it with equal lengths).
    public let sum: @Sendable (inout [Double]) throws -> Void

    public init(block: CSRMatrix<Element>, totalRows: Int, sum: @escaping @Sendable (inout [Double]) throws -> Void) {
        self.block = SparseOperator(block)
        self.totalRows = totalRows
        self.sum = sum
    }

    public var rows: Int { block.rows }
    public var columns: Int { block.columns }
    public var isRowDistributed: Bool { true }
    public func sumOverRowBlocks(_ partial: inout [Double]) throws { try sum(&partial) }

    public func apply(_ x: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        try block.apply(x, context: context)
    }
    public func apply(_ x: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        try block.apply(x, into: &result, context: context)
    }
    public func applyTransposed(_ y: Matrix<Element>, context: ExecutionContext) throws -> Matrix<Element> {
        var result = Matrix<Element>(rows: 0, columns: 0)
        try applyTransposed(y, into: &result, context: context)
        return result
    }
    public func applyTransposed(_ y: Matrix<Element>, into result: inout Matrix<Element>, context: ExecutionContext) throws {
        try block.applyTransposed(y, into: &result, context: context)
        var partial = result.storage.map(\.doubleValue)
        try sum(&partial)
        result = try Matrix(rows: result.rows, columns: result.columns, elements: partial.map { Element($0) })
    }
}
