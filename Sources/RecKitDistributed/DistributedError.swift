import RecKitLinearAlgebra

/// What goes wrong in a distributed job.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    /// An MPI call failed (a lost rank, a broken connection, …).
    case mpi(call: String, message: String)
    /// A rank failed; every rank throws this, naming the lowest rank that failed and its error.
    case rankFailed(rank: Int, message: String)
    /// A checkpoint cannot be resumed by this job.
    case checkpoint(path: String, reason: String)
    /// A size beyond what one exchange can carry.
    case tooLarge(String)
    /// Options this job cannot run with.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .mpi(let call, let message): return "\(call) failed: \(message)"
        case .rankFailed(let rank, let message): return "rank \(rank): \(message)"
        case .checkpoint(let path, let reason): return "checkpoint \(path): \(reason)"
        case .tooLarge(let what): return "too large: \(what)"
        case .invalidOption(let what): return what
        }
    }
}

extension DistributedError {
    /// Refuses, before allocating, work that needs more memory than this machine has available.
    static func checkMemory(_ bytes: Double, for what: String) throws {
        guard let available = MemoryBudget.availableBytes, bytes > Double(available) else { return }
        throw DistributedError.tooLarge("\(what) would need about \(MemoryBudget.describe(bytes)); this machine has \(MemoryBudget.describe(Double(available))) available per process")
    }
}
