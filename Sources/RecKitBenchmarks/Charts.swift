import Foundation

/// Charts of benchmark rows as standalone SVG (and one HTML page holding them and the table), so a
/// run's results can be opened in a browser:
///
/// - ``speedupSVG(_:)``: speed-up over 1 thread against the thread count, one line per
///   configuration (op, precision, size, back end), with the ideal `y = x` dashed.
/// - ``backendSVG(_:)``: OpenBLAS against pure Swift at the largest thread count, two bars per
///   configuration scaled to the slower one, with the seconds and the ratio written beside them.
public enum Charts {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func configuration(_ r: BenchmarkRow, backend: Bool = true) -> String {
        var s = "\(r.op) \(r.dtype) \(r.params["batch"].map { "\($0)×\(r.size)²" } ?? "n=\(r.size)")"
        if backend { s += " \(r.backend)" }
        return s
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

    /// Speed-up over 1 thread against threads, per configuration and back end.
    public static func speedupSVG(_ rows: [BenchmarkRow]) -> String {
        var series: [(label: String, points: [(threads: Int, speedup: Double)])] = []
        for r in rows where r.threads == 1 {
            let points = rows.filter { sameConfiguration($0, r) && $0.backend == r.backend && $0.seconds > 0 }
                .map { (threads: $0.threads, speedup: r.seconds / $0.seconds) }.sorted { $0.threads < $1.threads }
            if points.count >= 2 { series.append((configuration(r), points)) }
        }
        let maxThreads = Swift.max(2, rows.map(\.threads).max() ?? 2)
        let maxSpeedup = Swift.max(Double(maxThreads), series.flatMap { $0.points.map(\.speedup) }.max() ?? 1) * 1.1
        let width = 760.0, plotHeight = 360.0, left = 60.0, top = 40.0, plotWidth = 380.0
        let legendHeight = Double(series.count) * 16 + 20
        let height = Swift.max(top + plotHeight + 50, top + legendHeight)
        func x(_ t: Int) -> Double { left + plotWidth * Double(t - 1) / Double(maxThreads - 1) }
        func y(_ s: Double) -> Double { top + plotHeight * (1 - s / maxSpeedup) }
        var svg = header(width: width, height: height, title: "Speed-up over 1 thread")
        svg += axes(left: left, top: top, width: plotWidth, height: plotHeight)
        for t in 1...maxThreads {
            svg += "<text x=\"\(number(x(t)))\" y=\"\(number(top + plotHeight + 16))\" text-anchor=\"middle\">\(t)</text>\n"
        }
        let step = maxSpeedup > 8 ? 2.0 : 0.5
        for s in stride(from: 0.0, through: maxSpeedup, by: step) {
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y(s) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", s))</text>\n"
        }
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(top + plotHeight + 36))\" text-anchor=\"middle\">threads</text>\n"
        svg += "<line x1=\"\(number(x(1)))\" y1=\"\(number(y(1)))\" x2=\"\(number(x(maxThreads)))\" y2=\"\(number(y(Double(maxThreads))))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        for (k, s) in series.enumerated() {
            let color = palette[k % palette.count]
            let d = s.points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(number(x(p.threads))) \(number(y(p.speedup)))" }.joined(separator: " ")
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for p in s.points { svg += "<circle cx=\"\(number(x(p.threads)))\" cy=\"\(number(y(p.speedup)))\" r=\"3\" fill=\"\(color)\"/>\n" }
            let ly = top + 10 + Double(k) * 16
            svg += "<rect x=\"\(number(left + plotWidth + 20))\" y=\"\(number(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(number(left + plotWidth + 36))\" y=\"\(number(ly))\">\(escape(s.label)) (×\(String(format: "%.2f", s.points.last!.speedup)))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// OpenBLAS against Swift at the largest thread count, per configuration.
    public static func backendSVG(_ rows: [BenchmarkRow]) -> String {
        let threads = rows.map(\.threads).max() ?? 1
        var pairs: [(label: String, blas: Double, swift: Double)] = []
        for r in rows where r.backend == "blas" && r.threads == threads {
            if let s = rows.first(where: { sameConfiguration($0, r) && $0.backend == "swift" && $0.threads == threads }) {
                pairs.append((configuration(r, backend: false), r.seconds, s.seconds))
            }
        }
        let width = 900.0, left = 250.0, barWidth = 360.0, rowHeight = 34.0, top = 50.0
        let height = top + Double(pairs.count) * rowHeight + 30
        var svg = header(width: width, height: height, title: "OpenBLAS (blue) and pure Swift (orange) at \(threads) thread\(threads == 1 ? "" : "s"): seconds, shorter is faster")
        for (k, p) in pairs.enumerated() {
            let y0 = top + Double(k) * rowHeight, longest = Swift.max(p.blas, p.swift, 1e-12)
            svg += "<text x=\"\(number(left - 8))\" y=\"\(number(y0 + 16))\" text-anchor=\"end\">\(escape(p.label))</text>\n"
            svg += "<rect x=\"\(number(left))\" y=\"\(number(y0 + 2))\" width=\"\(number(barWidth * p.blas / longest))\" height=\"12\" fill=\"\(palette[0])\"/>\n"
            svg += "<rect x=\"\(number(left))\" y=\"\(number(y0 + 15))\" width=\"\(number(barWidth * p.swift / longest))\" height=\"12\" fill=\"\(palette[1])\"/>\n"
            svg += "<text x=\"\(number(left + barWidth + 8))\" y=\"\(number(y0 + 18))\">\(String(format: "%.3g s, %.3g s (swift/blas %.2f)", p.blas, p.swift, p.swift / Swift.max(p.blas, 1e-12)))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// One page with the machine, both charts and the table (well-formed XHTML).
    public static func html(_ document: BenchmarkDocument) -> String {
        let m = document.machine
        return """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/><title>reckit bench \(escape(document.suite))</title>
        <style>body{font-family:sans-serif;margin:2em} pre{font-size:12px}</style></head><body>
        <h1>reckit bench \(escape(document.suite))</h1>
        <p>\(escape(m.cpu)), \(m.cores) cores; OpenBLAS \(escape(m.openblasVersion)) kernel \(escape(m.openblasKernel)); RecKit \(escape(m.reckitVersion)) (\(escape(m.gitCommit)))</p>
        <h2>Speed-up over 1 thread</h2>
        \(speedupSVG(document.rows))
        <h2>OpenBLAS and pure Swift</h2>
        \(backendSVG(document.rows))
        <h2>Rows</h2>
        <pre>\(escape(Report.table(document.rows)))</pre>
        </body></html>

        """
    }

    static func header(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" viewBox=\"0 0 \(number(width)) \(number(height))\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n<title>\(escape(title))</title>\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"14\">\(escape(title))</text>\n"
    }

    static func axes(left: Double, top: Double, width: Double, height: Double) -> String {
        "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(top + height))\" stroke=\"black\"/>\n"
            + "<line x1=\"\(number(left))\" y1=\"\(number(top + height))\" x2=\"\(number(left + width))\" y2=\"\(number(top + height))\" stroke=\"black\"/>\n"
    }
}
