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
    public static let predictsRatings = false

    /// λ, the L2 penalty on the weights.
    public var regularization: Double
    /// Treat every interaction as 1 (else use the rating values).
    public var binary: Bool
    /// The precision of the Gram matrix and its inverse.
    public var dtype: DType

    /// `items × items`, zero diagonal.
    public private(set) var weights: Matrix<Float>?
    public private(set) var training: RatingDataset?
    var input: CSRMatrix<Float>?

    public init(regularization: Double = 500, binary: Bool = true, dtype: DType = .double) {
        self.regularization = regularization
        self.binary = binary
        self.dtype = dtype
    }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((FitProgress) -> Void)?) throws {
        let clock = ContinuousClock(), start = clock.now
        let x = binary ? train.ratings.mapValues { _ in 1 } : train.ratings
        do {
            weights = try EASE.weights(x, lambda: regularization, dtype: dtype, context: context)
        } catch let LinearAlgebraError.invalidArgument(message) {
            throw ModelError.invalidHyperparameter(ALSRecommender.describe(message, train))
        } catch let LinearAlgebraError.notPositiveDefinite(_, order, _) {
            throw ModelError.invalidHyperparameter("ease: XᵀX + λI is not positive definite in \(dtype) (leading minor \(order)); raise --regularization (now \(regularization))")
        }
        input = x
        training = train
        progress?(FitProgress(iteration: 1, iterations: 1, loss: nil, seconds: (clock.now - start).seconds))
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
        guard let x = input, let b = weights else { throw ModelError.notFitted(Self.name) }
        return try x.rows(users).multiply(b, context: context)
    }

    /// Scores of every item for a user described by their items (and values; 1s when binary).
    public func scores(forItems items: [Int32], values: [Float]? = nil) throws -> [Float] {
        guard let b = weights else { throw ModelError.notFitted(Self.name) }
        let n = b.columns
        var s = [Float](repeating: 0, count: n)
        for (k, j) in items.enumerated() {
            guard j >= 0, Int(j) < n else { throw ModelError.unknownItem("ease: item index \(j) is outside the training items 0..<\(n)") }
            let v = binary ? 1 : (values?[k] ?? 1)
            for i in 0..<n { s[i] += v * b.storage[Int(j) * n + i] }
        }
        return s
    }

    public func archive() throws -> ModelArchive {
        guard let b = weights else { throw ModelError.notFitted(Self.name) }
        var a = ModelArchive(model: Self.name, hyperparameters: ["regularization": regularization, "binary": binary ? 1 : 0,
                                                                 "double": dtype == .double ? 1 : 0])
        a.floats["weights"] = b.storage
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        try a.expect(model: Self.name, version: 1)
        guard let t = a.training else { throw ModelError.unsupported("ease model file has no training data") }
        regularization = a.hyperparameters["regularization"] ?? 500
        binary = a.hyperparameters["binary"] != 0
        dtype = a.hyperparameters["double"] == 0 ? .float : .double
        let n = t.itemCount
        weights = try Matrix(rows: n, columns: n, elements: try a.floats("weights", count: n * n))
        input = binary ? t.ratings.mapValues { _ in 1 } : t.ratings
        training = t
    }
}
