import RecKitData
import RecKitLinearAlgebra

/// Users' histories as item sequences.
public enum ItemSequences {
    /// Each user's items in time order; equal timestamps keep the matrix's (item index) order, so the
    /// order is deterministic.
    /// - Throws: ``AlgorithmError/invalidInput(algorithm:row:column:reason:)`` when there are no
    ///   timestamps to order by.
    public static func histories(_ ratings: CSRMatrix<Float>, timestamps: [Int64]?) throws -> [[Int32]] {
        guard let timestamps, timestamps.count == ratings.nonZeroCount else {
            throw AlgorithmError.invalidInput(algorithm: "next-item model", row: nil, column: nil,
                                              reason: "each history is ordered by time, but the training data has no timestamps "
                                                  + "(load a file with a timestamp column, e.g. MovieLens u.data)")
        }
        return (0..<ratings.rows).map { u in
            let r = ratings.range(ofRow: u)
            return r.sorted { (timestamps[$0], $0) < (timestamps[$1], $1) }.map { ratings.columnIndices[$0] }
        }
    }

    /// The latest `maxLength` items of `history`.
    public static func window(_ history: ArraySlice<Int32>, maxLength: Int) -> ArraySlice<Int32> {
        history.suffix(maxLength)
    }
}
