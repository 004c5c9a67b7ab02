import ArgumentParser
import RecKit

/// Back end and threads for a command.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Back end: blas or swift.") var backend: String?

    func context() throws -> ExecutionContext {
        var c = ExecutionContext.current
        if let threads { guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }; c.threads = threads }
        if let backend { c.backend = try Backend(parsing: backend) }
        return c
    }
}
