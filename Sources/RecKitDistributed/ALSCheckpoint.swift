import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// The state of a distributed ALS fit after an iteration, kept so that a failed job can resume:
/// a folder (`users.npy`, `items.npy`, `state.json`) replaced as a whole (``AtomicOutput``), so a
/// kill while it is written leaves the previous checkpoint. Written by rank 0, read by every rank
/// (a cluster needs the folder on a shared file system).
///
/// The factors after iteration t are all a fit carries into iteration t + 1, so a resumed fit
/// computes exactly what an uninterrupted one would.
public struct ALSCheckpoint: Codable, Equatable, Sendable {
    /// Iterations completed.
    public var iteration: Int
    /// Ranks of the job that wrote it; a job of another size refuses it.
    public var ranks: Int
    /// The options and data it belongs to (``fingerprint(options:precision:data:)``).
    public var fingerprint: String
    public var losses: [Double]
    public var secondsPerIteration: [Double]

    /// What must match for a checkpoint to be resumed: the options that change the factors, the
    /// precision, and the data's shape.
    public static func fingerprint(options: ALSOptions, precision: DType, data: DistributedRatings) -> String {
        let feedback: String
        switch options.feedback {
        case .explicit: feedback = "explicit"
        case .implicit(let alpha): feedback = "implicit α=\(alpha)"
        }
        let solver: String
        switch options.solver {
        case .cholesky: solver = "cholesky"
        case .conjugateGradient(let steps): solver = "cg \(steps) steps"
        }
        return "factors=\(options.factors) λ=\(options.regularization) \(feedback) solver=\(solver) seed=\(options.seed) "
            + "init=\(options.initialScale) precision=\(precision) users=\(data.userCount) items=\(data.itemCount) ratings=\(data.ratingCount)"
    }

    /// Writes the checkpoint and the full factors to `folder` (call on one rank).
    public func write<T: Scalar>(users: Matrix<T>, items: Matrix<T>, to folder: String) throws {
        try AtomicOutput.writeFolder(folder) { staging in
            try NumPy.write(users, to: staging + "/users.npy")
            try NumPy.write(items, to: staging + "/items.npy")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicOutput.write(try encoder.encode(self), to: staging + "/state.json")
        }
    }

    /// Reads the checkpoint in `folder` and checks it belongs to this job.
    /// - Throws: ``DistributedError/checkpoint(path:reason:)`` naming what differs.
    public static func read<T: Scalar>(from folder: String, as: T.Type, ranks: Int, fingerprint: String,
                                       users: Int, items: Int, factors: Int) throws -> (state: ALSCheckpoint, users: Matrix<T>, items: Matrix<T>) {
        let statePath = folder + "/state.json"
        guard FileManager.default.fileExists(atPath: statePath) else {
            throw DistributedError.checkpoint(path: folder, reason: "no state.json: nothing to resume (run without --resume to start)")
        }
        let state: ALSCheckpoint
        do {
            state = try JSONDecoder().decode(ALSCheckpoint.self, from: Data(contentsOf: URL(fileURLWithPath: statePath)))
        } catch {
            throw DistributedError.checkpoint(path: folder, reason: "state.json is not a RecKit checkpoint (\(error))")
        }
        guard state.ranks == ranks else {
            throw DistributedError.checkpoint(path: folder, reason: "written by a job of \(state.ranks) rank(s); this job has \(ranks) — resume with mpirun -np \(state.ranks)")
        }
        guard state.fingerprint == fingerprint else {
            throw DistributedError.checkpoint(path: folder, reason: "written for another configuration or data:\n  checkpoint: \(state.fingerprint)\n  this job:   \(fingerprint)")
        }
        guard state.iteration >= 0, state.losses.count == state.iteration else {
            throw DistributedError.checkpoint(path: folder, reason: "state.json is inconsistent (iteration \(state.iteration), \(state.losses.count) losses)")
        }
        let u: Matrix<T> = try NumPy.readMatrix(path: folder + "/users.npy", as: T.self)
        let v: Matrix<T> = try NumPy.readMatrix(path: folder + "/items.npy", as: T.self)
        guard u.rows == users, u.columns == factors, v.rows == items, v.columns == factors else {
            throw DistributedError.checkpoint(path: folder, reason: "factors \(u.shapeDescription) and \(v.shapeDescription) do not fit \(users) users, \(items) items, \(factors) factors")
        }
        guard u.storage.allSatisfy(\.isFinite), v.storage.allSatisfy(\.isFinite) else {
            throw DistributedError.checkpoint(path: folder, reason: "the factors hold NaN or ∞")
        }
        return (state, u, v)
    }
}
