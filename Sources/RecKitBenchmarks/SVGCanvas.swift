import Foundation

/// One series of a chart: its points in data coordinates, drawn with its colour and marker (and
/// joined by a line unless `joined` is false).
struct Series {
    var label: String
    var colour: String
    var marker: String
    var points: [(x: Double, y: Double)]
    var joined = true
}

/// A standalone SVG of panels stacked top to bottom, each a plot with two labelled axes and a
/// legend on its right. Elements carry classes (`panel`, `axis-label x`, `axis-label y`, `series`
/// with `data-colour` and `data-marker`) so that tests can check what a reader would.
struct SVGCanvas {
    static let width = 1000.0
    var title: String
    private var body = ""
    private var height = 40.0

    init(title: String) { self.title = title }

    /// A panel to fill and then ``add(_:)``; `categories` makes its vertical axis a list of named rows.
    func panel(title: String, legendCount: Int, categories: [String]? = nil) -> SVGPanel {
        SVGPanel(title: title, legendCount: legendCount, categories: categories)
    }

    mutating func add(_ panel: SVGPanel) {
        body += "<g class=\"panel\" transform=\"translate(0 \(Charts.number(height)))\">\n" + panel.body + "</g>\n"
        height += panel.height + 20
    }

    mutating func note(_ text: String) {
        body += "<text x=\"20\" y=\"\(Charts.number(height + 20))\">\(Charts.escape(text))</text>\n"
        height += 40
    }

    func render() -> String {
        let w = Charts.number(Self.width), h = Charts.number(height + 10)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<title>\(Charts.escape(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"10\" y=\"22\" font-size=\"14\">\(Charts.escape(title))</text>\n" + body + "</svg>\n"
    }
}

/// One plot of an ``SVGCanvas``: axes first (they fix the data ranges), then lines and series.
struct SVGPanel {
    let title: String
    let categories: [String]?
    let left: Double, top = 30.0, plotWidth: Double, plotHeight: Double
    var legendX: Double { left + plotWidth + (categories == nil ? 30 : 110) }
    var height: Double
    var body = ""
    private var xRange = 0.0...1.0, yRange = 0.0...1.0
    private var legendRow = 0

    init(title: String, legendCount: Int, categories: [String]?) {
        self.title = title
        self.categories = categories
        left = categories == nil ? 80 : 300
        plotWidth = categories == nil ? 420 : 400
        plotHeight = categories.map { Double($0.count) * 22 } ?? 260
        height = Swift.max(top + plotHeight + 50, top + Double(legendCount) * 16 + 10)
        if !title.isEmpty { body += "<text x=\"\(Charts.number(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(Charts.escape(title))</text>\n" }
    }

    func px(_ x: Double) -> Double { left + plotWidth * (x - xRange.lowerBound) / Swift.max(xRange.upperBound - xRange.lowerBound, 1e-12) }
    func py(_ y: Double) -> Double { top + plotHeight * (1 - (y - yRange.lowerBound) / Swift.max(yRange.upperBound - yRange.lowerBound, 1e-12)) }
    static func n(_ x: Double) -> String { Charts.number(x) }

    mutating func xAxis(label: String, ticks: [(Double, String)], range: ClosedRange<Double>) {
        xRange = range
        let bottom = top + plotHeight
        body += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(bottom))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(bottom))\" stroke=\"black\"/>\n"
        for (x, text) in ticks {
            body += "<line x1=\"\(Self.n(px(x)))\" y1=\"\(Self.n(bottom))\" x2=\"\(Self.n(px(x)))\" y2=\"\(Self.n(bottom + 4))\" stroke=\"black\"/>"
            body += "<text x=\"\(Self.n(px(x)))\" y=\"\(Self.n(bottom + 16))\" text-anchor=\"middle\">\(Charts.escape(text))</text>\n"
            if categories != nil {
                body += "<line x1=\"\(Self.n(px(x)))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(px(x)))\" y2=\"\(Self.n(bottom))\" stroke=\"#eee\"/>\n"
            }
        }
        body += "<text class=\"axis-label x\" x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(bottom + 34))\" text-anchor=\"middle\">\(Charts.escape(label))</text>\n"
    }

    mutating func yAxis(label: String, ticks: [(Double, String)], range: ClosedRange<Double>) {
        yRange = range
        body += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(left))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"black\"/>\n"
        for (y, text) in ticks {
            body += "<line x1=\"\(Self.n(left - 4))\" y1=\"\(Self.n(py(y)))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(py(y)))\" stroke=\"#eee\"/>"
            body += "<text x=\"\(Self.n(left - 7))\" y=\"\(Self.n(py(y) + 4))\" text-anchor=\"end\">\(Charts.escape(text))</text>\n"
        }
        for (k, name) in (categories ?? []).enumerated() {
            let y = py(Double(categories!.count) - Double(k) - 0.5)
            body += "<text x=\"\(Self.n(left - 7))\" y=\"\(Self.n(y + 4))\" text-anchor=\"end\">\(Charts.escape(name))</text>\n"
        }
        let x = categories == nil ? 22.0 : 14.0, y = top + plotHeight / 2
        body += "<text class=\"axis-label y\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"middle\" transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\">\(Charts.escape(label))</text>\n"
    }

    mutating func line(from a: (Double, Double), to b: (Double, Double), dashed: Bool, colour: String) {
        body += "<line x1=\"\(Self.n(px(a.0)))\" y1=\"\(Self.n(py(a.1)))\" x2=\"\(Self.n(px(b.0)))\" y2=\"\(Self.n(py(b.1)))\" stroke=\"\(colour)\""
            + (dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>\n"
    }

    /// Text to the right of the plot, level with `y` (e.g. a ratio per row).
    mutating func rightNote(at y: Double, _ text: String) {
        body += "<text x=\"\(Self.n(left + plotWidth + 8))\" y=\"\(Self.n(py(y) + 4))\">\(Charts.escape(text))</text>\n"
    }

    mutating func series(_ s: Series) {
        body += "<g class=\"series\" data-colour=\"\(s.colour)\" data-marker=\"\(s.marker)\">"
        if s.joined, s.points.count > 1 {
            let d = s.points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(Self.n(px(p.x))) \(Self.n(py(p.y)))" }.joined(separator: " ")
            body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"1.5\"/>"
        }
        for p in s.points { body += Self.marker(s.marker, px(p.x), py(p.y), s.colour) }
        body += "</g>\n"
        legend { x, y in
            (s.joined ? "<line x1=\"\(Self.n(x - 8))\" y1=\"\(Self.n(y))\" x2=\"\(Self.n(x + 8))\" y2=\"\(Self.n(y))\" stroke=\"\(s.colour)\" stroke-width=\"1.5\"/>" : "")
                + Self.marker(s.marker, x, y, s.colour) + "<text x=\"\(Self.n(x + 14))\" y=\"\(Self.n(y + 4))\">\(Charts.escape(s.label))</text>"
        }
    }

    /// A legend line for something that is not a series (a reference line).
    mutating func legendText(_ text: String, dashed: Bool) {
        legend { x, y in
            "<line x1=\"\(Self.n(x - 8))\" y1=\"\(Self.n(y))\" x2=\"\(Self.n(x + 8))\" y2=\"\(Self.n(y))\" stroke=\"#555\"" + (dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>"
                + "<text x=\"\(Self.n(x + 14))\" y=\"\(Self.n(y + 4))\">\(Charts.escape(text))</text>"
        }
    }

    private mutating func legend(_ draw: (Double, Double) -> String) {
        let y = top + 6 + Double(legendRow) * 16
        legendRow += 1
        body += "<g class=\"legend-entry\">" + draw(legendX + 8, y) + "</g>\n"
    }

    /// A marker of shape `name` centred on (x, y).
    static func marker(_ name: String, _ x: Double, _ y: Double, _ colour: String) -> String {
        func path(_ points: [(Double, Double)]) -> String {
            "<path d=\"" + points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(n(x + p.0)) \(n(y + p.1))" }.joined(separator: " ") + " Z\" fill=\"\(colour)\"/>"
        }
        switch name {
        case "square": return "<rect x=\"\(n(x - 3.5))\" y=\"\(n(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(colour)\"/>"
        case "triangle": return path([(0, -5), (4.5, 3.5), (-4.5, 3.5)])
        case "diamond": return path([(0, -5), (5, 0), (0, 5), (-5, 0)])
        case "cross":
            return "<path d=\"M\(n(x - 4)) \(n(y - 4)) L\(n(x + 4)) \(n(y + 4)) M\(n(x - 4)) \(n(y + 4)) L\(n(x + 4)) \(n(y - 4))\" stroke=\"\(colour)\" stroke-width=\"2\" fill=\"none\"/>"
        case "star":
            let p = (0..<10).map { k -> (Double, Double) in
                let r = k % 2 == 0 ? 5.5 : 2.3, a = Double(k) * .pi / 5 - .pi / 2
                return (r * cos(a), r * sin(a))
            }
            return path(p)
        default: return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3.5\" fill=\"\(colour)\"/>"
        }
    }
}
