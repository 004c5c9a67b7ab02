import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

/// `reckit svd`: the truncated SVD of a rating file, written as NumPy arrays.
struct SVDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "Truncated SVD of a rating file: writes U.npy, s.npy and Vt.npy (rows are users, columns items).",
        discussion: """
            A = U·diag(s)·Vt for the top --rank singular triplets of the user × item rating matrix (missing
            ratings are zeros). OUT also gets users.txt and items.txt: the original id of each row of U and
            each column of Vt. Every triplet's residual ‖(A·vᵢ − σᵢ·uᵢ, Aᵀ·uᵢ − σᵢ·vᵢ)‖ is measured after the
            solve; --json records the largest relative to σ₁ as max_residual.
            Example: reckit svd ratings.csv --rank 64 --out svd64 --json svd64.json
            """)

    @Argument(help: "The rating file.") var file: String
    @OptionGroup var input: RatingFileOptions
    @Option(help: "Number of singular triplets k (1…min(users, items)).") var rank: Int
    @Option(help: "lanczos (to working precision) or randomized (Halko–Martinsson–Tropp; faster, approximate).") var method = "lanczos"
    @Option(help: "double or float.") var precision = "double"
    @Option(help: .hidden) var dtype: String?
    @Option(help: "Randomised: power iterations.") var powerIterations = 4
    @Option(help: "Randomised: extra sketch columns beyond the rank.") var oversampling = 10
    @Option(help: "Randomised, Double: the precision of the sketch and power iterations, double or float (Float sketch, Double projection and results; docs/svd.md).")
    var sketchPrecision = "double"
    @Option(help: "Lanczos: residual tolerance relative to σ₁ (default 1e-13 in Double, 1e-6 in Float).") var tolerance: Double?
    @Flag(help: "Subtract each item's mean rating (over all users, zeros included) without densifying: the SVD of the centred matrix (PCA).")
    var center = false
    @Option(help: "Seed of the random start vectors.") var seed: UInt64 = 0
    @Option(help: "Output folder (created if missing).") var out: String
    @Option(help: "Write timings and accuracy as JSON to this file (schema reckit-svd/1, docs/cli.md).") var json: String?
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var output: OutputOptions

    /// The options' values in range (checked when the command runs, so that a mistake prints the
    /// error and no usage text).
    func check() throws {
        guard rank >= 1 else { throw ValidationError("--rank must be ≥ 1") }
        guard ["lanczos", "randomized"].contains(method) else { throw ValidationError("--method must be lanczos or randomized") }
        guard ["double", "float"].contains(sketchPrecision) else { throw ValidationError("--sketch-precision must be double or float") }
        guard ["double", "float"].contains(dtype ?? precision) else { throw ValidationError("--precision must be double or float") }
        guard powerIterations >= 0, oversampling >= 0 else { throw ValidationError("--power-iterations and --oversampling must be ≥ 0") }
        if let tolerance { guard tolerance > 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a positive number") } }
    }

    func run() throws {
        try output.apply()
        try OutputGuard.check(inputs: [file], outputs: [("--out", out), ("--json", json)], folders: ["--out"])
        try AtomicOutput.checkFolder(out, flag: "--out", owns: Self.writes.contains)
        try check()
        if let dtype { deprecated("--dtype", use: "--precision \(dtype)") }
        let precision = dtype ?? self.precision
        let context = try execution.context(command: "svd")
        let clock = ContinuousClock()
        var start = clock.now
        let data = try input.load(file, threads: context.threads)
        let secondsLoad = (clock.now - start).seconds
        let limit = min(data.userCount, data.itemCount)
        guard rank <= limit else {
            throw ValidationError("--rank \(rank) exceeds min(users, items) = \(limit) of \(file) (\(data.userCount) users × \(data.itemCount) items)")
        }
        note("\(method) SVD of \(data.userCount) users × \(data.itemCount) items, k = \(rank), \(precision), "
             + "\(context.backend.rawValue) × \(context.threads) thread(s)")
        Reporter.shared.startJob()
        Reporter.shared.status("\(method) SVD, k = \(rank): solving")
        start = clock.now
        var summary: Summary?
        var secondsSolve = 0.0
        // The folder is replaced as a whole: a kill at any moment leaves the old five files or the new five.
        try AtomicOutput.writeFolder(out) { folder in
            summary = precision == "double" ? try solve(data, as: Double.self, into: folder, context: context)
                                            : try solve(data, as: Float.self, into: folder, context: context)
            secondsSolve = (clock.now - start).seconds
            try writeIDs(data, into: folder)
        }
        guard let summary else { return }
        Reporter.shared.clearStatus()
        note("wrote \(out)/U.npy (\(data.userCount)×\(rank)), s.npy, Vt.npy (\(rank)×\(data.itemCount)), users.txt, items.txt")
        print(String(format: "solve %.3f s (load %.3f s); σ₁ = %.6g, σ_k = %.6g; max residual %.2e·σ₁; %@",
                     secondsSolve, secondsLoad, summary.singularValues.first ?? 0, summary.singularValues.last ?? 0,
                     summary.maxRelativeResidual, summary.converged ? "all residuals within tolerance" : "residuals above the tolerance (raise --power-iterations, or use --method lanczos)"))
        if let json {
            let doc = SVDDocument(file: file, rows: data.userCount, columns: data.itemCount, nnz: data.ratingCount, rank: rank,
                                  method: method, precision: precision, backend: context.backend.rawValue,
                                  sketchPrecision: method == "randomized" && precision == "double" ? sketchPrecision : precision, threads: context.threads, centered: center,
                                  secondsLoad: secondsLoad, secondsSolve: secondsSolve, maxResidual: summary.maxRelativeResidual,
                                  converged: summary.converged, iterations: summary.iterations, singularValues: summary.singularValues,
                                  residuals: summary.residuals)
            try Report.writeJSON(JSONDocument(schema: "reckit-svd/1", body: doc), to: json)
            note("wrote \(json)")
        }
    }

    struct Summary {
        var singularValues: [Double]
        var residuals: [Double]
        var maxRelativeResidual: Double
        var converged: Bool
        var iterations: Int
    }

    /// The files `--out` holds; an existing folder may hold these only, since it is replaced whole.
    static let writes: Set<String> = ["U.npy", "s.npy", "Vt.npy", "users.txt", "items.txt"]

    func solve<T: Scalar>(_ data: RatingDataset, as _: T.Type, into folder: String, context: ExecutionContext) throws -> Summary {
        let a = SparseOperator(data.ratings.converted(to: T.self))
        let result: TruncatedSVD<T>
        if center {
            let means = data.ratings.columnStatistics().sums.map { T($0 / Double(data.userCount)) }
            result = try decompose(try CenteredOperator(a, columnMeans: means), context: context)
        } else {
            result = try decompose(a, context: context)
        }
        try NumPy.write(result.u, to: "\(folder)/U.npy")
        try NumPy.write(result.singularValues, to: "\(folder)/s.npy")
        try NumPy.write(result.vt, to: "\(folder)/Vt.npy")
        return Summary(singularValues: result.singularValues.map(\.doubleValue), residuals: result.residuals,
                       maxRelativeResidual: result.maxRelativeResidual, converged: result.converged, iterations: result.iterations)
    }

    func decompose<Op: MatrixOperator>(_ a: Op, context: ExecutionContext) throws -> TruncatedSVD<Op.Element> {
        if method == "lanczos" {
            return try SingularValues.lanczos(a, rank: rank, options: LanczosSVDOptions(tolerance: tolerance, seed: seed), context: context)
        }
        return try SingularValues.randomized(a, rank: rank, options: RandomizedSVDOptions(oversampling: oversampling, powerIterations: powerIterations,
                                                                                         seed: seed, sketchPrecision: sketchPrecision == "float" ? .float : .element),
                                             context: context)
    }

    func writeIDs(_ data: RatingDataset, into folder: String) throws {
        try data.userIDs.writeList(to: "\(folder)/users.txt")
        try data.itemIDs.writeList(to: "\(folder)/items.txt")
    }
}

/// `reckit svd --json`.
struct SVDDocument: Encodable {
    var file: String
    var rows, columns, nnz, rank: Int
    var method, precision, backend: String
    /// randomized: the precision of the sketch and power iterations; lanczos: the precision
    var sketchPrecision: String
    var threads: Int
    var centered: Bool
    var secondsLoad, secondsSolve: Double
    /// max over triplets of the residual, relative to σ₁
    var maxResidual: Double
    var converged: Bool
    var iterations: Int
    var singularValues: [Double]
    var residuals: [Double]

    enum CodingKeys: String, CodingKey {
        case file, rows, columns, nnz, rank, method, precision, backend, threads, centered, converged, iterations, residuals
        case sketchPrecision = "sketch_precision"
        case secondsLoad = "seconds_load", secondsSolve = "seconds_solve", maxResidual = "max_residual", singularValues = "singular_values"
    }
}
