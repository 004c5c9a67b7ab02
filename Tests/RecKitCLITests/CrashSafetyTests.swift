import Foundation
import Testing

/// Outputs survive interruption (issue 26, defect 7): a folder output is replaced as a whole,
/// temporaries are removed on SIGINT/SIGTERM and reclaimed after a kill, and a folder holding files
/// a command does not write is refused rather than mixed into. The `kill -9` loop over every
/// writing command is `scripts/kill-test.sh`.
@Suite(.enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct CrashSafetyTests {
    static func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// The pid of a process that has exited: a `.tmp-PID` naming it is a killed writer's leftover.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func svdReplacesItsFolderAsAWholeAndRefusesForeignFiles() throws {
        let dir = try CLI.temporaryFolder("svd"); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "60", "--items", "40", "--ratings", "900", "--out", "\(dir)/r.csv", "-q"])
        let out = "\(dir)/factors"
        #expect(try CLI.run(["svd", "\(dir)/r.csv", "--rank", "2", "--out", out, "-q"]).status == 0)
        let first = Self.entries(out)
        #expect(first.contains("s.npy") && first.contains("Vt.npy"), "\(first)")
        let s2 = try Data(contentsOf: URL(fileURLWithPath: "\(out)/s.npy"))
        #expect(try CLI.run(["svd", "\(dir)/r.csv", "--rank", "3", "--out", out, "-q"]).status == 0)
        #expect(Self.entries(out) == first, "the same files, replaced together")
        let s3 = try Data(contentsOf: URL(fileURLWithPath: "\(out)/s.npy"))
        #expect(String(decoding: s2.prefix(128), as: UTF8.self).contains("'shape': (2,)"))
        #expect(String(decoding: s3.prefix(128), as: UTF8.self).contains("'shape': (3,)"), "s holds 3 values now")
        #expect(Self.entries(dir).allSatisfy { !$0.contains(".tmp-") && !$0.contains(".old-") }, "\(Self.entries(dir))")
        // A file the command does not write: refused before any work, nothing lost.
        try "keep me".write(toFile: "\(out)/notes.txt", atomically: true, encoding: .utf8)
        let foreign = try CLI.run(["svd", "\(dir)/r.csv", "--rank", "2", "--out", out])
        #expect(CLI.failsClearly(foreign, "does not write (notes.txt)"), "\(foreign.stderr)")
        #expect(Self.entries(out) == (first + ["notes.txt"]).sorted())
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/s.npy")) == s3, "the old output is untouched")
        // A file in the folder's place.
        let file = "\(dir)/plain"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(CLI.failsClearly(try CLI.run(["svd", "\(dir)/r.csv", "--rank", "2", "--out", file]), "names a file, not a folder"))
    }

    @Test func dataSplitReplacesItsFolderAsAWhole() throws {
        let dir = try CLI.temporaryFolder("split"); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "60", "--items", "40", "--ratings", "900", "--out", "\(dir)/r.csv", "-q"])
        let out = "\(dir)/folds"
        #expect(try CLI.run(["data", "split", "\(dir)/r.csv", "--method", "kfold", "--folds", "3", "--out", out, "-q"]).status == 0)
        #expect(Self.entries(out).count == 6, "\(Self.entries(out))")
        // Fewer folds over more: the old fourth and fifth folds must not survive beside the new three.
        #expect(try CLI.run(["data", "split", "\(dir)/r.csv", "--method", "kfold", "--folds", "5", "--out", out, "-q"]).status == 0)
        #expect(Self.entries(out).count == 10)
        #expect(try CLI.run(["data", "split", "\(dir)/r.csv", "--method", "kfold", "--folds", "2", "--out", out, "-q"]).status == 0)
        #expect(Self.entries(out).count == 4, "no stale folds: \(Self.entries(out))")
    }

    @Test func leftoversOfAKilledWriterAreReclaimed() throws {
        let dir = try CLI.temporaryFolder("stale"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let pid = try Self.deadPID()
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: "\(dir)/r.csv.tmp-\(pid)"))
        try FileManager.default.createDirectory(atPath: "\(dir)/factors.tmp-\(pid)", withIntermediateDirectories: true)
        // A folder swap interrupted between its two renames: the old folder waits at .old-PID.
        try FileManager.default.createDirectory(atPath: "\(dir)/folds.old-\(pid)", withIntermediateDirectories: true)
        try "x".write(toFile: "\(dir)/folds.old-\(pid)/train1.csv", atomically: true, encoding: .utf8)
        // A live process's temporary (this test's own pid) is never touched.
        try Data([1]).write(to: URL(fileURLWithPath: "\(dir)/r.csv.tmp-\(getpid())"))
        #expect(try CLI.run(["data", "synth", "--users", "60", "--items", "40", "--ratings", "900", "--out", "\(dir)/r.csv", "-q"]).status == 0)
        #expect(try CLI.run(["svd", "\(dir)/r.csv", "--rank", "2", "--out", "\(dir)/factors", "-q"]).status == 0)
        #expect(try CLI.run(["data", "split", "\(dir)/r.csv", "--folds", "2", "--out", "\(dir)/folds", "-q"]).status == 0)
        let left = Self.entries(dir)
        #expect(left == ["factors", "folds", "r.csv", "r.csv.tmp-\(getpid())"].sorted(), "\(left)")
    }

    /// SIGINT while the output is being written: exit 130, the partial temporary removed, no output.
    /// SIGTERM before anything is written: exit 143 with a message.
    @Test func anInterruptedWriterRemovesItsTemporaries() throws {
        let dir = try CLI.temporaryFolder("interrupt"); defer { try? FileManager.default.removeItem(atPath: dir) }
        for (signal, waitForTemporary) in [(SIGINT, true), (SIGTERM, false)] {
            let p = Process()
            p.executableURL = try #require(CLI.executable)
            p.arguments = ["data", "synth", "--users", "200000", "--items", "20000", "--ratings", "8000000", "--out", "\(dir)/big.csv", "-q"]
            let err = Pipe()
            p.standardOutput = FileHandle.nullDevice
            p.standardError = err
            try p.run()
            let temporary = "\(dir)/big.csv.tmp-\(p.processIdentifier)"
            let deadline = Date().addingTimeInterval(120)
            if waitForTemporary {
                while p.isRunning && Date() < deadline && !FileManager.default.fileExists(atPath: temporary) { Thread.sleep(forTimeInterval: 0.005) }
            } else {
                Thread.sleep(forTimeInterval: 0.3)
            }
            let caught = p.isRunning && FileManager.default.fileExists(atPath: temporary) == waitForTemporary
            kill(p.processIdentifier, signal)
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(caught, "the run was caught \(waitForTemporary ? "while writing" : "before writing") (signal \(signal))")
            #expect(p.terminationStatus == 128 + signal, "exit \(p.terminationStatus) for signal \(signal): \(message)")
            #expect(message.contains("interrupted"), "\(message)")
            #expect(Self.entries(dir).isEmpty, "nothing left: \(Self.entries(dir))")
        }
    }
}
