import Foundation
import Hummingbird
import Logging
import RecKit
import RecKitServing

/// The HTTP API of `reckit serve` (docs/openapi.yaml): each route decodes and checks its request,
/// calls the ``RecommendationService`` and answers JSON; every refusal is a 4xx with
/// `{"error": {"status", "field", "message"}}`.
struct ServerRoutes: Sendable {
    let service: RecommendationService
    let metrics: ServerMetrics
    let maxBodyBytes: Int
    let logger: Logger
    var refitPath: String? = nil
    var refitThreads = 1

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// Feedback requests with at most this many events are applied without leaving the request's task.
    static let inlineFeedbackEvents = 16

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v1/recommend") { request, _ in
            await answer(.recommend) {
                let q = request.uri.queryParameters
                guard let user = q.get("user"), !user.isEmpty else { throw ServingError(status: 400, field: "user", "give ?user=ID") }
                return try service.recommend(user: user, n: try int(q.get("n"), "n", default: 10), policy: try policy(q.get("policy")),
                                             excludeSeen: try bool(q.get("exclude_seen"), "exclude_seen", default: true), seed: try seed(q.get("seed")))
            }
        }
        router.post("/v1/recommend") { request, _ in
            await answer(.recommendHistory) {
                let body = try await decode(ServingRequest.History.self, request)
                return try service.recommend(history: body.history.map { ($0.item, $0.value) }, n: body.n ?? 10, policy: try policy(body.policy),
                                             excludeSeen: body.excludeSeen ?? true, seed: body.seed)
            }
        }
        router.post("/v1/recommend/batch") { request, _ in
            await answer(.recommendBatch) {
                let body = try await decode(ServingRequest.Batch.self, request)
                guard !body.users.isEmpty, body.users.count <= 1_000 else { throw ServingError(status: 400, field: "users", "give 1…1000 users, got \(body.users.count)") }
                let p = try policy(body.policy)
                return BatchResponse(results: body.users.map { user in
                    do { return BatchResponse.Result(recommendation: try service.recommend(user: user, n: body.n ?? 10, policy: p, excludeSeen: body.excludeSeen ?? true, seed: body.seed), error: nil) }
                    catch let e as ServingError { return BatchResponse.Result(recommendation: nil, error: ErrorBody(e)) }
                    catch { return BatchResponse.Result(recommendation: nil, error: ErrorBody(ServingError(status: 500, field: nil, "\(error)"))) }
                })
            }
        }
        router.get("/v1/similar") { request, _ in
            await answer(.similar) {
                let q = request.uri.queryParameters
                guard let item = q.get("item"), !item.isEmpty else { throw ServingError(status: 400, field: "item", "give ?item=ID") }
                return try service.similar(item: item, n: try int(q.get("n"), "n", default: 10))
            }
        }
        router.get("/v1/explain") { request, _ in
            await answer(.explain) {
                let q = request.uri.queryParameters
                guard let user = q.get("user"), let item = q.get("item") else { throw ServingError(status: 400, field: q.get("user") == nil ? "user" : "item", "give ?user=ID&item=ID") }
                return try service.explain(user: user, item: item)
            }
        }
        router.post("/v1/feedback") { request, _ in
            await answer(.feedback) {
                let bytes = try await body(request)
                // One event, or {"events": [...]}.
                let events = try decode(ServingRequest.Feedback.self, bytes).events
                // A few events are applied on the request's own task (one fold-in each, tens of
                // microseconds), which then writes and syncs the log itself or waits for the write
                // under way: blocking a worker for a sync costs less than suspending the request
                // and queueing it again behind the others (docs/serving.md). A large batch is
                // applied off the server's threads so that it holds up no other request.
                if events.count <= Self.inlineFeedbackEvents { return try service.feedback(events) }
                return try await offEventLoop { try service.feedback(events) }
            }
        }
        router.post("/v1/admin/reload") { _, _ in
            await answer(.reload) {
                let r = try await offEventLoop { try service.reload() }
                metrics.reloads.increment()
                logger.info("reloaded the model", metadata: ["version": "\(r.modelVersion)", "previous": "\(r.previousVersion)"])
                return r
            }
        }
        router.post("/v1/admin/refit") { _, _ in
            await answer(.refit, status: .accepted) {
                let r = try service.startRefit(to: refitPath, threads: refitThreads)
                logger.info("refit started", metadata: ["from": "\(r.fromVersion ?? "")", "path": "\(r.path ?? "")"])
                return r
            }
        }
        router.get("/v1/admin/refit") { _, _ in
            await answer(.refit) { service.refitStatus }
        }
        router.get("/healthz") { _, _ in
            await answer(.health) { Health(status: "ok", model: service.modelName, modelVersion: service.modelVersion) }
        }
        router.get("/metrics") { _, _ in
            let text = metrics.text(modelVersion: service.modelVersion, eventsApplied: service.eventsApplied, onlineUsers: service.onlineUsers)
            metrics.record(.metrics, status: 200, seconds: 0)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    // MARK: Answers

    /// Runs `body`, answering its value as JSON or its error as a JSON error, and records the request.
    func answer<T: Encodable>(_ endpoint: ServerMetrics.Endpoint, status: HTTPResponse.Status = .ok, _ body: () async throws -> T) async -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = json(status, try await body())
        } catch let e as ServingError {
            response = json(HTTPResponse.Status(code: e.status), ErrorEnvelope(error: ErrorBody(e)))
        } catch {
            logger.error("request failed", metadata: ["endpoint": "\(endpoint.rawValue)", "error": "\(error)"])
            response = json(.internalServerError, ErrorEnvelope(error: ErrorBody(ServingError(status: 500, field: nil, "\(error)"))))
        }
        let d = ContinuousClock.now - start
        metrics.record(endpoint, status: response.status.code, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        return response
    }

    func json<T: Encodable>(_ status: HTTPResponse.Status, _ value: T) -> Response {
        if let r = value as? RecommendResponse {
            return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(r))))
        }
        let data = (try? Self.encoder.encode(value)) ?? Data("{\"error\":{\"status\":500,\"message\":\"cannot encode the answer\"}}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Runs blocking work (an fsync, a model load) on a dispatch queue, so that the event loop
    /// that received the request keeps answering others meanwhile.
    func offEventLoop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    // MARK: Requests

    func body(_ request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch {
            throw ServingError(status: 413, field: "body", "the body is over the limit of \(maxBodyBytes) bytes (reckit serve --max-body)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T { try decode(type, try await body(request)) }

    /// JSON `T`, with a decoding error turned into a 400 naming the field.
    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try ServingRequest.decode(type, data) }

    func int(_ text: String?, _ field: String, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let v = Int(text) else { throw ServingError(status: 400, field: field, "'\(text)' is not an integer") }
        return v
    }

    func bool(_ text: String?, _ field: String, default value: Bool) throws -> Bool {
        switch text?.lowercased() {
        case nil: return value
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ServingError(status: 400, field: field, "'\(text!)' is not true or false")
        }
    }

    func seed(_ text: String?) throws -> UInt64? {
        guard let text else { return nil }
        guard let v = UInt64(text) else { throw ServingError(status: 400, field: "seed", "'\(text)' is not an integer ≥ 0") }
        return v
    }

    func policy(_ text: String?) throws -> Policy? { try text.map { try Policy(parsing: $0) } }
}

// MARK: Responses (the request bodies are RecKitServing's ServingRequest)

struct BatchResponse: Encodable {
    struct Result: Encodable { var recommendation: RecommendResponse?; var error: ErrorBody? }
    var results: [Result]
}

struct Health: Encodable { var status: String; var model: String; var modelVersion: String }

struct ErrorBody: Encodable {
    var status: Int
    var field: String?
    var message: String
    init(_ e: ServingError) { status = e.status; field = e.field; message = e.message }
}

struct ErrorEnvelope: Encodable { var error: ErrorBody }
