import RecKitLinearAlgebra

/// One measured configuration of a benchmark.
public struct BenchmarkRow: Codable, Sendable, Equatable {
    /// Operation, e.g. `"gemm"`, `"batched_gemm"`.
    public var op: String
    /// `"float"` or `"double"`.
    public var dtype: String
    /// `"blas"` or `"swift"`.
    public var backend: String
    public var threads: Int
    /// The problem size (matrix order for GEMM; the small matrices' order for batched GEMM).
    public var size: Int
    /// Further parameters, e.g. `["batch": "10000"]`.
    public var params: [String: String]
    /// Median seconds over `repeats` runs.
    public var seconds: Double
    public var secondsMin: Double
    public var secondsMax: Double
    public var repeats: Int
    /// Floating-point operations per second / 1e9, where defined.
    public var gflops: Double?
    /// How far the resident set rose while the row was prepared and measured
    /// (``MemoryWatermark``); absent in reckit-bench/1 files, which held the process's peak.
    public var memoryIncreaseBytes: Int?
    /// Largest relative difference between this row's result and the first back end's result for
    /// the same problem (nil where not compared): shows the back ends computed the same thing.
    public var agreement: Double? = nil
    /// What the run measured besides time (e.g. a solver's residual and iterations); unlike
    /// `params` it does not identify the configuration.
    public var results: [String: String]? = nil
    /// The suite that measured the row (`gemm`, `svd`, …).
    public var suite: String? = nil
}

/// GEMM and batched-GEMM throughput for each back end, precision and thread count.
public struct GEMMSuite: Sendable {
    public var sizes: [Int] = [256, 1024, 2048]
    public var threads: [Int] = [1, Engine.availableCores]
    public var backends: [Backend] = Backend.allCases
    public var dtypes: [DType] = [.float, .double]
    /// Batched GEMM: this many products of `batchOrder × batchOrder` matrices (0 skips it).
    public var batchCount = 10_000
    public var batchOrder = 64

    public init() {}

    /// Runs every configuration, reporting each row to `progress` as it finishes.
    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        for dtype in dtypes {
            switch dtype {
            case .float: try runTyped(Float.self, into: &rows, progress: progress)
            case .double: try runTyped(Double.self, into: &rows, progress: progress)
            }
        }
        return rows
    }

    private func runTyped<T: Scalar>(_: T.Type, into rows: inout [BenchmarkRow], progress: (BenchmarkRow) -> Void) throws {
        for n in sizes {
            let a = Matrix<T>.random(rows: n, columns: n, seed: 1)
            let b = Matrix<T>.random(rows: n, columns: n, seed: 2)
            var c = Matrix<T>(rows: n, columns: n)
            var reference: Matrix<T>? = nil
            for backend in backends {
                for t in threads {
                    let ctx = ExecutionContext(backend: backend, threads: t)
                    let timing = try Timing.measure { try LinearAlgebra.multiply(a, b, into: &c, context: ctx) }
                    if reference == nil { reference = c }
                    var row = makeRow("gemm", T.self, backend, t, n, [:], timing, flops: 2 * Double(n) * Double(n) * Double(n))
                    row.agreement = relativeDifference(c.storage, reference!.storage)
                    rows.append(row)
                    progress(row)
                }
            }
        }
        guard batchCount > 0 else { return }
        let k = batchOrder
        let a = MatrixBatch<T>.random(count: batchCount, rows: k, columns: k, seed: 3)
        let b = MatrixBatch<T>.random(count: batchCount, rows: k, columns: k, seed: 4)
        var c = MatrixBatch<T>(count: batchCount, rows: k, columns: k)
        let flops = 2 * Double(k * k * k) * Double(batchCount)
        var reference: MatrixBatch<T>? = nil
        for backend in backends {
            for t in threads {
                let ctx = ExecutionContext(backend: backend, threads: t)
                let timing = try Timing.measure { try LinearAlgebra.batchedMultiply(a, b, into: &c, context: ctx) }
                if reference == nil { reference = c }
                var row = makeRow("batched_gemm", T.self, backend, t, k, ["batch": "\(batchCount)"], timing, flops: flops)
                row.agreement = relativeDifference(c.storage, reference!.storage)
                rows.append(row)
                progress(row)
            }
        }
    }

    private func makeRow<T: Scalar>(_ op: String, _: T.Type, _ backend: Backend, _ threads: Int, _ size: Int,
                                    _ params: [String: String], _ t: Timing, flops: Double) -> BenchmarkRow {
        BenchmarkRow(op: op, dtype: T.dtype.rawValue, backend: backend.rawValue, threads: threads, size: size,
                     params: params, seconds: t.median, secondsMin: t.min, secondsMax: t.max, repeats: t.repeats,
                     gflops: flops / t.median / 1e9, memoryIncreaseBytes: MemoryWatermark.rowIncrease())
    }
}

/// max |a − b| ÷ max |b|: how far a result is from the reference result.
func relativeDifference<T: Scalar>(_ a: [T], _ b: [T]) -> Double {
    var diff = 0.0, scale = 0.0
    for k in 0..<min(a.count, b.count) {
        diff = max(diff, abs(a[k].doubleValue - b[k].doubleValue))
        scale = max(scale, abs(b[k].doubleValue))
    }
    return diff / max(scale, .leastNormalMagnitude)
}
