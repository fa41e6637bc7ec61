import Agent
import Prometheus

/// The agent's `/metrics` view of swift-prometheus, the metrics backend this executable picks.
struct PrometheusExposition: MetricsExposition {
    let registry: PrometheusCollectorRegistry

    func render(into buffer: inout [UInt8]) {
        self.registry.emit(into: &buffer)
    }
}
