import Foundation

/// What an iterative trainer reports after each epoch (or iteration, or sweep): one shape for every
/// algorithm and model, so that the command line, the evaluator and user code read progress alike.
public struct TrainingProgress: Sendable, Equatable {
    /// 1-based epoch just finished.
    public var epoch: Int
    /// The planned number of epochs (early stopping may end sooner).
    public var epochs: Int
    /// The training objective the algorithm reports, if it computes one.
    public var loss: Double?
    /// Wall seconds of this epoch.
    public var seconds: Double
    /// A validation score measured after this epoch, for trainers that stop early.
    public var validation: ValidationScore?
    /// Further figures of the epoch by name (`accuracy`, `samples_per_second`, …).
    public var measures: [String: Double]

    public init(epoch: Int, epochs: Int, loss: Double? = nil, seconds: Double, validation: ValidationScore? = nil,
                measures: [String: Double] = [:]) {
        self.epoch = epoch
        self.epochs = epochs
        self.loss = loss
        self.seconds = seconds
        self.validation = validation
        self.measures = measures
    }

    /// `epoch 3/20: loss 0.412, validation NDCG@10 0.3100 (1.20 s)`.
    public var summary: String {
        var s = "epoch \(epoch)/\(epochs)"
        if let loss { s += ": loss " + String(format: "%.6g", loss) }
        if let validation { s += ", validation \(validation.metric) " + String(format: "%.4f", validation.value) }
        return s + String(format: " (%.2f s)", seconds)
    }
}

/// A validation metric and its value.
public struct ValidationScore: Sendable, Equatable {
    /// The metric's name as reports print it (`RMSE`, `NDCG@10`).
    public var metric: String
    public var value: Double
    /// Whether a higher value is better (NDCG) or a lower one (RMSE).
    public var higherIsBetter: Bool

    public init(metric: String, value: Double, higherIsBetter: Bool) {
        self.metric = metric
        self.value = value
        self.higherIsBetter = higherIsBetter
    }
}
