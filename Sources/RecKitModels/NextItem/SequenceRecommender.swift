import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `gru4rec`, `sasrec`: next-item prediction from each user's time-ordered history
/// (``NextItemPrediction``). A fitted model keeps every training user's representation (the
/// encoder's state after their latest window), so ranking is one GEMM with the output layer, and a
/// saved model needs no timestamps to score. Ranking models; the training data must have timestamps.
public struct SequenceRecommender<Configuration: NextItemConfiguration>: Recommender {
    public static var name: String { Configuration.modelName }
    public static var summary: String { Configuration.summary }
    public static var predictsRatings: Bool { false }
    public static var needsTimestamps: Bool { true }

    public let configuration: Configuration
    /// Weights in ``NextItemNetwork/parameters`` order.
    public private(set) var weights: [Matrix<Float>] = []
    /// `users × factors`.
    public private(set) var representations = Matrix<Float>(rows: 0, columns: 0)
    public private(set) var training: RatingDataset?
    /// Each epoch's progress from the last fit.
    public private(set) var epochs: [TrainingProgress] = []

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration(for: train, context: context).options
        guard train.timestamps != nil else {
            throw ModelError.unsuitableData(model: Self.name, reason: "each history is ordered by time, but the training data has no timestamps "
                                                + "(load a file with a timestamp column, e.g. MovieLens u.data)")
        }
        var reports: [TrainingProgress] = []
        let (network, histories) = try translatingErrors(train) {
            let histories = try ItemSequences.histories(train.ratings, timestamps: train.timestamps)
            let network = try NextItemPrediction.fit(histories, items: train.itemCount, options: options, context: context) { p in
                reports.append(p)
                progress?(p)
            }
            return (network, histories)
        }
        weights = network.parameters.map(\.value)
        representations = try network.representations(histories.map { ArraySlice($0) }, context: context)
        epochs = reports
        training = train
    }

    /// The logit of the item as the user's next one (not a rating).
    public func predict(user: Int, item: Int) -> Float { score(user: user, items: [Int32(item)]).first ?? 0 }

    public func score(user: Int, items: [Int32]) -> [Float] {
        guard user >= 0, user < representations.rows, let s = try? scoreBlock(users: user..<(user + 1), context: .current) else { return items.map { _ in 0 } }
        return items.map { $0 >= 0 && Int($0) < s.columns ? s.storage[Int($0)] : -Float.infinity }
    }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard training != nil, let w = weights.dropLast().last, let b = weights.last else { throw ModelError.notFitted(model: Self.name) }
        var s = try LinearAlgebra.multiply(representations.rows(users), w, context: context)
        let n = s.columns
        for r in 0..<s.rows { for c in 0..<n { s.storage[r * n + c] += b.storage[c] } }
        return s
    }

    public func archive() throws -> ModelArchive {
        guard !weights.isEmpty else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.storeWeights(weights)
        a.floats["representations"] = representations.storage
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let t = try a.requireTraining(), o = configuration.options
        let net = NextItemNetwork<Float>(items: t.itemCount, options: o)
        weights = try a.weights(shapedLike: net.parameters)
        representations = Matrix(rows: t.userCount, columns: o.factors, uncheckedStorage: try a.floats("representations", count: t.userCount * o.factors))
        training = t
    }
}

/// `gru4rec`.
public typealias GRU4RecRecommender = SequenceRecommender<GRU4RecConfiguration>
/// `sasrec`.
public typealias SASRecRecommender = SequenceRecommender<SASRecConfiguration>
