import Dispatch
import Foundation
import Testing

/// Issue 26, defect 8: "a fatal error left Swift's backtracer holding the output pipe for about 10
/// minutes". A real fault is made inside a running `reckit` — a library preloaded with
/// `LD_PRELOAD` starts a thread that writes through a null pointer or traps — and the test checks what a
/// pipeline sees with Swift's default crash handling (`SWIFT_BACKTRACE` unset): the process ends
/// by the fault's signal and closes its pipes, the backtrace goes to standard error only (standard output
/// stays the command's data), and the output file being written is absent, not partial.
///
/// Skipped when `SWIFT_BACKTRACE` is set (the sanitizer and fuzzing scripts switch the backtracer
/// off, and an AddressSanitizer build refuses a preloaded library) or no C compiler is found.
@Suite(.enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"),
       .enabled(if: ProcessInfo.processInfo.environment["SWIFT_BACKTRACE"] == nil, "SWIFT_BACKTRACE is set: this checks the default"),
       .enabled(if: FaultLibrary.compiler != nil, "no clang on PATH (the toolchain's, beside swift) to build the fault library"))
struct CrashReportTests {
    /// A bad pointer (SIGSEGV) and a trap (SIGILL: `ud2`, how Swift's `fatalError` and failed
    /// runtime checks end a process).
    @Test(arguments: [("null-write", SIGSEGV), ("trap", SIGILL)])
    func aCrashEndsTheProcessAndClosesItsPipes(kind: String, signal: Int32) throws {
        let dir = try CLI.temporaryFolder("crash"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let library = try FaultLibrary.build(in: dir)
        let p = Process()
        p.executableURL = CLI.executable  // the suite runs only when it is built
        // Long enough (tens of seconds) that the fault comes while it generates, before the write.
        p.arguments = ["data", "synth", "--ratings", "50000000", "--out", "\(dir)/out.csv"]
        var env = ProcessInfo.processInfo.environment
        env["LD_PRELOAD"] = library
        env["FAULT_AFTER_MS"] = "300"
        env["FAULT_KIND"] = kind
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes to their end, as a pipeline does. The bound is a hang guard, not a timing
        // assertion: the defect held the pipes for minutes; here they close seconds after the fault.
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        let closed = DispatchGroup()
        DispatchQueue.global().async(group: closed) { stdout = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: closed) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        if closed.wait(timeout: .now() + 120) == .timedOut {
            p.terminate()
            Issue.record("reckit held its output pipes for more than 120 s after a crash")
            return
        }
        p.waitUntilExit()
        let report = String(decoding: stderr, as: UTF8.self)
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == signal,
                "ended with \(p.terminationReason == .exit ? "exit" : "signal") \(p.terminationStatus)")
        #expect(report.contains("Program crashed"), "the backtrace on standard error: \(report.prefix(400))")
        #expect(!String(decoding: stdout, as: UTF8.self).contains("crashed"), "the backtrace must not go into standard output")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out.csv"), "a crashed write leaves no output file")
    }
}

/// `Fixtures/fault.c`: a library for `LD_PRELOAD` that makes a real fault inside the process it is
/// loaded into.
enum FaultLibrary {
    /// The toolchain's clang (it sits beside `swift`, so on PATH wherever the tests run), if any.
    static let compiler: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/clang" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Builds `Fixtures/fault.c` into `dir` (what it does is said there).
    static func build(in dir: String) throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/fault.c").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: compiler!)
        cc.arguments = ["-shared", "-fPIC", "-O1", "-o", "\(dir)/libfault.so", source, "-lpthread"]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "clang could not build \(source)")
        return "\(dir)/libfault.so"
    }
}
