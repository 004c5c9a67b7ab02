import RecKitLinearAlgebra

/// NumPy `.npy` files (format version 1.0): a Python user loads RecKit's factors with `numpy.load`.
///
/// Written arrays are C-ordered (row-major) little-endian `<f4`, `<f8`, `<i4` or `<i8`; the header
/// is padded so the data starts on a 64-byte boundary, as the format specification asks.
public enum NumPy {
    /// Writes a matrix as a 2-D array (atomically).
    public static func write<T: Scalar>(_ m: Matrix<T>, to path: String) throws {
        try write(storage: m.storage, descr: T.dtype == .float ? "<f4" : "<f8", shape: [m.rows, m.columns], to: path)
    }

    /// Writes a vector as a 1-D array (atomically).
    public static func write<T: Scalar>(_ v: [T], to path: String) throws {
        try write(storage: v, descr: T.dtype == .float ? "<f4" : "<f8", shape: [v.count], to: path)
    }

    /// Writes integers as a 1-D `<i4` array.
    public static func write(_ v: [Int32], to path: String) throws { try write(storage: v, descr: "<i4", shape: [v.count], to: path) }
    /// Writes integers as a 1-D `<i8` array.
    public static func write(_ v: [Int64], to path: String) throws { try write(storage: v, descr: "<i8", shape: [v.count], to: path) }

    static func write<E>(storage: [E], descr: String, shape: [Int], to path: String) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        try AtomicOutput.write(to: path) { out in
            out.append(contentsOf: [0x93] + Array("NUMPY".utf8) + [1, 0])
            out.appendRaw(UInt16(header.utf8.count).littleEndian)
            out.appendString(header)
            out.appendRaw(contentsOf: storage)
        }
    }

    /// An array read from a `.npy` file: its shape and its elements converted to Double.
    public struct NDArray: Sendable {
        public var shape: [Int]
        /// The stored type, e.g. `<f4`.
        public var descr: String
        public var elements: [Double]
    }

    /// Reads a C-ordered little-endian `.npy` array of `<f4`, `<f8`, `<i4` or `<i8`.
    /// - Throws: ``DataError/badFile(file:reason:)`` naming what is wrong with the header or size.
    public static func read(path: String) throws -> NDArray {
        let file = try MappedFile(path: path)
        let raw = UnsafeRawBufferPointer(file.bytes)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard raw.count >= 10, raw[0] == 0x93, Array(raw[1..<6]) == Array("NUMPY".utf8) else {
            throw DataError.badFile(file: name, reason: "not a .npy file (no \\x93NUMPY magic)")
        }
        let major = raw[6]
        var r = ByteReader(raw, what: name)
        r.offset = 8
        let headerLength = major == 1 ? Int(try r.read(UInt16.self)) : Int(try r.read(UInt32.self))
        guard r.offset + headerLength <= raw.count else { throw DataError.badFile(file: name, reason: "truncated header") }
        let header = String(decoding: raw[r.offset..<r.offset + headerLength], as: UTF8.self)
        r.offset += headerLength
        func value(_ key: String) -> String? {
            guard let k = header.range(of: "'\(key)':") else { return nil }
            return String(header[k.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let d = value("descr"), let q1 = d.firstIndex(of: "'"),
              let q2 = d[d.index(after: q1)...].firstIndex(of: "'") else { throw DataError.badFile(file: name, reason: "header has no descr") }
        let descr = String(d[d.index(after: q1)..<q2])
        guard let fo = value("fortran_order"), fo.hasPrefix("False") else {
            throw DataError.badFile(file: name, reason: "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray")
        }
        guard let s = value("shape"), s.hasPrefix("("), let close = s.firstIndex(of: ")") else {
            throw DataError.badFile(file: name, reason: "header has no shape")
        }
        // "(3, 4)", "(3,)" or "()": every dimension an integer ≥ 0, their product within Int.
        var shape: [Int] = [], count = 1
        var tokens = s[s.index(after: s.startIndex)..<close].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if tokens.count > 1, tokens.last == "" { tokens.removeLast() }   // the trailing comma of "(3,)"
        if tokens == [""] { tokens = [] }                                  // "()": a scalar
        for text in tokens {
            guard let n = Int(text), n >= 0 else {
                throw DataError.badFile(file: name, reason: "shape \(DataError.printable(String(s[...close]))) is not a tuple of sizes ≥ 0")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw DataError.badFile(file: name, reason: "shape \(DataError.printable(String(s[...close]))) has too many elements") }
            shape.append(n); count = product
        }
        let elements: [Double]
        switch descr {
        case "<f4": elements = try r.readArray(Float.self, count: count).map(Double.init)
        case "<f8": elements = try r.readArray(Double.self, count: count)
        case "<i4": elements = try r.readArray(Int32.self, count: count).map(Double.init)
        case "<i8": elements = try r.readArray(Int64.self, count: count).map(Double.init)
        default: throw DataError.badFile(file: name, reason: "dtype '\(descr)' is not supported (use <f4, <f8, <i4 or <i8)")
        }
        return NDArray(shape: shape, descr: descr, elements: elements)
    }

    /// Reads a 2-D (or 1-D, as one column) array as a matrix.
    public static func readMatrix<T: Scalar>(path: String, as: T.Type = T.self) throws -> Matrix<T> {
        let a = try read(path: path)
        guard a.shape.count == 1 || a.shape.count == 2 else {
            throw DataError.badFile(file: path, reason: "expected a 1-D or 2-D array, got shape \(a.shape)")
        }
        let rows = a.shape[0], columns = a.shape.count == 2 ? a.shape[1] : 1
        return try Matrix(rows: rows, columns: columns, elements: a.elements.map { T($0) })
    }
}
