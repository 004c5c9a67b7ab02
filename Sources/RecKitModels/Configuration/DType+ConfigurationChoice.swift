import RecKitLinearAlgebra

/// The precision a model fits in (`float`, `double`) is a configuration choice.
extension DType: ConfigurationChoice {}
