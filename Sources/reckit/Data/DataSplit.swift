import ArgumentParser
import Foundation
import RecKit

extension DataCommand {
    struct Split: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Split ratings into train and test files, deterministically for a seed.")
        @Argument(help: "The rating file.") var file: String
        @OptionGroup var input: RatingFileOptions
        @Option(help: "random, kfold, per-user, leave-last-out, temporal.") var method = "random"
        @Option(help: "Test share for random, per-user and temporal.") var testFraction = 0.2
        @Option(help: "Folds for kfold.") var folds = 5
        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Output folder (train/test files in the output format).") var out: String?
        @Option(help: .hidden) var outDir: String?
        @Option(help: "Output format: csv, mtx or rkds.") var outFormat = "csv"
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.apply()
            if outDir != nil { deprecated("--out-dir", use: "--out") }
            guard let folder = out ?? outDir else { throw ValidationError("give --out FOLDER") }
            try OutputGuard.check(inputs: [file], outputs: [("--out", folder)], folders: ["--out"])
            guard ["csv", "mtx", "rkds"].contains(outFormat) else { throw ValidationError("--out-format must be csv, mtx or rkds") }
            try AtomicOutput.checkFolder(folder, flag: "--out", owns: Self.isSplitFile)
            let d = try input.load(file)
            let splits: [RatingSplit]
            switch method {
            case "random": splits = [try d.randomHoldout(testFraction: testFraction, seed: seed)]
            case "kfold": splits = try d.kFold(folds, seed: seed)
            case "per-user": splits = [try d.perUserHoldout(testFraction: testFraction, seed: seed)]
            case "leave-last-out":
                if d.timestamps == nil { Reporter.shared.warning("\(file) has no timestamps: each user's held-out interaction is a random one") }
                splits = [d.leaveLastOut(seed: seed)]
            case "temporal":
                guard d.timestamps != nil else { throw ValidationError("--method temporal needs timestamps, and \(file) has none (give the field with --columns)") }
                splits = [try d.temporalSplit(testFraction: testFraction)]
            default: throw ValidationError("--method must be random, kfold, per-user, leave-last-out or temporal")
            }
            // The folder is replaced as a whole: a kill leaves the old splits or the new ones, never a mix.
            try AtomicOutput.writeFolder(folder) { staging in
                for (f, s) in splits.enumerated() {
                    let suffix = splits.count > 1 ? "\(f + 1)" : ""
                    try write(s.train, to: "\(staging)/train\(suffix).\(outFormat)")
                    try write(s.test, to: "\(staging)/test\(suffix).\(outFormat)")
                }
            }
            for (f, s) in splits.enumerated() { note("split \(f + 1): \(s.train.ratingCount) train, \(s.test.ratingCount) test ratings") }
        }

        /// Whether a file in an existing --out folder is one a split writes (train[N]/test[N] in a
        /// format): the folder is replaced whole, so it may hold nothing else.
        static func isSplitFile(_ name: String) -> Bool {
            let parts = name.split(separator: ".")
            guard parts.count == 2, ["csv", "mtx", "rkds"].contains(parts[1]) else { return false }
            for stem in ["train", "test"] where parts[0].hasPrefix(stem) {
                let rest = parts[0].dropFirst(stem.count)
                if rest.allSatisfy(\.isNumber) { return true }
            }
            return false
        }
    }
}
