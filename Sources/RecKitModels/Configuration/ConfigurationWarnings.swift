import Foundation
import Synchronization

/// Where deprecation warnings of configuration parsing go: standard error by default, or a
/// handler the caller installs (the command line, tests).
public enum ConfigurationWarnings {
    private static let handler = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// Sends warnings to `body` instead of standard error (nil: back to standard error).
    public static func install(_ body: (@Sendable (String) -> Void)?) { handler.withLock { $0 = body } }

    static func emit(_ message: String) {
        if let h = handler.withLock({ $0 }) { h(message) } else {
            FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
        }
    }
}
