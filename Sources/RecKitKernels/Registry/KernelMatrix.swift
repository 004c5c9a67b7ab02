/// The kernel layer's dense matrix: a shape and row-major storage, element `(i, j)` at
/// `storage[i * columns + j]`. The public `Matrix` of RecKitLinearAlgebra hands its storage to the
/// kernels in this form and takes results back without copying.
package struct KernelMatrix<Element: Scalar>: Sendable {
    package let rows: Int
    package let columns: Int
    package var storage: [Element]

    /// A zero matrix.
    package init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        storage = [Element](repeating: 0, count: rows * columns)
    }

    /// A matrix over existing row-major elements (`storage.count == rows * columns`).
    package init(rows: Int, columns: Int, storage: [Element]) {
        precondition(storage.count == rows * columns, "KernelMatrix: \(storage.count) elements for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// The `n × n` identity.
    package static func identity(_ n: Int) -> KernelMatrix {
        var m = KernelMatrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i * n + i] = 1 }
        return m
    }

    package subscript(i: Int, j: Int) -> Element {
        get { storage[i * columns + j] }
        set { storage[i * columns + j] = newValue }
    }

    /// The transpose, as a new matrix.
    package var transposed: KernelMatrix {
        var t = KernelMatrix(rows: columns, columns: rows)
        storage.withUnsafeBufferPointer { a in
            t.storage.withUnsafeMutableBufferPointer { b in
                if let a = a.baseAddress, let b = b.baseAddress { VectorKernels.transpose(a, rows: rows, columns: columns, into: b) }
            }
        }
        return t
    }
}
