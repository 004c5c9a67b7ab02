import ArgumentParser
import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitDistributed
import RecKitLinearAlgebra

/// `reckit-mpi svd`: truncated SVD by Lanczos across the ranks (``DistributedSVD``); the output
/// folder is laid out as `reckit svd`'s.
struct SVDJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Truncated SVD (Lanczos) of a rating file across MPI ranks: writes U.npy, s.npy, Vt.npy, users.txt, items.txt.",
        discussion: "Example: mpirun -np 4 reckit-mpi svd ratings.csv --rank 64 --out svd64"
    )

    @OptionGroup var input: RatingInput
    @Option(help: "Number of singular triplets k.") var rank: Int
    @Option(help: "double or float.") var precision = "double"
    @Option(help: "Residual tolerance relative to σ₁ (default 1e-13 in Double, 1e-6 in Float).") var tolerance: Double?
    @Option(help: "Seed of the random start vector.") var seed: UInt64 = 0
    @Option(help: "Output folder (created if missing; replaced as a whole).") var out: String
    @Option(help: "Write timings, residuals and bytes sent as JSON (schema reckit-mpi-svd/1).") var json: String?
    @Flag(name: .shortAndLong, help: "Write nothing to standard error but errors.") var quiet = false

    static let writes: Set<String> = ["U.npy", "s.npy", "Vt.npy", "users.txt", "items.txt"]

    func validate() throws {
        guard rank >= 1 else { throw ValidationError("--rank must be ≥ 1, got \(rank)") }
        guard ["float", "double"].contains(precision) else { throw ValidationError("--precision must be float or double, got '\(precision)'") }
        if let tolerance, !(tolerance > 0 && tolerance < 1) { throw ValidationError("--tolerance must be in (0, 1), got \(tolerance)") }
        let outputs = [out, json].compactMap { $0 }.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        guard !outputs.contains(URL(fileURLWithPath: input.file).standardizedFileURL.path) else { throw ValidationError("an output names the input file \(input.file)") }
        guard Set(outputs).count == outputs.count else { throw ValidationError("--out and --json name the same path") }
    }

    func run() throws {
        try ReckitMPI.runJob(quiet: quiet) { comm, reporter in
            try comm.together { try AtomicOutput.checkFolder(out, flag: "--out", owns: Self.writes.contains) }
            let loadStart = Communicator.wallTime
            let data = try DistributedRatings.load(path: input.file, hints: try input.hints(), options: try input.loadOptions(), communicator: comm)
            let loadSeconds = Communicator.wallTime - loadStart
            reporter.note("read \(data.report.file): \(data.ratingCount) ratings, \(data.userCount) users × \(data.itemCount) items over \(comm.size) rank(s)")
            try comm.together {
                guard rank <= min(data.userCount, data.itemCount) else {
                    throw ValidationError("--rank \(rank) exceeds min(users, items) = \(min(data.userCount, data.itemCount))")
                }
            }
            let options = LanczosSVDOptions(tolerance: tolerance, seed: seed)
            let started = Communicator.wallTime, sentBefore = comm.bytesSent
            let seconds: Double, residual: Double, converged: Bool, sigma: [Double]
            if precision == "double" {
                let r = try DistributedSVD.lanczos(data, rank: rank, options: options, communicator: comm, context: input.context)
                seconds = Communicator.wallTime - started
                try write(r.u, r.singularValues, r.vt, data: data, comm: comm)
                (residual, converged, sigma) = (r.residuals.max() ?? 0, r.converged, r.singularValues)
            } else {
                let r = try DistributedSVD.lanczosFloat(data, rank: rank, options: options, communicator: comm, context: input.context)
                seconds = Communicator.wallTime - started
                try write(r.u, r.singularValues, r.vt, data: data, comm: comm)
                (residual, converged, sigma) = (r.residuals.max() ?? 0, r.converged, r.singularValues.map(Double.init))
            }
            let sent = comm.bytesSent - sentBefore
            let relative = residual / max(sigma.first ?? 1, .leastNormalMagnitude)
            reporter.note(String(format: "solve %.3f s over %d rank(s); σ₁ = %.6g, σ_k = %.6g; max residual %.3g·σ₁%@", seconds, comm.size,
                                 sigma.first ?? 0, sigma.last ?? 0, relative, converged ? "" : " (not converged)"))
            reporter.note("wrote \(out)/U.npy, s.npy, Vt.npy, users.txt, items.txt")
            if let json {
                let peaks = try comm.allGather([Int64(MemoryBudget.peakResidentBytes)])
                let bytes = try comm.allGather([Int64(sent)])
                try comm.together {
                    guard comm.isRoot else { return }
                    let doc: [String: Any] = [
                        "schema": "reckit-mpi-svd/1", "file": input.file, "ranks": comm.size, "threads_per_rank": input.threads,
                        "precision": precision, "rank": rank, "users": data.userCount, "items": data.itemCount, "ratings": data.ratingCount,
                        "seconds_load": loadSeconds, "seconds_solve": seconds, "max_residual": relative, "converged": converged,
                        "singular_values": sigma, "bytes_sent_by_rank": bytes, "peak_memory_bytes_by_rank": peaks,
                    ]
                    try AtomicOutput.write(try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys]), to: json)
                }
            }
        }
    }

    func write<T: Scalar>(_ u: Matrix<T>, _ s: [T], _ vt: Matrix<T>, data: DistributedRatings, comm: Communicator) throws {
        try comm.together {
            guard comm.isRoot else { return }
            try AtomicOutput.writeFolder(out) { folder in
                try NumPy.write(u, to: folder + "/U.npy")
                try NumPy.write(s, to: folder + "/s.npy")
                try NumPy.write(vt, to: folder + "/Vt.npy")
                try data.userIDs.writeList(to: folder + "/users.txt")
                try data.itemIDs.writeList(to: folder + "/items.txt")
            }
        }
    }
}
