import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension DataCommand {
    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Split ratings into train and test files, deterministically for a seed.")
        @OptionGroup var input: Input
        @Option(help: "random, kfold, per-user, leave-last-out, temporal.") var method = "random"
        @Option(help: "Test share for random, per-user and temporal.") var testFraction = 0.2
        @Option(help: "Folds for kfold.") var folds = 5
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Output folder (train/test files in the output format).") var outDir: String
        @Option(help: "Output format: csv, mtx or rkds.") var outFormat = "csv"

        func run() throws {
            let d = try input.load()
            let splits: [RatingSplit]
            switch method {
            case "random": splits = [try d.randomHoldout(testFraction: testFraction, seed: seed)]
            case "kfold": splits = try d.kFold(folds, seed: seed)
            case "per-user": splits = [try d.perUserHoldout(testFraction: testFraction, seed: seed)]
            case "leave-last-out": splits = [d.leaveLastOut(seed: seed)]
            case "temporal": splits = [try d.temporalSplit(testFraction: testFraction)]
            default: throw ValidationError("--method must be random, kfold, per-user, leave-last-out or temporal")
            }
            guard ["csv", "mtx", "rkds"].contains(outFormat) else { throw ValidationError("--out-format must be csv, mtx or rkds") }
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            for (f, s) in splits.enumerated() {
                let suffix = splits.count > 1 ? "\(f + 1)" : ""
                try write(s.train, to: "\(outDir)/train\(suffix).\(outFormat)")
                try write(s.test, to: "\(outDir)/test\(suffix).\(outFormat)")
                note("split \(f + 1): \(s.train.ratingCount) train, \(s.test.ratingCount) test ratings")
            }
        }
    }
}
