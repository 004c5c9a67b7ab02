import ArgumentParser
import Dispatch
import Foundation
import Hummingbird
import Logging
import RecKit
import RecKitServing

/// `reckit serve`.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model over HTTP/JSON: recommendations by policy, similar items, feedback learned online, hot reloads.",
        discussion: """
            The API is under /v1 (docs/serving.md, docs/openapi.yaml): GET /v1/recommend?user=ID&n=10[&policy=…], \
            POST /v1/recommend (a new user's history), POST /v1/recommend/batch, GET /v1/similar?item=ID, \
            GET /v1/explain?user=ID&item=ID, POST /v1/feedback, POST /v1/admin/reload (or SIGHUP), GET /healthz, GET /metrics. \
            SIGINT and SIGTERM stop it gracefully.

            Example: reckit serve --model als.model --port 8080 --events events/
            """)
    @Option(help: "A model saved by `reckit train` (factor models learn from feedback and explore).") var model: String
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port, printed when listening).") var port = 8080
    @Option(help: "Threads each request's scoring may use.") var threads = 1
    @Option(help: "Folder of the durable feedback log (replayed at start). Without it, feedback is applied but not kept.") var events: String?
    @Option(help: "Default policy: greedy, epsilon-greedy[:ε], softmax[:τ], ucb[:β], thompson[:samples].") var policy = "greedy"
    @Option(help: "σ of the users' posterior for ucb and thompson.") var posteriorScale = 1.0
    @Option(help: "Largest n a request may ask for.") var maxN = 1_000
    @Option(help: "Largest request body, in bytes.") var maxBody = 1 << 20
    @Option(help: "Each training user's greedy top this many is computed at load and answers greedy requests for at most this many (0: none).")
    var cacheDepth = 50
    @Option(help: "Where POST /v1/admin/refit writes the refitted model (default: the model's path with .refit added; the model file given is never overwritten).")
    var refitOut: String?
    @Option(help: "Threads a background refit may use (default: all).") var refitThreads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.apply()
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0…65535, got \(port)") }
        try OutputGuard.check(inputs: [model], outputs: [("--refit-out", refitOut)])
        guard refitThreads >= 1 else { throw ValidationError("--refit-threads must be ≥ 1, got \(refitThreads)") }
        guard threads >= 1, maxN >= 1, maxBody >= 1024 else { throw ValidationError("--threads and --max-n must be ≥ 1, --max-body ≥ 1024") }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))") }
        var options = RecommendationService.Options()
        options.maxN = maxN
        options.threadsPerRequest = threads
        options.posteriorScale = posteriorScale
        guard cacheDepth >= 0 else { throw ValidationError("--cache-depth must be ≥ 0") }
        options.cacheDepth = cacheDepth
        do { options.defaultPolicy = try Policy(parsing: policy) } catch { throw ValidationError("--policy: \(error)") }

        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "reckit.serve")
        let service = try RecommendationService(modelPath: model, events: events, options: options) { logger.notice("\($0)") }
        let routes = ServerRoutes(service: service, metrics: ServerMetrics(), maxBodyBytes: maxBody, logger: logger, refitPath: refitOut, refitThreads: refitThreads)

        // SIGHUP reloads the model file, as POST /v1/admin/reload does.
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler {
            do {
                let r = try service.reload()
                routes.metrics.reloads.increment()
                logger.info("reloaded the model (SIGHUP)", metadata: ["version": "\(r.modelVersion)"])
            } catch {
                logger.error("reload failed; still serving the previous model", metadata: ["error": "\(error)"])
            }
        }
        hangup.resume()

        let app = Application(
            router: routes.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "reckit"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.notice("serving \(service.modelName) \(service.modelVersion) on http://\(host):\(bound)")
                // One line on standard output for scripts and tests that start the server on port 0.
                FileHandle.standardOutput.write(Data("listening on \(host):\(bound)\n".utf8))
            },
            logger: logger
        )
        let done = DispatchSemaphore(value: 0)
        let failure = ErrorBox()
        Task {
            do { try await app.runService() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        hangup.cancel()
        if let error = failure.error { throw error }
        logger.notice("stopped")
    }
}

/// The error of the server task, read after it ends.
final class ErrorBox: @unchecked Sendable { var error: Error? }
