import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Loading a rating file: parse into CSR, write the binary cache, reload it.
public struct LoadSuite: Sendable {
    public var file: String
    public var threads: [Int] = [Engine.availableCores]
    public var cachePath: String?

    public init(file: String) { self.file = file }

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        let cache = cachePath ?? (FileManager.default.temporaryDirectory.appendingPathComponent("reckit-bench-\(getpid()).rkds").path)
        defer { if cachePath == nil { try? FileManager.default.removeItem(atPath: cache) } }
        let name = (file as NSString).lastPathComponent
        var last: RatingDataset? = nil
        for t in threads {
            let timing = try Timing.measure(minRepeats: 3, maxRepeats: 5, targetSeconds: 0) {
                last = try RatingDataset.load(path: file, options: LoadOptions(threads: t))
            }
            let row = makeRow("parse_csr", t, timing, ["file": name, "ratings": "\(last!.ratingCount)"])
            rows.append(row)
            progress(row)
        }
        guard let dataset = last else { return rows }
        let write = try Timing.measure(minRepeats: 3, maxRepeats: 3, targetSeconds: 0) { try dataset.writeCache(to: cache) }
        rows.append(makeRow("cache_write", 1, write, ["file": name]))
        progress(rows.last!)
        var reloaded: RatingDataset? = nil
        let read = try Timing.measure(minRepeats: 5, maxRepeats: 5, targetSeconds: 0) { reloaded = try RatingDataset.loadCache(path: cache) }
        guard reloaded == dataset else { throw DataError.badFile(file: cache, reason: "the reloaded cache differs from the parsed data") }
        rows.append(makeRow("cache_reload", 1, read, ["file": name, "identical": "true"]))
        progress(rows.last!)
        return rows
    }

    private func makeRow(_ op: String, _ threads: Int, _ t: Timing, _ params: [String: String]) -> BenchmarkRow {
        BenchmarkRow(op: op, dtype: "float", backend: "swift", threads: threads, size: 0, params: params, seconds: t.median,
                     secondsMin: t.min, secondsMax: t.max, repeats: t.repeats, gflops: nil, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
    }
}
