import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Truncated SVD of the rating matrix across the ranks of a job: the Lanczos solver of one process
/// (``SingularValues/lanczos(_:rank:options:context:)``) on a ``RowBlockOperator`` — each rank
/// holds its block of the longer side's rows (users, or items when there are more items), the
/// shorter side's Lanczos vectors are replicated, and every `Aᵀ·u`, norm and reorthogonalisation
/// coefficient over the distributed side is summed by an all-reduce. The singular values equal the
/// single-process ones to rounding; the left vectors are gathered at the end.
public enum DistributedSVD {
    public struct Result<T: Scalar>: Sendable {
        /// `users × k`, `k`, `k × items` (all on every rank).
        public var u: Matrix<T>, singularValues: [T], vt: Matrix<T>
        public var residuals: [Double]
        public var converged: Bool
        public var restarts: Int
    }

    /// In Double.
    public static func lanczos(_ data: DistributedRatings, rank k: Int, options: LanczosSVDOptions = LanczosSVDOptions(),
                               communicator comm: Communicator, context: ExecutionContext = .current) throws -> Result<Double> {
        try comm.together { try checkMemory(data, rank: k, options: options, bytesPerElement: 8) }
        let (block, total, usersAsRows) = orient(data)
        let op = RowBlockOperator(block: block.converted(to: Double.self), totalRows: total, sum: { try comm.allReduce(&$0, .sum) })
        let svd = try comm.together { try SingularValues.lanczos(op, rank: k, options: options, context: context) }
        return try assemble(svd, data: data, usersAsRows: usersAsRows, comm: comm)
    }

    /// In Float (sums of the all-reduces in Double).
    public static func lanczosFloat(_ data: DistributedRatings, rank k: Int, options: LanczosSVDOptions = LanczosSVDOptions(),
                                    communicator comm: Communicator, context: ExecutionContext = .current) throws -> Result<Float> {
        try comm.together { try checkMemory(data, rank: k, options: options, bytesPerElement: 4) }
        let (block, total, usersAsRows) = orient(data)
        let op = RowBlockOperator(block: block, totalRows: total, sum: { try comm.allReduce(&$0, .sum) })
        let svd = try comm.together { try SingularValues.lanczos(op, rank: k, options: options, context: context) }
        return try assemble(svd, data: data, usersAsRows: usersAsRows, comm: comm)
    }

    /// Refuses a rank whose Lanczos basis (`(p + 1)` replicated vectors of the shorter side, `p`
    /// the subspace) and gathered factors would not fit in memory.
    static func checkMemory(_ data: DistributedRatings, rank k: Int, options: LanczosSVDOptions, bytesPerElement: Int) throws {
        let short = Swift.min(data.userCount, data.itemCount)
        let p = Swift.min(short, options.subspace ?? Swift.max(2 * k, k + 20))
        let elements = Double(p + 1) * Double(short) + Double(k) * Double(data.userCount + data.itemCount) + Double(p) * Double(p)
        try DistributedError.checkMemory(elements * Double(bytesPerElement), for: "rank \(k) of \(data.userCount) × \(data.itemCount)")
    }

    /// The longer side's rows are distributed (the replicated basis is the shorter side's).
    static func orient(_ data: DistributedRatings) -> (block: CSRMatrix<Float>, totalRows: Int, usersAsRows: Bool) {
        data.userCount >= data.itemCount ? (data.byUser, data.userCount, true) : (data.byItem, data.itemCount, false)
    }

    static func assemble<T: Scalar>(_ svd: TruncatedSVD<T>, data: DistributedRatings, usersAsRows: Bool, comm: Communicator) throws -> Result<T> {
        let k = svd.singularValues.count
        let partition = usersAsRows ? data.userPartition : data.itemPartition
        let left = try Matrix(rows: usersAsRows ? data.userCount : data.itemCount, columns: k,
                              elements: try comm.allGather(svd.u.storage, counts: partition.ranges.map { $0.count * k }))
        // Solved as Aᵀ when items are the rows: A = (V')·Σ·(U')ᵀ.
        let u = usersAsRows ? left : svd.vt.transposed
        let vt = usersAsRows ? svd.vt : left.transposed
        return Result(u: u, singularValues: svd.singularValues, vt: vt, residuals: svd.residuals, converged: svd.converged, restarts: svd.iterations)
    }
}
