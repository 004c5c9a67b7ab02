import RecKitLinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Byte-level number parsing for the loaders: no allocation, no locale.
enum FieldParsing {
    /// A decimal integer with an optional sign, or nil.
    @inline(__always)
    static func integer(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var negative = false
        if n > 0 && (p[0] == 45 || p[0] == 43) { negative = p[0] == 45; i = 1 }
        guard i < n, n - i <= 18 else { return n - i > 18 ? slowInteger(p, n) : nil }
        let v = scanDigits(p, &i, n)
        guard i == n else { return nil }
        return negative ? -v : v
    }

    /// The value of the decimal digits from `p[i]` on, stopping at the first other byte or at `end`
    /// (`i` is left there). At most 18 digits fit without overflow; callers check the count.
    @inline(__always)
    static func scanDigits(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> Int64 {
        var v: Int64 = 0
        while i < end {
            let d = p[i] &- 48
            guard d < 10 else { break }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        return v
    }

    /// Digits with an optional `.` and fraction digits from `p[i]` on (no sign, no exponent),
    /// stopping at the first other byte or at `end` (`i` is left there): the digits as one integer,
    /// how many there were, and how many followed the point.
    @inline(__always)
    static func scanDecimal(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> (mantissa: UInt64, digits: Int, fraction: Int) {
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        while i < end, p[i] &- 48 < 10 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); digits += 1; i += 1 }
        if i < end && p[i] == 46 { // '.'
            i += 1
            while i < end, p[i] &- 48 < 10 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); digits += 1; fraction += 1; i += 1 }
        }
        return (mantissa, digits, fraction)
    }

    /// `mantissa × 10^exponent`, correctly rounded, when the mantissa has at most 15 digits and
    /// |exponent| ≤ 22 (both exact in a `Double`, so one multiplication or division rounds once);
    /// nil otherwise.
    @inline(__always)
    static func exactDecimal(_ mantissa: UInt64, digits: Int, exponent e: Int) -> Double? {
        guard digits <= 15 && e >= -22 && e <= 22 else { return nil }
        let m = Double(mantissa)
        if e == 0 { return m }  // whole ratings, most of them: no table lookup
        return e > 0 ? m * powersOfTen[e] : m / powersOfTen[-e]
    }

    private static func slowInteger(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        Int64(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }

    static let powersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { r, _ in r * 10 } }

    /// A decimal number (`3`, `-4.5`, `1e3`), `±inf`/`infinity`/`nan` (any case) as non-finite values,
    /// or nil for anything else. Correctly rounded when the significand has ≤ 15 digits and the
    /// exponent is small (every rating file); otherwise falls back to `strtod`.
    @inline(__always)
    static func number(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var negative = false
        if n > 0 && (p[0] == 45 || p[0] == 43) { negative = p[0] == 45; i = 1 }
        let (mantissa, digits, fraction) = scanDecimal(p, &i, n)
        let sawDigit = digits > 0
        var exponent = 0
        if sawDigit && i < n && (p[i] == 101 || p[i] == 69) { // e E
            var j = i + 1
            var eNeg = false
            if j < n && (p[j] == 45 || p[j] == 43) { eNeg = p[j] == 45; j += 1 }
            var e = 0, eDigits = 0
            while j < n, p[j] &- 48 < 10, eDigits < 6 { e = e * 10 + Int(p[j] &- 48); eDigits += 1; j += 1 }
            if eDigits == 0 { return nil }
            exponent = eNeg ? -e : e
            i = j
        }
        guard i == n else { return nonFinite(p, n) }
        guard sawDigit else { return nil }
        if let v = exactDecimal(mantissa, digits: digits, exponent: exponent - fraction) { return negative ? -v : v }
        var buffer = [CChar](repeating: 0, count: n + 1)
        for k in 0..<n { buffer[k] = CChar(bitPattern: p[k]) }
        return strtod(buffer, nil)
    }

    private static func nonFinite(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self).lowercased()
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        switch s {
        case "nan": return .nan
        case "inf", "infinity": return sign * .infinity
        default: return nil
        }
    }
}
