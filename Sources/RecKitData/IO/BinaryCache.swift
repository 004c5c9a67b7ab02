import RecKitLinearAlgebra
/// RecKit's binary dataset cache: a loaded ``RatingDataset`` saved so that it reloads in a small
/// fraction of the parse time.
///
/// Layout (little-endian): magic `RECKITDS`, format version (UInt32), flags (UInt32: bit 0
/// timestamps, bit 1 numeric user ids, bit 2 numeric item ids), rows, columns, entries (Int64 each),
/// then row offsets (Int64 × rows+1), column indices (Int32 × nnz), values (Float32 × nnz),
/// timestamps (Int64 × nnz, if present), user ids, item ids (numeric: Int64 × count; strings:
/// byte length, Int64 offsets × count+1, UTF-8 bytes), and last a 64-bit checksum of everything
/// before it. Files are written atomically.
extension RatingDataset {
    static let cacheMagic = Array("RECKITDS".utf8)
    /// The cache format this build writes and reads.
    public static let cacheVersion: UInt32 = 1

    /// Writes the dataset to a binary cache file (atomically).
    public func writeCache(to path: String) throws {
        try AtomicOutput.write(to: path) { out in out = cacheBytes() }
    }

    /// The cache file's bytes (for embedding a dataset in other RecKit files).
    package func cacheBytes() -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(64 + ratings.nonZeroCount * 16 + (userCount + itemCount) * 16)
            out.append(contentsOf: Self.cacheMagic)
            out.appendRaw(Self.cacheVersion)
            var flags: UInt32 = 0
            if timestamps != nil { flags |= 1 }
            if userIDs.isNumeric { flags |= 2 }
            if itemIDs.isNumeric { flags |= 4 }
            out.appendRaw(flags)
            out.appendRaw(Int64(ratings.rows)); out.appendRaw(Int64(ratings.columns)); out.appendRaw(Int64(ratings.nonZeroCount))
            out.appendRaw(contentsOf: ratings.rowOffsets.map { Int64($0) })
            out.appendRaw(contentsOf: ratings.columnIndices)
            out.appendRaw(contentsOf: ratings.values)
            if let timestamps { out.appendRaw(contentsOf: timestamps) }
            for ids in [userIDs, itemIDs] {
                switch ids.storage {
                case let .numeric(a): out.appendRaw(contentsOf: a)
                case let .strings(a):
                    let blob = a.flatMap { Array($0.utf8) }
                    out.appendRaw(Int64(blob.count))
                    var offsets: [Int64] = [0]
                    for s in a { offsets.append(offsets.last! + Int64(s.utf8.count)) }
                    out.appendRaw(contentsOf: offsets)
                    out.append(contentsOf: blob)
                }
            }
            let sum = out.withUnsafeBytes { checksum64($0) }
            out.appendRaw(sum)
            return out
    }

    /// Reads a dataset written by ``writeCache(to:)``.
    /// - Throws: ``DataError/badFile(file:reason:)`` for a file that is not a RecKit cache, was written
    ///   by another format version, is truncated or fails its checksum.
    public static func loadCache(path: String) throws -> RatingDataset {
        let file = try MappedFile(path: path)
        return try decodeCache(UnsafeRawBufferPointer(file.bytes), name: path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Decodes cache bytes (see ``writeCache(to:)`` for the layout).
    package static func decodeCache(_ raw: UnsafeRawBufferPointer, name: String) throws -> RatingDataset {
        guard raw.count >= 8 + 8 + 24 + 8, Array(raw[0..<8]) == cacheMagic else {
            throw DataError.badFile(file: name, reason: "not a RecKit dataset cache (no RECKITDS header)")
        }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)]), what: name)
        r.offset = 8
        let version = try r.read(UInt32.self)
        guard version == cacheVersion else {
            throw DataError.badFile(file: name, reason: "cache format version \(version); this RecKit reads version \(cacheVersion). Rebuild the cache from the source file")
        }
        let stored = raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)
        guard checksum64(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)])) == stored else {
            throw DataError.badFile(file: name, reason: "checksum mismatch: the cache is corrupted or truncated; rebuild it")
        }
        let flags = try r.read(UInt32.self)
        // Every size is checked against the bytes there are before anything is sized from it.
        let limit = raw.count
        let rows = try r.readSize(limit: limit, "the row count"), columns = try r.readSize(limit: min(limit, Int(Int32.max)), "the column count")
        let nnz = try r.readSize(limit: limit, "the rating count")
        let offsets = try r.readArray(Int64.self, count: rows + 1).map { Int($0) }
        let cols = try r.readArray(Int32.self, count: nnz)
        let values = try r.readArray(Float.self, count: nnz)
        let stamps = flags & 1 != 0 ? try r.readArray(Int64.self, count: nnz) : nil
        func ids(_ count: Int, numeric: Bool) throws -> IDMap {
            if numeric { return IDMap(numeric: try r.readArray(Int64.self, count: count)) }
            let length = try r.readSize(limit: limit, "the id text length")
            let offs = try r.readArray(Int64.self, count: count + 1)
            let blob = try r.readArray(UInt8.self, count: length)
            guard offs.first == 0, offs.last == Int64(length), zip(offs, offs.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw DataError.badFile(file: name, reason: "inconsistent id offsets")
            }
            return IDMap(strings: (0..<count).map { String(decoding: blob[Int(offs[$0])..<Int(offs[$0 + 1])], as: UTF8.self) })
        }
        let users = try ids(rows, numeric: flags & 2 != 0)
        let items = try ids(columns, numeric: flags & 4 != 0)
        guard users.count == rows, items.count == columns else { throw DataError.badFile(file: name, reason: "the id lists do not match the shape") }
        if let k = values.firstIndex(where: { !$0.isFinite }) { throw DataError.badFile(file: name, reason: "rating \(k) is \(values[k]), not a finite number") }
        let matrix: CSRMatrix<Float>
        do { matrix = try CSRMatrix(rows: rows, columns: columns, rowOffsets: offsets, columnIndices: cols, values: values) } catch {
            throw DataError.badFile(file: name, reason: "the sparse structure is inconsistent: \(error)")
        }
        return RatingDataset(ratings: matrix, timestamps: stamps, userIDs: users, itemIDs: items)
    }
}
