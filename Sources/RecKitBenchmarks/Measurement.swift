import Foundation
import RecKitData
import RecKitLinearAlgebra

/// Wall-clock timing of repeated runs, summarised by the median (these machines are shared and
/// noisy; the median of several runs is the figure RecKit reports).
public struct Timing: Sendable, Codable, Equatable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var repeats: Int

    /// Runs `body` once to warm up, then at least `minRepeats` times and until about
    /// `targetSeconds` have passed (at most `maxRepeats`).
    public static func measure(minRepeats: Int = 3, maxRepeats: Int = 25, targetSeconds: Double = 0.6,
                               _ body: () throws -> Void) rethrows -> Timing {
        try body()
        var samples: [Double] = []
        let clock = ContinuousClock()
        var total = 0.0
        while samples.count < minRepeats || (total < targetSeconds && samples.count < maxRepeats) {
            let start = clock.now
            try body()
            let d = clock.now - start
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            samples.append(s)
            total += s
        }
        return Timing(samples: samples)
    }

    /// The summary of timings measured elsewhere (e.g. an algorithm's seconds per iteration).
    public init(samples: [Double]) {
        precondition(!samples.isEmpty, "Timing needs at least one sample")
        let sorted = samples.sorted(), mid = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        min = sorted.first!
        max = sorted.last!
        repeats = sorted.count
    }

    public init(median: Double, min: Double, max: Double, repeats: Int) {
        self.median = median
        self.min = min
        self.max = max
        self.repeats = repeats
    }
}

/// The peak resident set size of this process so far, in bytes (Linux `VmHWM`).
public func peakResidentBytes() -> Int { MemoryBudget.peakResidentBytes }

/// The memory a benchmark row needed: how far the resident set rose above where it stood when the
/// row began (its data, work space and results), not the process's high-water mark, which only
/// climbs. Linux resets the high-water mark to the current resident set when `5` is written to
/// `/proc/self/clear_refs`; where that is refused, the figure is the rise above the previous peak.
public enum MemoryWatermark {
    nonisolated(unsafe) private static var baseline = 0

    /// Starts a row: the high-water mark is reset and the current resident set remembered.
    public static func reset() {
        let reset = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
        baseline = reset ? MemoryBudget.residentBytes : peakResidentBytes()
    }

    /// The bytes the row that ends now added at its peak, and the start of the next row.
    public static func rowIncrease() -> Int {
        let increase = Swift.max(0, peakResidentBytes() - baseline)
        reset()
        return increase
    }
}

/// Where a benchmark ran: CPU, OpenBLAS kernel and version, RecKit version and commit.
public struct MachineDescription: Codable, Sendable {
    public var cpu: String
    public var cpuFeatures: [String]
    public var cores: Int
    public var openblasVersion: String
    public var openblasKernel: String
    public var openblasKernelSource: String
    public var reckitVersion: String
    public var gitCommit: String
    /// One core's measured peak (``PeakFLOPs``); absent in files of RecKit 0.2 and earlier.
    public var peak: PeakFLOPs? = nil
    /// The pure-Swift kernels' instruction-set tier (``SwiftKernelTier``), its vector width and how
    /// it was chosen; absent in files written before the tiers existed.
    public var swiftKernelTier: String? = nil
    public var swiftKernelBits: Int? = nil
    public var swiftKernelTierSource: String? = nil
    /// The variant of the shim's C kernels (``NativeKernelVariant``); absent in files written before
    /// it was recorded.
    public var nativeKernelVariant: String? = nil

    /// One line naming both back ends' kernels, e.g. "OpenBLAS 0.3.21 kernel SkylakeX (auto); shim
    /// kernels avx512; pure-Swift kernels avx512 (512-bit, auto)".
    public var kernelSummary: String {
        let swift = swiftKernelTier.map { "; pure-Swift kernels \($0) (\(swiftKernelBits.map { "\($0)-bit, " } ?? "")\(swiftKernelTierSource ?? "?"))" } ?? ""
        let native = nativeKernelVariant.map { "; shim kernels \($0)" } ?? ""
        return "OpenBLAS \(openblasVersion) kernel \(openblasKernel) (\(openblasKernelSource))\(native)\(swift)"
    }

    public static func current() -> MachineDescription {
        let cpu = CPUInfo.current
        return MachineDescription(
            cpu: cpu.model, cpuFeatures: cpu.features, cores: Engine.availableCores,
            openblasVersion: BLASKernel.openBLASVersion, openblasKernel: BLASKernel.current,
            openblasKernelSource: BLASKernel.selectionSource, reckitVersion: RecKitVersion.string,
            gitCommit: RecKitVersion.gitCommit, peak: PeakFLOPs.measured, swiftKernelTier: SwiftKernelTier.current,
            swiftKernelBits: SwiftKernelTier.vectorBits, swiftKernelTierSource: SwiftKernelTier.selectionSource,
            nativeKernelVariant: NativeKernelVariant.current)
    }
}

/// RecKit's version, and the git commit it was built from when that can be read.
public enum RecKitVersion {
    public static let string = "0.2.0"

    /// `RECKIT_GIT_COMMIT` when set; otherwise the commit of the RecKit checkout that holds the
    /// running executable (`.build/release/reckit` lives inside it), with `-dirty` when that
    /// checkout has uncommitted changes; otherwise `"unknown"` (an installed copy, a program
    /// built elsewhere). The working directory plays no part: run from another repository,
    /// `reckit bench` must not record that repository's commit as RecKit's.
    public static let gitCommit: String = {
        if let env = ProcessInfo.processInfo.environment["RECKIT_GIT_COMMIT"], !env.isEmpty { return env }
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath(),
              let top = git(["-C", executable.deletingLastPathComponent().path, "rev-parse", "--show-toplevel"]),
              FileManager.default.fileExists(atPath: top + "/Sources/CReckitShim/shim.c"),
              let commit = git(["-C", top, "describe", "--always", "--dirty", "--abbrev=7"])
        else { return "unknown" }
        return commit
    }()

    /// Runs git and returns its trimmed output, or nil when it fails or prints nothing.
    private static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let out = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !out.isEmpty ? out : nil
    }
}

/// The built-in synthetic rating matrices of the sparse, SVD, ALS and SGD suites (`reckit bench
/// --scale`): power-law users and items, generated from a fixed seed, so every run of a scale
/// measures the same matrix.
public enum BenchmarkScale: String, CaseIterable, Sendable {
    case m2 = "2m", m20 = "20m", m100 = "100m"

    /// Users, items and ratings (2 M: the default; 20 M: about MovieLens 20M's; 100 M: about Netflix's size).
    public var shape: (users: Int, items: Int, ratings: Int) {
        switch self {
        case .m2: return (100_000, 20_000, 2_000_000)
        case .m20: return (140_000, 27_000, 20_000_000)
        case .m100: return (480_000, 18_000, 100_000_000)
        }
    }

    /// The ratings of `file` when given, else this scale's synthetic matrix.
    public func ratings(file: String? = nil) throws -> CSRMatrix<Float> {
        if let file { return try RatingDataset.load(path: file).ratings }
        let s = shape
        return try SyntheticRatings(users: s.users, items: s.items, ratings: s.ratings, seed: 42).generate().ratings
    }
}
