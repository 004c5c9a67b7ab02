import RecKitLinearAlgebra

/// A sparse matrix in compressed sparse row (CSR) form.
///
/// Row `i`'s entries are `columnIndices[rowOffsets[i] ..< rowOffsets[i+1]]` with values at the same
/// positions, columns strictly increasing within a row. Indices are 32-bit (compact: a catalogue
/// or user base up to 2³¹ − 1); offsets are `Int` (64-bit), so a matrix can hold more than 2³¹
/// entries. A CSC matrix is the CSR form of the transpose: see ``CSCMatrix``.
public struct CSRMatrix<Value: Scalar>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into ``columnIndices`` and ``values``; `rowOffsets[0] == 0`.
    public internal(set) var rowOffsets: [Int]
    public internal(set) var columnIndices: [Int32]
    public internal(set) var values: [Value]

    /// Number of stored entries.
    public var nonZeroCount: Int { values.count }
    public var shapeDescription: String { "\(rows)×\(columns)" }
    /// Stored entries ÷ (rows · columns).
    public var density: Double { rows == 0 || columns == 0 ? 0 : Double(nonZeroCount) / (Double(rows) * Double(columns)) }

    /// A matrix from its three arrays, validated.
    /// - Throws: ``DataError/invalidSparseStructure(_:)`` naming the first violation.
    public init(rows: Int, columns: Int, rowOffsets: [Int], columnIndices: [Int32], values: [Value]) throws {
        guard rows >= 0, columns >= 0, columns <= Int(Int32.max) else {
            throw DataError.invalidSparseStructure("shape \(rows)×\(columns) is not valid")
        }
        guard rowOffsets.count == rows + 1, rowOffsets.first == 0, rowOffsets.last == values.count,
              columnIndices.count == values.count else {
            throw DataError.invalidSparseStructure(
                "need \(rows + 1) offsets from 0 to \(values.count) and as many indices as values; got \(rowOffsets.count) offsets "
                + "(first \(rowOffsets.first ?? -1), last \(rowOffsets.last ?? -1)), \(columnIndices.count) indices, \(values.count) values")
        }
        for i in 0..<rows {
            guard rowOffsets[i] <= rowOffsets[i + 1], rowOffsets[i + 1] <= values.count else {
                throw DataError.invalidSparseStructure("row offsets decrease at row \(i) or pass the \(values.count) values")
            }
            var previous: Int32 = -1
            for k in rowOffsets[i]..<rowOffsets[i + 1] {
                let c = columnIndices[k]
                guard c > previous, Int(c) < columns else {
                    throw DataError.invalidSparseStructure("row \(i): column \(c) is out of range 0..<\(columns) or not increasing")
                }
                previous = c
            }
        }
        self.init(unchecked: rows, columns, rowOffsets, columnIndices, values)
    }

    /// Trusted construction (internal callers that build valid arrays).
    init(unchecked rows: Int, _ columns: Int, _ rowOffsets: [Int], _ columnIndices: [Int32], _ values: [Value]) {
        self.rows = rows
        self.columns = columns
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// An empty (all-zero) matrix.
    public init(rows: Int, columns: Int) {
        self.init(unchecked: rows, columns, [Int](repeating: 0, count: rows + 1), [], [])
    }

    /// Entries of row `i` as (column, value) pairs.
    /// Rows `range` as a matrix of their own (`range.count × columns`).
    public func rows(_ range: Range<Int>) -> CSRMatrix {
        let lo = rowOffsets[range.lowerBound], hi = rowOffsets[range.upperBound]
        return CSRMatrix(unchecked: range.count, columns, rowOffsets[range.lowerBound...range.upperBound].map { $0 - lo },
                         Array(columnIndices[lo..<hi]), Array(values[lo..<hi]))
    }

    public func row(_ i: Int) -> [(column: Int, value: Value)] {
        (rowOffsets[i]..<rowOffsets[i + 1]).map { (Int(columnIndices[$0]), values[$0]) }
    }

    /// Range of positions holding row `i`.
    @inlinable public func range(ofRow i: Int) -> Range<Int> { rowOffsets[i]..<rowOffsets[i + 1] }

    /// Number of entries in row `i`.
    public func count(ofRow i: Int) -> Int { rowOffsets[i + 1] - rowOffsets[i] }

    /// The value at `(i, j)`, or 0 when not stored (binary search in the row).
    public subscript(i: Int, j: Int) -> Value {
        var lo = rowOffsets[i], hi = rowOffsets[i + 1]
        let target = Int32(j)
        while lo < hi {
            let mid = (lo + hi) / 2
            if columnIndices[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowOffsets[i + 1] && columnIndices[lo] == target ? values[lo] : 0
    }

    /// The dense row-major equivalent.
    public func dense() -> Matrix<Value> {
        var m = Matrix<Value>(rows: rows, columns: columns)
        for i in 0..<rows { for k in range(ofRow: i) { m[i, Int(columnIndices[k])] = values[k] } }
        return m
    }

    /// The values converted to another precision (same structure).
    public func converted<U: Scalar>(to: U.Type = U.self) -> CSRMatrix<U> {
        CSRMatrix<U>(unchecked: rows, columns, rowOffsets, columnIndices, values.converted(to: U.self))
    }

    /// A copy with every value replaced by `transform(value)`.
    public func mapValues(_ transform: (Value) -> Value) -> CSRMatrix {
        CSRMatrix(unchecked: rows, columns, rowOffsets, columnIndices, values.map(transform))
    }
}

/// A sparse matrix in compressed sparse column form, stored as the CSR form of its transpose:
/// column `j`'s entries are `transposeStorage.row(j)`.
public struct CSCMatrix<Value: Scalar>: Sendable, Equatable {
    /// The transpose in CSR form (rows of this are columns of the CSC matrix).
    public let transposeStorage: CSRMatrix<Value>
    public var rows: Int { transposeStorage.columns }
    public var columns: Int { transposeStorage.rows }
    public var nonZeroCount: Int { transposeStorage.nonZeroCount }

    public init(_ transposeStorage: CSRMatrix<Value>) { self.transposeStorage = transposeStorage }

    /// Entries of column `j` as (row, value) pairs.
    public func column(_ j: Int) -> [(row: Int, value: Value)] { transposeStorage.row(j).map { ($0.column, $0.value) } }

    /// Back to CSR.
    public func csr() -> CSRMatrix<Value> { transposeStorage.transposed() }
}
