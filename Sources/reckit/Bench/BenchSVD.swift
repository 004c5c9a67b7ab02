import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct SVD: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "svd", abstract: "Truncated SVD (Lanczos, randomised) of a rating matrix, in Double unless --precision says otherwise.")
        @Argument(help: "A rating file (default: a built-in 2 M-rating synthetic matrix), or other suites to run with this one.") var inputs: [String] = []
        @Option(help: "Rank k.") var rank = 64
        @Option(help: "Power iterations of the randomised method.") var powerIterations = 4
        @Option(help: "Oversampling of the randomised method (sketch columns beyond the rank).") var oversampling = 10
        @Option(help: "Write σ of each method to PREFIX-lanczos.npy and PREFIX-randomized.npy.") var singularValues: String?
        @Option(help: "Solvers to run: lanczos, randomized, or both comma-separated.") var method = "lanczos,randomized"
        @Option(help: .hidden) var methods: String?
        @Option(help: "Precision of the matrix, the vectors and every product: double, float, or mixed (Double, the randomised sketch in Float), comma-separated.") var precision = "double"
        @Option(help: "Lanczos: residual tolerance relative to σ₁ (default 1e-13 in Double, 1e-6 in Float).") var tolerance: Double?
        @Option(help: "Lanczos: Krylov subspace size, > the rank (default max(2k, k + 20)).") var subspace: Int?
        @OptionGroup var common: Common

        func run() throws {
            if try Bench.runNamedSuites("svd", inputs, common) { return }
            let file = try Bench.ratingFile(inputs, common)
            var suite = SVDSuite()
            suite.file = file; suite.scale = try common.matrixSize(); suite.rank = rank; suite.powerIterations = powerIterations; suite.oversampling = oversampling; suite.singularValuesPath = singularValues
            guard powerIterations >= 0, oversampling >= 0 else { throw ValidationError("--power-iterations and --oversampling must be ≥ 0") }
            if let tolerance, !(tolerance > 0 && tolerance < 1) { throw ValidationError("--tolerance must be in (0, 1), got \(tolerance)") }
            suite.tolerance = tolerance
            if let subspace, subspace <= rank { throw ValidationError("--subspace must be greater than the rank \(rank), got \(subspace)") }
            suite.subspace = subspace
            if let methods { deprecated("reckit bench svd --methods", use: "--method \(methods)") }
            suite.methods = (methods ?? method).split(separator: ",").map(String.init)
            for m in suite.methods where !["lanczos", "randomized"].contains(m) { throw ValidationError("--method: unknown solver '\(m)' (lanczos, randomized)") }
            suite.precisions = precision.split(separator: ",").map(String.init)
            for p in suite.precisions where !["double", "float", "mixed"].contains(p) { throw ValidationError("--precision: unknown precision '\(p)' (double, float, mixed)") }
            suite.threads = try common.threadList()
            suite.backends = try common.backendList()
            try runSuite(name: "svd", common: common) { progress in try suite.run(progress: progress) }
        }
    }
}
