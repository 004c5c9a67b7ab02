import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark OpenBLAS against pure Swift across thread counts.",
        subcommands: [All.self, GEMM.self, Sparse.self, SVD.self, ALS.self, SGD.self, BPMF.self, Neural.self, Scoring.self, Load.self, Distributed.self, Compare.self, ChartsCommand.self],
        defaultSubcommand: All.self
    )

    /// Options every suite shares.
    struct Common: ParsableArguments {
        @OptionGroup var execution: ExecutionOptions
        @Option(help: "Write the rows as JSON to this file, rewritten after every row (schema reckit-bench/2, docs/benchmarks.md).")
        var json: String?
        @Option(help: "Write an HTML page with the charts and the table to this file.")
        var html: String?
        @Option(help: "Write the charts as SVG files (speedup.svg, backends.svg, gflops.svg) into this directory.")
        var svg: String?
        @Option(help: "OpenBLAS kernel to use (e.g. Haswell, SkylakeX, auto); refused if this CPU cannot run it.")
        var blasKernel: String?
        @Option(help: "Pure-Swift kernel tier to use (baseline, avx2, avx512, auto); refused if this CPU cannot run it.")
        var swiftKernel: String?
        @Option(help: "The synthetic rating matrix of the sparse, SVD, ALS and SGD suites: 2m (default), 20m or 100m ratings.")
        var size: String?
        @Option(help: .hidden) var scale: String?
        @OptionGroup var output: OutputOptions

        /// Applies `--quiet`/`--verbose`, `--blas-kernel` and `--swift-kernel` before any work starts.
        func prepare() throws {
            try output.apply()
            try OutputGuard.check(inputs: [], outputs: [("--json", json), ("--html", html), ("--svg", svg)], folders: ["--svg"])
            if let scale { deprecated("reckit bench --scale (the matrix size)", use: "--size \(scale)") }
            do {
                if let k = blasKernel { try BLASKernel.select(k) }
                if let t = swiftKernel { try SwiftKernelTier.select(t) }
            } catch { throw ValidationError("\(error)") }
        }

        func threadList() throws -> [Int] { try execution.threadList() }
        func backendList() throws -> [Backend] { try execution.backendList() }

        /// `--size`, or the 2 M default.
        func matrixSize() throws -> BenchmarkScale {
            guard let size = size ?? scale else { return .m2 }
            guard let value = BenchmarkScale(rawValue: size.lowercased()) else {
                throw ValidationError("--size must be one of \(BenchmarkScale.allCases.map(\.rawValue).joined(separator: ", ")), got '\(size)'")
            }
            return value
        }

        /// Refuses `--size` where it would be ignored.
        func refuseSize(_ reason: String) throws {
            if let size = size ?? scale { throw ValidationError("--size \(size) does not apply: \(reason)") }
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
        if let file = inputs.first { try common.refuseSize("the rating file \(file) is benchmarked instead of a synthetic matrix") }
        return inputs.first
    }
}

/// Runs a suite's body: one progress line per row as it is measured, the table on standard
/// output, and the JSON (rewritten after every row, so a stopped run leaves valid JSON holding
/// the rows it finished), HTML and SVG files asked for.
func runSuite(name: String, common: Bench.Common, _ body: ((BenchmarkRow) -> Void) throws -> [BenchmarkRow]) throws {
    try common.prepare()
    let machine = MachineDescription.current()
    let out = Reporter.shared
    note("reckit bench \(name): \(machine.cpu), \(machine.kernelSummary)")
    var finished: [BenchmarkRow] = []
    var writeError: Error?
    if let path = common.json { try Report.writeJSON(BenchmarkDocument(suite: name, machine: machine, rows: [], complete: false), to: path) }
    out.startJob()
    MemoryWatermark.reset()
    let measured = try body { row in
        var row = row
        row.suite = row.suite ?? name
        finished.append(row)
        let g = row.gflops.map { String(format: ", %.1f GFLOP/s", $0) } ?? ""
        let text = String(format: "%@ %@ n=%d %@ ×%d: %.4f s%@", row.op, row.dtype, row.size, row.backend, row.threads, row.seconds, g)
        if out.level == .verbose { out.detail(text) } else { out.status("row \(finished.count): \(text)") }
        if let path = common.json, writeError == nil {
            do { try Report.writeJSON(BenchmarkDocument(suite: name, machine: machine, rows: finished, complete: false), to: path) } catch { writeError = error }
        }
    }
    if let writeError { throw writeError }
    let rows = measured.map { row in
        var row = row
        row.suite = row.suite ?? name
        return row
    }
    out.clearStatus()
    note(String(format: "measured %d rows in %@", rows.count, Reporter.duration(out.jobSeconds)))
    print(machine.kernelSummary)
    print(Report.table(rows))
    let document = BenchmarkDocument(suite: name, machine: machine, rows: rows)
    if let path = common.json {
        try Report.writeJSON(document, to: path)
        note("wrote \(path)")
    }
    try writeCharts(document, svg: common.svg, html: common.html)
}
