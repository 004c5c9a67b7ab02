import RecKitData
import RecKitLinearAlgebra

/// The suites of `reckit bench`, in the main job's order, each runnable with the main job's settings.
public enum BenchmarkSuite: String, CaseIterable, Sendable {
    case gemm, sparse, svd, als, sgd, bpmf, neural, scoring

    /// The suite with its defaults (ALS with 2 iterations), on `threads` and `backends`, with the
    /// rating matrix of `scale` for the suites that have one.
    public func runWithDefaults(threads: [Int], backends: [Backend], scale: BenchmarkScale,
                                progress: (BenchmarkRow) -> Void) throws -> [BenchmarkRow] {
        try rawRunWithDefaults(threads: threads, backends: backends, scale: scale) { row in
            var row = row
            row.suite = rawValue
            progress(row)
        }.map { row in
            var row = row
            row.suite = rawValue
            return row
        }
    }

    private func rawRunWithDefaults(threads: [Int], backends: [Backend], scale: BenchmarkScale,
                                    progress: (BenchmarkRow) -> Void) throws -> [BenchmarkRow] {
        switch self {
        case .gemm:
            var s = GEMMSuite(); s.threads = threads; s.backends = backends
            return try s.run(progress: progress)
        case .sparse:
            var s = SparseSuite(); s.threads = threads; s.backends = backends; s.use(scale)
            return try s.run(progress: progress)
        case .svd:
            var s = SVDSuite(); s.threads = threads; s.backends = backends; s.scale = scale
            return try s.run(progress: progress)
        case .als:
            var s = ALSSuite(); s.threads = threads; s.backends = backends; s.iterations = 2; s.scale = scale
            return try s.run(progress: progress)
        case .sgd:
            var s = SGDSuite(); s.threads = threads; s.backends = backends; s.scale = scale
            return try s.run(progress: progress)
        case .bpmf:
            var s = BPMFSuite(); s.threads = threads; s.backends = backends; s.scale = scale
            return try s.run(progress: progress)
        case .neural:
            var s = NeuralSuite(); s.threads = threads; s.backends = backends
            return try s.run(progress: progress)
        case .scoring:
            var s = ScoringSuite(); s.threads = threads; s.backends = backends
            return try s.run(progress: progress)
        }
    }
}
