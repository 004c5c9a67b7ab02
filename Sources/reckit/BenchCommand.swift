import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark OpenBLAS against pure Swift across thread counts.",
        subcommands: [All.self, GEMM.self, Sparse.self, SVD.self, ALS.self, SGD.self, Neural.self, Scoring.self, Load.self, Compare.self],
        defaultSubcommand: All.self
    )

    /// Options every suite shares.
    struct Common: ParsableArguments {
        @Option(help: "Comma-separated thread counts (default: 1, 2, … up to the cores).")
        var threads: String?
        @Option(help: "Comma-separated back ends: blas, swift.")
        var backend = "blas,swift"
        @Option(help: "Write the rows as JSON to this file (schema in docs/benchmarks.md).")
        var json: String?
        @Option(help: "Write an HTML page with the charts and the table to this file.")
        var html: String?
        @Option(help: "Write the charts as SVG files (speedup.svg, backends.svg) into this directory.")
        var svg: String?
        @Option(help: "OpenBLAS kernel to use (e.g. Haswell, SkylakeX, auto); refused if this CPU cannot run it.")
        var blasKernel: String?
        @Option(help: "The synthetic rating matrix of the sparse, SVD, ALS and SGD suites: 2m (default), 20m or 100m ratings.")
        var scale: String?

        /// Applies `--blas-kernel` before any BLAS work starts.
        func applyKernel() throws {
            guard let k = blasKernel else { return }
            do { try BLASKernel.select(k) } catch { throw ValidationError("\(error)") }
        }

        func threadList() throws -> [Int] { try threads.map(parseThreads) ?? defaultThreadList }

        /// `--scale`, or the 2 M default.
        func scaleValue() throws -> BenchmarkScale {
            guard let scale else { return .m2 }
            guard let value = BenchmarkScale(rawValue: scale.lowercased()) else {
                throw ValidationError("--scale must be one of \(BenchmarkScale.allCases.map(\.rawValue).joined(separator: ", ")), got '\(scale)'")
            }
            return value
        }

        /// Refuses `--scale` where it would be ignored.
        func refuseScale(_ reason: String) throws {
            if let scale { throw ValidationError("--scale \(scale) does not apply: \(reason)") }
        }
        func backendList() throws -> [Backend] { try parseBackends(backend) }
    }

    struct GEMM: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GEMM and batched-GEMM throughput (Float and Double).")
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench gemm svd als`).") var others: [String] = []
        @OptionGroup var common: Common
        @Option(help: "Comma-separated matrix orders.")
        var sizes = "256,1024,2048"
        @Option(help: "Comma-separated precisions: float, double.")
        var dtype = "float,double"
        @Option(help: "Batched GEMM: number of products (0 skips it).")
        var batch = 10_000
        @Option(help: "Batched GEMM: order of each small matrix.")
        var batchOrder = 64

        func run() throws {
            if try Bench.runNamedSuites("gemm", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            try common.refuseScale("the gemm suite has no rating matrix")
            var suite = GEMMSuite()
            suite.sizes = try parseList(sizes, what: "sizes") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
            suite.dtypes = try parseList(dtype, what: "dtype") { DType(rawValue: $0.lowercased()) }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            guard batch >= 0, batchOrder >= 1 else { throw ValidationError("--batch must be ≥ 0 and --batch-order ≥ 1") }
            suite.batchCount = batch
            suite.batchOrder = batchOrder
            try runSuite(name: "gemm", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load", abstract: "Parse a rating file into CSR, write its binary cache and reload it (median times, peak memory).")
        @Argument(help: "A rating file (e.g. the 20 M-line synthetic CSV).") var file: String
        @OptionGroup var common: Common

        func run() throws {
            try common.refuseScale("the load suite reads the rating file it is given")
            var suite = LoadSuite(file: file)
            suite.threads = try common.threadList()
            try runSuite(name: "load", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct Scoring: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Top-k for every user of a factor model (blocked GEMM + heap selection).")
        @Option(help: "Users.") var users = 6_000
        @Option(help: "Items.") var items = 4_000
        @Option(help: "Factors.") var factors = 64
        @Option(help: "Items per user.") var k = 10
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench scoring svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("scoring", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            try common.refuseScale("the scoring suite has no rating matrix")
            var suite = ScoringSuite()
            suite.users = users; suite.items = items; suite.factors = factors; suite.k = k
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "scoring", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct Sparse: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sparse", abstract: "Sparse × dense products (A·B, Aᵀ·B) on a synthetic rating matrix.")
        @Option(help: "Ratings in the synthetic matrix, for sizes between the scales (users = ratings / 20, items = ratings / 100).") var ratings: Int?
        @Option(help: "Dense columns.") var columns = 64
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench sparse svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("sparse", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            var suite = SparseSuite()
            if let ratings {
                try common.refuseScale("--ratings \(ratings) already sets the matrix")
                guard ratings >= 100 else { throw ValidationError("--ratings must be ≥ 100, got \(ratings)") }
                suite.ratings = ratings; suite.users = ratings / 20; suite.items = max(100, ratings / 100)
            } else {
                suite.use(try common.scaleValue())
            }
            guard columns >= 1 else { throw ValidationError("--columns must be ≥ 1, got \(columns)") }
            suite.columns = columns
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "sparse", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct SVD: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "svd", abstract: "Truncated SVD (Lanczos, randomised) of a rating matrix in Double.")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Rank k.") var rank = 64
        @Option(help: "Power iterations of the randomised method.") var powerIterations = 4
        @Option(help: "Write σ of each method to PREFIX-lanczos.npy and PREFIX-randomized.npy.") var singularValues: String?
        @Option(help: "Solvers to run, comma-separated: lanczos, randomized.") var methods = "lanczos,randomized"
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("svd", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            var suite = SVDSuite()
            suite.file = file; suite.scale = try common.scaleValue(); suite.rank = rank; suite.powerIterations = powerIterations; suite.singularValuesPath = singularValues
            suite.methods = methods.split(separator: ",").map(String.init)
            for m in suite.methods where !["lanczos", "randomized"].contains(m) { throw ValidationError("--methods: unknown solver '\(m)' (lanczos, randomized)") }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "svd", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct ALS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "als",
            abstract: "ALS seconds per iteration in Float: explicit (Cholesky), implicit with conjugate gradient and with Cholesky.")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Latent factors.") var factors = 64
        @Option(help: "Iterations per run (the row reports their median).") var iterations = 3
        @Option(help: "Variants, comma-separated: explicit, implicit_cg, implicit_cholesky.") var variants = "explicit,implicit_cg,implicit_cholesky"
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("als", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            guard factors >= 1, iterations >= 1 else { throw ValidationError("--factors and --iterations must be ≥ 1") }
            var suite = ALSSuite()
            suite.file = file; suite.scale = try common.scaleValue(); suite.factors = factors; suite.iterations = iterations
            suite.variants = variants.split(separator: ",").map(String.init)
            for v in suite.variants where !["explicit", "implicit_cg", "implicit_cholesky"].contains(v) {
                throw ValidationError("--variants: unknown variant '\(v)' (explicit, implicit_cg, implicit_cholesky)")
            }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "als", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct SGD: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sgd",
            abstract: "Biased-MF SGD seconds per epoch in Float (stratified parallel SGD; the shim's kernel against Swift SIMD).")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Latent factors.") var factors = 64
        @Option(help: "Epochs per run (the row reports their median).") var epochs = 3
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("sgd", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            guard factors >= 1, epochs >= 1 else { throw ValidationError("--factors and --epochs must be ≥ 1") }
            var suite = SGDSuite()
            suite.file = file; suite.scale = try common.scaleValue(); suite.factors = factors; suite.epochs = epochs
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "sgd", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct Neural: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "neural",
            abstract: "Neural training: NeuMF (synthetic implicit feedback; data-parallel over threads) and SASRec (synthetic item sequences), seconds per epoch and samples per second.")
        @Option(help: "NeuMF: synthetic interactions (users = interactions / 20, items = interactions / 100, at least 50 each).") var interactions = 50_000
        @Option(help: "SASRec: synthetic users, each with a history of --sequence-length items.") var sequences = 1_000
        @Option(help: "SASRec: history length (the model's maximum length).") var sequenceLength = 50
        @Option(help: "Epochs per run (the row reports their median).") var epochs = 2
        @Argument(help: "Other suites to run with this one (e.g. `reckit bench neural svd als`).") var others: [String] = []
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("neural", others, common) { return }
            guard others.isEmpty else { throw ValidationError("unknown suite '\(others[0])'; the suites are \(All.suiteNames.joined(separator: ", "))") }
            guard interactions >= 100, epochs >= 1, sequences >= 1, sequenceLength >= 2 else {
                throw ValidationError("--interactions must be ≥ 100, --epochs and --sequences ≥ 1, --sequence-length ≥ 2")
            }
            try common.refuseScale("the neural suite has no rating matrix")
            var suite = NeuralSuite()
            suite.interactions = interactions; suite.epochs = epochs
            suite.sequences = sequences; suite.sequenceLength = sequenceLength
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "neural", common: common) { progress in try suite.run(progress: progress) }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare two `reckit bench --json` files: every matched row's time ratio, regressions beyond a threshold (exit status 1 if any).")
        @Argument(help: "The earlier run's JSON.") var old: String
        @Argument(help: "The later run's JSON.") var new: String
        @Option(help: "A row regresses when its time grows by more than this factor (1.3: 30 % slower).") var threshold = 1.3

        func run() throws {
            guard threshold > 1, threshold.isFinite else { throw ValidationError("--threshold must be > 1, got \(threshold)") }
            let a: BenchmarkDocument, b: BenchmarkDocument
            do { a = try BenchmarkDocument.read(path: old); b = try BenchmarkDocument.read(path: new) } catch { throw ValidationError("\(error)") }
            let comparison = BenchmarkComparison(old: a.rows, new: b.rows)
            print(comparison.table(threshold: threshold))
            if !comparison.onlyOld.isEmpty || !comparison.onlyNew.isEmpty {
                note("\(comparison.onlyOld.count) rows only in \(old), \(comparison.onlyNew.count) only in \(new) (not compared)")
            }
            let regressions = comparison.regressions(threshold: threshold)
            if regressions.isEmpty {
                note("no regressions beyond ×\(threshold) in \(comparison.entries.count) matched rows")
            } else {
                note("\(regressions.count) regression\(regressions.count == 1 ? "" : "s") beyond ×\(threshold):")
                for e in regressions {
                    note(String(format: "  %@ %@ n=%d %@ ×%d: %.4g s → %.4g s (×%.2f)", e.new.op, e.new.dtype, e.new.size, e.new.backend, e.new.threads,
                                e.old.seconds, e.new.seconds, e.ratio))
                }
                throw ExitCode(1)
            }
        }
    }

    struct All: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "all",
            abstract: "Every suite with its defaults (the main job): GEMM and batched GEMM, sparse × dense products, truncated SVD (Lanczos, randomised), ALS iterations (2 each) and biased-MF SGD epochs (3) on a 2 M-rating synthetic matrix, NeuMF and SASRec training epochs, full-ranking top-k.")
        @Argument(help: "Suites to run, in any order (default: every one): \(All.suiteNames.joined(separator: ", ")).")
        var suites: [String] = []
        @OptionGroup var common: Common

        static let suiteNames = ["gemm", "sparse", "svd", "als", "sgd", "neural", "scoring"]

        func run() throws {
            let scale = try common.scaleValue()
            for name in suites where !Self.suiteNames.contains(name) {
                throw ValidationError("unknown suite '\(name)'; the suites are \(Self.suiteNames.joined(separator: ", "))")
            }
            let chosen = suites.isEmpty ? Self.suiteNames : Self.suiteNames.filter(suites.contains)
            let threads = try common.threadList(), backends = try common.backendList()
            try runSuite(name: suites.isEmpty ? "all" : chosen.joined(separator: "+"), common: common) { progress in
                var rows: [BenchmarkRow] = []
                for name in chosen {
                    switch name {
                    case "gemm":
                        var s = GEMMSuite(); s.threads = threads; s.backends = backends
                        rows += try s.run(progress: progress)
                    case "sparse":
                        var s = SparseSuite(); s.threads = threads; s.backends = backends; s.use(scale)
                        rows += try s.run(progress: progress)
                    case "svd":
                        var s = SVDSuite(); s.threads = threads; s.backends = backends; s.scale = scale
                        rows += try s.run(progress: progress)
                    case "als":
                        var s = ALSSuite(); s.threads = threads; s.backends = backends; s.iterations = 2; s.scale = scale
                        rows += try s.run(progress: progress)
                    case "sgd":
                        var s = SGDSuite(); s.threads = threads; s.backends = backends; s.scale = scale
                        rows += try s.run(progress: progress)
                    case "neural":
                        var s = NeuralSuite(); s.threads = threads; s.backends = backends
                        rows += try s.run(progress: progress)
                    default:
                        var s = ScoringSuite(); s.threads = threads; s.backends = backends
                        rows += try s.run(progress: progress)
                    }
                }
                return rows
            }
        }
    }

    /// `reckit bench svd als …`: a suite command given other suites' names runs them all, with
    /// the main job's settings for each, in the main job's order.
    static func runNamedSuites(_ first: String, _ others: [String], _ common: Common) throws -> Bool {
        guard !others.isEmpty, others.allSatisfy({ All.suiteNames.contains($0) && !FileManager.default.fileExists(atPath: $0) }) else { return false }
        var all = try All.parse([first] + others)
        all.common = common
        try all.run()
        return true
    }

    /// The rating file among a suite's arguments: none (built-in data) or one.
    static func ratingFile(_ inputs: [String], _ common: Common) throws -> String? {
        guard inputs.count <= 1 else {
            throw ValidationError("give one rating file, or suite names (\(All.suiteNames.joined(separator: ", "))); got \(inputs.joined(separator: " "))")
        }
        if let file = inputs.first { try common.refuseScale("the rating file \(file) is benchmarked instead of a synthetic matrix") }
        return inputs.first
    }
}

func runSuite(name: String, common: Bench.Common, _ body: ((BenchmarkRow) -> Void) throws -> [BenchmarkRow]) throws {
    try common.applyKernel()
    let machine = MachineDescription.current()
    note("reckit bench \(name): \(machine.cpu), OpenBLAS \(machine.openblasVersion) kernel \(machine.openblasKernel)")
    let rows = try body { row in
        let g = row.gflops.map { String(format: "%.1f GFLOP/s", $0) } ?? ""
        note(String(format: "  %@ %@ n=%d %@ ×%d: %.4f s %@", row.op, row.dtype, row.size, row.backend, row.threads, row.seconds, g))
    }
    print(Report.table(rows))
    let document = BenchmarkDocument(suite: name, machine: machine, rows: rows)
    if let path = common.json {
        try Report.writeJSON(document, to: path)
        note("wrote \(path)")
    }
    if let path = common.html {
        try Data(Charts.html(document).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        note("wrote \(path)")
    }
    if let dir = common.svg {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (file, text) in [("speedup.svg", Charts.speedupSVG(rows)), ("backends.svg", Charts.backendSVG(rows))] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + file), options: .atomic)
        }
        note("wrote \(dir)/speedup.svg and \(dir)/backends.svg")
    }
}
