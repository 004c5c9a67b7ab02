import Foundation

/// Categorical side information about users or items, keyed by their external ids (the ids of the
/// rating files): e.g. MovieLens's age group, gender and occupation of each user.
public struct AttributeTable: Sendable, Equatable {
    /// The attribute names, in column order.
    public var names: [String]
    /// The attribute values of each id, in the order of ``names``.
    public var values: [String: [String]]

    public init(names: [String], values: [String: [String]]) {
        self.names = names
        self.values = values
    }

    /// The value of `attribute` for `id`, or nil when either is unknown.
    public func value(_ attribute: String, of id: String) -> String? {
        guard let column = names.firstIndex(of: attribute), let row = values[id] else { return nil }
        return row[column]
    }

    /// MovieLens 100K's `u.user` (`id|age|gender|occupation|zip`), with the age also as
    /// MovieLens 1M's age groups (`age_group`: under 18, 18–24, 25–34, 35–44, 45–49, 50–55, 56+).
    /// - Throws: ``DataError/badLine(file:line:reason:text:)`` naming the file and line of a line
    ///   without five fields, with an empty id or a non-numeric age; ``DataError/io(path:reason:)``.
    public static func movieLensUsers(path: String) throws -> AttributeTable {
        var values: [String: [String]] = [:]
        try forEachLine(path) { number, line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5 else { throw DataError.badLine(file: path, line: number, reason: .missingField, text: line) }
            guard !f[0].isEmpty else { throw DataError.badLine(file: path, line: number, reason: .badID, text: line) }
            guard let age = Int(f[1]), age >= 0 else { throw DataError.badLine(file: path, line: number, reason: .badAttribute, text: line) }
            values[f[0]] = [f[1], ageGroup(age), f[2], f[3], f[4]]
        }
        return AttributeTable(names: ["age", "age_group", "gender", "occupation", "zip"], values: values)
    }

    static func ageGroup(_ age: Int) -> String {
        switch age {
        case ..<18: return "under-18"
        case 18...24: return "18-24"
        case 25...34: return "25-34"
        case 35...44: return "35-44"
        case 45...49: return "45-49"
        case 50...55: return "50-55"
        default: return "56+"
        }
    }
}

/// Numeric feature vectors of users or items, keyed by external id: e.g. MovieLens's genre flags.
public struct FeatureTable: Sendable, Equatable {
    /// The feature names, in vector order.
    public var names: [String]
    public var vectors: [String: [Float]]

    public init(names: [String], vectors: [String: [Float]]) {
        self.names = names
        self.vectors = vectors
    }

    /// MovieLens 100K's genre flags from `u.item` (`id|title|date|video date|url|` then 19 flags in
    /// the order of `u.genre`).
    /// - Throws: ``DataError/badLine(file:line:reason:text:)`` for a line with the wrong field count,
    ///   an empty id or a flag that is not 0 or 1.
    public static func movieLensGenres(path: String) throws -> FeatureTable {
        var vectors: [String: [Float]] = [:]
        try forEachLine(path) { number, line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count == 5 + movieLensGenreNames.count else { throw DataError.badLine(file: path, line: number, reason: .missingField, text: line) }
            guard !f[0].isEmpty else { throw DataError.badLine(file: path, line: number, reason: .badID, text: line) }
            vectors[String(f[0])] = try f[5...].map { flag -> Float in
                switch flag {
                case "0": return 0
                case "1": return 1
                default: throw DataError.badLine(file: path, line: number, reason: .badAttribute, text: line)
                }
            }
        }
        return FeatureTable(names: movieLensGenreNames, vectors: vectors)
    }

    public static let movieLensGenreNames = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
                                             "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
                                             "Thriller", "War", "Western"]
}

/// Calls `body(lineNumber, line)` for each non-empty line (1-based numbers; `\r\n` accepted). The
/// MovieLens 100K side files are Latin-1, so bytes are decoded as such.
func forEachLine(_ path: String, _ body: (Int, String) throws -> Void) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw DataError.io(path: path, reason: "cannot read the file") }
    guard let text = String(data: data, encoding: .isoLatin1) else { throw DataError.io(path: path, reason: "cannot decode the file") }
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        number += 1
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
        if line.isEmpty { continue }
        try body(number, line)
    }
}
