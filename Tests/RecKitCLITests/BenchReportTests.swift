import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import RecKitBenchmarks


/// `reckit bench --json/--html/--svg` and `reckit bench compare`: the JSON follows its documented
/// schema and comes from real runs, the charts are well-formed SVG/XHTML, and `compare` flags an
/// injected 2× slowdown and nothing on identical files.
@Suite struct BenchReportTests {
    /// One small real run (GEMM n = 128, a batched GEMM of 50 products) with every output.
    static func run() throws -> (json: String, html: String, svg: String) {
        let json = CLI.temporaryPath("bench.json"), html = CLI.temporaryPath("bench.html"), svg = CLI.temporaryPath("svg")
        let r = try CLI.run(["bench", "gemm", "--sizes", "128", "--batch", "50", "--threads", "1,2", "--json", json, "--html", html, "--svg", svg])
        #expect(r.status == 0, "\(r.stderr)")
        return (json, html, svg)
    }

    @Test func jsonFollowsTheSchemaAndChartsAreWellFormed() throws {
        let (json, html, svg) = try Self.run()
        defer { for p in [json, html, svg] { try? FileManager.default.removeItem(atPath: p) } }
        // The documented schema: top-level keys, machine keys and every row's required keys and types.
        let top = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(top["schema"] as? String == "reckit-bench/2" && top["suite"] as? String == "gemm")
        let machine = try #require(top["machine"] as? [String: Any])
        for key in ["cpu", "cpu_features", "cores", "openblas_version", "openblas_kernel", "reckit_version", "git_commit"] {
            #expect(machine[key] != nil, "machine lacks \(key)")
        }
        let rows = try #require(top["rows"] as? [[String: Any]])
        // both back ends × both thread counts × (gemm, batched gemm) × (float, double)
        #expect(rows.count == 2 * 2 * 2 * 2)
        for backend in ["blas", "swift"] { for t in [1, 2] { #expect(rows.contains { $0["backend"] as? String == backend && $0["threads"] as? Int == t }) } }
        for row in rows {
            #expect(row["op"] is String && row["params"] is [String: String] && row["dtype"] is String)
            #expect((row["seconds"] as? Double ?? 0) > 0 && (row["seconds_min"] as? Double ?? 0) > 0)
            #expect((row["gflops"] as? Double ?? 0) > 0 && (row["memory_increase_bytes"] as? Int ?? -1) >= 0)
            // the two back ends computed the same products (relative difference, Float or Double)
            #expect((row["agreement"] as? Double ?? 1) < 1e-4, "back ends disagree: \(row)")
        }
        // The decoder reads it back.
        #expect(try BenchmarkDocument.read(path: json).rows.count == rows.count)
        for file in [svg + "/speedup.svg", svg + "/backends.svg", svg + "/gflops.svg"] {
            let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: file))
            #expect(doc.rootElement()?.name == "svg", "\(file)")
            #expect(try doc.nodes(forXPath: "//*[local-name()='path' or local-name()='rect' or local-name()='circle']").count >= 4, "\(file) draws nothing")
        }
        let page = try XMLDocument(contentsOf: URL(fileURLWithPath: html))
        #expect(try page.nodes(forXPath: "//*[local-name()='svg']").count == 3)
        #expect(try page.nodes(forXPath: "//*[local-name()='h3']").count == 1, "one suite, one group of rows")
    }

    /// Every panel of `svg` labels both axes, and no two series share a colour and a marker.
    static func checkReadable(_ svg: String, _ name: String) throws {
        let doc = try XMLDocument(xmlString: svg)
        let panels = try doc.nodes(forXPath: "//*[local-name()='g'][@class='panel']")
        #expect(!panels.isEmpty, "\(name) has no panel")
        for panel in panels {
            let x = try panel.nodes(forXPath: ".//*[local-name()='text'][@class='axis-label x']").compactMap(\.stringValue)
            let y = try panel.nodes(forXPath: ".//*[local-name()='text'][@class='axis-label y']").compactMap(\.stringValue)
            #expect(x.count == 1 && y.count == 1 && !x[0].isEmpty && !y[0].isEmpty, "\(name): a panel lacks an axis label")
        }
        let series = try doc.nodes(forXPath: "//*[local-name()='g'][@class='series']")
        let styles = try series.map { g in
            let colour = try g.nodes(forXPath: "@data-colour").first?.stringValue, marker = try g.nodes(forXPath: "@data-marker").first?.stringValue
            return "\(colour ?? "?") \(marker ?? "?")"
        }
        #expect(!styles.isEmpty && !styles.contains { $0.contains("?") }, "\(name) draws no series, or one without a colour and marker")
        #expect(Set(styles).count == styles.count, "\(name) repeats a colour-and-marker pair: \(styles.sorted())")
    }

    /// The charts of a run of `reckit bench` with its defaults (the main job: every suite, both
    /// back ends, 1 and 2 threads) — its JSON, measured on a 2-core AMD EPYC (Zen, AVX2), is kept as
    /// a fixture, because the run itself takes minutes — and of this test's own small run.
    @Test func chartsOfTheDefaultRunAreReadable() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bench-default.json").path
        let document = try BenchmarkDocument.read(path: fixture)
        #expect(Set(document.rows.compactMap(\.suite)).count == 7, "the fixture holds every suite")
        let files = Charts.svgFiles(document)
        #expect(files.map(\.file) == ["speedup.svg", "backends.svg", "gflops.svg"])
        for (file, text) in files { try Self.checkReadable(text, file) }
        let (json, html, svg) = try Self.run()
        defer { for p in [json, html, svg] { try? FileManager.default.removeItem(atPath: p) } }
        for file in ["speedup.svg", "backends.svg", "gflops.svg"] {
            try Self.checkReadable(try String(contentsOfFile: svg + "/" + file, encoding: .utf8), file)
        }
    }

    /// `--json` is rewritten after every row: a run killed after its first rows leaves a valid
    /// document holding them, marked incomplete.
    @Test func aKilledRunLeavesValidJSON() throws {
        let json = CLI.temporaryPath("killed.json")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let p = Process()
        p.executableURL = try #require(CLI.executable)
        // Small products first, then one of order 3000 on the pure-Swift back end, which takes seconds.
        p.arguments = ["bench", "gemm", "--sizes", "16,3000", "--precision", "double", "--batch", "0", "--threads", "1", "--json", json, "--quiet"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var rows = 0
        let deadline = Date().addingTimeInterval(120)
        while rows < 2 && Date() < deadline && p.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
            if let data = FileManager.default.contents(atPath: json), let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                rows = (doc["rows"] as? [Any])?.count ?? 0
            }
        }
        let stillRunning = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(stillRunning, "the run ended before it could be killed")
        let document = try BenchmarkDocument.read(path: json)
        #expect(document.rows.count >= 2 && document.complete == false, "\(document.rows.count) rows, complete \(String(describing: document.complete))")
        #expect(document.rows.allSatisfy { $0.seconds > 0 && [16, 3000].contains($0.size) })
    }

    @Test func compareFlagsAnInjectedSlowdownAndNothingOnIdenticalFiles() throws {
        let (json, html, svg) = try Self.run()
        let slower = CLI.temporaryPath("slower.json")
        defer { for p in [json, html, svg, slower] { try? FileManager.default.removeItem(atPath: p) } }
        var document = try BenchmarkDocument.read(path: json)
        let victim = document.rows.firstIndex { $0.op == "gemm" && $0.backend == "swift" && $0.threads == 2 }!
        document.rows[victim].seconds *= 2
        try Report.writeJSON(document, to: slower)
        let same = try CLI.run(["bench", "compare", json, json])
        #expect(same.status == 0 && !same.stdout.contains("REGRESSION"), "\(same.stdout)\(same.stderr)")
        let worse = try CLI.run(["bench", "compare", json, slower])
        #expect(worse.status == 1, "\(worse.stderr)")
        #expect(worse.stdout.components(separatedBy: "REGRESSION").count == 2, "exactly one row flagged: \(worse.stdout)")
        #expect(worse.stderr.contains("1 regression beyond"))
        let bad = try CLI.run(["bench", "compare", json, html])
        #expect(CLI.failsClearly(bad, "not a reckit bench JSON document"), "\(bad.stderr)")
    }
}
