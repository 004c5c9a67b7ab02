/// One recommended item.
public struct Recommendation: Sendable, Equatable {
    /// The item's index in the training data.
    public var item: Int
    public var score: Float
    public init(item: Int, score: Float) { self.item = item; self.score = score }
}
