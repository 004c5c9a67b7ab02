// Microbenchmarks of RecKit's hot kernels on both back ends, one thread each (the thread sweeps are
// `reckit bench`'s job). Run from the repository root:
//
//     RECKIT_MICROBENCHMARKS=1 swift package --allow-writing-to-package-directory benchmark
//     RECKIT_MICROBENCHMARKS=1 swift package --allow-writing-to-package-directory benchmark baseline update
//     RECKIT_MICROBENCHMARKS=1 swift package --allow-writing-to-package-directory benchmark baseline check
//
// `baseline check` fails when a benchmark's median wall clock is more than 25 % above the saved
// baseline's (the threshold below); the machines are noisy, so a check compares runs on one machine.
import Benchmark
import RecKitAlgorithms
import RecKitData
import RecKitLinearAlgebra

/// Wall clock, throughput and peak memory, for up to 2 s per benchmark; a median more than 25 %
/// above the baseline's fails `baseline check`.
func configuration(_ iterations: Int = 10_000) -> Benchmark.Configuration {
    Benchmark.Configuration(metrics: [.wallClock, .throughput, .peakMemoryResident], maxDuration: .seconds(2), maxIterations: iterations,
                            thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 25.0])])
}

let benchmarks: @Sendable () -> Void = {
    for backend in Backend.allCases {
        let context = ExecutionContext(backend: backend, threads: 1)

        // Dense GEMM, 256³ Float (the building block of every factor model).
        let a = Matrix<Float>.random(rows: 256, columns: 256, seed: 1), b = Matrix<Float>.random(rows: 256, columns: 256, seed: 2)
        var c = Matrix<Float>(rows: 256, columns: 256)
        Benchmark("sgemm 256 (\(backend.rawValue))", configuration: configuration()) { benchmark in
            for _ in benchmark.scaledIterations { try LinearAlgebra.multiply(a, b, into: &c, context: context); blackHole(c) }
        }

        // Batched GEMM, 1 000 products of 32×32 (self-attention's per-sequence products).
        let qa = MatrixBatch<Float>.random(count: 1_000, rows: 32, columns: 32, seed: 3)
        let qb = MatrixBatch<Float>.random(count: 1_000, rows: 32, columns: 32, seed: 4)
        var qc = MatrixBatch<Float>(count: 1_000, rows: 32, columns: 32)
        Benchmark("batched sgemm 1000×32² (\(backend.rawValue))", configuration: configuration()) { benchmark in
            for _ in benchmark.scaledIterations { try LinearAlgebra.batchedMultiply(qa, qb, transposeB: true, into: &qc, context: context); blackHole(qc) }
        }

        // Batched Cholesky solves, 1 000 systems of order 64 (ALS's per-user solves).
        var gram = MatrixBatch<Double>.random(count: 1_000, rows: 64, columns: 64, seed: 5)
        for k in 0..<1_000 { var m = gram[k]; m = try! LinearAlgebra.gram(m) + Matrix<Double>.identity(64) * 64; gram[k] = m }
        let rhs = MatrixBatch<Double>.random(count: 1_000, rows: 64, columns: 1, seed: 6)
        Benchmark("batched Cholesky solve 1000×64² (\(backend.rawValue))", configuration: configuration()) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try LinearAlgebra.batchedSolvePositiveDefinite(gram, rhs, context: context)) }
        }

        // Sparse × dense: 20 000 × 5 000 ratings (200 000 entries) times 64 columns.
        let sparse = try! SyntheticRatings(users: 20_000, items: 5_000, ratings: 200_000, seed: 7).generate(threads: 1).ratings
        let dense = Matrix<Float>.random(rows: 5_000, columns: 64, seed: 8)
        Benchmark("CSR × dense 200k×64 (\(backend.rawValue))", configuration: configuration()) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try sparse.multiply(dense, context: context)) }
        }

        // Self-attention forward and backward: 32 sequences of 50 steps, 64 features, 2 heads.
        let mask = SequenceMask(steps: 50, valid: [Bool](repeating: true, count: 32 * 50))
        let attention = MultiHeadSelfAttention<Float>(features: 64, heads: 2, mask: mask, seed: 9)
        let x = Matrix<Float>.random(rows: 32 * 50, columns: 64, seed: 10)
        Benchmark("self-attention fwd+bwd 32×50×64 (\(backend.rawValue))", configuration: configuration()) { benchmark in
            for _ in benchmark.scaledIterations {
                let y = try attention.forward(x, context: context)
                blackHole(try attention.backward(y, context: context))
            }
        }
    }

    // Softmax cross-entropy over 2 000 classes for 1 024 rows (the next-item models' loss).
    let logits = Matrix<Float>.random(rows: 1_024, columns: 2_000, seed: 11)
    let targets = (0..<1_024).map { Int32($0 % 2_000) }
    Benchmark("softmax cross-entropy 1024×2000", configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Loss.softmaxCrossEntropy(logits: logits, targets: targets)) }
    }
}
