import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `ease`: EASE (Steck 2019), a linear item–item autoencoder with a closed-form solution
/// (``EASE``): scores `x_u·B`, where `x_u` is the user's training row (binarised by default).
///
/// Fitting is one sparse Gram product and one dense Cholesky inverse of `items × items` on the
/// chosen back end; scoring a block of users is a sparse × dense product. A ranking model: it does
/// not estimate ratings. A user outside the training data is scored from their items with
/// ``scores(forItems:values:)``.
public struct EASERecommender: Recommender {
    public static let name = "ease"
    public static let summary = "EASE: closed-form item–item autoencoder, B from (XᵀX + λI)⁻¹"
    public static let predictsRatings = false

    public let configuration: EASEConfiguration
    /// `items × items`, zero diagonal.
    public private(set) var weights: Matrix<Float>?
    public private(set) var training: RatingDataset?
    var input: CSRMatrix<Float>?

    public init(_ configuration: EASEConfiguration = EASEConfiguration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let c = try validatedConfiguration(for: train, context: context)
        let clock = ContinuousClock(), start = clock.now
        let x = c.binary ? train.ratings.mapValues { _ in 1 } : train.ratings
        weights = try translatingErrors(train) { try EASE.weights(x, lambda: c.regularization, dtype: c.precision, context: context) }
        input = x
        training = train
        progress?(TrainingProgress(epoch: 1, epochs: 1, seconds: (clock.now - start).seconds))
    }

    /// EASE ranks; this returns the score `x_u·B_{:,i}`.
    public func predict(user: Int, item: Int) -> Float {
        guard let x = input, let b = weights, user >= 0, user < x.rows, item >= 0, item < b.columns else { return 0 }
        var s: Float = 0
        for k in x.range(ofRow: user) { s += x.values[k] * b.storage[Int(x.columnIndices[k]) * b.columns + item] }
        return s
    }

    public func score(user: Int, items: [Int32]) -> [Float] { items.map { predict(user: user, item: Int($0)) } }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard let x = input, let b = weights else { throw ModelError.notFitted(model: Self.name) }
        return try x.rows(users).multiply(b, context: context)
    }

    /// Scores of every item for a user described by their items (and values; 1s when binary).
    public func scores(forItems items: [Int32], values: [Float]? = nil) throws -> [Float] {
        guard let b = weights else { throw ModelError.notFitted(model: Self.name) }
        let n = b.columns
        var s = [Float](repeating: 0, count: n)
        for (k, j) in items.enumerated() {
            guard j >= 0, Int(j) < n else { throw ModelError.unknownItem(model: Self.name, item: "index \(j) (the training data has \(n) items)") }
            let v = configuration.binary ? 1 : (values?[k] ?? 1)
            for i in 0..<n { s[i] += v * b.storage[Int(j) * n + i] }
        }
        return s
    }

    public func archive() throws -> ModelArchive {
        guard let b = weights else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.floats["weights"] = b.storage
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let t = try a.requireTraining()
        let n = t.itemCount
        weights = Matrix(rows: n, columns: n, uncheckedStorage: try a.floats("weights", count: n * n))
        input = configuration.binary ? t.ratings.mapValues { _ in 1 } : t.ratings
        training = t
    }
}
