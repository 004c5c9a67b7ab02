import RecKitData
import RecKitLinearAlgebra

extension FoldingIn {
    /// The `count` items most similar to `item` by the cosine of their factors, most similar first
    /// (the item itself left out; ties to the lower index). Items with zero factors have no
    /// direction and are not returned.
    public func similarItems(to item: Int, count: Int, context: ExecutionContext = .current) throws -> [Recommendation] {
        guard let model = factorModel else { throw ModelError.notFitted(model: Self.name) }
        guard item >= 0, item < model.itemFactors.rows else {
            throw ModelError.unknownItem(model: Self.name, item: "index \(item) (the training data has \(model.itemFactors.rows) items)")
        }
        return try Self.mostSimilar(to: item, in: model.itemFactors, count: count, context: context)
    }

    /// The `count` users most similar to `user` by the cosine of their factors (see ``similarItems(to:count:context:)``).
    public func similarUsers(to user: Int, count: Int, context: ExecutionContext = .current) throws -> [Recommendation] {
        guard let model = factorModel else { throw ModelError.notFitted(model: Self.name) }
        guard user >= 0, user < model.userFactors.rows else {
            throw ModelError.unknownUser(model: Self.name, user: "index \(user) (the training data has \(model.userFactors.rows) users)")
        }
        return try Self.mostSimilar(to: user, in: model.userFactors, count: count, context: context)
    }

    /// Cosines of row `row` of `factors` with every row (one GEMV), top `count` of the others.
    static func mostSimilar(to row: Int, in factors: Matrix<Float>, count: Int, context: ExecutionContext) throws -> [Recommendation] {
        let f = factors.columns
        let norms = (0..<factors.rows).map { r in (0..<f).reduce(Float(0)) { $0 + factors.storage[r * f + $1] * factors.storage[r * f + $1] }.squareRoot() }
        guard norms[row] > 0 else { return [] }
        let dots = try LinearAlgebra.multiply(factors, vector: factors.row(row), context: context)
        var candidates: [Recommendation] = []
        for r in 0..<factors.rows where r != row && norms[r] > 0 {
            candidates.append(Recommendation(item: r, score: dots[r] / (norms[r] * norms[row])))
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        return Array(candidates.prefix(Swift.max(0, count)))
    }
}
