import RecKitAlgorithms
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
    public static let summary = "factors computed elsewhere, scored as μ + b_u + b_i + p_u·q_i"
    public static let predictsRatings = true
    public let configuration = EmptyConfiguration()
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
            throw ModelError.invalidInput(
                model: Self.name, operation: "construction", reason: "user factors \(userFactors.shapeDescription), item factors \(itemFactors.shapeDescription), "
                    + "training data \(training.userCount) users × \(training.itemCount) items")
        }
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.userBias = userBias ?? [Float](repeating: 0, count: training.userCount)
        self.itemBias = itemBias ?? [Float](repeating: 0, count: training.itemCount)
        self.globalBias = globalBias
        self.training = training
    }

    /// A factor model holds no factors until they are given: ``init(userFactors:itemFactors:userBias:itemBias:globalBias:training:)``.
    public init(_ configuration: EmptyConfiguration) {
        userFactors = Matrix(rows: 0, columns: 0)
        itemFactors = Matrix(rows: 0, columns: 0)
        userBias = []
        itemBias = []
        globalBias = 0
        training = nil
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        throw ModelError.unsupported(model: Self.name, operation: "train", hint: "it holds factors computed elsewhere")
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
        var a = ModelArchive(model: Self.name, configuration: configuration)
        storeParameters(in: &a)
        a.floats["factors"] = [Float(userFactors.columns)]
        return a
    }

    /// The factors, biases and training data (also inside the archives of the models built on them).
    func storeParameters(in a: inout ModelArchive) {
        a.floats["user_factors"] = userFactors.storage
        a.floats["item_factors"] = itemFactors.storage
        a.floats["user_bias"] = userBias
        a.floats["item_bias"] = itemBias
        a.floats["global_bias"] = [globalBias]
        a.training = training
    }

    /// The factors (`factors` per row) stored in the archive of a model built on them.
    init(parametersIn a: ModelArchive, factors f: Int) throws {
        let t = try a.requireTraining()
        try self.init(userFactors: Matrix(rows: t.userCount, columns: f, uncheckedStorage: try a.floats("user_factors", count: t.userCount * f)),
                      itemFactors: Matrix(rows: t.itemCount, columns: f, uncheckedStorage: try a.floats("item_factors", count: t.itemCount * f)),
                      userBias: try a.floats("user_bias", count: t.userCount), itemBias: try a.floats("item_bias", count: t.itemCount),
                      globalBias: try a.floats("global_bias", count: 1)[0], training: t)
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        let f = try a.floats("factors", count: 1)[0]
        guard f >= 0, f <= 1e6, f == f.rounded() else { throw ModelError.invalidArchive(file: "factors model", reason: "a factor count of \(f)") }
        try self.init(parametersIn: a, factors: Int(f))
    }
}
