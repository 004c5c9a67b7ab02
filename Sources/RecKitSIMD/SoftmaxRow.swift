/// `eˣ` and softmax numerators in vectors of `V`, for the neural losses over whole vocabularies
/// (SASRec's and the two-tower model's softmax cross-entropy, where one `exp` per class and row is
/// most of the loss's time).
///
/// `exp` reduces `x = k·ln 2 + r` with `k` the nearest integer to `x/ln 2` and `|r| ≤ ln 2 / 2`
/// (Cody–Waite: `ln 2` split in two parts so `r` is exact to working precision), evaluates
/// `eʳ` by its Taylor series in Horner form (degree 7 in Float, 13 in Double: truncation below
/// 1e-8 and 1e-17 relative), and scales by `2ᵏ` through the exponent bits. Contract: relative error
/// within 4 units in the last place of the true value wherever that is a normal number (`x` down to
/// ≈ −87.3 in Float, −708.4 in Double; `Tests/RecKitKernelsTests/KernelTierTests` checks it);
/// where the true value is subnormal the result is 0 or within the smallest normal of it, and for
/// `x` ≤ −88.03 (Float) or −709.09 (Double), including −∞, it is exactly 0. NaN gives NaN. It is
/// not meant for positive `x` beyond a few units (the softmax arguments here are ≤ 0).
public enum SoftmaxRow<V: SIMD> where V.Scalar: BinaryFloatingPoint {
    public typealias S = V.Scalar

    /// `eˣ` for each lane of `x` (see the type's contract).
    @inlinable @inline(__always)
    public static func exp(_ x: V) -> V {
        let double = S.significandBitCount > 23
        let log2e = V(repeating: S(1.4426950408889634))
        let ln2hi = V(repeating: double ? S(6.93147180369123816490e-01) : S(0.693359375))
        let ln2lo = V(repeating: double ? S(1.90821492927058770002e-10) : S(-2.12194440e-4))
        // Arguments are raised to −bias·ln 2 at least: there k = −bias, whose exponent field is
        // 0, so 2ᵏ comes out as +0 and the result is exactly 0 (also for −∞).
        let lowest = V(repeating: double ? S(-709.0895657128241) : S(-88.02969193111305))
        // k = round(x/ln 2) by adding and removing 1.5·2^p (p the significand's bits): the sum's
        // low bits then hold k as an integer, so no float-to-integer conversion is needed.
        let m0 = double ? S(6755399441055744.0) : S(12582912.0), magic = V(repeating: m0)
        // (a lane loop: the compiler turns it into a vector compare-and-select; generic SIMD's
        // `replacing(with:where:)` and `pointwiseMax` were not inlined and cost 5–10× more)
        var x = x
        for i in x.indices { x[i] = x[i] < lowest[i] ? lowest[i] : x[i] }
        let shifted = x * log2e + magic
        let k = shifted - magic
        let r = (x - k * ln2hi) - k * ln2lo
        var p: V
        if double {
            p = V(repeating: S(1.0 / 6227020800.0))                 // 1/13!
            p = p * r + V(repeating: S(1.0 / 479001600.0))
            p = p * r + V(repeating: S(1.0 / 39916800.0))
            p = p * r + V(repeating: S(1.0 / 3628800.0))
            p = p * r + V(repeating: S(1.0 / 362880.0))
            p = p * r + V(repeating: S(1.0 / 40320.0))
            p = p * r + V(repeating: S(1.0 / 5040.0))
        } else {
            p = V(repeating: S(1.0 / 5040.0))                        // 1/7!
        }
        p = p * r + V(repeating: S(1.0 / 720.0))
        p = p * r + V(repeating: S(1.0 / 120.0))
        p = p * r + V(repeating: S(1.0 / 24.0))
        p = p * r + V(repeating: S(1.0 / 6.0))
        p = p * r + V(repeating: S(0.5))
        p = p * r + V(repeating: 1)
        p = p * r + V(repeating: 1)
        // 2ᵏ: k (from the low bits) plus the exponent bias, moved into the exponent field.
        let bias = V.MaskStorage.Scalar((1 << (S.exponentBitCount - 1)) - 1)
        let kBits = unsafeBitCast(shifted, to: V.MaskStorage.self) &- unsafeBitCast(magic, to: V.MaskStorage.self)
        let scale = unsafeBitCast((kBits &+ bias) &<< V.MaskStorage.Scalar(S.significandBitCount), to: V.self)
        return p * scale
    }

    /// Replaces `row[0..<n]` by `e^(row[c] − max(row))` and returns their sum (the softmax
    /// numerators and denominator, shifted by the maximum so no term overflows). `n ≥ 1`. The sum
    /// is accumulated per lane and then across lanes, so its last bits depend on the vector width.
    @inlinable @inline(__always)
    public static func numerators(_ row: UnsafeMutablePointer<S>, _ n: Int) -> S {
        let width = V.scalarCount
        @inline(__always) func load(_ p: UnsafeMutablePointer<S>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ x: V, _ p: UnsafeMutablePointer<S>) { UnsafeMutableRawPointer(p).storeBytes(of: x, as: V.self) }
        // the maximum in four independent chains (a scalar loop; the vector compare-and-select
        // generic SIMD offers is not inlined)
        var t0 = row[0], t1 = row[0], t2 = row[0], t3 = row[0]
        var i = 1
        while i + 3 < n {
            t0 = Swift.max(t0, row[i]); t1 = Swift.max(t1, row[i + 1]); t2 = Swift.max(t2, row[i + 2]); t3 = Swift.max(t3, row[i + 3])
            i += 4
        }
        while i < n { t0 = Swift.max(t0, row[i]); i += 1 }
        let top = Swift.max(Swift.max(t0, t1), Swift.max(t2, t3))
        let shift = V(repeating: top)
        var sums = V()
        i = 0
        while i + width <= n {
            let e = exp(load(row + i) - shift)
            store(e, row + i)
            sums += e
            i += width
        }
        var sum = sums.sum()
        if i < n {
            // the tail through one partly filled vector
            var x = V(repeating: -.infinity)
            for t in 0..<(n - i) { x[t] = row[i + t] }
            let e = exp(x - shift)
            for t in 0..<(n - i) { row[i + t] = e[t]; sum += e[t] }
        }
        return sum
    }
}
