import RecKitData
import RecKitLinearAlgebra

/// One tower: `[e_id, e_field₁, …, dense] → Linear → ReLU → Linear` (`factors` wide). Id `count`
/// (and field value `vocabulary`) is "unknown": a cold entity's id, or a missing value.
public final class Tower<T: NeuralScalar> {
    public let ids: Embedding<T>
    public let fields: [Embedding<T>]
    public let mlp: Sequential<T>
    public let count: Int
    let vocabularies: [Int]
    let denseWidth: Int
    var fieldWidth: Int { ids.dimension }

    public init(count: Int, vocabularies: [Int], denseWidth: Int, options o: TwoTowerOptions, seed: UInt64) {
        self.count = count
        self.vocabularies = vocabularies
        self.denseWidth = denseWidth
        ids = Embedding(count: count + 1, dimension: o.embedding, standardDeviation: 0.05, seed: seed)
        fields = vocabularies.enumerated().map { Embedding(count: $1 + 1, dimension: o.embedding, standardDeviation: 0.05, seed: Seeds(seed)(.attributeField, $0)) }
        let width = o.embedding * (1 + vocabularies.count) + denseWidth
        mlp = Sequential([Linear<T>(inputs: width, outputs: o.hidden, initializer: .heNormal, seed: Seeds(seed)(.towerHidden)), Activation<T>(.relu),
                          Linear<T>(inputs: o.hidden, outputs: o.factors, seed: Seeds(seed)(.towerOutput))])
    }

    public var parameters: [Parameter<T>] { ids.parameters + fields.flatMap(\.parameters) + mlp.parameters }

    /// Representations (`rows.count × factors`) of entities with these ids (`count` for unknown)
    /// and these rows of `features`' fields and dense features.
    @_specialize(where T == Float)
    public func forward(ids idList: [Int32], features: TowerFeatures, rows: [Int], context: ExecutionContext) throws -> Matrix<T> {
        var parts = [try ids.forward(idList)]
        for (f, e) in fields.enumerated() {
            parts.append(try e.forward(rows.map { r in features.categorical[f][r] < 0 ? Int32(vocabularies[f]) : features.categorical[f][r] }))
        }
        let e = fieldWidth, width = e * parts.count + denseWidth
        var x = [T](repeating: 0, count: rows.count * width)
        for (k, r) in rows.enumerated() {
            for (p, part) in parts.enumerated() {
                for c in 0..<e { x[k * width + p * e + c] = part.storage[k * e + c] }
            }
            for c in 0..<denseWidth { x[k * width + parts.count * e + c] = T(Double(features.dense.storage[r * denseWidth + c])) }
        }
        return try mlp.forward(try Matrix(rows: rows.count, columns: width, elements: x), context: context)
    }

    @_specialize(where T == Float)
    public func backward(_ dy: Matrix<T>, context: ExecutionContext) throws {
        let dx = try mlp.backward(dy, context: context)
        let e = fieldWidth, width = dx.columns
        for (p, table) in ([ids] + fields).enumerated() {
            var part = Matrix<T>(rows: dx.rows, columns: e)
            for k in 0..<dx.rows { for c in 0..<e { part.storage[k * e + c] = dx.storage[k * width + p * e + c] } }
            table.backward(part)
        }
    }
}
