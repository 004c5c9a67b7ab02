import RecKitLinearAlgebra

/// A summary of a rating dataset, as `reckit data stats` prints it.
public struct DatasetStatistics: Sendable, Codable, Equatable {
    public var users: Int
    public var items: Int
    public var ratings: Int
    /// ratings ÷ (users · items).
    public var density: Double
    public var minRating: Float
    public var maxRating: Float
    public var meanRating: Double
    /// Rating value → count, when the ratings take at most 20 distinct values (e.g. 1…5 stars);
    /// otherwise 10 equal-width bins labelled by their lower edge.
    public var histogram: [String: Int]
    /// Share of ratings that fall on the long tail: every item outside the 20 % most-rated items.
    public var longTailShare: Double
    public var usersWithoutRatings: Int
    public var itemsWithoutRatings: Int
    public var medianRatingsPerUser: Int
    public var medianRatingsPerItem: Int

    public init(_ d: RatingDataset) {
        let values = d.ratings.values
        users = d.userCount
        items = d.itemCount
        ratings = values.count
        density = d.ratings.density
        // One pass for the range and the mean (statistics of 20 M ratings are read in one go).
        var low = Float.infinity, high = -Float.infinity, sum = 0.0
        for v in values { low = Swift.min(low, v); high = Swift.max(high, v); sum += Double(v) }
        minRating = values.isEmpty ? 0 : low
        maxRating = values.isEmpty ? 0 : high
        meanRating = values.isEmpty ? 0 : sum / Double(values.count)
        if let (distinct, counts) = Self.fewDistinct(values, limit: 20) {
            histogram = Dictionary(uniqueKeysWithValues: zip(distinct, counts).map { (Self.label($0), $1) })
        } else {
            // In Double: the range of Float ratings (up to ±3.4e38 each) does not overflow there.
            let low = Double(minRating), width = (Double(maxRating) - low) / 10
            var bins = [Int](repeating: 0, count: 10)
            for v in values { bins[Swift.max(0, Swift.min(9, Int(((Double(v) - low) / width).rounded(.down))))] += 1 }
            histogram = Dictionary(uniqueKeysWithValues: bins.enumerated().map { (Self.label(Float(low + Double($0.offset) * width)), $0.element) })
        }
        // Counts only: rows from the offsets, columns in one pass over the column indices.
        let rowCounts = (0..<d.ratings.rows).map { d.ratings.rowOffsets[$0 + 1] - d.ratings.rowOffsets[$0] }
        var itemCounts = [Int](repeating: 0, count: d.ratings.columns)
        itemCounts.withUnsafeMutableBufferPointer { counts in for j in d.ratings.columnIndices { counts[Int(j)] += 1 } }
        usersWithoutRatings = rowCounts.filter { $0 == 0 }.count
        itemsWithoutRatings = itemCounts.filter { $0 == 0 }.count
        medianRatingsPerUser = Self.median(rowCounts)
        medianRatingsPerItem = Self.median(itemCounts)
        let sorted = itemCounts.sorted(by: >)
        let head = Int((Double(items) * 0.2).rounded(.up))
        let headRatings = sorted.prefix(head).reduce(0, +)
        longTailShare = ratings == 0 ? 0 : Double(ratings - headRatings) / Double(ratings)
    }

    /// The distinct values and how often each occurs, in one pass, or nil when there are more than
    /// `limit`. Values on the usual scales — halves from 0 to 31.5 — are counted in a table indexed
    /// by `2v` (no data-dependent branch: ratings come in random order, and a search mispredicts);
    /// the rest by a linear search of at most `limit` values. On 20 M ratings a dictionary lookup per
    /// rating took a sixth of `data stats`.
    static func fewDistinct(_ values: [Float], limit: Int) -> (values: [Float], counts: [Int])? {
        var table = [Int](repeating: 0, count: 64)
        var distinct: [Float] = [], counts: [Int] = []
        let complete = values.withUnsafeBufferPointer { vb in
            table.withUnsafeMutableBufferPointer { tb in
                let T = tb.baseAddress!
                for v in vb {
                    let twice = v * 2
                    if twice >= 0 && twice < 64 && twice == twice.rounded(.down) {
                        T[Int(twice)] += 1
                        continue
                    }
                    var k = 0
                    while k < distinct.count && distinct[k] != v { k += 1 }
                    if k == distinct.count {
                        guard k < limit else { return false }
                        distinct.append(v)
                        counts.append(0)
                    }
                    counts[k] += 1
                }
                return true
            }
        }
        guard complete else { return nil }
        for (twice, count) in table.enumerated() where count > 0 {
            distinct.append(Float(twice) / 2)
            counts.append(count)
        }
        return distinct.count <= limit ? (distinct, counts) : nil
    }

    /// A rating as a histogram label: whole numbers of up to seven digits as integers, anything
    /// else (fractions, 1e10, 1e30) as Swift prints a Float — never a conversion that can trap.
    static func label(_ v: Float) -> String { v == v.rounded() && abs(v) < 1e7 ? String(Int(v)) : "\(v)" }
    static func median(_ xs: [Int]) -> Int { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }

    /// A few lines for people.
    public var text: String {
        var lines = [
            "users: \(users)", "items: \(items)", "ratings: \(ratings)",
            String(format: "density: %.6f", density),
            String(format: "ratings: min %g, max %g, mean %.4f", minRating, maxRating, meanRating),
            "median ratings per user: \(medianRatingsPerUser), per item: \(medianRatingsPerItem)",
            String(format: "long-tail share (ratings outside the 20%% most-rated items): %.4f", longTailShare),
        ]
        if usersWithoutRatings > 0 || itemsWithoutRatings > 0 {
            lines.append("users without ratings: \(usersWithoutRatings), items without ratings: \(itemsWithoutRatings)")
        }
        lines.append("histogram:")
        for (k, v) in histogram.sorted(by: { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }) {
            lines.append("  \(k.count >= 8 ? k : k.padding(toLength: 8, withPad: " ", startingAt: 0)) \(v)")
        }
        return lines.joined(separator: "\n")
    }
}
import Foundation
