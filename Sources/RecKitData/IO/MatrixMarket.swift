import RecKitLinearAlgebra
import Foundation

/// Matrix Market coordinate files (`.mtx`): `%%MatrixMarket matrix coordinate real|integer|pattern
/// general|symmetric`, `%` comments, a size line `rows columns entries`, then 1-based
/// `row column [value]` lines. Rows are users and columns items; ids are the 1-based indexes.
public enum MatrixMarket {
    /// Reads a coordinate file. Strict mode stops at the first bad line; lenient skips and counts.
    public static func read(path: String, options: LoadOptions = LoadOptions()) throws -> RatingDataset {
        let started = ContinuousClock.now
        let file = try MappedFile(path: path)
        let name = (path as NSString).lastPathComponent
        let b = file.bytes
        var lines = 0
        var pos = 0
        var report = LoadReport(file: name)
        report.duplicatePolicy = options.duplicates.rawValue
        func nextLine() -> (Int, Int)? {
            guard pos < b.count else { return nil }
            let start = pos
            while pos < b.count && b[pos] != 10 { pos += 1 }
            var end = pos
            pos += 1
            lines += 1
            if end > start && b[end - 1] == 13 { end -= 1; report.crlfLineEndings = true }
            return (start, end)
        }
        func text(_ r: (Int, Int)) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r.0..<r.1]), as: UTF8.self) }

        guard let banner = nextLine() else { throw DataError.badFile(file: name, reason: "empty file") }
        let words = text(banner).lowercased().split(separator: " ").map(String.init)
        guard words.count >= 5, words[0] == "%%matrixmarket", words[1] == "matrix", words[2] == "coordinate" else {
            throw DataError.badFile(file: name, reason: "line 1 must be '%%MatrixMarket matrix coordinate <field> <symmetry>', got \"\(text(banner))\"")
        }
        let field = words[3], symmetry = words[4]
        guard ["real", "integer", "pattern", "double"].contains(field) else {
            throw DataError.badFile(file: name, reason: "field '\(field)' is not supported (use real, integer or pattern)")
        }
        guard ["general", "symmetric"].contains(symmetry) else {
            throw DataError.badFile(file: name, reason: "symmetry '\(symmetry)' is not supported (use general or symmetric)")
        }
        var sizeLine: (Int, Int)? = nil
        while let l = nextLine() {
            let t = text(l).trimmingCharacters(in: .whitespaces)
            if t.isEmpty { report.emptyLines += 1; continue }
            if t.hasPrefix("%") { continue }
            sizeLine = l
            break
        }
        guard let sl = sizeLine else { throw DataError.badFile(file: name, reason: "no size line") }
        let dims = text(sl).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
        guard dims.count == 3, dims[0] >= 0, dims[1] >= 0, dims[2] >= 0, dims[0] < Int(Int32.max), dims[1] < Int(Int32.max) else {
            throw DataError.badFile(file: name, reason: "line \(lines): size line must be 'rows columns entries', got \"\(text(sl))\"")
        }
        let (rows, columns, declared) = (dims[0], dims[1], dims[2])
        // Every entry takes at least 4 bytes ("1 1\n" for a pattern), so the header cannot declare
        // more entries than the file can hold: checked before anything is sized from it.
        guard declared <= b.count / 4 + 1 else {
            throw DataError.badFile(file: name, reason: "line \(lines): the size line declares \(declared) entries, more than a file of \(b.count) bytes can hold")
        }
        var ri: [Int32] = [], ci: [Int32] = [], vs: [Float] = []
        ri.reserveCapacity(declared); ci.reserveCapacity(declared); vs.reserveCapacity(declared)
        let wantValue = field != "pattern"
        var entries = 0
        while let l = nextLine() {
            var fields: [(Int, Int)] = []
            var i = l.0
            while i < l.1 && fields.count < 3 {
                while i < l.1 && (b[i] == 32 || b[i] == 9) { i += 1 }
                if i >= l.1 { break }
                let s = i
                while i < l.1 && b[i] != 32 && b[i] != 9 { i += 1 }
                fields.append((s, i))
            }
            if fields.isEmpty { report.emptyLines += 1; continue }
            if b[fields[0].0] == 37 { continue } // '%' comment
            entries += 1
            var problem: LineProblem? = nil
            var r: Int64 = 0, c: Int64 = 0
            var v: Float = 1
            if fields.count < (wantValue ? 3 : 2) { problem = .missingField }
            else if let rr = FieldParsing.integer(b.baseAddress! + fields[0].0, fields[0].1 - fields[0].0),
                    let cc = FieldParsing.integer(b.baseAddress! + fields[1].0, fields[1].1 - fields[1].0) {
                r = rr; c = cc
                if r < 1 || r > rows || c < 1 || c > columns { problem = .indexOutOfRange }
            } else { problem = .badID }
            if problem == nil && wantValue {
                if let d = FieldParsing.number(b.baseAddress! + fields[2].0, fields[2].1 - fields[2].0) {
                    if !d.isFinite || !Float(d).isFinite { problem = .nonFiniteRating } else {
                        v = Float(d)
                        if let scale = options.ratingScale, !scale.contains(v) { problem = .outsideScale }
                    }
                } else { problem = .nonNumericRating }
            }
            if let problem {
                if options.mode == .strict { throw DataError.badLine(file: name, line: lines, reason: problem, text: text(l)) }
                report.skipped[problem.rawValue, default: 0] += 1
                continue
            }
            ri.append(Int32(r - 1)); ci.append(Int32(c - 1)); vs.append(v)
            if symmetry == "symmetric" && r != c { ri.append(Int32(c - 1)); ci.append(Int32(r - 1)); vs.append(v) }
        }
        guard entries == declared else {
            throw DataError.badFile(file: name, reason: "the size line declares \(declared) entries but the file has \(entries)")
        }
        report.lines = lines
        report.ratingsRead = vs.count
        let built = try CSRMatrix<Float>.fromTriplets(rows: rows, columns: columns, rowIndices: ri, columnIndices: ci, values: vs,
                                                      duplicates: options.duplicates)
        var d = RatingDataset(ratings: built.matrix, userIDs: IDMap(numeric: (1...Int64(Swift.max(rows, 1))).prefix(rows).map { $0 }),
                              itemIDs: IDMap(numeric: (1...Int64(Swift.max(columns, 1))).prefix(columns).map { $0 }))
        report.duplicatesMerged = built.merged
        report.ratingsKept = d.ratingCount
        report.parseSeconds = (ContinuousClock.now - started).seconds
        d.report = report
        return d
    }

    /// Writes a matrix as a `real general` coordinate file (atomically), 1-based indexes.
    public static func write(_ m: CSRMatrix<Float>, to path: String, comment: String? = nil) throws {
        try AtomicOutput.write(to: path) { out in
            out.appendString("%%MatrixMarket matrix coordinate real general\n")
            if let comment { out.appendString("% \(comment)\n") }
            out.appendString("\(m.rows) \(m.columns) \(m.nonZeroCount)\n")
            for i in 0..<m.rows {
                for k in m.range(ofRow: i) { out.appendString("\(i + 1) \(m.columnIndices[k] + 1) \(m.values[k])\n") }
            }
        }
    }
}

extension RatingDataset {
    /// Writes `user,item,rating[,timestamp]` CSV with a header and the original ids (atomically).
    /// Each id is quoted (``CSV/field(_:)``) once, and each distinct rating formatted once (ratings
    /// take few values), so a line costs a few byte copies.
    public func writeCSV(to path: String) throws {
        try AtomicOutput.write(to: path) { out in
            out.appendString(timestamps == nil ? "user,item,rating\n" : "user,item,rating,timestamp\n")
            let items = (0..<itemCount).map { Array(CSV.field(itemIDs.externalID($0)).utf8) }
            var formatted: [UInt32: [UInt8]] = [:]
            let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
            for u in 0..<userCount {
                let user = Array(CSV.field(userIDs.externalID(u)).utf8)
                for k in ratings.range(ofRow: u) {
                    out.append(contentsOf: user)
                    out.append(comma)
                    out.append(contentsOf: items[Int(ratings.columnIndices[k])])
                    out.append(comma)
                    let value = ratings.values[k]
                    if let text = formatted[value.bitPattern] {
                        out.append(contentsOf: text)
                    } else {
                        let text = Array("\(value)".utf8)
                        if formatted.count < 4096 { formatted[value.bitPattern] = text }
                        out.append(contentsOf: text)
                    }
                    if let timestamps {
                        out.append(comma)
                        out.append(contentsOf: String(timestamps[k]).utf8)
                    }
                    out.append(newline)
                }
            }
        }
    }
}
