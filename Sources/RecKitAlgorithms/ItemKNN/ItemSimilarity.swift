import RecKitData
import RecKitLinearAlgebra

/// How ``ItemSimilarity`` compares two item columns `a_i`, `a_j` of the (already transformed) rating
/// matrix. Every sum runs over the users who rated both items (`n_ij` of them).
public enum SimilarityKind: String, Sendable, CaseIterable {
    /// `Σ a_ui·a_uj / √(Σ a_ui² · Σ a_uj²)`. Adjusted cosine is this on ratings minus each user's
    /// mean; Surprise's `pearson_baseline` is this on baseline residuals `r − b_ui`.
    case cosine
    /// Pearson correlation over the co-rating users (their means of `a_i` and `a_j`).
    case pearson
    /// `a_i·a_j / (‖a_i‖·‖a_j‖)` with the norms of the whole columns (all of each item's users):
    /// the classic top-N similarity for implicit feedback, where co-rated norms of 1s would make
    /// every pair 1.
    case vectorCosine
}

/// Each item's most similar items, best first: item `i`'s neighbours are
/// `items[offsets[i]..<offsets[i+1]]` with similarities `similarities[…]` (row-major CSR-like).
public struct ItemNeighbors: Sendable {
    public var offsets: [Int]
    public var items: [Int32]
    public var similarities: [Float]

    public init(offsets: [Int], items: [Int32], similarities: [Float]) {
        self.offsets = offsets
        self.items = items
        self.similarities = similarities
    }

    public var itemCount: Int { offsets.count - 1 }
    public func range(of item: Int) -> Range<Int> { offsets[item]..<offsets[item + 1] }
}

/// Item–item similarities from a sparse Gram product: for every item `i`, the users who rated it
/// and then all the items those users rated are walked once (Gustavson's sparse product `AᵀA`, row
/// `i` at a time into dense accumulators), collecting per neighbour `j` the co-rating count and the
/// sums the chosen ``SimilarityKind`` needs. Cost `Σ_u n_u²`, memory `O(items)` per thread plus the
/// kept neighbours; parallel over items.
///
/// **Shrinkage** (Koren 2010): `s_ij ← s_ij · (n_ij − 1) / (n_ij − 1 + shrinkage)`, so similarities
/// resting on few co-ratings are pulled towards 0. Pairs with fewer than `minimumSupport` co-ratings,
/// zero similarity (|s| ≤ 1e-9, rounding's zero) or none (a column constant over the co-raters,
/// for Pearson) are dropped.
public enum ItemSimilarity {
    /// - Parameters:
    ///   - ratings: `users × items`, the values to compare (raw ratings, centred ratings, residuals, or 1s).
    ///   - keep: neighbours kept per item, the most similar first (0: all with non-zero similarity).
    ///   - positiveOnly: keep only positive similarities.
    /// - Throws: ``AlgorithmError`` for NaN/∞ values or negative settings.
    public static func neighbors(_ ratings: CSRMatrix<Float>, kind: SimilarityKind, shrinkage: Double = 0, minimumSupport: Int = 1,
                                 keep: Int = 0, positiveOnly: Bool = false, context: ExecutionContext = .current) throws -> ItemNeighbors {
        func fail(_ option: String, _ value: Any, _ requirement: String) -> AlgorithmError {
            .invalidOption(algorithm: "item similarity", option: option, value: "\(value)", requirement: requirement)
        }
        guard shrinkage.isFinite, shrinkage >= 0 else { throw fail("shrinkage", shrinkage, "a finite number ≥ 0") }
        guard keep >= 0 else { throw fail("keep", keep, "≥ 0") }
        guard minimumSupport >= 1 else { throw fail("minimumSupport", minimumSupport, "≥ 1") }
        if let (u, i) = ratings.firstNonFinite { throw AlgorithmError.nonFiniteInput(algorithm: "item similarity", row: u, column: i) }
        let n = ratings.columns
        let byItem = ratings.transposed()
        var columnNorm = [Double](repeating: 0, count: n)
        for p in 0..<ratings.nonZeroCount { columnNorm[Int(ratings.columnIndices[p])] += Double(ratings.values[p]) * Double(ratings.values[p]) }
        columnNorm = columnNorm.map { $0.squareRoot() }
        let parts = Swift.max(1, Swift.min(n, context.threads * 8))
        let lists = Parallel.map(parts, threads: context.threads) { part -> [[(item: Int32, similarity: Float)]] in
                let range = Parallel.chunk(part, of: parts, count: n)
                var rows: [[(item: Int32, similarity: Float)]] = []
                rows.reserveCapacity(range.count)
                var dot = [Double](repeating: 0, count: n), sqI = dot, sqJ = dot, sumI = dot, sumJ = dot
                var count = [Int32](repeating: 0, count: n)
                var touched: [Int32] = []
                for i in range {
                    touched.removeAll(keepingCapacity: true)
                    for p in byItem.range(ofRow: i) {
                        let u = Int(byItem.columnIndices[p]), x = Double(byItem.values[p])
                        for q in ratings.range(ofRow: u) {
                            let j = Int(ratings.columnIndices[q])
                            if j == i { continue }
                            let y = Double(ratings.values[q])
                            if count[j] == 0 { touched.append(Int32(j)) }
                            count[j] += 1
                            dot[j] += x * y; sqI[j] += x * x; sqJ[j] += y * y
                            sumI[j] += x; sumJ[j] += y
                        }
                    }
                    var row: [(item: Int32, similarity: Float)] = []
                    row.reserveCapacity(touched.count)
                    for j32 in touched {
                        let j = Int(j32), c = Double(count[j])
                        var s: Double
                        switch kind {
                        case .cosine:
                            s = dot[j] / (sqI[j] * sqJ[j]).squareRoot()
                        case .vectorCosine:
                            s = dot[j] / (columnNorm[i] * columnNorm[j])
                        case .pearson:
                            // c²·variances; a constant column over the co-raters (zero up to rounding) has none
                            let vi = c * sqI[j] - sumI[j] * sumI[j], vj = c * sqJ[j] - sumJ[j] * sumJ[j]
                            let tiny = 1e-10 * c * Swift.max(sqI[j], sqJ[j])
                            s = vi <= tiny || vj <= tiny ? .nan : (c * dot[j] - sumI[j] * sumJ[j]) / (vi * vj).squareRoot()
                        }
                        if shrinkage > 0 { s *= (c - 1) / (c - 1 + shrinkage) }
                        if Int(count[j]) >= minimumSupport, s.isFinite, abs(s) > 1e-9, !positiveOnly || s > 0 { row.append((j32, Float(s))) }
                        count[j] = 0; dot[j] = 0; sqI[j] = 0; sqJ[j] = 0; sumI[j] = 0; sumJ[j] = 0
                    }
                    row.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.item < $1.item }
                    if keep > 0, row.count > keep { row.removeSubrange(keep...) }
                    rows.append(row)
                }
                return rows
        }.flatMap { $0 }
        var offsets = [0]
        offsets.reserveCapacity(n + 1)
        for l in lists { offsets.append(offsets.last! + l.count) }
        return ItemNeighbors(offsets: offsets, items: lists.flatMap { $0.map(\.item) }, similarities: lists.flatMap { $0.map(\.similarity) })
    }
}
