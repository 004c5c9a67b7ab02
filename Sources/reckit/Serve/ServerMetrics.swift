import Foundation
import Prometheus
import Synchronization

/// The server's metrics, kept by swift-prometheus and written as Prometheus text at `GET
/// /metrics`: requests by endpoint and status class, latency histograms by endpoint, feedback
/// events applied, online users, reloads and the model version. Counters are atomics; each
/// endpoint's histogram has its own short lock, so recording one request never waits for a
/// request to another endpoint.
final class ServerMetrics: Sendable {
    enum Endpoint: String, CaseIterable {
        case recommend, recommendHistory = "recommend_history", recommendBatch = "recommend_batch", similar, explain, feedback,
             reload, refit, health, metrics, other
    }
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]
    static let classes = ["2xx", "4xx", "5xx"]

    private let registry = PrometheusCollectorRegistry()
    private let requests: [Counter]                  // endpoint × status class
    private let latency: [DurationHistogram]         // endpoint
    private let eventsApplied: Gauge
    private let onlineUsers: Gauge
    let reloads: Counter
    /// The `reckit_model_info{version=…}` gauge of the model being served (replaced on a reload).
    private let modelInfo = Mutex<(version: String, gauge: Gauge?)>(("", nil))

    init() {
        let requestsName = MetricNameDescriptor(namespace: "reckit", metricName: "requests", unitName: "total",
                                                helpText: "Requests answered, by endpoint and status class.")
        let latencyName = MetricNameDescriptor(namespace: "reckit", metricName: "request", unitName: "seconds",
                                               helpText: "Request latency, by endpoint.")
        let buckets = Self.buckets.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        var requests: [Counter] = [], latency: [DurationHistogram] = []
        for endpoint in Endpoint.allCases {
            for cls in Self.classes {
                requests.append(registry.makeCounter(descriptor: requestsName, labels: [("endpoint", endpoint.rawValue), ("status", cls)]))
            }
            latency.append(registry.makeDurationHistogram(descriptor: latencyName, labels: [("endpoint", endpoint.rawValue)], buckets: buckets))
        }
        self.requests = requests
        self.latency = latency
        eventsApplied = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "reckit", metricName: "feedback_events", unitName: "applied", helpText: "Feedback events applied since the model was loaded."))
        onlineUsers = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "reckit", metricName: "online", unitName: "users", helpText: "Users whose factors were refitted online."))
        reloads = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "reckit", metricName: "model_reloads", unitName: "total", helpText: "Model reloads."))
    }

    func record(_ endpoint: Endpoint, status: Int, seconds: Double) {
        let e = Endpoint.allCases.firstIndex(of: endpoint)!
        let c = status >= 500 ? 2 : status >= 400 ? 1 : 0
        requests[e * Self.classes.count + c].increment()
        latency[e].recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The Prometheus text exposition, with the gauges read from the service now.
    func text(modelVersion: String, eventsApplied: Int, onlineUsers: Int) -> String {
        self.eventsApplied.set(to: Double(eventsApplied))
        self.onlineUsers.set(to: Double(onlineUsers))
        modelInfo.withLock { info in
            guard info.version != modelVersion || info.gauge == nil else { return }
            if let old = info.gauge { registry.unregisterGauge(old) }
            let gauge = registry.makeGauge(descriptor: MetricNameDescriptor(
                namespace: "reckit", metricName: "model", unitName: "info", helpText: "The model being served."),
                labels: [("version", modelVersion)])
            gauge.set(to: 1)
            info = (modelVersion, gauge)
        }
        return registry.emitToString()
    }
}
