/// The configuration of a model without hyperparameters (`global-mean`, a ``FactorModel``).
public struct EmptyConfiguration: ModelConfiguration {
    public init() {}
    public static var fields: [ConfigurationField<Self>] { [] }
}
