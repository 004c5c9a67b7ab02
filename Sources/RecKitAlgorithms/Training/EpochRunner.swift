/// The epoch loop every iterative trainer runs (ALS sweeps, SGD epochs, neural epochs): it times each
/// epoch, detects divergence, measures a validation score and stops early, keeps the best epoch's
/// parameters, and reports ``TrainingProgress`` — so that these rules are written once.
///
/// ```
/// for e in 1...epochs:
///     loss = epoch(e, &state)                        (timed, unless the epoch times itself)
///     diverged if loss is NaN/∞ or > growthLimit · max(first loss, floor)
///     with validation: score = measure(state); a strictly better score checkpoints the state
///     progress(e, loss, score)
///     with validation: stop once e − best epoch ≥ patience
/// with validation: state ← the best checkpoint
/// ```
public enum EpochRunner {
    /// What one epoch reports back.
    public struct EpochResult: Sendable {
        /// The epoch's training loss (the objective, or the mean loss of its batches).
        public var loss: Double
        /// Wall seconds of the epoch's work when it times itself (e.g. leaving out computing the
        /// objective); nil: the runner's own measure of the whole epoch.
        public var seconds: Double?
        /// Further figures (`accuracy`, `samples_per_second`, …) for the progress event.
        public var measures: [String: Double]

        public init(loss: Double, seconds: Double? = nil, measures: [String: Double] = [:]) {
            self.loss = loss
            self.seconds = seconds
            self.measures = measures
        }
    }

    /// Early stopping on a validation score measured after every epoch.
    public struct Validation<State> {
        /// The metric's name (`RMSE`, `NDCG@10`) and its direction.
        public var metric: String
        public var higherIsBetter: Bool
        /// Epochs without a strictly better score before training stops (≥ 1).
        public var patience: Int
        /// Measures the score of the current state.
        public var measure: (State) throws -> Double

        public init(metric: String, higherIsBetter: Bool, patience: Int, measure: @escaping (State) throws -> Double) {
            self.metric = metric
            self.higherIsBetter = higherIsBetter
            self.patience = patience
            self.measure = measure
        }
    }

    /// When a loss counts as diverged: always when it is NaN or ±∞; with `growthLimit`, also when it
    /// exceeds `growthLimit × max(first epoch's loss, floor)`.
    public struct Divergence: Sendable {
        public var growthLimit: Double?
        public var floor: Double
        /// What to change, for the error message.
        public var hint: String

        public init(growthLimit: Double? = nil, floor: Double = 0, hint: String) {
            self.growthLimit = growthLimit
            self.floor = floor
            self.hint = hint
        }
    }

    /// Runs `epochs` epochs of `epoch` on `state`.
    ///
    /// - Parameters:
    ///   - algorithm: the name errors and progress give.
    ///   - checkpoint, restore: how to save and restore `state` for early stopping (value types
    ///     use the overload without them).
    /// - Throws: ``AlgorithmError/diverged(algorithm:epoch:loss:hint:)``, or what `epoch` or the
    ///   validation throws.
    public static func run<State, Checkpoint>(_ algorithm: String, epochs: Int, state: inout State, divergence: Divergence,
                                              validation: Validation<State>? = nil,
                                              checkpoint: (State) -> Checkpoint, restore: (inout State, Checkpoint) -> Void,
                                              progress: ((TrainingProgress) -> Void)?,
                                              epoch: (_ epoch: Int, _ state: inout State) throws -> EpochResult) throws -> TrainingRun {
        let clock = ContinuousClock()
        var run = TrainingRun()
        var best: (score: Double, checkpoint: Checkpoint)? = nil
        for e in 1...Swift.max(1, epochs) {
            let start = clock.now
            let result = try epoch(e, &state)
            let seconds = result.seconds ?? (clock.now - start).seconds
            let reference = Swift.max(run.losses.first ?? result.loss, divergence.floor)
            if !result.loss.isFinite || (divergence.growthLimit.map { !run.losses.isEmpty && result.loss > $0 * reference } ?? false) {
                throw AlgorithmError.diverged(algorithm: algorithm, epoch: e, loss: result.loss, hint: divergence.hint)
            }
            run.losses.append(result.loss)
            run.seconds.append(seconds)
            run.measures.append(result.measures)
            var score: ValidationScore? = nil
            if let validation {
                let value = try validation.measure(state)
                score = ValidationScore(metric: validation.metric, value: value, higherIsBetter: validation.higherIsBetter)
                run.validation.append(value)
                let better = best.map { validation.higherIsBetter ? value > $0.score : value < $0.score } ?? true
                if better {
                    best = (value, checkpoint(state))
                    run.bestEpoch = e
                }
            }
            progress?(TrainingProgress(epoch: e, epochs: epochs, loss: result.loss, seconds: seconds, validation: score, measures: result.measures))
            if let validation, e - run.bestEpoch >= validation.patience {
                run.stoppedEarly = e < epochs
                break
            }
        }
        if let best { restore(&state, best.checkpoint) } else { run.bestEpoch = run.losses.count }
        return run
    }

    /// ``run(_:epochs:state:divergence:validation:checkpoint:restore:progress:epoch:)`` for a value-type
    /// state, checkpointed by copying.
    public static func run<State>(_ algorithm: String, epochs: Int, state: inout State, divergence: Divergence,
                                  validation: Validation<State>? = nil, progress: ((TrainingProgress) -> Void)?,
                                  epoch: (_ epoch: Int, _ state: inout State) throws -> EpochResult) throws -> TrainingRun {
        try run(algorithm, epochs: epochs, state: &state, divergence: divergence, validation: validation,
                checkpoint: { $0 }, restore: { $0 = $1 }, progress: progress, epoch: epoch)
    }
}

/// The record of a training run.
public struct TrainingRun: Sendable, Equatable {
    /// The loss of each epoch that ran.
    public var losses: [Double] = []
    /// The validation score after each epoch (empty without validation).
    public var validation: [Double] = []
    /// Wall seconds of each epoch.
    public var seconds: [Double] = []
    /// Further figures of each epoch (``EpochRunner/EpochResult/measures``).
    public var measures: [[String: Double]] = []
    /// The epoch whose parameters were kept: the best validated one, else the last.
    public var bestEpoch = 0
    /// Whether early stopping ended training before the planned epochs.
    public var stoppedEarly = false

    public init() {}
}
