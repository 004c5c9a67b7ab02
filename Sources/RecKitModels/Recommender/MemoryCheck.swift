import RecKitData
import RecKitLinearAlgebra

extension Recommender {
    /// A lower bound on the memory a fit on `train` allocates, from the configuration: the user and
    /// item factor matrices with a copy each (gradients, the previous sweep), in the fit's
    /// precision, and one `k × k` system per thread (ALS); EASE's three item × item matrices in
    /// Double. Nil when the configuration has neither `factors` nor EASE's shape.
    public func estimatedFitBytes(for train: RatingDataset, threads: Int) -> Double? {
        let values = configuration.values
        let users = Double(train.userCount), items = Double(train.itemCount)
        if Self.name == "ease" { return 3 * items * items * 8 }
        guard case .integer(let k)? = values["factors"] else { return nil }
        let width: Double = values["precision"] == .choice("double") ? 8 : 4
        var factors = Double(k)
        // Bayesian MF keeps every sampled sweep's factors.
        if case .integer(let kept)? = values["samples"] { factors *= Double(kept) }
        return 2 * (users + items) * factors * width + Double(max(threads, 1)) * factors * factors * 8
    }

    /// The configuration checked field by field, then the memory the fit will need against what the
    /// machine has available.
    /// - Throws: ``ModelError/invalidConfiguration(model:field:value:requirement:)`` naming the
    ///   field that sizes the fit ("needs 40.1 GB for 943 users × 1682 items; 23.0 GB available").
    func validatedConfiguration(for train: RatingDataset, context: ExecutionContext) throws -> Configuration {
        let c = try validatedConfiguration()
        if let need = estimatedFitBytes(for: train, threads: context.threads), let have = MemoryBudget.availableBytes, need > Double(have) {
            let field = Self.name == "ease" ? "items" : "factors"
            let value = Self.name == "ease" ? "\(train.itemCount)" : configuration.values["factors"].map { "\($0)" } ?? "?"
            throw ModelError.invalidConfiguration(
                model: Self.name, field: field, value: value,
                requirement: "small enough to fit in memory (a fit needs at least \(MemoryBudget.describe(need)) for \(train.userCount) users × "
                    + "\(train.itemCount) items; the machine has \(MemoryBudget.describe(Double(have))) available)")
        }
        return c
    }
}
