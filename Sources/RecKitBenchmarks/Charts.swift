import Foundation

/// Charts of benchmark rows as standalone SVG (and one HTML page holding them and the tables), so
/// a run's results can be opened in a browser:
///
/// - ``speedupSVG(_:)``: speed-up over 1 thread against the thread count, one panel per operation,
///   one line per configuration (precision, size, back end), the ideal `y = x` dashed; every panel
///   on the same scale.
/// - ``backendSVG(_:)``: OpenBLAS and pure Swift at the largest thread count, each configuration's
///   two median times as points on one logarithmic seconds axis shared by every row.
/// - ``gflopsSVG(_:peak:)``: GEMM throughput against the matrix order, one panel per precision,
///   with the machine's measured peak (``PeakFLOPs``) times each thread count drawn in.
///
/// Every series has its own colour-and-marker pair (ten colours × six markers, then colours of
/// their own), and every panel labels both axes with their units.
public enum Charts {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    static let markers = ["circle", "square", "triangle", "diamond", "cross", "star"]

    /// The colour and marker of series `k`: no two series of a chart share both.
    static func style(_ k: Int) -> (colour: String, marker: String) {
        if k < palette.count * markers.count { return (palette[k % palette.count], markers[k / palette.count]) }
        let hue = (Double(k) * 137.508).truncatingRemainder(dividingBy: 360)
        return (String(format: "hsl(%.1f,65%%,42%%)", hue), markers[k % markers.count])
    }

    /// The files `reckit bench --svg DIR` writes: speed-up and back ends always, GFLOP/s when the
    /// run measured square GEMM.
    public static func svgFiles(_ document: BenchmarkDocument) -> [(file: String, text: String)] {
        var files = [("speedup.svg", speedupSVG(document.rows)), ("backends.svg", backendSVG(document.rows))]
        if let g = gflopsSVG(document.rows, peak: document.machine.peak) { files.append(("gflops.svg", g)) }
        return files
    }

    /// A short name of `r`'s configuration: operation, precision, size, and of its other
    /// parameters only those that tell it apart from another row of `rows` with the same
    /// operation, precision and size (the table and the JSON keep them all).
    static func configuration(_ r: BenchmarkRow, among rows: [BenchmarkRow], op: Bool = true, backend: Bool = true) -> String {
        var parts: [String] = []
        if op { parts.append(r.op) }
        parts.append(r.dtype)
        parts.append(r.params["batch"].map { "\($0)×\(r.size)²" } ?? "n=\(r.size)")
        let siblings = rows.filter { $0.op == r.op && $0.dtype == r.dtype && $0.size == r.size && $0.params != r.params }
        for (k, v) in r.params.sorted(by: { $0.key < $1.key }) where k != "batch" && siblings.contains(where: { $0.params[k] != v }) {
            parts.append("\(k)=\(v)")
        }
        if backend { parts.append(r.backend) }
        return parts.joined(separator: " ")
    }

    static func sameConfiguration(_ a: BenchmarkRow, _ b: BenchmarkRow) -> Bool {
        a.op == b.op && a.dtype == b.dtype && a.size == b.size && a.params == b.params
    }

    /// `&`, `<`, `>` and quotes escaped for XML text and attributes.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ x: Double) -> String { String(format: "%.1f", x) }

    /// The distinct values of `key` in order of first appearance.
    static func ordered<K: Hashable>(_ rows: [BenchmarkRow], _ key: (BenchmarkRow) -> K) -> [K] {
        var seen = Set<K>(), out: [K] = []
        for r in rows where seen.insert(key(r)).inserted { out.append(key(r)) }
        return out
    }

    // MARK: Charts

    /// Speed-up over 1 thread against threads: a panel per operation, a line per configuration.
    public static func speedupSVG(_ rows: [BenchmarkRow]) -> String {
        var panels: [(op: String, series: [Series])] = []
        var k = 0
        for op in ordered(rows, \.op) {
            var series: [Series] = []
            for r in rows where r.op == op && r.threads == 1 {
                let points = rows.filter { sameConfiguration($0, r) && $0.backend == r.backend && $0.seconds > 0 }
                    .map { (x: Double($0.threads), y: r.seconds / $0.seconds) }.sorted { $0.x < $1.x }
                guard points.count >= 2 else { continue }
                let s = style(k)
                k += 1
                series.append(Series(label: configuration(r, among: rows, op: false) + String(format: " (×%.2f)", points.last!.y), colour: s.colour, marker: s.marker, points: points))
            }
            if !series.isEmpty { panels.append((op, series)) }
        }
        let maxThreads = Double(Swift.max(2, rows.map(\.threads).max() ?? 2))
        let yMax = Swift.max(maxThreads, panels.flatMap { $0.series.flatMap { $0.points.map(\.y) } }.max() ?? 1) * 1.1
        var svg = SVGCanvas(title: "Speed-up over 1 thread, per operation (higher is better; dashed: ideal)")
        if panels.isEmpty { svg.note("No configuration was measured at 1 thread and at more.") }
        for panel in panels {
            var p = svg.panel(title: panel.op, legendCount: panel.series.count)
            p.xAxis(label: "threads", ticks: (1...Int(maxThreads)).map { (Double($0), "\($0)") }, range: 1...maxThreads)
            p.yAxis(label: "speed-up (×, time at 1 thread ÷ time)", ticks: ticks(0...yMax).map { ($0, String(format: "%g", $0)) }, range: 0...yMax)
            p.line(from: (1, 1), to: (maxThreads, maxThreads), dashed: true, colour: "#999")
            for s in panel.series { p.series(s) }
            svg.add(p)
        }
        return svg.render()
    }

    /// OpenBLAS and pure Swift at the largest thread count: both median times of every
    /// configuration on one logarithmic axis.
    public static func backendSVG(_ rows: [BenchmarkRow]) -> String {
        let threads = rows.map(\.threads).max() ?? 1
        var pairs: [(label: String, blas: Double, swift: Double)] = []
        for r in rows where r.backend == "blas" && r.threads == threads {
            if let s = rows.first(where: { sameConfiguration($0, r) && $0.backend == "swift" && $0.threads == threads }), r.seconds > 0, s.seconds > 0 {
                pairs.append((configuration(r, among: rows, backend: false), r.seconds, s.seconds))
            }
        }
        var svg = SVGCanvas(title: "OpenBLAS and pure Swift at \(threads) thread\(threads == 1 ? "" : "s"): median seconds (left is faster)")
        guard !pairs.isEmpty else {
            svg.note("No configuration was measured on both back ends at \(threads) threads.")
            return svg.render()
        }
        let all = pairs.flatMap { [$0.blas, $0.swift] }
        let low = floor(log10(all.min()!)), high = ceil(log10(all.max()!))
        let range = low...Swift.max(high, low + 1)
        var p = svg.panel(title: "", legendCount: 2, categories: pairs.map(\.label))
        p.xAxis(label: "median seconds (log scale)", ticks: stride(from: range.lowerBound, through: range.upperBound, by: 1).map { ($0, secondsLabel(pow(10, $0))) }, range: range)
        p.yAxis(label: "configuration", ticks: [], range: 0...Double(pairs.count))
        let blas = style(0), swift = style(1)
        var b = Series(label: "OpenBLAS", colour: blas.colour, marker: "circle", points: [], joined: false)
        var s = Series(label: "pure Swift", colour: swift.colour, marker: "square", points: [], joined: false)
        for (k, pair) in pairs.enumerated() {
            let y = Double(pairs.count) - Double(k) - 0.5
            p.line(from: (log10(pair.blas), y), to: (log10(pair.swift), y), dashed: false, colour: "#ccc")
            b.points.append((log10(pair.blas), y))
            s.points.append((log10(pair.swift), y))
            p.rightNote(at: y, String(format: "swift/blas %.2f", pair.swift / pair.blas))
        }
        p.series(b)
        p.series(s)
        svg.add(p)
        return svg.render()
    }

    /// Square GEMM's GFLOP/s against the matrix order, a panel per precision, with the estimated
    /// peak of each thread count; nil when the rows hold no square GEMM.
    public static func gflopsSVG(_ rows: [BenchmarkRow], peak: PeakFLOPs?) -> String? {
        let gemm = rows.filter { $0.op == "gemm" && $0.gflops != nil }
        guard !gemm.isEmpty else { return nil }
        let sizes = ordered(gemm, \.size).sorted()
        let threadCounts = ordered(gemm, \.threads).sorted()
        func x(_ size: Int) -> Double { Double(sizes.firstIndex(of: size)!) }
        let measuredMax = gemm.compactMap(\.gflops).max() ?? 1
        let peakMax = peak.map { $0.floatGflops * Double(threadCounts.last!) } ?? 0
        let yMax = Swift.max(measuredMax, peakMax) * 1.1
        var title = "Square GEMM throughput against size (higher is better)"
        if let peak {
            title += String(format: "; dashed: peak, one core's measured %d-bit FMA throughput × threads", peak.vectorBits)
        }
        var svg = SVGCanvas(title: title)
        var k = 0
        for dtype in ordered(gemm, \.dtype) {
            let ofType = gemm.filter { $0.dtype == dtype }
            var series: [Series] = []
            for backend in ordered(ofType, \.backend) {
                for t in threadCounts {
                    let points = ofType.filter { $0.backend == backend && $0.threads == t }.map { (x: x($0.size), y: $0.gflops!) }.sorted { $0.x < $1.x }
                    guard !points.isEmpty else { continue }
                    let s = style(k)
                    k += 1
                    series.append(Series(label: "\(backend) × \(t) thread\(t == 1 ? "" : "s")", colour: s.colour, marker: s.marker, points: points))
                }
            }
            var p = svg.panel(title: "\(dtype) (sgemm/dgemm)".replacingOccurrences(of: "float (sgemm/dgemm)", with: "float (sgemm)").replacingOccurrences(of: "double (sgemm/dgemm)", with: "double (dgemm)"),
                              legendCount: series.count + (peak == nil ? 0 : threadCounts.count))
            p.xAxis(label: "matrix order n (n×n times n×n)", ticks: sizes.map { (x($0), "\($0)") }, range: -0.3...(Double(sizes.count) - 0.7))
            p.yAxis(label: "GFLOP/s (2n³ / median seconds)", ticks: ticks(0...yMax).map { ($0, String(format: "%g", $0)) }, range: 0...yMax)
            if let peak {
                for t in threadCounts {
                    let g = peak.gflops(dtype: dtype) * Double(t)
                    p.line(from: (-0.3, g), to: (Double(sizes.count) - 0.7, g), dashed: true, colour: "#555")
                    p.legendText(String(format: "peak, %d thread%@: %.0f GFLOP/s", t, t == 1 ? "" : "s", g), dashed: true)
                }
            }
            for s in series { p.series(s) }
            svg.add(p)
        }
        return svg.render()
    }

    /// One page with the machine, the charts and the rows, grouped by suite (well-formed XHTML).
    public static func html(_ document: BenchmarkDocument) -> String {
        let m = document.machine
        var sections = ""
        for suite in ordered(document.rows, { $0.suite ?? document.suite }) {
            let rows = document.rows.filter { ($0.suite ?? document.suite) == suite }
            sections += "<h3>\(escape(suite))</h3>\n<pre>\(escape(Report.table(rows)))</pre>\n"
        }
        let gflops = gflopsSVG(document.rows, peak: m.peak).map { "<h2>GEMM throughput</h2>\n\($0)" } ?? ""
        return """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/><title>reckit bench \(escape(document.suite))</title>
        <style>body{font-family:sans-serif;margin:2em} pre{font-size:12px}</style></head><body>
        <h1>reckit bench \(escape(document.suite))</h1>
        <p>\(escape(m.cpu)), \(m.cores) cores; \(escape(m.kernelSummary)); RecKit \(escape(m.reckitVersion)) (\(escape(m.gitCommit)))</p>
        <h2>Speed-up over 1 thread</h2>
        \(speedupSVG(document.rows))
        <h2>OpenBLAS and pure Swift</h2>
        \(backendSVG(document.rows))
        \(gflops)
        <h2>Rows by suite</h2>
        \(sections)</body></html>

        """
    }

    /// About five round ticks from the start of `range` to its end.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = Swift.max(range.upperBound - range.lowerBound, 1e-12)
        let raw = span / 5, magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        return stride(from: (range.lowerBound / step).rounded(.up) * step, through: range.upperBound, by: step).map { $0 }
    }

    static func secondsLabel(_ s: Double) -> String {
        if s >= 1 { return String(format: "%g s", s) }
        if s >= 1e-3 { return String(format: "%g ms", s * 1e3) }
        return String(format: "%g µs", s * 1e6)
    }
}

extension Charts {
    /// Lines of `series` (x, y) on one panel with labelled axes, each with its own colour and
    /// marker (e.g. `reckit bandit simulate`'s cumulative CTR against rounds).
    public static func curvesSVG(title: String, xLabel: String, yLabel: String, series: [(label: String, points: [(x: Double, y: Double)])]) -> String {
        var svg = SVGCanvas(title: title)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        guard let xMax = xs.max(), let yMax = ys.max() else {
            svg.note("No points.")
            return svg.render()
        }
        let xRange = 0...Swift.max(xMax, 1), yRange = 0...Swift.max(yMax * 1.1, 1e-9)
        var p = svg.panel(title: "", legendCount: series.count)
        p.xAxis(label: xLabel, ticks: ticks(xRange).map { ($0, String(format: "%g", $0)) }, range: xRange)
        p.yAxis(label: yLabel, ticks: ticks(yRange).map { ($0, String(format: "%g", $0)) }, range: yRange)
        for (k, s) in series.enumerated() {
            let st = style(k)
            p.series(Series(label: s.label, colour: st.colour, marker: st.marker, points: s.points))
        }
        svg.add(p)
        return svg.render()
    }
}
