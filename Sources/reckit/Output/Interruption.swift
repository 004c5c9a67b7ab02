import Dispatch
import Foundation
import RecKit
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM during a command: the temporary files and staging folders of the outputs
/// being written are removed (outputs themselves stay the old complete version, see
/// `AtomicOutput`), the progress line is cleared, and the process exits with 128 + the signal,
/// as a shell expects. `reckit serve` handles the signals itself (graceful shutdown) instead.
enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                AtomicOutput.removeTemporaries()
                Reporter.shared.error("interrupted (\(signo == SIGINT ? "SIGINT" : "SIGTERM")): temporary files removed, outputs left as they were")
                _exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }
}
