import RecKitData
import RecKitLinearAlgebra

/// A model whose scores are inner products of user and item factors plus biases:
///
/// ```
/// score(u, i) = μ + b_u + b_i + p_u · q_i
/// ```
/// with `P` (users × f) and `Q` (items × f) row-major. Scoring a block of users is one GEMM,
/// `P_block · Qᵀ`, on the chosen back end. Matrix-factorisation models (PureSVD, ALS, biased MF)
/// keep their parameters in this form; on its own it scores factors computed elsewhere.
public struct FactorModel: Recommender {
    public static let name = "factors"
    public static let predictsRatings = true
    public var userFactors: Matrix<Float>
    public var itemFactors: Matrix<Float>
    public var userBias: [Float]
    public var itemBias: [Float]
    public var globalBias: Float
    public private(set) var training: RatingDataset?

    /// Factors for the users and items of `training` (shapes must match it).
    public init(userFactors: Matrix<Float>, itemFactors: Matrix<Float>, userBias: [Float]? = nil, itemBias: [Float]? = nil,
                globalBias: Float = 0, training: RatingDataset) throws {
        guard userFactors.columns == itemFactors.columns, userFactors.rows == training.userCount, itemFactors.rows == training.itemCount else {
            throw LinearAlgebraError.shapeMismatch(
                operation: "FactorModel", details: "user factors \(userFactors.shapeDescription), item factors \(itemFactors.shapeDescription), "
                    + "training data \(training.userCount) users × \(training.itemCount) items")
        }
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.userBias = userBias ?? [Float](repeating: 0, count: training.userCount)
        self.itemBias = itemBias ?? [Float](repeating: 0, count: training.itemCount)
        self.globalBias = globalBias
        self.training = training
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        throw ModelError.unsupported("factors: this model holds factors computed elsewhere; it does not train")
    }

    public func predict(user: Int, item: Int) -> Float {
        var s = globalBias
        let knownUser = user >= 0 && user < userFactors.rows, knownItem = item >= 0 && item < itemFactors.rows
        if knownUser { s += userBias[user] }
        if knownItem { s += itemBias[item] }
        if knownUser && knownItem {
            let f = userFactors.columns, p = userFactors.storage, q = itemFactors.storage
            for t in 0..<f { s += p[user * f + t] * q[item * f + t] }
        }
        return s
    }

    public func score(user: Int, items: [Int32]) -> [Float] { items.map { predict(user: user, item: Int($0)) } }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        var s = try LinearAlgebra.multiply(userFactors.rows(users), itemFactors, transposeB: true, context: context)
        let n = itemFactors.rows
        for (r, u) in users.enumerated() {
            let add = globalBias + userBias[u]
            for i in 0..<n { s.storage[r * n + i] += add + itemBias[i] }
        }
        return s
    }

    public func archive() throws -> ModelArchive {
        var a = ModelArchive(model: Self.name, hyperparameters: ["factors": Double(userFactors.columns)])
        a.floats["user_factors"] = userFactors.storage
        a.floats["item_factors"] = itemFactors.storage
        a.floats["user_bias"] = userBias
        a.floats["item_bias"] = itemBias
        a.floats["global_bias"] = [globalBias]
        a.training = training
        return a
    }

    /// The factors inside the archive of a model built on them, saved under that model's `name`
    /// (version 1), with its own hyperparameters beside the factors.
    init(archive a: ModelArchive, savedAs name: String) throws {
        try a.expect(model: name, version: 1)
        var inner = a
        inner.model = Self.name
        try self.init(archive: inner)
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("factors model file has no training data") }
        let f = Int(a.hyperparameters["factors"] ?? 0)
        try self.init(userFactors: try Matrix(rows: t.userCount, columns: f, elements: try a.floats("user_factors", count: t.userCount * f)),
                      itemFactors: try Matrix(rows: t.itemCount, columns: f, elements: try a.floats("item_factors", count: t.itemCount * f)),
                      userBias: try a.floats("user_bias", count: t.userCount), itemBias: try a.floats("item_bias", count: t.itemCount),
                      globalBias: try a.floats("global_bias", count: 1)[0], training: t)
    }
}
