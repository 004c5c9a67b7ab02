import Atomics
import Foundation

/// The server's counters, as Prometheus text at `GET /metrics`: requests by endpoint and status
/// class, latency histograms by endpoint, feedback events applied, reloads and the model version.
/// Lock-free atomics: recording a request never waits for another.
final class ServerMetrics: Sendable {
    enum Endpoint: String, CaseIterable {
        case recommend, recommendHistory = "recommend_history", recommendBatch = "recommend_batch", similar, explain, feedback,
             reload, refit, health, metrics, other
    }
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]
    static let classes = ["2xx", "4xx", "5xx"]

    private let counts: [ManagedAtomic<Int>]          // endpoint × status class
    private let histogram: [ManagedAtomic<Int>]       // endpoint × (buckets + 1)
    private let microseconds: [ManagedAtomic<Int>]    // endpoint: total latency
    let reloads = ManagedAtomic<Int>(0)

    init() {
        let e = Endpoint.allCases.count
        counts = (0..<(e * Self.classes.count)).map { _ in ManagedAtomic(0) }
        histogram = (0..<(e * (Self.buckets.count + 1))).map { _ in ManagedAtomic(0) }
        microseconds = (0..<e).map { _ in ManagedAtomic(0) }
    }

    func record(_ endpoint: Endpoint, status: Int, seconds: Double) {
        let e = Endpoint.allCases.firstIndex(of: endpoint)!
        let c = status >= 500 ? 2 : status >= 400 ? 1 : 0
        counts[e * Self.classes.count + c].wrappingIncrement(ordering: .relaxed)
        let b = Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count
        histogram[e * (Self.buckets.count + 1) + b].wrappingIncrement(ordering: .relaxed)
        microseconds[e].wrappingIncrement(by: Int(seconds * 1e6), ordering: .relaxed)
    }

    /// The Prometheus text exposition.
    func text(modelVersion: String, eventsApplied: Int, onlineUsers: Int) -> String {
        var out = "# HELP reckit_requests_total Requests answered, by endpoint and status class.\n# TYPE reckit_requests_total counter\n"
        for (e, endpoint) in Endpoint.allCases.enumerated() {
            for (c, cls) in Self.classes.enumerated() {
                out += "reckit_requests_total{endpoint=\"\(endpoint.rawValue)\",status=\"\(cls)\"} \(counts[e * Self.classes.count + c].load(ordering: .relaxed))\n"
            }
        }
        out += "# HELP reckit_request_seconds Request latency, by endpoint.\n# TYPE reckit_request_seconds histogram\n"
        for (e, endpoint) in Endpoint.allCases.enumerated() {
            var cumulative = 0
            for b in 0...Self.buckets.count {
                cumulative += histogram[e * (Self.buckets.count + 1) + b].load(ordering: .relaxed)
                let le = b < Self.buckets.count ? String(Self.buckets[b]) : "+Inf"
                out += "reckit_request_seconds_bucket{endpoint=\"\(endpoint.rawValue)\",le=\"\(le)\"} \(cumulative)\n"
            }
            out += "reckit_request_seconds_sum{endpoint=\"\(endpoint.rawValue)\"} \(Double(microseconds[e].load(ordering: .relaxed)) / 1e6)\n"
            out += "reckit_request_seconds_count{endpoint=\"\(endpoint.rawValue)\"} \(cumulative)\n"
        }
        out += "# HELP reckit_feedback_events_applied Feedback events applied since the model was loaded.\n# TYPE reckit_feedback_events_applied gauge\n"
        out += "reckit_feedback_events_applied \(eventsApplied)\n"
        out += "# HELP reckit_online_users Users whose factors were refitted online.\n# TYPE reckit_online_users gauge\nreckit_online_users \(onlineUsers)\n"
        out += "# HELP reckit_model_reloads_total Model reloads.\n# TYPE reckit_model_reloads_total counter\nreckit_model_reloads_total \(reloads.load(ordering: .relaxed))\n"
        out += "# HELP reckit_model_info The model being served.\n# TYPE reckit_model_info gauge\nreckit_model_info{version=\"\(modelVersion)\"} 1\n"
        return out
    }
}
