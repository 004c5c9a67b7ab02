import Foundation
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Alternating least squares across the ranks of an MPI job, giving the factors of
/// ``AlternatingLeastSquares/fit(_:options:context:progress:)`` on the whole matrix.
///
/// Each rank solves its block of users (items) with ``AlternatingLeastSquares/solveRows(_:fixed:into:side:firstRow:options:gram:context:)``
/// against the full other side, then the solved blocks are all-gathered, so every rank holds all
/// factors between half-sweeps (`(users + items) · f` elements sent per iteration in total; see
/// docs/distributed.md for the communication model). Implicit feedback's `YᵀY` is computed by
/// every rank from the full `Y` it holds — the same product one process computes, so no reduction
/// changes its rounding. The objective's entry terms are summed over ranks with an all-reduce.
public enum DistributedALS {
    /// Checkpointing: every `every` iterations rank 0 writes ``ALSCheckpoint`` to `folder`;
    /// `resume` starts from the one there.
    public struct Checkpointing: Sendable {
        public var folder: String
        public var every: Int
        public var resume: Bool
        public init(folder: String, every: Int = 1, resume: Bool = false) { self.folder = folder; self.every = every; self.resume = resume }
    }

    /// How an iteration went, on rank 0 (after the all-reduce of the objective).
    public struct Progress: Sendable {
        public var iteration: Int, iterations: Int
        public var loss: Double
        public var seconds: Double
        /// Bytes this rank sent during the iteration.
        public var bytesSent: Int
    }

    public struct Result<T: Scalar>: Sendable {
        /// All users' and items' factors (on every rank).
        public var users: Matrix<T>, items: Matrix<T>
        public var losses: [Double]
        /// Seconds of each iteration run by this job (both half-sweeps and the exchanges, not the objective).
        public var secondsPerIteration: [Double]
        /// Bytes this rank sent in each iteration run by this job.
        public var bytesPerIteration: [Int]
        /// The iteration the job resumed after (0 when it started afresh).
        public var resumedAfter: Int
    }

    /// Fits in Float.
    public static func fit(_ data: DistributedRatings, options: ALSOptions, checkpointing: Checkpointing? = nil,
                           communicator: Communicator, context: ExecutionContext = .current,
                           progress: ((Progress) -> Void)? = nil) throws -> Result<Float> {
        try run(byUser: data.byUser, byItem: data.byItem, data: data, options: options, checkpointing: checkpointing,
                comm: communicator, context: context, progress: progress)
    }

    /// Fits in Double (the ratings converted once).
    public static func fitDouble(_ data: DistributedRatings, options: ALSOptions, checkpointing: Checkpointing? = nil,
                                 communicator: Communicator, context: ExecutionContext = .current,
                                 progress: ((Progress) -> Void)? = nil) throws -> Result<Double> {
        try run(byUser: data.byUser.converted(to: Double.self), byItem: data.byItem.converted(to: Double.self), data: data, options: options,
                checkpointing: checkpointing, comm: communicator, context: context, progress: progress)
    }

    static func run<T: Scalar>(byUser: CSRMatrix<T>, byItem: CSRMatrix<T>, data: DistributedRatings, options: ALSOptions,
                               checkpointing: Checkpointing?, comm: Communicator, context: ExecutionContext,
                               progress: ((Progress) -> Void)?) throws -> Result<T> {
        let f = options.factors
        try comm.together {
            try options.validate()
            guard !options.biases else { throw DistributedError.invalidOption("distributed ALS fits unbiased factors (biases are not supported)") }
            if case .implicit = options.feedback, let v = byUser.values.first(where: { $0 < 0 }) {
                throw DistributedError.invalidOption("implicit feedback needs values ≥ 0 (confidence 1 + α·r), got \(v)")
            }
            if let every = checkpointing?.every, every < 1 { throw DistributedError.invalidOption("checkpoint interval must be ≥ 1, got \(every)") }
            // Every rank holds all factors, plus its own blocks while solving.
            let elements = Double(data.userCount + data.itemCount + data.users.count + data.items.count) * Double(f)
            try DistributedError.checkMemory(elements * Double(MemoryLayout<T>.stride), for: "\(f) factors of \(data.userCount) users and \(data.itemCount) items on every rank")
        }
        let fingerprint = ALSCheckpoint.fingerprint(options: options, precision: T.dtype, data: data)
        var users: Matrix<T>, items: Matrix<T>
        var losses: [Double] = [], seconds: [Double] = [], bytes: [Int] = []
        var resumedAfter = 0
        if let checkpointing, checkpointing.resume {
            let (state, u, v) = try comm.together {
                try ALSCheckpoint.read(from: checkpointing.folder, as: T.self, ranks: comm.size, fingerprint: fingerprint,
                                       users: data.userCount, items: data.itemCount, factors: f)
            }
            users = u
            items = v
            losses = state.losses
            resumedAfter = state.iteration
            seconds = state.secondsPerIteration
        } else if T.self == Double.self {
            let start = AlternatingLeastSquares.initialFactorsDouble(users: data.userCount, items: data.itemCount, options: options)
            users = start.users as! Matrix<T>
            items = start.items as! Matrix<T>
        } else {
            let start = AlternatingLeastSquares.initialFactors(users: data.userCount, items: data.itemCount, options: options)
            users = start.users as! Matrix<T>
            items = start.items as! Matrix<T>
        }
        let userBlock = data.users, itemBlock = data.items
        let userCounts = data.userPartition.ranges.map { $0.count * f }, itemCounts = data.itemPartition.ranges.map { $0.count * f }
        let kill = FaultInjection.fromEnvironment()
        for iteration in (resumedAfter + 1)...Swift.max(options.iterations, resumedAfter + 1) where iteration <= options.iterations {
            let started = Communicator.wallTime, sentBefore = comm.bytesSent
            // User step: this rank's users against all items, then every rank gets every block.
            var x = users.rows(userBlock).materialized()
            try comm.together {
                try solve(byUser, fixed: items, into: &x, side: .user, firstRow: userBlock.lowerBound, options: options, context: context)
            }
            try comm.allGather(x.storage, counts: userCounts, into: &users.storage)
            kill?.fire(rank: comm.rank, iteration: iteration)
            // Item step.
            var y = items.rows(itemBlock).materialized()
            try comm.together {
                try solve(byItem, fixed: users, into: &y, side: .item, firstRow: itemBlock.lowerBound, options: options, context: context)
            }
            try comm.allGather(y.storage, counts: itemCounts, into: &items.storage)
            let elapsed = Communicator.wallTime - started
            let sent = comm.bytesSent - sentBefore
            // The objective: entry terms over this rank's users, summed; the all-pairs terms from the full factors.
            var partial = [entryObjective(byUser, users: x, items: items, options: options, context: context)]   // x: this rank's users, as gathered
            try comm.allReduce(&partial, .sum)
            let loss = partial[0] + (try comm.together { try gramObjective(users: users, items: items, options: options, context: context) })
            guard loss.isFinite else {
                throw AlgorithmError.diverged(algorithm: "ALS", epoch: iteration, loss: loss, hint: "Check the data's scale and raise the regularization.")
            }
            losses.append(loss)
            seconds.append(elapsed)
            bytes.append(sent)
            progress?(Progress(iteration: iteration, iterations: options.iterations, loss: loss, seconds: elapsed, bytesSent: sent))
            if let checkpointing, iteration % checkpointing.every == 0 || iteration == options.iterations {
                let state = ALSCheckpoint(iteration: iteration, ranks: comm.size, fingerprint: fingerprint, losses: losses, secondsPerIteration: seconds)
                try comm.together { if comm.isRoot { try state.write(users: users, items: items, to: checkpointing.folder) } }
            }
        }
        return Result(users: users, items: items, losses: losses, secondsPerIteration: seconds, bytesPerIteration: bytes, resumedAfter: resumedAfter)
    }

    // The public steps are concrete-typed (specialised kernels); dispatch on T once per call.
    static func solve<T: Scalar>(_ r: CSRMatrix<T>, fixed: Matrix<T>, into x: inout Matrix<T>, side: FactorSide, firstRow: Int,
                                 options: ALSOptions, context: ExecutionContext) throws {
        if T.self == Float.self {
            var xf = x as! Matrix<Float>
            try AlternatingLeastSquares.solveRows(r as! CSRMatrix<Float>, fixed: fixed as! Matrix<Float>, into: &xf, side: side, firstRow: firstRow,
                                                  options: options, context: context)
            x = xf as! Matrix<T>
        } else {
            var xd = x as! Matrix<Double>
            try AlternatingLeastSquares.solveRows(r as! CSRMatrix<Double>, fixed: fixed as! Matrix<Double>, into: &xd, side: side, firstRow: firstRow,
                                                  options: options, context: context)
            x = xd as! Matrix<T>
        }
    }

    static func entryObjective<T: Scalar>(_ r: CSRMatrix<T>, users: Matrix<T>, items: Matrix<T>, options: ALSOptions, context: ExecutionContext) -> Double {
        if T.self == Float.self {
            return AlternatingLeastSquares.entryObjective(r as! CSRMatrix<Float>, users: users as! Matrix<Float>, items: items as! Matrix<Float>,
                                                          options: options, context: context)
        }
        return AlternatingLeastSquares.entryObjective(r as! CSRMatrix<Double>, users: users as! Matrix<Double>, items: items as! Matrix<Double>,
                                                      options: options, context: context)
    }

    static func gramObjective<T: Scalar>(users: Matrix<T>, items: Matrix<T>, options: ALSOptions, context: ExecutionContext) throws -> Double {
        if T.self == Float.self {
            return try AlternatingLeastSquares.gramObjective(users: users as! Matrix<Float>, items: items as! Matrix<Float>, options: options, context: context)
        }
        return try AlternatingLeastSquares.gramObjective(users: users as! Matrix<Double>, items: items as! Matrix<Double>, options: options, context: context)
    }
}

/// A test hook that kills one rank mid-iteration, as a crashed machine would: with
/// `RECKIT_MPI_KILL=RANK:ITERATION` in the environment, that rank sends itself SIGKILL after the
/// user step of that iteration (docs/distributed.md, the fault test).
struct FaultInjection {
    let rank: Int, iteration: Int

    static func fromEnvironment() -> FaultInjection? {
        guard let spec = ProcessInfo.processInfo.environment["RECKIT_MPI_KILL"] else { return nil }
        let parts = spec.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        return FaultInjection(rank: parts[0], iteration: parts[1])
    }

    func fire(rank: Int, iteration: Int) {
        guard rank == self.rank, iteration == self.iteration else { return }
        kill(getpid(), SIGKILL)
    }
}
