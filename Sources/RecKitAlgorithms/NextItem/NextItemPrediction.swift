import RecKitData
import RecKitLinearAlgebra

/// Trains a ``NextItemNetwork`` on users' time-ordered histories: each window's position `t`
/// predicts the item at `t + 1` with softmax cross-entropy over every item, Adam, clipped
/// gradients, shuffled mini-batches of users. Deterministic for a seed and thread count. The
/// products run on the context's back end and threads (the batched attention GEMMs split across
/// sequences; the GRU's steps and the output layer are GEMMs over the batch).
public enum NextItemPrediction {
    /// - Parameters:
    ///   - histories: each user's items, oldest first (``ItemSequences/histories(_:timestamps:)``).
    ///   - progress: after each epoch, with the mean loss, the validation NDCG@10 (with early
    ///     stopping) and the predicted positions per second (`samples_per_second`).
    /// - Throws: ``AlgorithmError`` for impossible options or items outside `0..<items`, or a loss
    ///   that becomes NaN/∞ or explodes.
    public static func fit(_ histories: [[Int32]], items: Int, options o: NextItemOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> NextItemNetwork<Float> {
        try o.validate()
        guard items >= 1 else { throw AlgorithmError.emptyInput(algorithm: "next-item model", details: "no items") }
        for (u, h) in histories.enumerated() {
            if let bad = h.firstIndex(where: { $0 < 0 || Int($0) >= items }) {
                throw AlgorithmError.invalidInput(algorithm: "next-item model", row: u, column: nil,
                                                  reason: "user \(u)'s history holds item \(h[bad]), outside 0..<\(items)")
            }
        }
        // Validation: the latest item of users with at least 3.
        let validating = o.patience > 0
        let heldOut: [Int] = validating ? histories.indices.filter { histories[$0].count >= 3 } : []
        var train = histories.map { ArraySlice($0) }
        for u in heldOut { train[u] = train[u].dropLast() }
        let trainable = train.indices.filter { train[$0].count >= 2 }
        guard !trainable.isEmpty else {
            throw AlgorithmError.emptyInput(algorithm: "next-item model", details: "no user has two items in order to learn from")
        }

        var network = NextItemNetwork<Float>(items: items, options: o)
        network.training = true
        let adam = Adam<Float>(learningRate: o.learningRate)
        var rng = Seeds(o.seed).generator(.nextItemBatches)
        let L = o.maxLength, d = o.factors
        let validation: EpochRunner.Validation<NextItemNetwork<Float>>? = validating && !heldOut.isEmpty
            ? .init(metric: "NDCG@10", higherIsBetter: true, patience: o.patience) { network in
                try validationNDCG(network, histories: heldOut.map { train[$0] }, targets: heldOut.map { histories[$0].last! }, context: context)
            } : nil
        _ = try EpochRunner.run("next-item model (\(o.encoder.rawValue))", epochs: o.epochs, state: &network,
                                divergence: .init(growthLimit: 100, floor: 1, hint: "Lower the learning rate (now \(o.learningRate))."),
                                validation: validation, checkpoint: { $0.parameters.map(\.value) },
                                restore: { network, weights in for (p, w) in zip(network.parameters, weights) { p.value = w } },
                                progress: progress) { _, network in
            let clock = ContinuousClock(), start = clock.now
            var order = trainable
            order.shuffle(using: &rng)
            var total = 0.0, samples = 0
            var b = 0
            while b < order.count {
                let users = order[b..<Swift.min(order.count, b + o.batchSize)]
                b += o.batchSize
                // position t of the input window predicts the item after it
                let inputs = users.map { ItemSequences.window(train[$0].dropLast(), maxLength: L) }
                let h = try network.encode(inputs, context: context)
                var rows: [Int] = [], targets: [Int32] = []
                for (k, u) in users.enumerated() {
                    let next = ItemSequences.window(train[u].dropFirst(), maxLength: L)
                    for (j, item) in next.enumerated() { rows.append(k * L + L - next.count + j); targets.append(item) }
                }
                var hv = Matrix<Float>(rows: rows.count, columns: d)
                for (r, row) in rows.enumerated() { hv.storage.replaceSubrange(r * d..<(r + 1) * d, with: h.storage[row * d..<(row + 1) * d]) }
                for p in network.parameters { p.zeroGradient() }
                let (loss, g) = try Loss.softmaxCrossEntropy(logits: try network.output.forward(hv, context: context), targets: targets,
                                                             threads: context.threads)
                let dhv = try network.output.backward(g, context: context)
                var dh = Matrix<Float>(rows: h.rows, columns: d)
                for (r, row) in rows.enumerated() { dh.storage.replaceSubrange(row * d..<(row + 1) * d, with: dhv.storage[r * d..<(r + 1) * d]) }
                try network.backward(encoded: dh, context: context)
                clipGradients(network.parameters, maxNorm: o.maxGradientNorm)
                adam.step(network.parameters)
                total += loss * Double(rows.count)
                samples += rows.count
            }
            let seconds = (clock.now - start).seconds
            return .init(loss: total / Double(samples), seconds: seconds, measures: ["samples_per_second": Double(samples) / seconds])
        }
        network.training = false
        return network
    }

    /// Mean NDCG@10 of each target ranked among all items the history does not hold.
    static func validationNDCG(_ network: NextItemNetwork<Float>, histories: [ArraySlice<Int32>], targets: [Int32], context: ExecutionContext) throws -> Double {
        let s = try network.scores(try network.representations(histories, context: context), context: context)
        let n = s.columns
        var total = 0.0
        for (r, target) in targets.enumerated() {
            let seen = Set(histories[r])
            let t = s.storage[r * n + Int(target)]
            var rank = 0
            for c in 0..<n where c != Int(target) && !seen.contains(Int32(c)) && s.storage[r * n + c] > t { rank += 1; if rank >= 10 { break } }
            if rank < 10 { total += Double.log(2) / Double.log(Double(rank) + 2) }
        }
        return total / Double(targets.count)
    }
}
