import Foundation
import RecKitData
import RecKitLinearAlgebra
import RecKitModels

/// Top-k recommendations for every user, each rank ranking its own block of users (seen items
/// excluded, from the rank's rows of the ratings) with the engine's blocked scorer
/// (``Recommender/recommend(users:count:filter:context:)``), then one merged CSV,
/// `user,item,rank,score` in user-index order — the lists one process computes from the same
/// factors, whatever the number of ranks. Scores are `x_uᵀy_i`.
public enum DistributedTopK {
    /// Writes the top `count` items of every user to `path` (atomically). Each rank writes its part
    /// beside `path`; rank 0 joins them in rank order. Every rank must call it.
    /// - Returns: how many rows were written (on every rank).
    @discardableResult
    public static func write(count: Int, users: Matrix<Float>, items: Matrix<Float>, data: DistributedRatings, to path: String,
                             communicator comm: Communicator, context: ExecutionContext = .current) throws -> Int {
        let block = data.users
        let part = "\(path).part-\(comm.rank)-of-\(comm.size)"
        // Removed on every way out; a rank gets here only after rank 0 has joined the parts (or failed).
        defer { try? FileManager.default.removeItem(atPath: part) }
        let written = try comm.together { () -> Int in
            guard count >= 1 else { throw DistributedError.invalidOption("the number of recommendations must be ≥ 1, got \(count)") }
            let training = RatingDataset(ratings: data.byUser)
            let model = try FactorModel(userFactors: users.rows(block).materialized(), itemFactors: items, training: training)
            let lists = try model.recommend(users: 0..<block.count, count: Swift.min(count, data.itemCount), context: context)
            var text = ""
            var rows = 0
            for (offset, list) in lists.enumerated() {
                let user = CSV.field(data.userIDs.externalID(block.lowerBound + offset))
                for (rank, r) in list.enumerated() {
                    text += "\(user),\(CSV.field(data.itemIDs.externalID(r.item))),\(rank + 1),\(r.score)\n"
                    rows += 1
                }
            }
            try AtomicOutput.write(text, to: part)
            return rows
        }
        var total: [Int64] = [Int64(written)]
        try comm.allReduce(&total, .sum)
        // Every part is written (the all-reduce above); rank 0 joins them with no collective in
        // between, so a failure there cannot leave the other ranks waiting in one.
        try comm.together {
            guard comm.isRoot else { return }
            try AtomicOutput.write(to: path) { out in
                out += Array("user,item,rank,score\n".utf8)
                for r in 0..<comm.size {
                    let piece = "\(path).part-\(r)-of-\(comm.size)"
                    guard let bytes = FileManager.default.contents(atPath: piece) else {
                        throw DataError.io(path: piece, reason: "rank \(r)'s part is missing (is the output folder shared by all ranks?)")
                    }
                    out += bytes
                }
            }
        }
        return Int(total[0])
    }
}
