extension RatingDataset {
    /// For each of this dataset's users and items, its index in `reference` (by external id), or
    /// nil when `reference` lacks it.
    public func indexMaps(into reference: RatingDataset) -> (users: [Int?], items: [Int?]) {
        var userIDs = reference.userIDs, itemIDs = reference.itemIDs
        userIDs.prepareLookup()
        itemIDs.prepareLookup()
        return ((0..<userCount).map { userIDs.index(of: self.userIDs.externalID($0)) },
                (0..<itemCount).map { itemIDs.index(of: self.itemIDs.externalID($0)) })
    }

    /// This dataset's ratings re-indexed into `reference`'s users and items (by external id), for
    /// held-out ratings scored against a model fitted on `reference`. Ratings of a user or item
    /// `reference` lacks are left out and counted.
    public func aligned(to reference: RatingDataset) throws -> (dataset: RatingDataset, dropped: Int) {
        let (userMap, itemMap) = indexMaps(into: reference)
        var rows: [Int32] = [], columns: [Int32] = [], values: [Float] = []
        var dropped = 0
        for user in 0..<userCount {
            for k in ratings.range(ofRow: user) {
                guard let u = userMap[user], let i = itemMap[Int(ratings.columnIndices[k])] else { dropped += 1; continue }
                rows.append(Int32(u))
                columns.append(Int32(i))
                values.append(ratings.values[k])
            }
        }
        let matrix = try CSRMatrix<Float>.fromTriplets(rows: reference.userCount, columns: reference.itemCount, rowIndices: rows,
                                                       columnIndices: columns, values: values).matrix
        return (RatingDataset(ratings: matrix, userIDs: reference.userIDs, itemIDs: reference.itemIDs), dropped)
    }
}
