import CReckitShim
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide engine settings: the default back end and thread count, OpenBLAS's threads and
/// kernel, and what the CPU supports.
///
/// Defaults come from the environment when set — `RECKIT_BACKEND` (`blas` or `swift`),
/// `RECKIT_THREADS` (a positive integer), `RECKIT_BLAS_KERNEL` (see ``BLASKernel``) — and otherwise
/// are the OpenBLAS back end on all available cores with the fastest kernel the CPU supports.
public enum Engine {
    private static let settings = Mutex<ExecutionContext>(Engine.initialContext())

    /// The default context every operation uses unless given another.
    public static var defaultContext: ExecutionContext { settings.withLock { $0 } }

    /// Changes the process-wide default back end and/or thread count.
    /// - Throws: ``EngineError/invalidThreadCount(_:)`` for `threads < 1`.
    public static func setDefault(backend: Backend? = nil, threads: Int? = nil) throws {
        if let t = threads, t < 1 { throw EngineError.invalidThreadCount(t) }
        settings.withLock { ctx in
            if let b = backend { ctx.backend = b }
            if let t = threads { ctx.threads = t }
        }
    }

    /// Cores this process may run on (its CPU affinity mask).
    public static let availableCores: Int = Int(reckit_available_cores())

    private static func initialContext() -> ExecutionContext {
        reckit_blas_initialize()
        var ctx = ExecutionContext(backend: .blas, threads: availableCores)
        if let b = environment("RECKIT_BACKEND") {
            if let parsed = try? Backend(parsing: b) { ctx.backend = parsed } else {
                warn("RECKIT_BACKEND=\(b) ignored: use 'blas' or 'swift'")
            }
        }
        if let t = environment("RECKIT_THREADS") {
            if let n = Int(t), n >= 1 { ctx.threads = n } else {
                warn("RECKIT_THREADS=\(t) ignored: it must be a positive integer")
            }
        }
        return ctx
    }

    static func environment(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }

    static func warn(_ message: String) {
        let line = "RecKit: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    // MARK: OpenBLAS threads

    /// Runs `body` — one OpenBLAS call — with OpenBLAS at `n` threads (see `BLASThreadGate`).
    static func withBLASThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        try BLASThreadGate.shared.run(threads: n, body)
    }

    /// OpenBLAS's current thread count.
    public static var blasThreads: Int { Int(reckit_blas_get_threads()) }
}
