import RecKitData
import RecKitLinearAlgebra

/// Recommendations for a user with no history: the most popular training items among the users
/// who share an attribute value with them (their *slice*: an age group, a gender, an occupation),
/// falling back to everyone's most popular items for a value with no training users.
public struct SlicePopularity: Sendable {
    /// The attribute slices are cut by.
    public let attribute: String
    /// Interaction counts per item, for each attribute value.
    public private(set) var counts: [String: [Float]] = [:]
    /// Counts over all users (the fallback).
    public private(set) var overall: [Float]
    public let training: RatingDataset

    /// - Parameters:
    ///   - users: attributes keyed by the training data's external user ids.
    ///   - attribute: one of `users.names` (e.g. `occupation`, `age_group`, `gender`).
    ///   - minimumRating: count only interactions rated at least this.
    /// - Throws: ``ModelError/invalidInput(model:operation:reason:)`` for an attribute the table lacks.
    public init(train: RatingDataset, users: AttributeTable, attribute: String, minimumRating: Float = 0) throws {
        guard let column = users.names.firstIndex(of: attribute) else {
            throw ModelError.invalidInput(model: "slice popularity", operation: "construction",
                                          reason: "no user attribute '\(attribute)'; the table has \(users.names.joined(separator: ", "))")
        }
        self.attribute = attribute
        self.training = train
        let r = train.ratings
        overall = [Float](repeating: 0, count: r.columns)
        for u in 0..<r.rows {
            let slice = users.values[train.userIDs.externalID(u)]?[column]
            for p in r.range(ofRow: u) where r.values[p] >= minimumRating {
                let i = Int(r.columnIndices[p])
                overall[i] += 1
                if let slice { counts[slice, default: [Float](repeating: 0, count: r.columns)][i] += 1 }
            }
        }
    }

    /// The top `count` items of the slice `value` (most interactions first; ties to the lower index),
    /// or of everyone when no training user has that value.
    public func recommend(slice value: String?, count: Int, filter: RecommendationFilter = RecommendationFilter(excludeTrainingItems: false)) -> [Recommendation] {
        let scores = value.flatMap { counts[$0] } ?? overall
        let empty = CSRMatrix<Float>(rows: 1, columns: scores.count)
        let row = Matrix(rows: 1, columns: scores.count) { _, i in scores[i] }
        return TopKScorer.top(count, row: row, index: 0, user: 0, filter: filter, train: empty)
    }

    /// The top `count` items for a user described by their attributes (`attribute` is looked up).
    public func recommend(attributes: [String: String], count: Int) -> [Recommendation] {
        recommend(slice: attributes[attribute], count: count)
    }
}
