import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// `two-tower`: a user tower over the user id and `u.user`'s attributes and an item tower over
/// the item id and `u.item`'s genres, scored by inner product (``TwoTower``). Cold start: a new
/// user is served from attributes alone (``recommend(attributes:count:)``) and a new item is scored
/// from its features (``itemVector(features:)``). Without side information the towers see ids only.
///
/// Categorical user attributes with at most 64 distinct values become fields (MovieLens: age,
/// age group, gender, occupation; not zip codes); their vocabularies are saved with the model.
public struct TwoTowerRecommender: Recommender {
    public static let name = "two-tower"
    public static let summary = "two-tower retrieval: user and item towers over ids and attributes, in-batch negatives (cold start from attributes)"
    public static let predictsRatings = false

    public let configuration: TwoTowerConfiguration
    /// The user attributes and item features the towers read besides the ids.
    public var side = SideInformation()
    public private(set) var training: RatingDataset?
    /// Weights in ``TwoTower/Network/parameters`` order.
    public private(set) var weights: [Matrix<Float>] = []
    /// `users × factors` and `items × factors`: the towers' outputs for the training users and items.
    public private(set) var userVectors = Matrix<Float>(rows: 0, columns: 0)
    public private(set) var itemVectors = Matrix<Float>(rows: 0, columns: 0)
    public private(set) var losses: [Double] = []
    /// The user fields used and each one's values (index = embedding row); the item features' names.
    var userFields: [String] = []
    var vocabularies: [[String]] = []
    var itemFeatureNames: [String] = []

    public init(_ configuration: TwoTowerConfiguration = TwoTowerConfiguration()) { self.configuration = configuration }

    var options: TwoTowerOptions { configuration.options }

    public mutating func use(_ side: SideInformation) { self.side = side }

    public mutating func fit(_ train: RatingDataset, context: ExecutionContext, progress: ((TrainingProgress) -> Void)?) throws {
        let options = try validatedConfiguration(for: train, context: context).options
        if let a = side.userAttributes {
            let values = a.names.indices.map { column in Set(a.values.values.map { $0[column] }).sorted() }
            let kept = a.names.indices.filter { values[$0].count <= 64 }
            userFields = kept.map { a.names[$0] }
            vocabularies = kept.map { values[$0] }
        } else { userFields = []; vocabularies = [] }
        itemFeatureNames = side.itemFeatures?.names ?? []
        let users = userFeatures(train), items = itemFeatures(train)
        var losses: [Double] = []
        let network = try translatingErrors(train) {
            try TwoTower.fit(train.ratings, userFeatures: users, itemFeatures: items, options: options, context: context) { p in
                losses.append(p.loss ?? .nan)
                progress?(p)
            }
        }
        weights = network.parameters.map(\.value)
        self.losses = losses
        training = train
        try computeVectors(network, context: context)
    }

    /// The user tower's input for the training users (attributes looked up by external id).
    func userFeatures(_ train: RatingDataset) -> TowerFeatures {
        let lookups = vocabularies.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, Int32($0)) }) }
        let categorical = userFields.enumerated().map { f, name in
            (0..<train.userCount).map { u in side.userAttributes?.value(name, of: train.userIDs.externalID(u)).flatMap { lookups[f][$0] } ?? -1 }
        }
        return TowerFeatures(categorical: categorical, vocabularies: vocabularies.map(\.count), dense: Matrix(rows: train.userCount, columns: 0))
    }

    /// The item tower's input for the training items (missing features are zeros).
    func itemFeatures(_ train: RatingDataset) -> TowerFeatures {
        let w = itemFeatureNames.count
        var dense = Matrix<Float>(rows: train.itemCount, columns: w)
        if let table = side.itemFeatures {
            for i in 0..<train.itemCount {
                if let v = table.vectors[train.itemIDs.externalID(i)], v.count == w { dense.storage.replaceSubrange(i * w..<(i + 1) * w, with: v) }
            }
        }
        return TowerFeatures(dense: dense)
    }

    func network() throws -> TwoTower.Network {
        guard let train = training, !weights.isEmpty else { throw ModelError.notFitted(model: Self.name) }
        let net = TwoTower.Network(users: Tower(count: train.userCount, vocabularies: vocabularies.map(\.count), denseWidth: 0, options: options, seed: 0),
                                   items: Tower(count: train.itemCount, vocabularies: [], denseWidth: itemFeatureNames.count, options: options, seed: 0))
        for (p, w) in zip(net.parameters, weights) { p.value = w }
        return net
    }

    mutating func computeVectors(_ net: TwoTower.Network, context: ExecutionContext) throws {
        guard let train = training else { throw ModelError.notFitted(model: Self.name) }
        let users = (0..<train.userCount).map { $0 }, items = (0..<train.itemCount).map { $0 }
        userVectors = try net.users.forward(ids: users.map { Int32($0) }, features: userFeatures(train), rows: users, context: context)
        itemVectors = try net.items.forward(ids: items.map { Int32($0) }, features: itemFeatures(train), rows: items, context: context)
    }

    /// The user tower's vector for a user known only by attributes (`["occupation": "student", …]`);
    /// fields not given count as unknown.
    public func userVector(attributes: [String: String]) throws -> [Float] {
        let net = try network()
        let categorical = userFields.enumerated().map { f, name in [attributes[name].flatMap { vocabularies[f].firstIndex(of: $0) }.map { Int32($0) } ?? -1] }
        let features = TowerFeatures(categorical: categorical, vocabularies: vocabularies.map(\.count), dense: Matrix(rows: 1, columns: 0))
        return try net.users.forward(ids: [Int32(net.users.count)], features: features, rows: [0], context: .current).storage
    }

    /// The item tower's vector for an item known only by its features (e.g. genre flags).
    /// - Throws: ``ModelError/invalidInput(model:operation:reason:)`` when `features` has the wrong length.
    public func itemVector(features: [Float]) throws -> [Float] {
        let net = try network()
        guard features.count == itemFeatureNames.count else {
            throw ModelError.invalidInput(model: Self.name, operation: "item vector",
                                          reason: "the item tower takes \(itemFeatureNames.count) features (\(itemFeatureNames.joined(separator: ", "))), got \(features.count)")
        }
        return try net.items.forward(ids: [Int32(net.items.count)], features: TowerFeatures(dense: try Matrix(rows: 1, columns: features.count, elements: features)),
                                     rows: [0], context: .current).storage
    }

    /// Top items for a new user known only by attributes.
    public func recommend(attributes: [String: String], count: Int) throws -> [Recommendation] {
        let u = try userVector(attributes: attributes)
        let s = try LinearAlgebra.multiply(itemVectors, vector: u)
        return s.enumerated().sorted { ($0.element, -$0.offset) > ($1.element, -$1.offset) }.prefix(count).map { Recommendation(item: $0.offset, score: $0.element) }
    }

    public func predict(user: Int, item: Int) -> Float { score(user: user, items: [Int32(item)]).first ?? 0 }

    public func score(user: Int, items: [Int32]) -> [Float] {
        let f = userVectors.columns
        guard user >= 0, user < userVectors.rows else { return items.map { _ in 0 } }
        return items.map { i in
            guard i >= 0, Int(i) < itemVectors.rows else { return 0 }
            var s: Float = 0
            for c in 0..<f { s += userVectors.storage[user * f + c] * itemVectors.storage[Int(i) * f + c] }
            return s
        }
    }

    public func scoreBlock(users: Range<Int>, context: ExecutionContext) throws -> Matrix<Float> {
        guard training != nil else { throw ModelError.notFitted(model: Self.name) }
        return try LinearAlgebra.multiply(userVectors.rows(users), itemVectors, transposeB: true, context: context)
    }

    public func archive() throws -> ModelArchive {
        guard !weights.isEmpty else { throw ModelError.notFitted(model: Self.name) }
        var a = ModelArchive(model: Self.name, configuration: configuration)
        a.storeWeights(weights)
        a.strings["user-fields"] = userFields
        for (f, v) in vocabularies.enumerated() { a.strings["user-vocabulary-\(f)"] = v }
        a.strings["item-features"] = itemFeatureNames
        a.floats["user-vectors"] = userVectors.storage
        a.floats["item-vectors"] = itemVectors.storage
        a.training = training
        return a
    }

    public init(archive a: ModelArchive) throws {
        configuration = try Self.configuration(in: a)
        let t = try a.requireTraining(), options = configuration.options
        userFields = a.strings["user-fields"] ?? []
        vocabularies = try userFields.indices.map { f in
            guard let v = a.strings["user-vocabulary-\(f)"] else {
                throw ModelError.invalidArchive(file: "two-tower model", reason: "no vocabulary of '\(userFields[f])'")
            }
            return v
        }
        itemFeatureNames = a.strings["item-features"] ?? []
        training = t
        let shapes = TwoTower.Network(users: Tower(count: t.userCount, vocabularies: vocabularies.map(\.count), denseWidth: 0, options: options, seed: 0),
                                      items: Tower(count: t.itemCount, vocabularies: [], denseWidth: itemFeatureNames.count, options: options, seed: 0))
        weights = try a.weights(shapedLike: shapes.parameters)
        // The towers' outputs for the training users and items depend on side information the
        // file does not hold, so they are saved as computed by fit.
        userVectors = try Matrix(rows: t.userCount, columns: options.factors, elements: try a.floats("user-vectors", count: t.userCount * options.factors))
        itemVectors = try Matrix(rows: t.itemCount, columns: options.factors, elements: try a.floats("item-vectors", count: t.itemCount * options.factors))
    }
}
