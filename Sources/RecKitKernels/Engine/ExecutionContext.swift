/// Where and how wide an operation runs: the back end and the number of threads.
///
/// Every operation takes a context (defaulting to ``ExecutionContext/current``). The threads are
/// the engine's own workers for loops it parallelises itself and OpenBLAS's threads for a single
/// large BLAS call — never both at once: inside a loop parallel over rows, users or batch items,
/// BLAS runs single-threaded.
public struct ExecutionContext: Sendable, Equatable, CustomStringConvertible {
    public var backend: Backend
    /// Worker threads; at least 1.
    public var threads: Int

    public init(backend: Backend = .blas, threads: Int = ExecutionContext.availableCores) {
        self.backend = backend
        self.threads = Swift.max(1, threads)
    }

    /// The process-wide default, changed with ``Engine/setDefault(backend:threads:)``.
    public static var current: ExecutionContext { Engine.defaultContext }

    /// Cores the process may use.
    public static var availableCores: Int { Engine.availableCores }

    /// A copy with a different thread count.
    public func with(threads: Int) -> ExecutionContext { ExecutionContext(backend: backend, threads: threads) }
    /// A copy with a different back end.
    public func with(backend: Backend) -> ExecutionContext { ExecutionContext(backend: backend, threads: threads) }

    public var description: String { "\(backend) × \(threads) thread\(threads == 1 ? "" : "s")" }
}
