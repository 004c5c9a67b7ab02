import RecKitLinearAlgebra

/// Every random stream RecKit's algorithms draw from, derived from the options' one `seed` by
/// ``Seeds`` (`seed + offset + stride · index + sub`). The derivations are fixed: they are part of
/// every figure RecKit reports.
extension Seeds.Stream {
    // MARK: SGD (biased MF, SVD++, BPR)

    /// The ratings held out for early stopping.
    public static let validationHoldout = Seeds.Stream(offset: 11)
    /// The order of an epoch's rounds of strata (index: epoch).
    public static let roundOrder = Seeds.Stream(offset: 0, stride: 7_919)
    /// The shuffles of an epoch (index: epoch; sub: the stratum, or 0 for SVD++'s user order).
    public static let epochShuffle = Seeds.Stream(offset: 0, stride: 1_000_003)
    /// SVD++'s initial implicit factors `y`.
    public static let implicitFactors = Seeds.Stream(offset: 3)

    // MARK: Neural models

    /// NCF's GMF item, MLP user and MLP item embeddings (the GMF user embedding takes the seed).
    public static let gmfItemEmbedding = Seeds.Stream(offset: 1)
    public static let mlpUserEmbedding = Seeds.Stream(offset: 2)
    public static let mlpItemEmbedding = Seeds.Stream(offset: 3)
    /// NCF's tower layers (index: layer).
    public static let towerLayer = Seeds.Stream(offset: 10, stride: 1)
    /// NCF's output layer.
    public static let outputLayer = Seeds.Stream(offset: 99)
    /// NCF's negative samples and batch order.
    public static let ncfSampling = Seeds.Stream(offset: 1_234)
    /// I-AutoRec's item order.
    public static let autoRecItemOrder = Seeds.Stream(offset: 7)
    /// Two-tower: the item tower (the user tower takes the seed), each tower's attribute fields
    /// (index: field), its MLP's two layers, and the batch order and id dropout.
    public static let itemTower = Seeds.Stream(offset: 1_000)
    public static let attributeField = Seeds.Stream(offset: 1, stride: 1)
    public static let towerHidden = Seeds.Stream(offset: 50)
    public static let towerOutput = Seeds.Stream(offset: 51)
    public static let twoTowerBatches = Seeds.Stream(offset: 9)
    /// Next-item models: the encoder's first layer (GRU, or SASRec's positions), the output layer,
    /// dropout (index: the dropout layer), SASRec's blocks (index: block + 1; sub: 2 and 3 for the
    /// feed-forward layers), and the batch order.
    public static let sequenceEncoder = Seeds.Stream(offset: 1)
    public static let nextItemOutput = Seeds.Stream(offset: 2)
    public static let dropout = Seeds.Stream(offset: 100, stride: 1)
    public static let attentionBlock = Seeds.Stream(offset: 0, stride: 10)
    public static let nextItemBatches = Seeds.Stream(offset: 77)
}
