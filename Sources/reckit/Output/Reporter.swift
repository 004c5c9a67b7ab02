import Foundation
import RecKit
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Everything the command line writes to standard error: messages, warnings and progress.
///
/// Three levels (`--quiet`, the default, `--verbose`) and two kinds of stream:
/// - on a terminal, progress is one line per job that is rewritten in place (what runs, how far,
///   the rate and the time left), and the job's summary replaces it when it ends;
/// - elsewhere (a pipe, a log file), progress is not written line by line: a job's summary, and
///   at most one progress line every ``heartbeatSeconds`` for long jobs.
/// `--verbose` writes every progress event as its own line; `--quiet` writes nothing but errors.
/// Results (tables, CSV) go to standard output and are never affected.
final class Reporter: Sendable {
    enum Level: Int, Sendable { case quiet, normal, verbose }

    static let shared = Reporter()

    /// Seconds between progress lines when standard error is not a terminal.
    static let heartbeatSeconds = 30.0

    private struct State {
        var level = Level.normal
        var statusShown = false
        var lastHeartbeat = ContinuousClock.now
        var jobStart = ContinuousClock.now
    }
    private let state = Mutex(State())
    let terminal = isatty(2) != 0

    var level: Level { state.withLock { $0.level } }

    func configure(quiet: Bool, verbose: Bool) {
        state.withLock { $0.level = quiet ? .quiet : verbose ? .verbose : .normal }
    }

    /// A message for the default and verbose levels (what was read, written, decided).
    func line(_ message: String) { write(message, at: .normal) }

    /// A message for `--verbose` only.
    func detail(_ message: String) { write(message, at: .verbose) }

    /// A warning (deprecated spellings, fallbacks, early stops): shown unless `--quiet`.
    func warning(_ message: String) { write("warning: " + message, at: .normal) }

    /// Marks the start of a job, for the rate and the time left of its progress.
    func startJob() { state.withLock { $0.jobStart = .now; $0.lastHeartbeat = .now } }

    /// Seconds since ``startJob()``.
    var jobSeconds: Double { state.withLock { (ContinuousClock.now - $0.jobStart).seconds } }

    /// The progress of the running job: `done` of it finished (0…1, nil when unknown).
    func status(_ message: String, done: Double? = nil) {
        let elapsed = jobSeconds
        var text = message
        if let done, done > 0.02, done < 1 {
            let left = elapsed * (1 - done) / done
            text += String(format: " · %.0f %% · %@ left", done * 100, Self.duration(left))
        }
        state.withLock { s in
            switch s.level {
            case .quiet: return
            case .verbose: Self.emit(text + "\n")
            case .normal:
                if terminal {
                    let width = Self.columns
                    let shown = text.count > width - 1 ? String(text.prefix(width - 2)) + "…" : text
                    Self.emit("\r\u{1B}[K" + shown)
                    s.statusShown = true
                } else if (ContinuousClock.now - s.lastHeartbeat).seconds >= Self.heartbeatSeconds {
                    Self.emit(text + "\n")
                    s.lastHeartbeat = .now
                }
            }
        }
    }

    /// Removes the progress line (before other output, and when a job ends).
    func clearStatus() {
        state.withLock { s in
            if s.statusShown { Self.emit("\r\u{1B}[K"); s.statusShown = false }
        }
    }

    private func write(_ message: String, at level: Level) {
        state.withLock { s in
            guard s.level.rawValue >= level.rawValue else { return }
            if s.statusShown { Self.emit("\r\u{1B}[K"); s.statusShown = false }
            Self.emit(Self.printable(message) + "\n")
        }
    }

    /// An error: always written, whatever the level.
    func error(_ message: String) {
        clearStatus()
        Self.emit("error: " + Self.printable(message) + "\n")
    }

    /// A message safe for the terminal line by line: bytes from a file (ids, a bad line) can hold
    /// escape sequences or NUL; they are shown escaped (`DataError.printable`).
    private static func printable(_ message: String) -> String {
        message.split(separator: "\n", omittingEmptySubsequences: false).map { DataError.printable(String($0)) }.joined(separator: "\n")
    }

    private static func emit(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    private static var columns: Int {
        var w = winsize()
        return ioctl(2, UInt(TIOCGWINSZ), &w) == 0 && w.ws_col > 20 ? Int(w.ws_col) : 100
    }

    /// `42 s`, `3 min 5 s`, `1 h 2 min`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}

/// A message for the default level (see ``Reporter``).
func note(_ message: String) { Reporter.shared.line(message) }
