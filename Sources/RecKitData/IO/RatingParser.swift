import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RecKitLinearAlgebra

/// The parallel delimited-file parser behind ``RatingDataset/load(path:format:options:)``.
///
/// The file is memory-mapped and cut into one chunk per worker at line boundaries; each worker
/// splits its lines into fields and parses numbers from the bytes in place. Integer ids are read
/// as integers and mapped to dense indexes afterwards; if a file's ids turn out not to be integers
/// (and the format allows it) the file is parsed again keeping ids as strings.
struct RatingParser {
    let format: RatingFileFormat
    let options: LoadOptions
    let fileName: String

    /// What one worker produced.
    struct Chunk {
        var userNumbers: [Int64] = [], itemNumbers: [Int64] = []
        var userStrings: [String] = [], itemStrings: [String] = []
        var ratings: [Float] = [], timestamps: [Int64] = []
        var lines = 0, emptyLines = 0, extraFields = 0
        var crlf = false
        var skipped = [Int](repeating: 0, count: LineProblem.allCases.count)
        var firstProblem: (line: Int, problem: LineProblem, text: String)? = nil
        var needsStringIDs = false
    }

    struct Parsed {
        var chunks: [Chunk]
        var stringIDs: Bool
        var report: LoadReport
    }

    func parse(_ file: MappedFile) throws -> Parsed {
        var report = LoadReport(file: fileName)
        report.duplicatePolicy = options.duplicates.rawValue
        guard let base0 = file.bytes.baseAddress, file.bytes.count > 0 else { return Parsed(chunks: [], stringIDs: false, report: report) }
        let total = file.bytes.count
        let data = dataStart(base0, total, report: &report)
        let start = data.start
        let bounds = lineBounds(base0, from: start, to: total, parts: total - start < 1 << 16 ? 1 : Swift.max(1, options.threads))

        let fields = Swift.max(data.firstLineFields, format.columns.maxField + 1)
        var chunks = try run(base0, bounds, fields: fields, stringIDs: false)
        var stringIDs = false
        if chunks.contains(where: { $0.needsStringIDs }) {
            stringIDs = true
            chunks = try run(base0, bounds, fields: fields, stringIDs: true)
        }

        // Strict mode: the earliest problem, with its line number in the whole file.
        var lineBase = data.linesBefore
        for c in chunks {
            if let (line, problem, text) = c.firstProblem, options.mode == .strict {
                throw DataError.badLine(file: fileName, line: lineBase + line, reason: problem, text: text)
            }
            lineBase += c.lines
        }
        report.lines = lineBase
        summarise(chunks, into: &report)
        return Parsed(chunks: chunks, stringIDs: stringIDs, report: report)
    }

    /// Part `part` of `parts` of the file: the lines that start in its share of the data's bytes
    /// (cut as ``parse(_:)`` cuts between threads, so the parts together hold every line once). A
    /// strict-mode problem is returned, not thrown: its line number counts from the part's start,
    /// and only the caller knows how many lines the parts before hold. `lines` counts every line of
    /// the part (the header and blank lines included) up to the first problem.
    func parsePart(_ file: MappedFile, part: Int, of parts: Int, stringIDs: Bool) throws -> (parsed: Parsed, lines: Int, problem: (line: Int, problem: LineProblem, text: String)?) {
        var report = LoadReport(file: fileName)
        report.duplicatePolicy = options.duplicates.rawValue
        guard let base0 = file.bytes.baseAddress, file.bytes.count > 0 else { return (Parsed(chunks: [], stringIDs: stringIDs, report: report), 0, nil) }
        let total = file.bytes.count
        let data = dataStart(base0, total, report: &report)
        let cuts = lineBounds(base0, from: data.start, to: total, parts: parts)
        let lo = cuts[part], hi = cuts[part + 1]
        let bounds = lineBounds(base0, from: lo, to: hi, parts: hi - lo < 1 << 16 ? 1 : Swift.max(1, options.threads))
        let fields = Swift.max(data.firstLineFields, format.columns.maxField + 1)
        let chunks = try run(base0, bounds, fields: fields, stringIDs: stringIDs)
        var lines = part == 0 ? data.linesBefore : 0
        var problem: (line: Int, problem: LineProblem, text: String)? = nil
        for c in chunks {
            if let (line, p, text) = c.firstProblem, options.mode == .strict, problem == nil { problem = (lines + line, p, text) }
            if problem == nil { lines += c.lines }
        }
        if part != 0 { report = LoadReport(file: fileName); report.duplicatePolicy = options.duplicates.rawValue }
        report.lines = lines
        summarise(chunks, into: &report)
        return (Parsed(chunks: chunks, stringIDs: stringIDs, report: report), lines, problem)
    }

    /// Where the data starts: after a byte-order mark and a header line (read from the first
    /// non-blank line, whose field count every line should have).
    private func dataStart(_ base0: UnsafePointer<UInt8>, _ total: Int, report: inout LoadReport) -> (start: Int, linesBefore: Int, firstLineFields: Int) {
        var start = 0
        if total >= 3 && base0[0] == 0xEF && base0[1] == 0xBB && base0[2] == 0xBF { start = 3; report.byteOrderMark = true }
        var firstLineFields = 0
        var linesBefore = 0
        var probe = start
        while probe < total {
            let end = lineEnd(base0, probe, total)
            linesBefore += 1
            var contentEnd = end
            if contentEnd > probe && base0[contentEnd - 1] == 13 { contentEnd -= 1 }
            if isBlank(base0, probe, contentEnd) {
                report.emptyLines += 1
                probe = end + 1
                continue
            }
            firstLineFields = fieldCount(base0, probe, contentEnd)
            let header = format.hasHeader ?? looksLikeHeader(base0, probe, contentEnd)
            if header {
                report.headerSkipped = true
                start = Swift.min(end + 1, total)
            } else {
                linesBefore -= 1
                start = probe
            }
            break
        }
        if probe >= total { start = total }
        return (start, linesBefore, firstLineFields)
    }

    /// `parts + 1` offsets cutting `[from, to)` into near-equal pieces at line starts.
    private func lineBounds(_ base0: UnsafePointer<UInt8>, from start: Int, to total: Int, parts: Int) -> [Int] {
        var bounds = [start]
        for p in 1..<Swift.max(parts, 1) {
            var b = start + (total - start) * p / parts
            b = Swift.max(b, bounds.last!)
            while b < total && b > 0 && base0[b - 1] != 10 { b += 1 }
            bounds.append(b)
        }
        bounds.append(total)
        return bounds
    }

    private func summarise(_ chunks: [Chunk], into report: inout LoadReport) {
        for c in chunks {
            report.emptyLines += c.emptyLines
            report.crlfLineEndings = report.crlfLineEndings || c.crlf
            report.ratingsRead += c.ratings.count
            report.linesWithExtraFields += c.extraFields
            for (k, problem) in LineProblem.allCases.enumerated() where c.skipped[k] > 0 {
                report.skipped[problem.rawValue, default: 0] += c.skipped[k]
            }
        }
    }

    private func run(_ base: UnsafePointer<UInt8>, _ bounds: [Int], fields: Int, stringIDs: Bool) throws -> [Chunk] {
        let parts = bounds.count - 1
        var chunks = [Chunk](repeating: Chunk(), count: parts)
        chunks.withUnsafeMutableBufferPointer { cb in
            let C = cb.baseAddress!
            Parallel.forEachPart(parts) { p in
                C[p] = parseChunk(base, bounds[p], bounds[p + 1], fields: fields, stringIDs: stringIDs)
            }
        }
        return chunks
    }

    @inline(__always)
    private func lineEnd(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        guard from < to, let hit = memchr(base + from, 10, to - from) else { return to }
        return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
    }

    @inline(__always)
    private func isBlank(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to { if base[i] != 32 && base[i] != 9 { return false }; i += 1 }
        return true
    }

    /// Splits `[from, to)` into fields; returns how many (at most `starts.count`) were found, or -1
    /// for a quoted field without its closing quote. A quoted field's bounds exclude the quotes.
    @inline(__always)
    private func split(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int,
                       _ starts: UnsafeMutablePointer<Int>, _ ends: UnsafeMutablePointer<Int>, _ capacity: Int) -> Int {
        var n = 0
        var i = from
        switch format.delimiter {
        case .byte(let d) where format.quoted:
            while n < capacity {
                if i < to && base[i] == 34 {
                    var j = i + 1
                    while j < to {
                        if base[j] == 34 { if j + 1 < to && base[j + 1] == 34 { j += 2; continue }; break }
                        j += 1
                    }
                    guard j < to else { return -1 }
                    starts[n] = i + 1; ends[n] = j; n += 1
                    i = j + 1
                    while i < to && base[i] != d { i += 1 }  // text after the closing quote is ignored
                } else {
                    let s = i
                    while i < to && base[i] != d { i += 1 }
                    starts[n] = s; ends[n] = i; n += 1
                }
                if i >= to { break }
                i += 1  // past the delimiter
                if i == to && n < capacity { starts[n] = to; ends[n] = to; n += 1; break }
            }
        case .byte(let d):
            var fieldStart = i
            while i < to && n < capacity {
                if base[i] == d { starts[n] = fieldStart; ends[n] = i; n += 1; fieldStart = i + 1 }
                i += 1
            }
            if n < capacity { starts[n] = fieldStart; ends[n] = to; n += 1 }
        case .doubleColon:
            var fieldStart = i
            while i < to && n < capacity {
                if base[i] == 58 && i + 1 < to && base[i + 1] == 58 { starts[n] = fieldStart; ends[n] = i; n += 1; i += 2; fieldStart = i; continue }
                i += 1
            }
            if n < capacity { starts[n] = fieldStart; ends[n] = to; n += 1 }
        case .whitespace:
            while i < to && n < capacity {
                while i < to && (base[i] == 32 || base[i] == 9) { i += 1 }
                if i >= to { break }
                let s = i
                while i < to && base[i] != 32 && base[i] != 9 { i += 1 }
                starts[n] = s; ends[n] = i; n += 1
            }
        }
        return n
    }

    /// A field's text; in a quoted file, `""` stands for one quote. Quotes are undoubled as bytes:
    /// a quote that a combining mark follows is one Character with it, so a Character-level
    /// replacement would leave `""` + mark doubled.
    @inline(__always)
    private func text(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> String {
        let bytes = UnsafeBufferPointer(start: base + from, count: to - from)
        guard format.quoted, bytes.contains(34) else { return String(decoding: bytes, as: UTF8.self) }
        var undoubled: [UInt8] = []
        undoubled.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            undoubled.append(bytes[i])
            i += bytes[i] == 34 && i + 1 < bytes.count && bytes[i + 1] == 34 ? 2 : 1
        }
        return String(decoding: undoubled, as: UTF8.self)
    }

    /// How many fields a line has (up to 64).
    private func fieldCount(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var starts = [Int](repeating: 0, count: 64), ends = [Int](repeating: 0, count: 64)
        let n = starts.withUnsafeMutableBufferPointer { s in ends.withUnsafeMutableBufferPointer { e in split(base, from, to, s.baseAddress!, e.baseAddress!, 64) } }
        return Swift.max(n, 0)
    }

    /// A first line is a header when a field that must be a number is not one.
    private func looksLikeHeader(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
        var starts = [Int](repeating: 0, count: 16), ends = [Int](repeating: 0, count: 16)
        let n = starts.withUnsafeMutableBufferPointer { s in ends.withUnsafeMutableBufferPointer { e in split(base, from, to, s.baseAddress!, e.baseAddress!, 16) } }
        let cols = format.columns
        guard n > cols.maxField else { return false }  // also a bad quote (-1)
        if let r = cols.rating, FieldParsing.number(base + starts[r], ends[r] - starts[r]) == nil { return true }
        if let t = cols.timestamp, FieldParsing.integer(base + starts[t], ends[t] - starts[t]) == nil { return true }
        if format.numericIDs && FieldParsing.integer(base + starts[cols.user], ends[cols.user] - starts[cols.user]) == nil { return true }
        return false
    }

    /// One line of `user<d>item<d>rating[<d>timestamp]` starting at `pos`: unsigned integer ids and
    /// timestamp of 1–18 digits, a rating of digits with an optional fraction (read and rounded as
    /// ``FieldParsing/number(_:_:)`` reads it), ended by `\n` or `hi`; nil for anything else.
    @inline(__always)
    static func plainLine(_ base: UnsafePointer<UInt8>, _ pos: Int, _ hi: Int, _ d: UInt8, _ withTimestamp: Bool)
        -> (user: Int64, item: Int64, rating: Float, timestamp: Int64, end: Int)? {
        var i = pos
        /// An unsigned integer field ended by `stop` (which must follow it).
        @inline(__always) func field(endedBy stop: UInt8) -> Int64? {
            let first = i
            let v = FieldParsing.scanDigits(base, &i, hi)
            guard i - first > 0, i - first <= 18, i < hi, base[i] == stop else { return nil }
            i += 1
            return v
        }
        guard let user = field(endedBy: d), let item = field(endedBy: d) else { return nil }
        let r = FieldParsing.scanDecimal(base, &i, hi)
        guard r.digits > 0, let rating = FieldParsing.exactDecimal(r.mantissa, digits: r.digits, exponent: -r.fraction) else { return nil }
        var timestamp: Int64 = 0
        if withTimestamp {
            guard i < hi, base[i] == d else { return nil }
            i += 1
            let first = i
            timestamp = FieldParsing.scanDigits(base, &i, hi)
            guard i - first > 0, i - first <= 18 else { return nil }
        }
        guard i == hi || base[i] == 10 else { return nil }
        return (user, item, Float(rating), timestamp, i)
    }

    /// Parses the lines of `[lo, hi)`; `fields` is the field count of the file's first line (at
    /// least the columns read): a good line with more is read and counted in `extraFields`.
    private func parseChunk(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, fields: Int, stringIDs: Bool) -> Chunk {
        var c = Chunk()
        let cols = format.columns
        let need = cols.maxField + 1
        let capacity = fields + 1
        // Reserve from the chunk's size and the average length of its first lines.
        var sampleLines = 0, sampleEnd = lo
        while sampleLines < 64 && sampleEnd < hi { sampleEnd = lineEnd(base, sampleEnd, hi) + 1; sampleLines += 1 }
        let estimate = sampleLines == 0 ? 0 : Int(Double(hi - lo) / Double(Swift.max(1, sampleEnd - lo)) * Double(sampleLines) * 1.05) + 16
        if stringIDs { c.userStrings.reserveCapacity(estimate); c.itemStrings.reserveCapacity(estimate) }
        else { c.userNumbers.reserveCapacity(estimate); c.itemNumbers.reserveCapacity(estimate) }
        c.ratings.reserveCapacity(estimate)
        if cols.timestamp != nil { c.timestamps.reserveCapacity(estimate) }
        let scale = options.ratingScale
        let strict = options.mode == .strict

        // The common layout — `user,item,rating[,timestamp]` in that order, one byte between fields,
        // no quotes, numeric ids — is read by `plainLine` in one pass; any line it does not take
        // (a sign, a space, a `\r`, an exponent, a field more or less, a rating off the scale)
        // goes through the general path below, which reads it or says what is wrong with it.
        var plainDelimiter: UInt8? = nil
        if case .byte(let d) = format.delimiter, !format.quoted, !stringIDs, cols.user == 0, cols.item == 1, cols.rating == 2,
           cols.timestamp == nil ? fields == 3 : (cols.timestamp == 3 && fields == 4) {
            plainDelimiter = d
        }
        let withTimestamp = cols.timestamp != nil

        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * capacity) { bounds in
            let starts = bounds.baseAddress!, ends = bounds.baseAddress! + capacity
            var pos = lo
            while pos < hi {
                if let d = plainDelimiter, let line = Self.plainLine(base, pos, hi, d, withTimestamp),
                   scale.map({ $0.contains(line.rating) }) ?? true {
                    c.lines += 1
                    c.userNumbers.append(line.user)
                    c.itemNumbers.append(line.item)
                    c.ratings.append(line.rating)
                    if withTimestamp { c.timestamps.append(line.timestamp) }
                    pos = line.end + 1
                    continue
                }
                let end = lineEnd(base, pos, hi)
                c.lines += 1
                var contentEnd = end
                if contentEnd > pos && base[contentEnd - 1] == 13 { contentEnd -= 1; c.crlf = true }
                defer { pos = end + 1 }
                if isBlank(base, pos, contentEnd) { c.emptyLines += 1; continue }

                var problem: LineProblem? = nil
                let n = split(base, pos, contentEnd, starts, ends, capacity)
                var rating: Float = 1
                var timestamp: Int64 = 0
                var user: Int64 = 0, item: Int64 = 0
                if n < 0 {
                    problem = .unterminatedQuote
                } else if n < need {
                    problem = .missingField
                } else if !stringIDs {
                    if let u = FieldParsing.integer(base + starts[cols.user], ends[cols.user] - starts[cols.user]),
                       let i = FieldParsing.integer(base + starts[cols.item], ends[cols.item] - starts[cols.item]) {
                        user = u; item = i
                    } else if format.numericIDs || starts[cols.user] == ends[cols.user] || starts[cols.item] == ends[cols.item] {
                        problem = .badID
                    } else {
                        c.needsStringIDs = true
                        return c
                    }
                } else if starts[cols.user] == ends[cols.user] || starts[cols.item] == ends[cols.item] {
                    problem = .badID
                }
                if problem == nil, let r = cols.rating {
                    if let v = FieldParsing.number(base + starts[r], ends[r] - starts[r]) {
                        // Ratings are stored as Float: a number beyond its range (|v| > 3.4e38) would become ±∞.
                        if !v.isFinite || !Float(v).isFinite { problem = .nonFiniteRating }
                        else {
                            rating = Float(v)
                            if let scale, !scale.contains(rating) { problem = .outsideScale }
                        }
                    } else { problem = .nonNumericRating }
                }
                if problem == nil, let t = cols.timestamp {
                    if let v = FieldParsing.integer(base + starts[t], ends[t] - starts[t]) { timestamp = v } else { problem = .badTimestamp }
                }
                if let problem {
                    if strict {
                        c.firstProblem = (c.lines, problem, String(decoding: UnsafeBufferPointer(start: base + pos, count: contentEnd - pos), as: UTF8.self))
                        return c
                    }
                    c.skipped[LineProblem.allCases.firstIndex(of: problem)!] += 1
                    continue
                }
                if stringIDs {
                    c.userStrings.append(text(base, starts[cols.user], ends[cols.user]))
                    c.itemStrings.append(text(base, starts[cols.item], ends[cols.item]))
                } else {
                    c.userNumbers.append(user)
                    c.itemNumbers.append(item)
                }
                c.ratings.append(rating)
                if cols.timestamp != nil { c.timestamps.append(timestamp) }
                if n > fields { c.extraFields += 1 }
            }
            return c
        }
    }
}
