import Foundation
import Testing
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Model files crafted with a valid checksum but impossible fields (issue 26, defect 4): every
/// length, count and value read from the file is checked before use, so each is an error naming
/// what is wrong — on main at 2c6d47b each of these trapped the reader or was accepted.
@Suite struct ForgedArchiveTests {
    /// A small saved ALS model's bytes.
    static func savedBytes() throws -> [UInt8] {
        let data = try SyntheticRatings(users: 40, items: 30, ratings: 400, seed: 2).generate(threads: 1)
        var als = ALSRecommender { $0.factors = 4; $0.iterations = 2 }
        try als.fit(data, context: .current, progress: nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forge-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try als.save(to: path)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes `bytes` with the checksum recomputed (as a forger would) and reads them back.
    static func read(_ bytes: [UInt8]) throws -> any Recommender {
        var body = Array(bytes.dropLast(8))
        let sum = body.withUnsafeBytes { checksum64($0) }
        withUnsafeBytes(of: sum.littleEndian) { body += $0 }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forged-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(body).write(to: URL(fileURLWithPath: path))
        return try ModelRegistry.load(from: path)
    }

    static func setLength(_ bytes: inout [UInt8], _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { for k in 0..<8 { bytes[12 + k] = $0[k] } }
    }

    /// The archive with its JSON header changed by `edit` (the length field follows).
    static func editingHeader(_ bytes: [UInt8], _ edit: (String) -> String) -> [UInt8] {
        let length = Int(bytes[12..<20].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let json = String(decoding: bytes[20..<(20 + length)], as: UTF8.self)
        let edited = Array(edit(json).utf8)
        var out = Array(bytes[0..<12])
        withUnsafeBytes(of: UInt64(edited.count).littleEndian) { out += $0 }
        return out + edited + bytes[(20 + length)...]
    }

    static func fails(_ bytes: [UInt8], saying text: String) -> Bool {
        do { _ = try read(bytes); return false } catch { return "\(error)".contains(text) }
    }

    @Test func forgedLengthsCountsAndValuesAreErrors() throws {
        let good = try Self.savedBytes()
        _ = try Self.read(good)   // the forging itself keeps a good file good
        var huge = good
        Self.setLength(&huge, 1 << 63)
        #expect(Self.fails(huge, saying: "length"))
        Self.setLength(&huge, (1 << 63) - 1)
        #expect(Self.fails(huge, saying: "length"))
        let count = Self.editingHeader(good) { $0.replacingOccurrences(of: "\"item_factors\":120", with: "\"item_factors\":4611686018427387904") }
        #expect(count != good && Self.fails(count, saying: "item_factors"))
        let overflow = Self.editingHeader(good) { $0.replacingOccurrences(of: "\"item_factors\":120", with: "\"item_factors\":9223372036854775807") }
        #expect(Self.fails(overflow, saying: "item_factors"))
        let factors = Self.editingHeader(good) { $0.replacingOccurrences(of: "\"factors\":4", with: "\"factors\":1e300") }
        #expect(factors != good && Self.fails(factors, saying: "factors"))
    }

    @Test func aNaNParameterIsRefused() throws {
        let good = try Self.savedBytes()
        let length = Int(good[12..<20].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var bad = good
        // The first float array begins right after the header (arrays in key order; 'global_bias' first).
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for k in 0..<4 { bad[20 + length + k] = $0[k] } }
        #expect(Self.fails(bad, saying: "nan"))
    }

    @Test func aForgedTrainingCacheIsAnError() throws {
        let data = try SyntheticRatings(users: 20, items: 10, ratings: 100, seed: 3).generate(threads: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("forge-\(UUID().uuidString).rkds").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try data.writeCache(to: path)
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // rows, columns, nnz follow the magic (8), the version (4) and the flags (4).
        for (offset, value) in [(16, Int64.max), (24, Int64(1) << 40), (32, Int64.max / 2), (16, -5)] {
            var bad = Array(good.dropLast(8))
            withUnsafeBytes(of: value.littleEndian) { for k in 0..<8 { bad[offset + k] = $0[k] } }
            let sum = bad.withUnsafeBytes { checksum64($0) }
            withUnsafeBytes(of: sum.littleEndian) { bad += $0 }
            #expect(throws: DataError.self, "field at \(offset) = \(value)") {
                try bad.withUnsafeBytes { try RatingDataset.decodeCache($0, name: "forged.rkds") }
            }
        }
    }
}
