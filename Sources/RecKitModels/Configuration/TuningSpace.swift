import Foundation

/// What `--tune` searches for a model: ranges of some of its fields, and the field that successive
/// halving grows from rung to rung (the training length, `epochs`). Declared by each
/// configuration beside its fields (``ModelConfiguration/tuning``); models that declare nothing
/// cannot be tuned.
public struct TuningSpace: Sendable, Equatable {
    /// A field's range to search.
    public enum Range: Sendable, Equatable, CustomStringConvertible {
        case integer(ClosedRange<Int>, FieldScale)
        case real(ClosedRange<Double>, FieldScale)
        case choice([String])

        public var description: String {
            switch self {
            case let .integer(r, s): return "\(r.lowerBound)..\(r.upperBound)" + (s == .logarithmic ? " (log)" : "")
            case let .real(r, s): return "\(FieldKind.format(r.lowerBound))..\(FieldKind.format(r.upperBound))" + (s == .logarithmic ? " (log)" : "")
            case let .choice(c): return c.joined(separator: "|")
            }
        }

        /// Whether `value` lies in the range.
        public func contains(_ value: FieldValue) -> Bool {
            switch (self, value) {
            case let (.integer(r, _), .integer(n)): return r.contains(n)
            case let (.real(r, _), .real(x)): return r.contains(x)
            case let (.real(r, _), .integer(n)): return r.contains(Double(n))
            case let (.choice(c), .choice(s)): return c.contains(s)
            case let (.choice(c), .flag(b)): return c.contains("\(b)")
            default: return false
            }
        }

        /// `lo..hi` for a numeric field of `kind`, or `a|b` for a choice or flag (a `--tune-range` value).
        /// - Returns: nil when the text is not of that form or the bounds are outside the field's own range.
        public static func parse(_ text: String, kind: FieldKind) -> Range? {
            let bounds = text.components(separatedBy: "..")
            switch kind {
            case let .integer(valid, scale):
                guard bounds.count == 2, let lo = Int(bounds[0]), let hi = Int(bounds[1]), lo <= hi, valid.contains(lo), valid.contains(hi) else { return nil }
                return .integer(lo...hi, scale)
            case let .real(valid, scale):
                guard bounds.count == 2, let lo = Double(bounds[0]), let hi = Double(bounds[1]), lo.isFinite, hi.isFinite, lo <= hi,
                      valid.contains(lo), valid.contains(hi), scale == .linear || lo > 0 else { return nil }
                return .real(lo...hi, scale)
            case let .choice(options):
                let chosen = text.split(separator: "|").map(String.init)
                guard !chosen.isEmpty, chosen.allSatisfy(options.contains) else { return nil }
                return .choice(chosen)
            case .flag:
                let chosen = text.split(separator: "|").map(String.init)
                guard !chosen.isEmpty, chosen.allSatisfy({ $0 == "true" || $0 == "false" }) else { return nil }
                return .choice(chosen)
            case .optionalInteger, .seed: return nil
            }
        }
    }

    /// The searched fields and their ranges, in the order trials print them.
    public var ranges: [(name: String, range: Range)]
    /// The field successive halving scales (its configured value is the top rung), or nil to give
    /// every trial the full length.
    public var resource: String?

    public init(_ ranges: [(name: String, range: Range)], resource: String? = nil) {
        self.ranges = ranges
        self.resource = resource
    }

    /// Nothing to search.
    public static let none = TuningSpace([])

    public var isEmpty: Bool { ranges.isEmpty }

    public static func == (a: TuningSpace, b: TuningSpace) -> Bool {
        a.resource == b.resource && a.ranges.map(\.name) == b.ranges.map(\.name) && a.ranges.map(\.range) == b.ranges.map(\.range)
    }
}
