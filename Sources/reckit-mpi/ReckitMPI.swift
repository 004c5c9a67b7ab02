import ArgumentParser
import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitDistributed
import RecKitLinearAlgebra

/// `reckit-mpi`: RecKit's distributed jobs, one process per rank, started by `mpirun`
/// (docs/distributed.md). Rank 0 prints progress and errors; every rank exits non-zero when any
/// rank fails.
@main
struct ReckitMPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reckit-mpi",
        abstract: "RecKit across MPI ranks: ALS and truncated SVD over a rating file, with checkpoints and merged top-k.",
        discussion: "Run under mpirun, e.g. mpirun -np 4 reckit-mpi als ratings.csv --factors 64 --out als64. See docs/distributed.md.",
        subcommands: [ALSJob.self, SVDJob.self]
    )

    /// Runs a job's body on every rank: errors are printed once (by rank 0, or by the rank that
    /// hit an MPI failure) and every rank exits 1.
    static func runJob(quiet: Bool, _ body: (Communicator, RankReporter) throws -> Void) throws {
        let comm: Communicator
        do { comm = try Communicator.world() } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let reporter = RankReporter(rank: comm.rank, quiet: quiet)
        do {
            try body(comm, reporter)
        } catch let DistributedError.rankFailed(rank, message) {
            if comm.isRoot { reporter.error(comm.size > 1 ? "rank \(rank): \(message)" : message) }
            comm.finalize()
            throw ExitCode(1)
        } catch let error as DistributedError {
            // An MPI call failed: the job cannot agree on anything any more; end every rank now.
            reporter.error("rank \(comm.rank): \(error)", everyRank: true)
            comm.abort(code: 1)
        } catch {
            // Errors before any collective (argument checks the ranks make alike).
            if comm.isRoot { reporter.error("\(error)") }
            comm.finalize()
            throw ExitCode(1)
        }
        comm.finalize()
    }
}

/// Messages of one rank: progress and notes from rank 0 only, to standard error.
struct RankReporter {
    let rank: Int
    let quiet: Bool

    func note(_ text: String) {
        guard rank == 0, !quiet else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func error(_ text: String, everyRank: Bool = false) {
        guard rank == 0 || everyRank else { return }
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }
}

/// The rating-file options every job shares (as `reckit`'s, docs/cli.md).
struct RatingInput: ParsableArguments {
    @Argument(help: "The rating file (delimited: CSV, TSV, MovieLens; each rank reads its share of the bytes).") var file: String
    @Option(help: "Field delimiter: tab, comma, semicolon, pipe, '::', whitespace, or one character (default: read from the file).") var delimiter: String?
    @Option(help: ArgumentHelp("The fields as user,item[,rating[,timestamp]]: positions from 0 or header names (default: read from the file).", valueName: "fields"))
    var columns: String?
    @Flag(inversion: .prefixedNo, help: "Whether the first line is a header (default: read from the file).") var header: Bool?
    @Option(help: ArgumentHelp("Allowed rating range, e.g. 1:5; ratings outside it are bad lines.", valueName: "min:max")) var ratingRange: String?
    @Flag(help: "Skip bad lines and count them instead of stopping at the first one.") var lenient = false
    @Option(help: "How to merge repeated (user, item) pairs: last, mean or sum.") var duplicates: DuplicatePolicy = .keepLast
    @Option(help: "Threads per rank (default: 1 — one rank per core).") var threads = 1

    func hints() throws -> FormatHints {
        var h = FormatHints()
        if let delimiter {
            guard let d = RatingFileFormat.Delimiter(named: delimiter) else {
                throw ValidationError("--delimiter must be tab, comma, semicolon, pipe, '::', whitespace or one character")
            }
            h.delimiter = d
        }
        h.header = header
        if let columns {
            do { h.columns = try ColumnSelection(parsing: columns) } catch { throw ValidationError("\(error)") }
        }
        return h
    }

    func loadOptions() throws -> LoadOptions {
        var o = LoadOptions(mode: lenient ? .lenient : .strict, threads: threads)
        o.duplicates = duplicates
        if let ratingRange {
            guard let scale = LoadOptions.ratingScale(parsing: ratingRange) else { throw ValidationError("--rating-range must look like 1:5, got '\(ratingRange)'") }
            o.ratingScale = scale
        }
        return o
    }

    var context: ExecutionContext { ExecutionContext.current.with(threads: threads) }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        _ = try hints()
        _ = try loadOptions()
    }
}

extension DuplicatePolicy: ExpressibleByArgument {}
