import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare two `reckit bench --json` files: every matched row's time ratio, regressions beyond a threshold (exit status 1 if any).")
        @Argument(help: "The earlier run's JSON.") var old: String
        @Argument(help: "The later run's JSON.") var new: String
        @Option(help: "A row regresses when its time grows by more than this factor (1.3: 30 % slower).") var threshold = 1.3
        @OptionGroup var output: OutputOptions

        func run() throws {
            guard threshold > 1, threshold.isFinite else { throw ValidationError("--threshold must be > 1, got \(threshold)") }
            try output.apply()
            let a = try BenchmarkDocument.read(path: old), b = try BenchmarkDocument.read(path: new)
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
}
