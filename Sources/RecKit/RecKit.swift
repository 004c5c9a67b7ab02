// The umbrella module: `import RecKit` brings in every public layer.
@_exported import RecKitLinearAlgebra
@_exported import RecKitData
@_exported import RecKitAlgorithms
@_exported import RecKitModels
@_exported import RecKitEvaluation
