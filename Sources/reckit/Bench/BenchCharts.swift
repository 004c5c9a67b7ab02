import ArgumentParser
import Foundation
import RecKit
import RecKitBenchmarks

extension Bench {
    struct ChartsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "charts",
            abstract: "Draw the charts and the HTML page of a `reckit bench --json` file again (also of a run stopped early).")
        @Argument(help: "A JSON file written by reckit bench --json.") var file: String
        @Option(help: "Write the charts as SVG files (speedup.svg, backends.svg, gflops.svg) into this directory.") var svg: String?
        @Option(help: "Write an HTML page with the charts and the rows grouped by suite to this file.") var html: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try output.apply()
            guard svg != nil || html != nil else { throw ValidationError("give --svg DIR, --html FILE or both") }
            try OutputGuard.check(inputs: [file], outputs: [("--html", html), ("--svg", svg)], folders: ["--svg"])
            let document = try BenchmarkDocument.read(path: file)
            if document.complete == false { Reporter.shared.warning("\(file) is from a run that did not finish: \(document.rows.count) rows") }
            try writeCharts(document, svg: svg, html: html)
        }
    }
}

/// Writes the SVG charts into `svg` (created if missing) and the HTML page to `html`.
func writeCharts(_ document: BenchmarkDocument, svg: String?, html: String?) throws {
    if let path = html {
        try AtomicOutput.write(Charts.html(document), to: path)
        note("wrote \(path)")
    }
    if let dir = svg {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let charts = Charts.svgFiles(document)
        for (file, text) in charts {
            try AtomicOutput.write(text, to: dir + "/" + file)
        }
        note("wrote \(charts.map { dir + "/" + $0.file }.joined(separator: ", "))")
    }
}
