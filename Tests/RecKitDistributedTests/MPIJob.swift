import Foundation
import RecKitLinearAlgebra

/// `reckit-mpi` run under `mpirun` as a user runs it, with a deadline: a job that does not end in
/// time is killed and reported as a hang.
enum MPIJob {
    /// The built `reckit-mpi` next to the test bundle.
    static var executable: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("reckit-mpi").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static var mpirun: String? {
        ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool { executable != nil && mpirun != nil }

    struct Result { var status: Int32; var stderr: String; var seconds: Double; var timedOut: Bool }

    /// `mpirun -np ranks reckit-mpi arguments…`, killed after `deadline` seconds.
    static func run(ranks: Int, _ arguments: [String], environment: [String: String] = [:], deadline: Double = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun!)
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)"]
            + environment.keys.sorted().flatMap { ["-x", $0] } + [executable!] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        let started = Date()
        try p.run()
        let timedOut = Mutex(false)
        let watchdog = DispatchWorkItem {
            guard p.isRunning else { return }
            timedOut.withLock { $0 = true }
            p.terminate()
            kill(p.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        watchdog.cancel()
        return Result(status: p.terminationStatus, stderr: String(decoding: e, as: UTF8.self), seconds: Date().timeIntervalSince(started),
                      timedOut: timedOut.withLock { $0 })
    }

    /// A fresh path in the temporary folder.
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("reckit-mpi-test-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)").path
    }

    /// A rating file of `users × items` with about `density` of the pairs rated 1…5 (integer ids
    /// not starting at 0, or string ids), a header, and a few repeated pairs.
    /// The default has enough users (> 4 × 256, the alignment of the users' blocks) for every rank to own some.
    static func ratingFile(users: Int = 1100, items: Int = 80, density: Double = 0.06, stringIDs: Bool = false, seed: UInt64 = 3) throws -> String {
        var rng = SeededGenerator(seed: seed)
        var lines = ["user,item,rating"]
        for u in 0..<users {
            for i in 0..<items where Double(rng.next() % 1000) / 1000 < density || i == u % items {
                let user = stringIDs ? "u\(u * 7 % users)" : "\(1000 + u * 7 % users)"
                let item = stringIDs ? "item-\(i)" : "\(50 + i)"
                lines.append("\(user),\(item),\(1 + rng.next() % 5)")
                if rng.next() % 40 == 0 { lines.append("\(user),\(item),\(1 + rng.next() % 5)") }   // a repeated pair: the last wins
            }
        }
        let path = temporaryPath(stringIDs ? "strings.csv" : "numbers.csv")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

import Synchronization
