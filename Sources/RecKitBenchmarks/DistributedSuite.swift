import Foundation
import RecKitLinearAlgebra

/// Distributed ALS (implicit feedback, conjugate gradient, Float) across MPI rank counts (one row
/// per configuration, op `als_mpi_R_ranks`, `threads` per rank): runs
/// `mpirun -np R reckit-mpi als FILE … --json` for each configuration, in alternating rounds, and
/// reports each configuration's median seconds per iteration, with the bytes each rank sent per
/// iteration, the largest rank's peak memory and the load time in `results` (docs/distributed.md).
public struct DistributedSuite: Sendable {
    public var file: String
    /// Ranks × threads per rank to run; a rank count with more than one thread runs unbound
    /// (`--bind-to none`), otherwise mpirun binds each rank to a core.
    public var configurations: [(ranks: Int, threads: Int)] = [(1, 1), (2, 1), (1, 2)]
    public var factors = 64
    public var iterations = 5
    public var rounds = 3
    /// `reckit-mpi` and `mpirun`.
    public var executable: String
    public var mpirun: String

    public init(file: String, executable: String, mpirun: String) {
        self.file = file
        self.executable = executable
        self.mpirun = mpirun
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func run(progress: (BenchmarkRow) -> Void = { _ in }) throws -> [BenchmarkRow] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-bench-distributed-\(getpid())").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var samples: [[Sample]] = Array(repeating: [], count: configurations.count)
        for round in 0..<rounds {
            for (k, c) in configurations.enumerated() {
                let json = "\(work)/r\(round)-\(c.ranks)x\(c.threads).json"
                try launch(ranks: c.ranks, threads: c.threads, json: json)
                samples[k].append(try Sample(json: json))
            }
        }
        var rows: [BenchmarkRow] = []
        for (k, c) in configurations.enumerated() {
            let s = samples[k]
            let perIteration = Timing(samples: s.map(\.secondsPerIteration))
            var row = BenchmarkRow(op: "als_mpi_\(c.ranks)_rank\(c.ranks == 1 ? "" : "s")", dtype: "float", backend: "blas", threads: c.threads, size: s[0].ratings,
                                   params: ["ranks": "\(c.ranks)", "variant": "implicit_cg",
                                            "factors": "\(factors)", "file": (file as NSString).lastPathComponent],
                                   seconds: perIteration.median, secondsMin: perIteration.min, secondsMax: perIteration.max, repeats: s.count,
                                   gflops: nil, memoryIncreaseBytes: nil)
            row.results = [
                "bytes_sent_per_iteration_per_rank": "\(Int(Timing(samples: s.map(\.bytesPerIteration)).median))",
                "peak_memory_bytes_per_rank": "\(Int(Timing(samples: s.map(\.peakBytes)).median))",
                "seconds_load": String(format: "%.3f", Timing(samples: s.map(\.loadSeconds)).median),
            ]
            row.suite = "distributed"
            progress(row)
            rows.append(row)
        }
        return rows
    }

    func launch(ranks: Int, threads: Int, json: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "--bind-to", threads > 1 ? "none" : "core", "-np", "\(ranks)", executable,
                       "als", file, "--implicit", "--factors", "\(factors)", "--iterations", "\(iterations)", "--threads", "\(threads)",
                       "--json", json, "-q"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "mpirun -np \(ranks) reckit-mpi als \(file) failed (exit \(p.terminationStatus)): "
                          + (text.split(separator: "\n").first { $0.hasPrefix("error:") }.map(String.init) ?? text))
        }
    }

    /// One run's figures from its `reckit-mpi-als/1` report.
    struct Sample {
        var secondsPerIteration: Double, bytesPerIteration: Double, peakBytes: Double, loadSeconds: Double, ratings: Int

        init(json path: String) throws {
            guard let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any],
                  let seconds = d["seconds_per_iteration"] as? [Double], !seconds.isEmpty,
                  let bytes = d["bytes_sent_per_iteration_by_rank"] as? [[Double]],
                  let peaks = d["peak_memory_bytes_by_rank"] as? [Double],
                  let load = d["seconds_load"] as? Double, let ratings = d["ratings"] as? Int else {
                throw Failure(description: "\(path): not a reckit-mpi-als/1 report")
            }
            secondsPerIteration = Timing(samples: seconds).median
            bytesPerIteration = bytes.map { $0.isEmpty ? 0 : Timing(samples: $0).median }.max() ?? 0
            peakBytes = peaks.max() ?? 0
            loadSeconds = load
            self.ratings = ratings
        }
    }
}
