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
