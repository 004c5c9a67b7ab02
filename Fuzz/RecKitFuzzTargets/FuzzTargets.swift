import Foundation

/// The fuzz targets, one per reader of untrusted input. Each feeds bytes to the reader exactly as
/// RecKit reads them; a thrown error is the expected answer to bad input, while a trap, an
/// AddressSanitizer report, a hang or a broken invariant of what was read is a finding. The
/// libFuzzer binary (Fuzz/RecKitFuzz, `scripts/fuzz.sh`) runs them on generated inputs; the test
/// suite replays the committed corpus (Fuzz/corpus) through them.
public enum FuzzTargets {
    public struct Target: Sendable {
        public var name: String
        /// Reads `bytes` as the target's input; traps only on a finding.
        public var run: @Sendable ([UInt8]) -> Void
    }

    public static let all: [Target] = [
        Target(name: "delimited", run: FileTargets.delimited),
        Target(name: "matrix-market", run: FileTargets.matrixMarket),
        Target(name: "npy", run: FileTargets.npy),
        Target(name: "rkds", run: FileTargets.rkds),
        Target(name: "model", run: FileTargets.model),
        Target(name: "experiment-config", run: FileTargets.experimentConfig),
        Target(name: "bandit-log", run: FileTargets.banditLog),
        Target(name: "event-log", run: ServingTargets.eventLog),
        Target(name: "request-body", run: ServingTargets.requestBody),
    ]

    /// A scratch folder of this process, for readers that take a path.
    static let scratch: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reckit-fuzz-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzTargets.scratch) }
        return dir
    }()

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    static func file(_ name: String, _ bytes: some Collection<UInt8>) -> String {
        let path = scratch + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// An invariant of what a reader returned: a violation is a finding, so it traps.
    static func check(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fatalError("invariant broken: \(what())") }
    }
}
