import Foundation
import RecKit
import RecKitData
import RecKitServing

/// Targets for the readers of files: ratings (delimited, Matrix Market, `.rkds`), arrays (`.npy`),
/// model archives, experiment configs and logged bandit feedback.
enum FileTargets {
    /// The delimited/MovieLens parser under every option set: the first two bytes choose the
    /// delimiter, header, columns, strict or lenient mode, duplicate policy and the file's name
    /// (detection reads it); the rest is the file.
    static func delimited(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let a = bytes[0], b = bytes[1]
        let delimiters: [RatingFileFormat.Delimiter?] = [nil, .tab, .comma, .semicolon, .whitespace, .doubleColon, .byte(UInt8(ascii: "|"))]
        let delimiter = delimiters[Int(a) % delimiters.count]
        let header: Bool? = [nil, true, false][Int(a >> 3) % 3]
        let columns: ColumnSelection? = switch (a >> 5) % 4 {
        case 0: nil
        case 1: .positions(.init(user: 0, item: 1, rating: 2, timestamp: 3))
        case 2: .positions(.init(user: 1, item: 0, rating: nil))
        default: .names(user: "user", item: "item", rating: "rating", timestamp: "timestamp")
        }
        let names = ["r.csv", "u.data", "ratings.dat", "ratings.csv", "r.tsv", "r.txt"]
        let duplicates: [DuplicatePolicy] = [.keepLast, .mean, .sum]
        let options = LoadOptions(mode: b & 1 == 0 ? .strict : .lenient, duplicates: duplicates[Int(b >> 1) % 3],
                                  ratingScale: b & 0x40 != 0 ? 1...5 : nil, threads: b & 0x80 != 0 ? 2 : 1)
        let path = FuzzTargets.file(names[Int(b >> 3) % names.count], bytes.dropFirst(2))
        guard let d = try? RatingDataset.load(path: path, hints: FormatHints(delimiter: delimiter, header: header, columns: columns),
                                              options: options) else { return }
        // Summed duplicates (counts) may leave the range each line was checked against.
        checkDataset(d, scale: options.duplicates == .sum ? nil : options.ratingScale)
    }

    static func matrixMarket(_ bytes: [UInt8]) {
        let lenient = bytes.first.map { $0 & 1 == 1 } ?? false
        guard let d = try? MatrixMarket.read(path: FuzzTargets.file("r.mtx", bytes.dropFirst()),
                                             options: LoadOptions(mode: lenient ? .lenient : .strict, threads: 1)) else { return }
        checkDataset(d, scale: nil)
    }

    static func npy(_ bytes: [UInt8]) {
        let path = FuzzTargets.file("a.npy", bytes)
        if let a = try? NumPy.read(path: path) {
            FuzzTargets.check(a.shape.allSatisfy { $0 >= 0 } && a.shape.reduce(1, *) == a.elements.count,
                              "npy shape \(a.shape) holds \(a.elements.count) elements")
        }
        if let m = try? NumPy.readMatrix(path: path, as: Float.self) {
            FuzzTargets.check(m.rows * m.columns == m.storage.count, "npy matrix \(m.rows)×\(m.columns) with \(m.storage.count) values")
        }
    }

    /// A crafted cache: the checksum is recomputed over the mutated bytes (as a forger would), so
    /// the fuzzer reaches every field behind it.
    static func rkds(_ bytes: [UInt8]) {
        guard let d = try? RatingDataset.loadCache(path: FuzzTargets.file("r.rkds", withChecksum(bytes))) else { return }
        checkDataset(d, scale: nil)
    }

    /// A crafted model archive of any kind (checksum recomputed): loading it either fails with an
    /// error or gives a model that answers for its first user and item.
    static func model(_ bytes: [UInt8]) {
        guard let model = try? ModelRegistry.load(from: FuzzTargets.file("m.model", withChecksum(bytes))),
              let train = model.training, train.userCount > 0, train.itemCount > 0 else { return }
        _ = model.predict(user: 0, item: 0)
        _ = try? model.recommend(user: 0, count: 5)
    }

    /// An experiment config: decoded, and every model entry resolved and configured as `evaluate
    /// --config` does before any fit.
    static func experimentConfig(_ bytes: [UInt8]) {
        guard let config = try? ExperimentConfig.load(path: FuzzTargets.file("e.json", bytes)) else { return }
        for entry in config.models {
            guard let spec = try? ModelRegistry.spec(named: entry.name) else { continue }
            _ = try? spec.makeModel(configuration: entry.configuration ?? entry.hyperparameters ?? [:])
        }
    }

    /// Logged bandit feedback (CSV with header), as `reckit bandit evaluate --log` reads it.
    static func banditLog(_ bytes: [UInt8]) {
        guard let log = try? LoggedFeedback.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        for row in log.rows {
            FuzzTargets.check(row.propensity > 0 && row.propensity <= 1 && row.reward.isFinite && row.position >= 0,
                              "logged row \(row.line): propensity \(row.propensity), reward \(row.reward), position \(row.position)")
        }
    }

    // MARK: - Details

    /// `bytes` with their last 8 bytes replaced by the checksum of the rest (RecKit's caches and
    /// archives end with one).
    static func withChecksum(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 8 else { return bytes }
        var body = Array(bytes.dropLast(8))
        let sum = body.withUnsafeBytes { checksum64($0) }
        withUnsafeBytes(of: sum.littleEndian) { body += $0 }
        return body
    }

    /// What every loaded dataset must satisfy, whatever the file said.
    static func checkDataset(_ d: RatingDataset, scale: ClosedRange<Float>?) {
        let r = d.ratings
        FuzzTargets.check(r.rowOffsets.count == r.rows + 1 && r.rowOffsets.first == 0 && r.rowOffsets.last == r.values.count,
                          "row offsets of a \(r.rows)-row matrix")
        FuzzTargets.check(zip(r.rowOffsets, r.rowOffsets.dropFirst()).allSatisfy { $0 <= $1 }, "row offsets decrease")
        FuzzTargets.check(r.columnIndices.count == r.values.count && r.columnIndices.allSatisfy { $0 >= 0 && Int($0) < r.columns },
                          "column index outside 0..<\(r.columns)")
        FuzzTargets.check(r.values.allSatisfy(\.isFinite), "a rating is not finite")
        if let scale { FuzzTargets.check(r.values.allSatisfy { scale.contains($0) }, "a rating outside \(scale)") }
        FuzzTargets.check(d.userIDs.count == r.rows && d.itemIDs.count == r.columns, "id maps do not match the matrix")
        if let t = d.timestamps { FuzzTargets.check(t.count == r.values.count, "\(t.count) timestamps for \(r.values.count) ratings") }
    }
}
