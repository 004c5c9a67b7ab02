/// A dense, row-major matrix of `Float` or `Double`.
///
/// Element `(i, j)` is stored at `storage[i * columns + j]`: rows are contiguous and the leading
/// dimension equals ``columns``. `Matrix` is a value type with copy-on-write storage; use
/// ``rows(_:)`` and ``block(rows:columns:)`` for views that share it.
public struct Matrix<Element: Scalar>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major elements, `rows * columns` of them.
    public package(set) var storage: [Element]

    /// A matrix of the given shape with every element equal to `value`.
    /// - Precondition: `rows >= 0`, `columns >= 0`.
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public init(rows: Int, columns: Int, repeating value: Element = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major elements.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when `elements.count != rows * columns`.
    public init(rows: Int, columns: Int, elements: [Element]) throws {
        guard rows >= 0, columns >= 0, elements.count == rows * columns else {
            throw LinearAlgebraError.invalidArgument(
                "Matrix(rows: \(rows), columns: \(columns)) needs \(max(0, rows) * max(0, columns)) elements, got \(elements.count)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = elements
    }

    /// A matrix over `storage`, whose count the caller guarantees is `rows * columns`.
    init(rows: Int, columns: Int, storage: [Element]) {
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from an array of equally long rows.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` when rows differ in length.
    public init(_ rowArrays: [[Element]]) throws {
        let c = rowArrays.first?.count ?? 0
        if let bad = rowArrays.firstIndex(where: { $0.count != c }) {
            throw LinearAlgebraError.invalidArgument(
                "row \(bad) has \(rowArrays[bad].count) elements but row 0 has \(c)")
        }
        self.rows = rowArrays.count
        self.columns = c
        self.storage = rowArrays.flatMap { $0 }
    }

    /// Builds a matrix element by element.
    public init(rows: Int, columns: Int, _ element: (Int, Int) -> Element) {
        self.init(rows: rows, columns: columns)
        for i in 0..<rows { for j in 0..<columns { storage[i * columns + j] = element(i, j) } }
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    /// Independent standard normal samples (Box–Muller), deterministic for `seed`: the test
    /// matrices of randomised algorithms.
    public static func gaussian(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        m.storage.withUnsafeMutableBufferPointer { b in if let p = b.baseAddress { VectorKernels.fillGaussian(p, b.count, seed: seed) } }
        return m
    }

    /// A matrix of independent uniform values in `range`, deterministic for `seed`. Specialised for
    /// Float and Double: the generic `random(in:using:)` costs tens of nanoseconds a value.
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func random(rows: Int, columns: Int, in range: ClosedRange<Element> = -1...1, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        var m = Matrix(rows: rows, columns: columns)
        for k in 0..<m.storage.count { m.storage[k] = Element.random(in: range, using: &rng) }
        return m
    }

    /// `"rows×columns"`, as error messages print shapes.
    public var shapeDescription: String { "\(rows)×\(columns)" }

    /// True when the matrix has no elements.
    public var isEmpty: Bool { rows == 0 || columns == 0 }

    /// Element `(i, j)`. Hot loops in other modules should read ``storage`` directly: generic
    /// members called across modules are not specialised.
    public subscript(i: Int, j: Int) -> Element {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "index (\(i), \(j)) outside \(rows)×\(columns)")
            return storage[i * columns + j]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns, "index (\(i), \(j)) outside \(rows)×\(columns)")
            storage[i * columns + j] = newValue
        }
    }

    /// Row `i` as a new array.
    @inlinable public func row(_ i: Int) -> [Element] { Array(storage[i * columns..<(i + 1) * columns]) }

    /// The transpose, as a new matrix.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        guard !storage.isEmpty else { return t }
        storage.withUnsafeBufferPointer { a in
            t.storage.withUnsafeMutableBufferPointer { b in VectorKernels.transpose(a.baseAddress!, rows: rows, columns: columns, into: b.baseAddress!) }
        }
        return t
    }

    /// A view of a range of rows (all columns), sharing storage.
    public func rows(_ range: Range<Int>) -> MatrixView<Element> {
        MatrixView(self, rows: range, columns: 0..<columns)
    }

    /// A view of a rectangular block, sharing storage.
    public func block(rows r: Range<Int>, columns c: Range<Int>) -> MatrixView<Element> {
        MatrixView(self, rows: r, columns: c)
    }

    /// The largest absolute element (0 for an empty matrix); NaN if any element is NaN.
    public var maxAbs: Element {
        storage.withUnsafeBufferPointer { b in b.isEmpty ? 0 : VectorKernels.maxAbs(b.baseAddress!, b.count) }
    }

    /// The Frobenius norm, accumulated in `Double`.
    public var frobeniusNorm: Double {
        var s = 0.0
        for x in storage { s += x.doubleValue * x.doubleValue }
        return s.squareRoot()
    }

    /// The position of the first NaN or infinity, if any.
    public var firstNonFinite: (row: Int, column: Int)? {
        let found = storage.withUnsafeBufferPointer { b in b.isEmpty ? nil : VectorKernels.firstNonFinite(b.baseAddress!, b.count) }
        guard let k = found else { return nil }
        return (k / Swift.max(columns, 1), k % Swift.max(columns, 1))
    }

    /// The elements converted to another precision.
    public func converted<U: Scalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, columns: columns, storage: storage.converted(to: U.self))
    }
}

/// A read-only rectangular window into a ``Matrix``: rows `rowRange`, columns `columnRange`,
/// with the base matrix's row stride (leading dimension `base.columns`).
public struct MatrixView<Element: Scalar>: Sendable {
    /// The matrix whose storage the view shares.
    public let base: Matrix<Element>
    /// Rows of `base` in the view.
    public let rowRange: Range<Int>
    /// Columns of `base` in the view.
    public let columnRange: Range<Int>

    /// A view of `base`.
    /// - Precondition: the ranges lie inside `base`.
    public init(_ base: Matrix<Element>, rows: Range<Int>, columns: Range<Int>) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= base.rows &&
                     columns.lowerBound >= 0 && columns.upperBound <= base.columns,
                     "view rows \(rows), columns \(columns) outside \(base.shapeDescription)")
        self.base = base
        self.rowRange = rows
        self.columnRange = columns
    }

    public var rows: Int { rowRange.count }
    public var columns: Int { columnRange.count }
    public var shapeDescription: String { "\(rows)×\(columns)" }

    /// Element `(i, j)` of the view.
    public subscript(i: Int, j: Int) -> Element { base[rowRange.lowerBound + i, columnRange.lowerBound + j] }

    /// A copy of the viewed elements as a new matrix. Specialised for Float and Double, so that
    /// generic callers in other modules (neural layers) do not copy element by element.
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public func materialized() -> Matrix<Element> {
        if columnRange == 0..<base.columns {
            // whole rows: one contiguous slice
            if rowRange == 0..<base.rows { return base }
            return try! Matrix(rows: rows, columns: columns, elements: Array(base.storage[rowRange.lowerBound * columns..<rowRange.upperBound * columns]))
        }
        var m = Matrix<Element>(rows: rows, columns: columns)
        for i in 0..<rows {
            let src = (rowRange.lowerBound + i) * base.columns + columnRange.lowerBound
            m.storage.replaceSubrange(i * columns..<(i + 1) * columns, with: base.storage[src..<src + columns])
        }
        return m
    }
}

/// Anything the dense operations accept as an input matrix: a ``Matrix`` or a ``MatrixView``.
public protocol MatrixRepresentable<Element>: Sendable {
    associatedtype Element: Scalar
    /// The matrix as a (possibly whole-matrix) view.
    var matrixView: MatrixView<Element> { get }
}

extension Matrix: MatrixRepresentable {
    public var matrixView: MatrixView<Element> { MatrixView(self, rows: 0..<rows, columns: 0..<columns) }
}

extension MatrixView: MatrixRepresentable {
    public var matrixView: MatrixView<Element> { self }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        var lines = ["Matrix<\(Element.self)> \(shapeDescription)"]
        for i in 0..<Swift.min(rows, 8) {
            let cells = (0..<Swift.min(columns, 8)).map { "\(self[i, $0])" }
            lines.append("  [" + cells.joined(separator: ", ") + (columns > 8 ? ", …]" : "]"))
        }
        if rows > 8 { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}
