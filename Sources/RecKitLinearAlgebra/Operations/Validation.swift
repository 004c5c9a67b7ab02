/// Pointer access to views and the input checks every operation shares.
extension MatrixView {
    /// Calls `body` with a pointer to element (0, 0) of the view and the row stride.
    /// - Precondition: the view is not empty.
    func withPointer<R>(_ body: (UnsafePointer<Element>, Int) throws -> R) rethrows -> R {
        try base.storage.withUnsafeBufferPointer { buf in
            try body(buf.baseAddress! + rowRange.lowerBound * base.columns + columnRange.lowerBound, base.columns)
        }
    }

    /// The first NaN or infinity in the view, if any.
    var firstNonFinite: (row: Int, column: Int)? {
        guard rows > 0, columns > 0 else { return nil }
        return withPointer { p, stride in
            for i in 0..<rows { if let j = VectorKernels.firstNonFinite(p + i * stride, columns) { return (i, j) } }
            return nil
        }
    }
}

enum Check {
    static func finite<T: Scalar>(_ m: MatrixView<T>, _ operation: String, _ argument: String, batchIndex: Int? = nil) throws {
        if let (r, c) = m.firstNonFinite {
            throw LinearAlgebraError.nonFinite(operation: operation, argument: argument, row: r, column: c, batchIndex: batchIndex)
        }
    }

    static func notEmpty<T: Scalar>(_ m: MatrixView<T>, _ operation: String) throws {
        if m.rows == 0 || m.columns == 0 { throw LinearAlgebraError.emptyMatrix(operation: operation, shape: m.shapeDescription) }
    }

    static func square<T: Scalar>(_ m: MatrixView<T>, _ operation: String) throws {
        if m.rows != m.columns {
            throw LinearAlgebraError.shapeMismatch(operation: operation, details: "needs a square matrix, got \(m.shapeDescription)")
        }
    }

    /// The checks of a routine that reads the lower triangle of a square matrix: not empty, square,
    /// a valid thread count, and finite in the lower triangle. Returns the matrix as a copy to work on.
    static func symmetricInput<T: Scalar>(_ a: MatrixView<T>, _ operation: String, _ context: ExecutionContext) throws -> Matrix<T> {
        try notEmpty(a, operation)
        try square(a, operation)
        try threads(context)
        let m = a.materialized()
        let n = m.rows
        for i in 0..<n { for j in 0...i where !m.storage[i * n + j].isFinite {
            throw LinearAlgebraError.nonFinite(operation: operation, argument: "A", row: i, column: j, batchIndex: nil)
        } }
        return m
    }

    static func threads(_ context: ExecutionContext) throws {
        if context.threads < 1 { throw LinearAlgebraError.invalidArgument("threads must be at least 1, got \(context.threads)") }
    }
}
