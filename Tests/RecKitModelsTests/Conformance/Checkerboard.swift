import RecKitData
import RecKitLinearAlgebra

/// The conformance suite's data: users and items in two groups (by parity), in the spirit of
/// implicit's checkerboard test. Every user's withheld items are the ones a model that learned the
/// structure must put first.
struct Checkerboard {
    static let users = 60, items = 30, withheldPerUser = 3

    let train: RatingDataset
    /// Each user's withheld items that belong to their own group (the ones to recover).
    let withheld: [[Int]]

    /// The group of a user or item.
    static func group(_ k: Int) -> Int { k % 2 }

    /// Implicit feedback: every user interacts with the items of their own group only (value 1),
    /// except `withheldPerUser` of them, which are withheld. Timestamps follow a seeded random order.
    static func implicit(seed: UInt64 = 7) throws -> Checkerboard {
        try build(seed: seed) { u, i in group(u) == group(i) ? 1 : nil }
    }

    /// Explicit ratings: every user rates every item, 5 in their own group and 1 in the other, except
    /// the withheld ones (`withheldPerUser` of their own group and as many of the other).
    static func explicit(seed: UInt64 = 7) throws -> Checkerboard {
        try build(seed: seed, withholdOtherGroup: true) { u, i in group(u) == group(i) ? 5 : 1 }
    }

    private static func build(seed: UInt64, withholdOtherGroup: Bool = false, value: (Int, Int) -> Float?) throws -> Checkerboard {
        var rng = SeededGenerator(seed: seed)
        var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = [], stamps: [Int64] = []
        var withheld: [[Int]] = []
        for u in 0..<users {
            let own = (0..<items).filter { group($0) == group(u) }.shuffled(using: &rng)
            let other = (0..<items).filter { group($0) != group(u) }.shuffled(using: &rng)
            let hidden = Set(own.prefix(withheldPerUser) + (withholdOtherGroup ? other.prefix(withheldPerUser) : []))
            withheld.append(Array(own.prefix(withheldPerUser)).sorted())
            var kept = (0..<items).filter { !hidden.contains($0) && value(u, $0) != nil }
            kept.shuffle(using: &rng)  // the order of their timestamps
            for (t, i) in kept.enumerated() {
                rows.append(Int32(u)); columns.append(Int32(i)); values.append(value(u, i)!); stamps.append(Int64(1000 * u + t))
            }
        }
        let built = try CSRMatrix<Float>.fromTriplets(rows: users, columns: items, rowIndices: rows, columnIndices: columns, values: values, payload: stamps)
        return Checkerboard(train: RatingDataset(ratings: built.matrix, timestamps: built.payload), withheld: withheld)
    }
}
