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
        #expect(top["schema"] as? String == "reckit-bench/1" && top["suite"] as? String == "gemm")
        let machine = try #require(top["machine"] as? [String: Any])
        for key in ["cpu", "cpuFeatures", "cores", "openblasVersion", "openblasKernel", "reckitVersion", "gitCommit"] {
            #expect(machine[key] != nil, "machine lacks \(key)")
        }
        let rows = try #require(top["rows"] as? [[String: Any]])
        // both back ends × both thread counts × (gemm, batched gemm) × (float, double)
        #expect(rows.count == 2 * 2 * 2 * 2)
        for backend in ["blas", "swift"] { for t in [1, 2] { #expect(rows.contains { $0["backend"] as? String == backend && $0["threads"] as? Int == t }) } }
        for row in rows {
            #expect(row["op"] is String && row["params"] is [String: String] && row["dtype"] is String)
            #expect((row["seconds"] as? Double ?? 0) > 0 && (row["seconds_min"] as? Double ?? 0) > 0)
            #expect((row["gflops"] as? Double ?? 0) > 0 && (row["peak_rss_bytes"] as? Int ?? 0) > 0)
            // the two back ends computed the same products (relative difference, Float or Double)
            #expect((row["agreement"] as? Double ?? 1) < 1e-4, "back ends disagree: \(row)")
        }
        // The decoder reads it back.
        #expect(try BenchmarkDocument.read(path: json).rows.count == rows.count)
        for file in [svg + "/speedup.svg", svg + "/backends.svg"] {
            let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: file))
            #expect(doc.rootElement()?.name == "svg", "\(file)")
            #expect(try doc.nodes(forXPath: "//*[local-name()='path' or local-name()='rect']").count >= 4, "\(file) draws nothing")
        }
        let page = try XMLDocument(contentsOf: URL(fileURLWithPath: html))
        #expect(try page.nodes(forXPath: "//*[local-name()='svg']").count == 2)
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
        #expect(bad.status != 0 && bad.stderr.contains("not a reckit bench JSON document"), "\(bad.stderr)")
    }
}
