import RecKitLinearAlgebra

extension RatingDataset {
    /// A dataset from (user id, item id, value) triples given as text, as a file would give them:
    /// integer ids when every id of a side is an integer (indexed in increasing order), strings
    /// otherwise (in order of first appearance). Repeated (user, item) pairs follow `duplicates`
    /// (by default the last value wins, as later feedback replaces earlier).
    /// - Throws: ``DataError`` when there are no triples, the arrays differ in length or a value is
    ///   not finite.
    public static func fromTriples(users: [String], items: [String], values: [Float], duplicates: DuplicatePolicy = .keepLast,
                                   what: String = "triples") throws -> RatingDataset {
        guard users.count == items.count, items.count == values.count else {
            throw DataError.invalidArgument("\(what): \(users.count) users, \(items.count) items and \(values.count) values; they must be as many")
        }
        guard !values.isEmpty else { throw DataError.empty("\(what): no ratings") }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw DataError.invalidArgument("\(what): value \(k + 1) (user \(users[k]), item \(items[k])) is \(values[k]), not a finite number")
        }
        func dense(_ ids: [String], side: String) throws -> ([Int32], IDMap) {
            var out = [Int32](repeating: 0, count: ids.count)
            let numbers = ids.compactMap { Int64($0) }
            let map = numbers.count == ids.count ? try denseNumbers([numbers], into: &out, threads: 1, what: side) : denseStrings([ids], into: &out)
            return (out, map)
        }
        let (u, userMap) = try dense(users, side: "user"), (i, itemMap) = try dense(items, side: "item")
        let built = try CSRMatrix<Float>.fromTriplets(rows: userMap.count, columns: itemMap.count, rowIndices: u, columnIndices: i,
                                                      values: values, duplicates: duplicates, threads: 1)
        return RatingDataset(ratings: built.matrix, userIDs: userMap, itemIDs: itemMap)
    }
}
