import RecKitData

/// What is known about users and items besides their interactions: user attributes (MovieLens
/// `u.user`) and item features (`u.item`'s genres). Models that use it (`two-tower`) receive it
/// through ``Recommender/use(_:)``; the others ignore it.
public struct SideInformation: Sendable {
    public var userAttributes: AttributeTable?
    public var itemFeatures: FeatureTable?
    public init(userAttributes: AttributeTable? = nil, itemFeatures: FeatureTable? = nil) {
        self.userAttributes = userAttributes
        self.itemFeatures = itemFeatures
    }
}
