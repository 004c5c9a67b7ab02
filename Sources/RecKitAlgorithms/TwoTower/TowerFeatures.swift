import RecKitData
import RecKitLinearAlgebra

/// What a tower knows about each entity (user or item) besides its id: categorical fields (age
/// group, occupation, …) and a dense vector (genre flags, …).
public struct TowerFeatures: Sendable, Equatable {
    /// `categorical[f][e]`: entity `e`'s value of field `f`, in `0..<vocabularies[f]`, or −1 if unknown.
    public var categorical: [[Int32]]
    public var vocabularies: [Int]
    /// `entities × width` dense features (width 0: none).
    public var dense: Matrix<Float>

    public init(categorical: [[Int32]] = [], vocabularies: [Int] = [], dense: Matrix<Float>) {
        self.categorical = categorical
        self.vocabularies = vocabularies
        self.dense = dense
    }

    /// No side information for `count` entities (an id-only tower).
    public static func none(_ count: Int) -> TowerFeatures { TowerFeatures(dense: Matrix(rows: count, columns: 0)) }

    public var count: Int { dense.rows }

    func validate(_ what: String) throws {
        guard categorical.count == vocabularies.count else {
            throw AlgorithmError.shapeMismatch(algorithm: "two-tower", details: "\(what) features have \(categorical.count) categorical fields but \(vocabularies.count) vocabularies")
        }
        for (f, column) in categorical.enumerated() {
            guard column.count == count else {
                throw AlgorithmError.shapeMismatch(algorithm: "two-tower", details: "\(what) field \(f) has \(column.count) values for \(count) entities")
            }
            if let bad = column.firstIndex(where: { $0 < -1 || Int($0) >= vocabularies[f] }) {
                throw AlgorithmError.invalidInput(algorithm: "two-tower", row: nil, column: nil,
                                                  reason: "\(what) \(bad)'s field \(f) value \(column[bad]) is outside 0..<\(vocabularies[f])")
            }
        }
        if let bad = dense.storage.firstIndex(where: { !$0.isFinite }) {
            throw AlgorithmError.invalidInput(algorithm: "two-tower", row: nil, column: nil,
                                              reason: "\(what) \(bad / Swift.max(1, dense.columns))'s dense features hold NaN or ∞")
        }
    }
}
