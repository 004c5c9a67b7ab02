import ArgumentParser
import RecKit

/// Back end and threads: `--backend blas|swift` and `--threads N`, each one value or a
/// comma-separated list. Benchmarks run every combination of the lists; the other commands run
/// once and take one value.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Worker threads: one count, or a list for benchmarks, e.g. 1,2 (default: all cores; benchmarks: 1, 2, … up to the cores).")
    var threads: String?
    @Option(help: "Back end: blas or swift, or a list for benchmarks (default: RECKIT_BACKEND, else blas; benchmarks: both).")
    var backend: String?

    /// The context of a command that runs once.
    func context(command: String) throws -> ExecutionContext {
        var c = ExecutionContext.current
        if let threads {
            let list = try parseThreads(threads)
            guard list.count == 1 else { throw ValidationError("\(command) runs once: give --threads one value, not \(threads)") }
            c.threads = list[0]
        }
        if let backend {
            let list = try parseBackends(backend)
            guard list.count == 1 else { throw ValidationError("\(command) runs once: give --backend one value, not \(backend)") }
            c.backend = list[0]
        }
        return c
    }

    /// The thread counts of a benchmark.
    func threadList() throws -> [Int] { try threads.map(parseThreads) ?? defaultThreadList }

    /// The back ends of a benchmark.
    func backendList() throws -> [Backend] { try backend.map(parseBackends) ?? Backend.allCases }
}

/// `--quiet` and `--verbose`, on every command (see ``Reporter``).
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Write nothing to standard error but errors.") var quiet = false
    @Flag(help: "Write every progress event and detail to standard error, one line each.") var verbose = false

    func apply() throws {
        guard !(quiet && verbose) else { throw ValidationError("--quiet and --verbose exclude each other") }
        Reporter.shared.configure(quiet: quiet, verbose: verbose)
    }
}

/// A deprecated spelling that still works in this release: a warning naming the new one.
func deprecated(_ old: String, use new: String) {
    Reporter.shared.warning("\(old) is deprecated and will be removed in the next release; write \(new)")
}
