// The engine's settings and kernels (back ends, execution contexts, threads, the OpenBLAS kernel)
// live in RecKitKernels; every user of the linear-algebra layer sees its public types too.
@_exported import RecKitKernels

extension Matrix {
    /// The matrix as the kernels take it (storage shared, not copied).
    var kernelMatrix: KernelMatrix<Element> { KernelMatrix(rows: rows, columns: columns, storage: storage) }

    /// A matrix over row-major elements computed by a kernel (`storage.count == rows * columns`).
    package init(rows: Int, columns: Int, uncheckedStorage storage: [Element]) {
        precondition(storage.count == rows * columns, "Matrix: \(storage.count) elements for \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A `rows × columns` matrix whose elements are not yet written, for a kernel that writes
    /// every one before any is read (a GEMM with β = 0, a sparse product). Its pages are first
    /// touched by the kernel's threads instead of by one thread zeroing them
    /// (``Swift/Array/uninitialized(count:)``).
    @usableFromInline
    package init(uninitializedRows rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, uncheckedStorage: .uninitialized(count: rows * columns))
    }

    /// A matrix over a kernel's result (storage shared, not copied).
    init(_ k: KernelMatrix<Element>) {
        self.rows = k.rows
        self.columns = k.columns
        self.storage = k.storage
    }
}

/// Calls into the kernel layer, turning its failures into ``LinearAlgebraError``.
enum KernelCall {
    static func run<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as KernelError {
            switch error {
            case let .factorizationFailed(operation, info, hint): throw LinearAlgebraError.factorizationFailed(operation: operation, info: info, hint: hint)
            case let .noConvergence(operation, iterations): throw LinearAlgebraError.noConvergence(operation: operation, iterations: iterations)
            }
        }
    }
}
