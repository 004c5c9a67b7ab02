import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import RecKitServing

/// `reckit serve` as a client uses it: a real server process on loopback, real HTTP requests,
/// real load, real kills.
@Suite(.serialized, .enabled(if: CLI.executable != nil, "the reckit executable is not built next to the tests"))
struct ServeTests {
    /// A running `reckit serve` on a free port.
    final class Server {
        let process = Process()
        let port: Int
        let stderr = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = CLI.executable
            process.arguments = ["serve", "--port", "0", "--log-level", "warning"] + arguments
            let out = Pipe()
            process.standardOutput = out
            process.standardError = stderr
            try process.run()
            // The first line on standard output is "listening on HOST:PORT".
            var line = Data()
            while !line.contains(10) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line += chunk
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let p = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                process.terminate()
                let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw ServingError(status: 0, field: nil, "the server did not start: \(text) \(err)")
            }
            port = p
        }

        func kill(_ signal: Int32) { Glibc.kill(process.processIdentifier, signal) }
        deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    }

    struct Answer {
        var status: Int
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
        var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    }

    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = 30
        c.httpMaximumConnectionsPerHost = 16
        return URLSession(configuration: c)
    }()

    /// One HTTP request, waited for.
    static func call(_ port: Int, _ method: String, _ path: String, body: Data? = nil) -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer = Answer(status: -1, body: Data())
        session.dataTask(with: request) { data, response, _ in
            answer = Answer(status: (response as? HTTPURLResponse)?.statusCode ?? -1, body: data ?? Data())
            done.signal()
        }.resume()
        done.wait()
        return answer
    }

    static func model(_ dir: String, factors: Int = 8, seed: Int = 1) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let synth = try CLI.run(["data", "synth", "--users", "400", "--items", "150", "--ratings", "8000", "--seed", "\(seed)", "--out", "\(dir)/r.csv", "-q"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let train = try CLI.run(["train", "als", "\(dir)/r.csv", "--implicit", "--factors", "\(factors)", "--iterations", "4", "--out", "\(dir)/als.model", "-q"])
        #expect(train.status == 0, "\(train.stderr)")
        return "\(dir)/als.model"
    }

    /// docs/openapi.yaml lists exactly the routes the server registers, and each answers (a
    /// documented route never falls through to the router's bare 404).
    @Test func openAPIMatchesTheRoutes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var documented = Set<String>(), path = ""
        for line in spec.split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            else if line.hasPrefix("components:") { path = "" }
            else if !path.isEmpty, let m = ["get", "post", "put", "delete"].first(where: { line == "    \($0):" }) { documented.insert("\(m.uppercased()) \(path)") }
        }
        let source = try String(contentsOf: root.appendingPathComponent("Sources/reckit/Serve/ServerRoutes.swift"), encoding: .utf8)
        let registered = Set(source.split(separator: "\n").compactMap { line -> String? in
            for m in ["get", "post", "put", "delete"] {
                if let r = line.range(of: "router.\(m)(\""), let end = line[r.upperBound...].firstIndex(of: "\"") {
                    return "\(m.uppercased()) \(line[r.upperBound..<end])"
                }
            }
            return nil
        })
        #expect(documented == registered, "only documented: \(documented.subtracting(registered)); only served: \(registered.subtracting(documented))")
        let dir = CLI.temporaryPath("serve-openapi")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Server(["--model", try Self.model(dir)])
        for route in documented {
            let parts = route.split(separator: " ")
            let a = Self.call(server.port, String(parts[0]), String(parts[1]), body: parts[0] == "POST" ? Data("{}".utf8) : nil)
            #expect(a.status != 404 || !a.json.isEmpty, "\(route) is not served")
        }
        #expect(Self.call(server.port, "GET", "/v1/nothing").status == 404)
    }

    @Test func banditSimulateWritesItsTableJSONAndAReadableChart() throws {
        let dir = CLI.temporaryPath("bandit")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "200", "--items", "80", "--ratings", "5000", "--out", "\(dir)/r.csv", "-q"])
        let r = try CLI.run(["bandit", "simulate", "\(dir)/r.csv", "--rounds", "200", "--threshold", "3", "--factors", "6",
                             "--policies", "greedy,epsilon-greedy:0.1,thompson:1", "--json", "\(dir)/s.json", "--svg", "\(dir)/s.svg"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("| greedy |") && r.stdout.contains("| thompson:1 |"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/s.json"))) as? [String: Any]
        #expect(doc?["schema"] as? String == "reckit-bandit-simulate/1" && (doc?["curves"] as? [Any])?.count == 3)
        try BenchReportTests.checkReadable(try String(contentsOfFile: "\(dir)/s.svg", encoding: .utf8), "s.svg")
        let bad = try CLI.run(["bandit", "simulate", "\(dir)/r.csv", "--policies", "greedy,magic"])
        #expect(CLI.failsClearly(bad, "unknown policy 'magic'"), "\(bad.stderr)")
    }

    @Test func banditEvaluateEstimatesAPolicyFromTheSimulationsLog() throws {
        let dir = CLI.temporaryPath("bandit-evaluate")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try CLI.run(["data", "synth", "--users", "150", "--items", "60", "--ratings", "4000", "--out", "\(dir)/r.csv", "-q"])
        let sim = try CLI.run(["bandit", "simulate", "\(dir)/r.csv", "--rounds", "150", "--threshold", "3", "--factors", "6",
                               "--policies", "epsilon-greedy:0.3", "--log", "\(dir)/log.csv", "--save-model", "\(dir)/h.model", "-q"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let r = try CLI.run(["bandit", "evaluate", "--log", "\(dir)/log.csv", "--model", "\(dir)/h.model", "--policy", "greedy,softmax",
                             "--bootstrap", "50", "--json", "\(dir)/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("| greedy | ips |") && r.stdout.contains("| softmax | dr |"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/e.json"))) as? [String: Any]
        let policies = doc?["policies"] as? [[String: Any]]
        #expect(doc?["schema"] as? String == "reckit-bandit-evaluate/1" && policies?.count == 2)
        let estimates = (policies?.first?["summary"] as? [String: Any])?["estimates"] as? [[String: Any]]
        #expect(estimates?.map { $0["estimator"] as? String } == ["replay", "ips", "snips", "dr"])
        // A log with a propensity out of range, and a report written over the log: clear errors.
        try "user,item,position,reward,propensity\n1,1,1,1,2\n".write(toFile: "\(dir)/bad.csv", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["bandit", "evaluate", "--log", "\(dir)/bad.csv", "--model", "\(dir)/h.model"])
        #expect(CLI.failsClearly(bad, "line 2: a propensity must be in (0, 1]"), "\(bad.stderr)")
        let over = try CLI.run(["bandit", "evaluate", "--log", "\(dir)/log.csv", "--model", "\(dir)/h.model", "--json", "\(dir)/log.csv"])
        #expect(over.status != 0 && over.stderr.contains("it would be overwritten"), "\(over.stderr)")
        #expect(try String(contentsOfFile: "\(dir)/log.csv", encoding: .utf8).hasPrefix("request_id,user,item"))
    }

    @Test func badRequestsAreRefusedNamingTheFieldAndTheServerKeepsServing() throws {
        let dir = CLI.temporaryPath("serve-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Server(["--model", try Self.model(dir), "--max-n", "100"])
        let p = server.port
        let cases: [(String, String, Data?, Int, String)] = [
            ("GET", "/v1/recommend?user=no-such-user", nil, 404, "user"),
            ("GET", "/v1/recommend", nil, 400, "user"),
            ("GET", "/v1/recommend?user=1&n=0", nil, 400, "n"),
            ("GET", "/v1/recommend?user=1&n=101", nil, 400, "n"),
            ("GET", "/v1/recommend?user=1&n=ten", nil, 400, "n"),
            ("GET", "/v1/recommend?user=1&policy=magic", nil, 400, "policy"),
            ("GET", "/v1/similar?item=no-such-item", nil, 404, "item"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": ".utf8), 400, "body"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"2\", \"value\": \"five\"}".utf8), 400, "value"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": 2, \"value\": 1}".utf8), 400, "item"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"2\"}".utf8), 400, "value"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"2\", \"value\": NaN}".utf8), 400, "body"),
            // Foundation's decoder reports a number out of range as invalid JSON, without its place.
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"2\", \"value\": 1e999}".utf8), 400, "body"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"2\", \"value\": \"NaN\"}".utf8), 400, "value"),
            ("POST", "/v1/feedback", Data("{\"user\": \"1\", \"item\": \"no-such-item\", \"value\": 1}".utf8), 422, "item"),
            ("POST", "/v1/feedback", Data("{\"events\": [{\"user\": \"1\", \"item\": \"2\", \"value\": 1}, {\"user\": \"1\", \"item\": \"x\", \"value\": 1}]}".utf8), 422, "events[1].item"),
            ("POST", "/v1/feedback", Data(repeating: 32, count: 2 << 20), 413, "body"),
            ("POST", "/v1/recommend", Data("{\"history\": [{\"item\": \"2\", \"value\": \"x\"}]}".utf8), 400, "history[0].value"),
        ]
        for (method, path, body, status, field) in cases {
            let a = Self.call(p, method, path, body: body)
            #expect(a.status == status && a.errorField == field, "\(method) \(path): \(a.status) \(String(decoding: a.body.prefix(300), as: UTF8.self))")
        }
        #expect(Self.call(p, "GET", "/healthz").status == 200, "the server keeps serving")
        #expect(server.process.isRunning)
        let metrics = String(decoding: Self.call(p, "GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("reckit_requests_total{endpoint=\"feedback\",status=\"4xx\"} 10"), "\(metrics.prefix(800))")
    }

    @Test func feedbackReachesTheNextAnswerAndSIGTERMStopsTheServer() throws {
        let dir = CLI.temporaryPath("serve-online")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try Server(["--model", try Self.model(dir)])
        let p = server.port
        let before = Self.call(p, "GET", "/v1/recommend?user=5&n=150&exclude_seen=false")
        #expect(before.status == 200)
        let items = (before.json["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
        let last = try #require(items.last)
        let fb = Self.call(p, "POST", "/v1/feedback", body: Data("{\"user\": \"5\", \"item\": \"\(last)\", \"value\": 40}".utf8))
        #expect(fb.status == 200 && fb.json["accepted"] as? Int == 1, "\(String(decoding: fb.body, as: UTF8.self))")
        let after = Self.call(p, "GET", "/v1/recommend?user=5&n=150&exclude_seen=false")
        let newItems = (after.json["items"] as? [[String: Any]] ?? []).compactMap { $0["item"] as? String }
        #expect(after.json["online"] as? Bool == true)
        #expect(newItems.firstIndex(of: last)! < items.firstIndex(of: last)!, "the clicked item moved up")
        // A new user, known only through feedback, is served afterwards.
        #expect(Self.call(p, "POST", "/v1/feedback", body: Data("{\"user\": \"newcomer\", \"item\": \"\(last)\", \"value\": 3}".utf8)).status == 200)
        #expect(Self.call(p, "GET", "/v1/recommend?user=newcomer&n=5").status == 200)
        server.kill(SIGTERM)
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "a graceful stop exits 0")
    }

    /// A new item sent as feedback is kept until a refit, which runs in the background, learns it
    /// (and a new user's feedback) and swaps the refitted model in; the model file given is left as it was.
    @Test func newItemsEnterThroughFeedbackAndABackgroundRefit() throws {
        let dir = CLI.temporaryPath("serve-refit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let modelPath = try Self.model(dir)
        let original = try Data(contentsOf: URL(fileURLWithPath: modelPath))
        let server = try Server(["--model", modelPath, "--events", "\(dir)/events"])
        let p = server.port
        #expect(Self.call(p, "POST", "/v1/feedback", body: Data("{\"user\": \"5\", \"item\": \"brand-new\", \"value\": 3}".utf8)).status == 422)
        var events: [String] = []
        for u in 1...30 { events.append("{\"user\": \"\(u)\", \"item\": \"brand-new\", \"value\": 5, \"new_item\": true}") }
        events.append("{\"user\": \"newcomer\", \"item\": \"brand-new\", \"value\": 5, \"new_item\": true}")
        let fb = Self.call(p, "POST", "/v1/feedback", body: Data("{\"events\": [\(events.joined(separator: ","))]}".utf8))
        #expect(fb.status == 200 && fb.json["accepted"] as? Int == 31 && fb.json["new_item_events"] as? Int == 31, "\(String(decoding: fb.body, as: UTF8.self))")
        #expect(Self.call(p, "GET", "/v1/similar?item=brand-new").status == 404, "not learned before the refit")
        #expect(Self.call(p, "GET", "/v1/admin/refit").json["state"] as? String == "idle")
        let start = Self.call(p, "POST", "/v1/admin/refit")
        #expect(start.status == 202 && start.json["state"] as? String == "running", "\(String(decoding: start.body, as: UTF8.self))")
        var status: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(120)
        repeat {
            Thread.sleep(forTimeInterval: 0.1)
            status = Self.call(p, "GET", "/v1/admin/refit").json
        } while status["state"] as? String == "running" && Date() < deadline
        #expect(status["state"] as? String == "succeeded", "\(status)")
        #expect(status["items"] as? Int == 151 && status["users"] as? Int == 401, "\(status)")
        #expect(Self.call(p, "GET", "/v1/similar?item=brand-new&n=3").status == 200, "the refit learned the new item")
        #expect(Self.call(p, "GET", "/v1/recommend?user=newcomer&n=3").status == 200, "and the new user")
        #expect(Self.call(p, "POST", "/v1/feedback", body: Data("{\"user\": \"7\", \"item\": \"brand-new\", \"value\": 2}".utf8)).status == 200)
        #expect(Self.call(p, "GET", "/healthz").json["model_version"] as? String == status["model_version"] as? String)
        #expect(try Data(contentsOf: URL(fileURLWithPath: modelPath)) == original, "the model file given is not overwritten")
        #expect(FileManager.default.fileExists(atPath: modelPath + ".refit"))
    }

    /// Ten reloads while four clients keep asking: every request is answered 2xx.
    @Test func hotSwapsUnderLoadFailNoRequest() throws {
        let dir = CLI.temporaryPath("serve-swap")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let modelPath = try Self.model(dir)
        let other = try Self.model(dir + "/other", factors: 6, seed: 1)
        let server = try Server(["--model", modelPath])
        let p = server.port
        let failures = Counter(), answered = Counter(), stop = Counter(), statuses = Locked<[String]>([])
        let group = DispatchGroup()
        for client in 0..<4 {
            DispatchQueue.global().async(group: group) {
                var k = 0
                while stop.value == 0 {
                    let a = Self.call(p, "GET", "/v1/recommend?user=\((client * 97 + k) % 400)&n=10")
                    if a.status == 200 { answered.add() } else { failures.add(); statuses.mutate { $0.append("\(a.status) \(String(decoding: a.body.prefix(200), as: UTF8.self))") } }
                    k += 1
                }
            }
        }
        var versions = Set<String>()
        for r in 0..<10 {
            Thread.sleep(forTimeInterval: 0.3)
            // Alternate between two different models in the same file, swapped in atomically.
            try? FileManager.default.removeItem(atPath: modelPath + ".next")
            try FileManager.default.copyItem(atPath: r % 2 == 0 ? other : modelPath + ".orig", toPath: modelPath + ".next")
            if r == 0 { try FileManager.default.copyItem(atPath: modelPath, toPath: modelPath + ".orig") }
            _ = rename(modelPath + ".next", modelPath)
            let reload = Self.call(p, "POST", "/v1/admin/reload")
            #expect(reload.status == 200, "\(String(decoding: reload.body, as: UTF8.self))")
            if let v = reload.json["model_version"] as? String { versions.insert(v) }
        }
        stop.add()
        group.wait()
        #expect(failures.value == 0 && answered.value > 100, "\(failures.value) failed, \(answered.value) answered: \(statuses.value.prefix(5))")
        #expect(versions.count >= 2, "the models alternated: \(versions)")
    }

    /// `kill -9` in the middle of a stream of feedback: after a restart every acknowledged event is
    /// in the log and applied again.
    @Test func killDuringFeedbackLosesNoAcknowledgedEvent() throws {
        let dir = CLI.temporaryPath("serve-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try Self.model(dir)
        let events = dir + "/events"
        let server = try Server(["--model", model, "--events", events])
        let p = server.port
        let acknowledged = Locked<[String]>([])
        let group = DispatchGroup()
        for client in 0..<2 {
            DispatchQueue.global().async(group: group) {
                for k in 0..<2_000 {
                    let user = "c\(client)-\(k)"
                    let a = Self.call(p, "POST", "/v1/feedback", body: Data("{\"user\": \"\(user)\", \"item\": \"\(k % 150 + 1)\", \"value\": 1}".utf8))
                    if a.status == 200 { acknowledged.mutate { $0.append(user) } } else { return }
                }
            }
        }
        // Killed in the middle of the stream: once a hundred events are acknowledged (a first request
        // of each client can take a second: the tests' URLSession opening its second connection).
        let deadline = Date().addingTimeInterval(20)
        while acknowledged.value.count < 100 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        server.kill(SIGKILL)
        group.wait()
        server.process.waitUntilExit()
        let acked = acknowledged.value
        #expect(acked.count > 10, "only \(acked.count) events were acknowledged before the kill")
        let replay = try EventLog.replay(folder: events)
        let logged = Set(replay.events.map(\.user))
        let lost = acked.filter { !logged.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged events are missing from the log")
        // The restarted server applies them all again.
        let again = try Server(["--model", model, "--events", events])
        let metrics = String(decoding: Self.call(again.port, "GET", "/metrics").body, as: UTF8.self)
        let applied = metrics.split(separator: "\n").first { $0.hasPrefix("reckit_feedback_events_applied ") }.flatMap { Double($0.split(separator: " ").last!) }.map { Int($0) } ?? -1   // a gauge: "12.0"
        #expect(applied >= acked.count && applied == replay.events.count, "applied \(applied), acknowledged \(acked.count), logged \(replay.events.count)")
    }
}

/// A counter shared by test threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
}
