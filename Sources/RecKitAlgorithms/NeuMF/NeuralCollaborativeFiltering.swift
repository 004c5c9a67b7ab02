import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Trains an ``NCFNetwork`` on implicit feedback: every interaction is a positive (label 1) and
/// each epoch pairs it with `negatives` items the user never interacted with (label 0, drawn
/// uniformly); binary cross-entropy on the logits, Adam, shuffled mini-batches. Data-parallel on the
/// context's threads (each batch split across network replicas, gradients summed before the step);
/// deterministic for a seed and thread count. The back end is the context's.
public enum NeuralCollaborativeFiltering {
    /// - Parameter progress: after each epoch, with the mean loss and the training samples per
    ///   second (`samples_per_second`).
    /// - Throws: ``AlgorithmError`` for impossible options or input, or a diverged loss.
    public static func fit(_ interactions: CSRMatrix<Float>, options: NCFOptions, context: ExecutionContext = .current,
                           progress: ((TrainingProgress) -> Void)? = nil) throws -> NCFNetwork<Float> {
        try options.validate()
        guard interactions.nonZeroCount > 0, interactions.columns >= 2 else {
            throw AlgorithmError.emptyInput(algorithm: "NCF", details: interactions.shapeDescription + " with \(interactions.nonZeroCount) entries (at least 2 items needed)")
        }
        let network = NCFNetwork<Float>(users: interactions.rows, items: interactions.columns, options: options)
        if options.mode == .neumf, options.pretrain {
            var single = options
            single.pretrain = false
            single.mode = .gmf
            let gmf = try fit(interactions, options: single, context: context, progress: nil)
            single.mode = .mlp
            let mlp = try fit(interactions, options: single, context: context, progress: nil)
            network.start(from: gmf, and: mlp, balance: Float(options.pretrainBalance))
        }
        let pretrained = options.mode == .neumf && options.pretrain
        let epochs = pretrained ? (options.fineTuneEpochs ?? options.epochs) : options.epochs
        guard epochs >= 1 else { return network }
        // Data-parallel training: each batch is split into one contiguous part per worker; every
        // worker runs its part on its own replica of the network (sharing the weights, keeping
        // its own gradients and activations), and the gradients are summed into the first network
        // before the Adam step. A part's GEMMs are small, so each worker runs them on one thread.
        // Below `samplesPerThread` samples a part costs more in synchronisation than it saves.
        let workers = Swift.max(1, Swift.min(context.threads, options.batchSize / Swift.max(1, options.samplesPerThread)))
        let replicas = [network] + (1..<workers).map { _ in NCFNetwork<Float>(users: interactions.rows, items: interactions.columns, options: options) }
        let single = context.with(threads: 1)
        let optimizer: any Optimizer<Float> = pretrained && options.fineTuneRate > 0
            ? SGDMomentum(learningRate: options.fineTuneRate, momentum: 0) : Adam(learningRate: options.learningRate)
        var rng = Seeds(options.seed).generator(.ncfSampling)
        let seen = (0..<interactions.rows).map { Set(interactions.columnIndices[interactions.range(ofRow: $0)]) }
        var trained = network
        _ = try EpochRunner.run("NCF", epochs: epochs, state: &trained, divergence: .init(hint: "Lower the learning rate (now \(options.learningRate))."),
                                checkpoint: { _ in () }, restore: { _, _ in }, progress: progress) { _, network in
            let clock = ContinuousClock(), start = clock.now
            var users: [Int32] = [], items: [Int32] = [], labels: [Float] = []
            for u in 0..<interactions.rows {
                for p in interactions.range(ofRow: u) {
                    users.append(Int32(u)); items.append(interactions.columnIndices[p]); labels.append(1)
                    for _ in 0..<options.negatives {
                        var j: Int32
                        repeat { j = Int32(rng.next() % UInt64(interactions.columns)) } while seen[u].contains(j) && seen[u].count < interactions.columns
                        users.append(Int32(u)); items.append(j); labels.append(0)
                    }
                }
            }
            var order = Array(users.indices)
            order.shuffle(using: &rng)
            var total = 0.0
            var b = 0
            while b < order.count {
                let batch = Array(order[b..<Swift.min(order.count, b + options.batchSize)])
                b += options.batchSize
                let parts = Swift.min(workers, batch.count)
                for r in replicas.dropFirst().prefix(parts - 1) { for (to, from) in zip(r.parameters, network.parameters) { to.value = from.value } }
                var losses = [Double](repeating: 0, count: parts)
                var failure: (any Error)?
                let lock = NSLock()
                Parallel.forEachPart(parts) { k in
                    let part = Parallel.chunk(k, of: parts, count: batch.count).map { batch[$0] }
                    let net = replicas[k]
                    do {
                        for p in net.parameters { p.zeroGradient() }
                        let z = try net.logits(users: part.map { users[$0] }, items: part.map { items[$0] }, context: single)
                        var (loss, g) = try Loss.binaryCrossEntropy(logits: z, labels: try Matrix(rows: part.count, columns: 1, elements: part.map { labels[$0] }))
                        // the part's mean → its share of the batch's mean
                        let share = Float(part.count) / Float(batch.count)
                        for i in g.storage.indices { g.storage[i] *= share }
                        try net.backward(g, context: single)
                        lock.withLock { losses[k] = loss * Double(part.count) }
                    } catch {
                        lock.withLock { failure = error }
                    }
                }
                if let failure { throw failure }
                // the replicas' weights are only read: let go of them before the update writes
                for r in replicas.dropFirst().prefix(parts - 1) {
                    for (to, from) in zip(network.parameters, r.parameters) { to.accumulate(from) }
                    for p in r.parameters { p.value = Matrix(rows: 0, columns: 0) }
                }
                optimizer.step(network.parameters)
                total += losses.reduce(0, +)
            }
            let seconds = (clock.now - start).seconds
            return .init(loss: total / Double(order.count), measures: ["samples_per_second": Double(order.count) / seconds])
        }
        return network
    }
}
