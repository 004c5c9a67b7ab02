import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct All: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "all",
            abstract: "Every suite with its defaults (the main job): GEMM and batched GEMM, sparse × dense products, truncated SVD (Lanczos, randomised), ALS iterations (2 each), biased-MF SGD epochs (3) and Bayesian MF Gibbs sweeps (3) on a 2 M-rating synthetic matrix, NeuMF and SASRec training epochs, full-ranking top-k.")
        @Argument(help: "Suites to run, in any order (default: every one): \(All.suiteNames.joined(separator: ", ")).")
        var suites: [String] = []
        @OptionGroup var common: Common

        static var suiteNames: [String] { BenchmarkSuite.allCases.map(\.rawValue) }

        func run() throws {
            let scale = try common.matrixSize()
            let chosen = try suites.isEmpty ? BenchmarkSuite.allCases : suites.map { name in
                guard let suite = BenchmarkSuite(rawValue: name) else {
                    throw ValidationError("unknown suite '\(name)'; the suites are \(Self.suiteNames.joined(separator: ", "))")
                }
                return suite
            }
            let ordered = BenchmarkSuite.allCases.filter(chosen.contains)
            let threads = try common.threadList(), backends = try common.backendList()
            try runSuite(name: suites.isEmpty ? "all" : ordered.map(\.rawValue).joined(separator: "+"), common: common) { progress in
                try ordered.flatMap { try $0.runWithDefaults(threads: threads, backends: backends, scale: scale, progress: progress) }
            }
        }
    }
}
