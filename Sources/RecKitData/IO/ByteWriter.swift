import RecKitLinearAlgebra
/// Little helpers for building binary files in memory and reading them back.
extension Array where Element == UInt8 {
    mutating func appendRaw<T>(_ value: T) {
        Swift.withUnsafeBytes(of: value) { append(contentsOf: $0) }
    }

    mutating func appendRaw<T>(contentsOf array: [T]) {
        array.withUnsafeBytes { append(contentsOf: $0) }
    }

    mutating func appendString(_ s: String) { append(contentsOf: Array(s.utf8)) }
}

/// A bounds-checked reader over mapped bytes.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    let what: String

    init(_ bytes: UnsafeRawBufferPointer, what: String) {
        self.bytes = bytes
        self.what = what
    }

    mutating func read<T>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard size <= bytes.count - offset else { throw DataError.badFile(file: what, reason: "truncated at byte \(offset)") }
        defer { offset += size }
        return bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// A 64-bit size read from a file as an Int, refused when negative or beyond `limit`.
    mutating func readSize(limit: Int, _ name: String) throws -> Int {
        let v = try read(Int64.self)
        guard v >= 0, v <= Int64(limit) else { throw DataError.badFile(file: what, reason: "\(name) \(v) is impossible for a file of \(bytes.count) bytes") }
        return Int(v)
    }

    /// `count` values of `T`; a count read from a file is checked against the bytes left before
    /// anything is sized from it (a forged count of 2⁶² is an error, not a trap or an abort).
    mutating func readArray<T>(_: T.Type, count: Int) throws -> [T] {
        let (size, overflow) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: count)
        guard count >= 0, !overflow, size <= bytes.count - offset else {
            throw DataError.badFile(file: what, reason: "truncated or forged: \(count) values of \(MemoryLayout<T>.stride) bytes at byte \(offset), the file has \(bytes.count)")
        }
        defer { offset += size }
        return [T](unsafeUninitializedCapacity: count) { buf, initialized in
            if count > 0 { UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])) }
            initialized = count
        }
    }
}

/// A fast 64-bit checksum (four independent multiply–rotate lanes over 8-byte words): detects
/// truncated, corrupted or mismatched files; not a cryptographic hash.
package func checksum64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let prime1: UInt64 = 0x9E37_79B1_85EB_CA87, prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    var h0: UInt64 = 0x243F_6A88_85A3_08D3, h1: UInt64 = 0x1319_8A2E_0370_7344
    var h2: UInt64 = 0xA409_3822_299F_31D0, h3: UInt64 = 0x082E_FA98_EC4E_6C89
    @inline(__always) func round(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = h &+ w &* prime2
        return ((x << 31) | (x >> 33)) &* prime1
    }
    let n = bytes.count
    var i = 0
    while i + 32 <= n {
        h0 = round(h0, bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        h1 = round(h1, bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
        h2 = round(h2, bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
        h3 = round(h3, bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
        i += 32
    }
    var h = ((h0 << 1) | (h0 >> 63)) &+ ((h1 << 7) | (h1 >> 57)) &+ ((h2 << 12) | (h2 >> 52)) &+ ((h3 << 18) | (h3 >> 46))
    h = h &+ UInt64(n)
    while i < n { h = round(h, UInt64(bytes[i])); i += 1 }
    h ^= h >> 33; h = h &* prime2; h ^= h >> 29; h = h &* prime1; h ^= h >> 32
    return h
}
