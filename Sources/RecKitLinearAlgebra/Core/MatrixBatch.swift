/// A batch of same-shape dense row-major matrices stored back to back.
///
/// Matrix `b` occupies `storage[b * rows * columns ..< (b + 1) * rows * columns]`. This is the
/// layout batched products and batched Cholesky solves read and write, so that many small
/// problems (one per user in ALS, one per sequence in a neural layer) cost one call.
public struct MatrixBatch<Element: Scalar>: Sendable, Equatable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    public package(set) var storage: [Element]

    /// A batch of `count` zero (or `value`) matrices of shape `rows × columns`.
    public init(count: Int, rows: Int, columns: Int, repeating value: Element = 0) {
        precondition(count >= 0 && rows >= 0 && columns >= 0, "batch shape must be non-negative")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: count * rows * columns)
    }

    /// A batch from matrices that all have the same shape.
    /// - Throws: ``LinearAlgebraError/shapeMismatch(operation:details:)`` naming the first odd one.
    public init(_ matrices: [Matrix<Element>]) throws {
        let r = matrices.first?.rows ?? 0, c = matrices.first?.columns ?? 0
        if let bad = matrices.firstIndex(where: { $0.rows != r || $0.columns != c }) {
            throw LinearAlgebraError.shapeMismatch(
                operation: "MatrixBatch", details: "matrix 0 is \(r)×\(c) but matrix \(bad) is \(matrices[bad].shapeDescription)")
        }
        self.count = matrices.count
        self.rows = r
        self.columns = c
        self.storage = matrices.flatMap { $0.storage }
    }

    /// Elements per matrix.
    public var stride: Int { rows * columns }
    public var shapeDescription: String { "\(count)×(\(rows)×\(columns))" }

    /// Matrix `index` of the batch, as a copy.
    public subscript(index: Int) -> Matrix<Element> {
        get {
            precondition(index >= 0 && index < count, "batch index \(index) outside 0..<\(count)")
            return try! Matrix(rows: rows, columns: columns, elements: Array(storage[index * stride..<(index + 1) * stride]))
        }
        set {
            precondition(index >= 0 && index < count, "batch index \(index) outside 0..<\(count)")
            precondition(newValue.rows == rows && newValue.columns == columns,
                         "cannot store a \(newValue.shapeDescription) matrix in a batch of \(rows)×\(columns)")
            storage.replaceSubrange(index * stride..<(index + 1) * stride, with: newValue.storage)
        }
    }

    /// A batch of matrices of independent uniform values in −1…1, deterministic for `seed`
    /// (specialised for Float and Double, as ``Matrix/random(rows:columns:in:seed:)``).
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public static func random(count: Int, rows: Int, columns: Int, seed: UInt64) -> MatrixBatch {
        var rng = SeededGenerator(seed: seed)
        var b = MatrixBatch(count: count, rows: rows, columns: columns)
        for k in 0..<b.storage.count { b.storage[k] = Element.random(in: -1...1, using: &rng) }
        return b
    }
}
