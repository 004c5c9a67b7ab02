/// The parameters SGD trains: padded factor rows (`stride` floats, a multiple of 8, zero beyond
/// `factors`) and biases. `p` is `users × stride`, `q` is `items × stride`, row-major.
package struct SGDParameters: Sendable {
    package let factors: Int, stride: Int
    package var p: [Float], q: [Float], userBias: [Float], itemBias: [Float]

    /// Initial factors (``initial(rows:factors:stride:deviation:seed:)`` with `seed` for `P` and
    /// `seed + 1` for `Q`) and zero biases.
    package init(users: Int, items: Int, factors: Int, stride: Int, deviation: Double, seed: UInt64) {
        self.factors = factors
        self.stride = stride
        p = Self.initial(rows: users, factors: factors, stride: stride, deviation: deviation, seed: seed)
        q = Self.initial(rows: items, factors: factors, stride: stride, deviation: deviation, seed: seed &+ 1)
        userBias = [Float](repeating: 0, count: users)
        itemBias = [Float](repeating: 0, count: items)
    }

    /// The row stride for `factors`: the next multiple of 8.
    package static func stride(for factors: Int) -> Int { (factors + 7) / 8 * 8 }

    /// `rows` padded factor rows. Each value is the sum of four 16-bit uniforms, centred and scaled
    /// to variance σ²: a bell-shaped stand-in for N(0, σ²) (within ±3.46σ), ~20× cheaper than
    /// Box–Muller.
    package static func initial(rows: Int, factors: Int, stride: Int, deviation: Double, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var a = [Float](repeating: 0, count: rows * stride)
        let unit = Float(deviation) * Float(3).squareRoot() / 65536
        for r in 0..<rows {
            for t in 0..<factors {
                let x = rng.next()
                let sum = Int(x & 0xFFFF) + Int((x >> 16) & 0xFFFF) + Int((x >> 32) & 0xFFFF) + Int(x >> 48)
                a[r * stride + t] = Float(sum - 2 * 65536) * unit
            }
        }
        return a
    }

    package mutating func withPointers<R>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                           UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try p.withUnsafeMutableBufferPointer { p in
            try q.withUnsafeMutableBufferPointer { q in
                try userBias.withUnsafeMutableBufferPointer { bu in
                    try itemBias.withUnsafeMutableBufferPointer { bi in try body(p.baseAddress!, q.baseAddress!, bu.baseAddress!, bi.baseAddress!) }
                }
            }
        }
    }

    /// `Σ a²` of a padded array in 8-wide SIMD (the order every SGD penalty uses).
    package static func sumOfSquares(_ a: [Float]) -> Double {
        a.withUnsafeBufferPointer { b in
            var acc = SIMD8<Float>(), k = 0
            while k + 8 <= b.count { let v = UnsafeRawPointer(b.baseAddress! + k).loadUnaligned(as: SIMD8<Float>.self); acc += v * v; k += 8 }
            return Double(acc.sum()) + b[k...].reduce(0.0) { $0 + Double($1) * Double($1) }
        }
    }

    /// `λ(‖P‖² + ‖Q‖²) + λ_b(‖b_u‖² + ‖b_i‖²)`.
    package func penalty(reg: Float, regBias: Float) -> Double {
        Double(reg) * (Self.sumOfSquares(p) + Self.sumOfSquares(q)) + Double(regBias) * (Self.sumOfSquares(userBias) + Self.sumOfSquares(itemBias))
    }

    /// `μ + b_u + b_i + p_u·q_i`.
    package func predict(_ u: Int, _ i: Int, mu: Float) -> Float {
        var s = mu + userBias[u] + itemBias[i]
        for t in 0..<factors { s += p[u * stride + t] * q[i * stride + t] }
        return s
    }

    /// RMSE of the clipped predictions over `entries`.
    package func rmse(_ entries: [RatingEntry], mu: Float, clip: ClosedRange<Float>) -> Double {
        var sum = 0.0
        for e in entries {
            let r = Swift.min(clip.upperBound, Swift.max(clip.lowerBound, predict(Int(e.user), Int(e.item), mu: mu)))
            sum += Double(e.rating - r) * Double(e.rating - r)
        }
        return (sum / Double(Swift.max(1, entries.count))).squareRoot()
    }

    /// Unpadded rows (`order.count × factors`, row-major) in the caller's numbering: row `r` is
    /// padded row `order[r]` of `a`.
    package func unpadded(_ a: [Float], order: [Int32]) -> [Float] {
        var out = [Float](repeating: 0, count: order.count * factors)
        for (r, row) in order.enumerated() {
            let from = Int(row) * stride
            out.replaceSubrange(r * factors..<(r + 1) * factors, with: a[from..<(from + factors)])
        }
        return out
    }
}
