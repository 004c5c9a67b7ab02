import ArgumentParser
import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitDistributed
import RecKitLinearAlgebra

/// `reckit-mpi als`: ALS over the ranks (``DistributedALS``); the factors equal `reckit train als`'s
/// single-process fit with the same options and seed.
struct ALSJob: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "als",
        abstract: "Alternating least squares across MPI ranks: factors, checkpoints, merged top-k.",
        discussion: """
            Each rank reads its share of FILE, solves its block of users (items) each half-sweep and \
            exchanges the solved factors with the other ranks. --out gets users.npy and items.npy \
            (Float32 or Float64 by --precision, rows in users.txt/items.txt order).
            Example: mpirun -np 2 reckit-mpi als ratings.csv --implicit --factors 64 --iterations 10 --out als64 --checkpoint als64.ckpt
            """
    )

    @OptionGroup var input: RatingInput
    @Option(help: "Latent factors.") var factors = 64
    @Option(help: "λ (weighted by counts for explicit ratings).") var regularization = 0.05
    @Option(help: "Alternating sweeps.") var iterations = 15
    @Flag(help: "Implicit feedback: interactions as preferences with confidence 1 + α·r.") var implicit = false
    @Option(help: "Implicit confidence slope α.") var alpha = 0.25
    @Option(help: "cholesky, cg, or automatic (cg for implicit feedback, cholesky for explicit).") var solver = "automatic"
    @Option(help: "Conjugate-gradient steps per sweep.") var cgSteps = 3
    @Option(help: "float or double.") var precision = "float"
    @Option(help: "Seed of the random initial factors.") var seed: UInt64 = 0
    @Option(help: "Write the factors here (a folder: users.npy, items.npy, users.txt, items.txt).") var out: String?
    @Option(help: "Write the top N items of every user (seen items excluded) to --recommendations.") var recommend: Int?
    @Option(help: "The merged user,item,rank,score CSV of --recommend.") var recommendations: String?
    @Option(help: "Keep a checkpoint in this folder (rank 0 writes it; it must be shared by all ranks).") var checkpoint: String?
    @Option(help: "Write the checkpoint every N iterations.") var checkpointEvery = 1
    @Flag(help: "Continue from the checkpoint in --checkpoint.") var resume = false
    @Option(help: "Write timings, bytes sent and peak memory per rank as JSON (schema reckit-mpi-als/1).") var json: String?
    @Flag(name: .shortAndLong, help: "Write nothing to standard error but errors.") var quiet = false

    var options: ALSOptions {
        get throws {
            var o = ALSOptions(factors: factors, regularization: regularization, iterations: iterations,
                               feedback: implicit ? .implicit(alpha: alpha) : .explicit, solver: .cholesky, biases: false, seed: seed)
            switch solver {
            case "automatic": o.solver = implicit ? .conjugateGradient(steps: cgSteps) : .cholesky
            case "cholesky": o.solver = .cholesky
            case "cg": o.solver = .conjugateGradient(steps: cgSteps)
            default: throw ValidationError("--solver must be automatic, cholesky or cg, got '\(solver)'")
            }
            return o
        }
    }

    func validate() throws {
        guard ["float", "double"].contains(precision) else { throw ValidationError("--precision must be float or double, got '\(precision)'") }
        guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every must be ≥ 1, got \(checkpointEvery)") }
        guard !resume || checkpoint != nil else { throw ValidationError("--resume needs --checkpoint FOLDER") }
        guard (recommend == nil) == (recommendations == nil) else { throw ValidationError("--recommend N and --recommendations FILE go together") }
        if let recommend, recommend < 1 { throw ValidationError("--recommend must be ≥ 1, got \(recommend)") }
        do { try options.validate() } catch { throw ValidationError("\(error)") }
        // Outputs must not overwrite the input or each other.
        let outputs = [out, recommendations, checkpoint, json].compactMap { $0 }.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let inputPath = URL(fileURLWithPath: input.file).standardizedFileURL.path
        guard !outputs.contains(inputPath) else { throw ValidationError("an output names the input file \(input.file)") }
        guard Set(outputs).count == outputs.count else { throw ValidationError("two outputs name the same path") }
    }

    func run() throws {
        let options = try self.options
        try ReckitMPI.runJob(quiet: quiet) { comm, reporter in
            try comm.together {
                if let out { try AtomicOutput.checkFolder(out, flag: "--out", owns: ["users.npy", "items.npy", "users.txt", "items.txt"].contains) }
                if let checkpoint { try AtomicOutput.checkFolder(checkpoint, flag: "--checkpoint", owns: ["users.npy", "items.npy", "state.json"].contains) }
            }
            let loadStart = Communicator.wallTime
            let data = try DistributedRatings.load(path: input.file, hints: try input.hints(), options: try input.loadOptions(),
                                                   perRow: options.factors / 3, communicator: comm)
            let loadSeconds = Communicator.wallTime - loadStart
            reporter.note("read \(data.report.file): \(data.ratingCount) ratings, \(data.userCount) users × \(data.itemCount) items "
                          + "over \(comm.size) rank\(comm.size == 1 ? "" : "s") (\(String(format: "%.2f", loadSeconds)) s)")
            if data.report.skippedTotal > 0 || data.report.duplicatesMerged > 0 {
                reporter.note("warning: \(data.report.skippedTotal) bad line(s) skipped on rank 0's part, \(data.report.duplicatesMerged) duplicate(s) merged")
            }
            let checkpointing = checkpoint.map { DistributedALS.Checkpointing(folder: $0, every: checkpointEvery, resume: resume) }
            let progress: (DistributedALS.Progress) -> Void = { p in
                reporter.note(String(format: "iteration %d/%d: loss %.6g, %.3f s, %.1f MB sent by rank 0", p.iteration, p.iterations, p.loss,
                                     p.seconds, Double(p.bytesSent) / 1e6))
            }
            let context = input.context
            let (users, items, summary) = precision == "double"
                ? try finish(try DistributedALS.fitDouble(data, options: options, checkpointing: checkpointing, communicator: comm,
                                                          context: context, progress: progress), data: data, comm: comm, reporter: reporter)
                : try finish(try DistributedALS.fit(data, options: options, checkpointing: checkpointing, communicator: comm,
                                                    context: context, progress: progress), data: data, comm: comm, reporter: reporter)
            if let recommend, let recommendations {
                let rows = try DistributedTopK.write(count: recommend, users: users, items: items, data: data, to: recommendations,
                                                     communicator: comm, context: context)
                reporter.note("wrote \(rows) recommendations for \(data.userCount) users to \(recommendations)")
            }
            if let json {
                try writeReport(json, summary: summary, data: data, loadSeconds: loadSeconds, comm: comm)
                reporter.note("wrote \(json)")
            }
        }
    }

    struct Summary { var losses: [Double]; var seconds: [Double]; var bytes: [Int]; var resumedAfter: Int }

    /// After a fit in either precision: notes a resume, writes `--out`, and returns the factors in
    /// Float for scoring (without a copy when they are Float already) and the figures for `--json`.
    func finish<T: Scalar>(_ r: DistributedALS.Result<T>, data: DistributedRatings, comm: Communicator,
                           reporter: RankReporter) throws -> (Matrix<Float>, Matrix<Float>, Summary) {
        if r.resumedAfter > 0, let checkpoint { reporter.note("resumed after iteration \(r.resumedAfter) from \(checkpoint)") }
        try writeFactors(r.users, r.items, data: data, comm: comm, reporter: reporter)
        return (r.users as? Matrix<Float> ?? r.users.converted(to: Float.self), r.items as? Matrix<Float> ?? r.items.converted(to: Float.self),
                Summary(losses: r.losses, seconds: r.secondsPerIteration, bytes: r.bytesPerIteration, resumedAfter: r.resumedAfter))
    }

    func writeFactors<T: Scalar>(_ users: Matrix<T>, _ items: Matrix<T>, data: DistributedRatings, comm: Communicator, reporter: RankReporter) throws {
        guard let out else { return }
        try comm.together {
            guard comm.isRoot else { return }
            try AtomicOutput.writeFolder(out) { folder in
                try NumPy.write(users, to: folder + "/users.npy")
                try NumPy.write(items, to: folder + "/items.npy")
                try data.userIDs.writeList(to: folder + "/users.txt")
                try data.itemIDs.writeList(to: folder + "/items.txt")
            }
        }
        reporter.note("wrote \(out)/users.npy (\(data.userCount)×\(factors)), items.npy (\(data.itemCount)×\(factors)), users.txt, items.txt")
    }

    /// The job's figures, every rank's bytes and peak memory gathered to all (rank 0 writes).
    func writeReport(_ path: String, summary: Summary, data: DistributedRatings, loadSeconds: Double, comm: Communicator) throws {
        let peaks = try comm.allGather([Int64(MemoryBudget.peakResidentBytes)])
        let bytes = try comm.allGather(summary.bytes.map(Int64.init), counts: Array(repeating: summary.bytes.count, count: comm.size))
        try comm.together {
            guard comm.isRoot else { return }
            let n = summary.bytes.count
            let doc: [String: Any] = [
                "schema": "reckit-mpi-als/1",
                "file": input.file, "ranks": comm.size, "threads_per_rank": input.threads, "precision": precision,
                "factors": factors, "iterations": iterations, "implicit": implicit, "solver": solver, "cg_steps": cgSteps,
                "users": data.userCount, "items": data.itemCount, "ratings": data.ratingCount,
                "seconds_load": loadSeconds, "resumed_after": summary.resumedAfter,
                "losses": summary.losses, "seconds_per_iteration": summary.seconds,
                "bytes_sent_per_iteration_by_rank": (0..<comm.size).map { r in Array(bytes[(r * n)..<((r + 1) * n)]) },
                "peak_memory_bytes_by_rank": peaks,
            ]
            try AtomicOutput.write(try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys]), to: path)
        }
    }
}
