import RecKitData
import RecKitLinearAlgebra

/// SVD++'s parameters: those of biased MF plus the padded implicit factors `y`.
struct PlusParameters {
    var base: SGDParameters
    var y: [Float]

    func implicitNorm() -> Double { y.reduce(0.0) { $0 + Double($1) * Double($1) } }

    func rmse(_ entries: [RatingEntry], train: CSRMatrix<Float>, mu: Float, clip: ClosedRange<Float>) -> Double {
        let s = base.stride, f = base.factors
        var sum = 0.0
        for e in entries {
            let u = Int(e.user), i = Int(e.item), row = train.range(ofRow: u)
            let norm = row.isEmpty ? 0 : 1 / Float(row.count).squareRoot()
            var pred = mu + base.userBias[u] + base.itemBias[i]
            for t in 0..<f {
                var z: Float = 0
                for k in row { z += y[Int(train.columnIndices[k]) * s + t] }
                pred += base.q[i * s + t] * (base.p[u * s + t] + norm * z)
            }
            let r = Swift.min(clip.upperBound, Swift.max(clip.lowerBound, pred))
            sum += Double(e.rating - r) * Double(e.rating - r)
        }
        return (sum / Double(Swift.max(1, entries.count))).squareRoot()
    }
}
