// The agent's hot paths, per operation: rendering a probe answer, rendering /metrics with
// 1,000 series, parsing and validating a realistic config file, and encoding an Event.
import Agent
import AgentConfiguration
import Benchmark
import K8sClient
import Metrics
import Prometheus

let realisticConfig = Array(
    """
    service:
      name: payments-sidecar
    health:
      address: 0.0.0.0
      port: 7979
      tickers:
        - name: app
          margin: 45s
          probes: [livez, readyz]
    server:
      address: "::"
      port: 8080
      requestTimeout: 10s
      maxBodyBytes: 1048576
      maxWork: 5s
    lifecycle:
      drainDelay: 5s
      shutdownTimeout: 1m30s
    kubernetes:
      enabled: auto
      apiServer: https://10.96.0.1:443
      events: true
    logging:
      level: info
      format: json
    plugins:
      - /opt/uservice/plugins/libecho.so
    """.utf8)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(3),
        maxIterations: 200_000
    )

    let registry = HealthRegistry()
    let ticker = Ticker(margin: .seconds(30))
    registry.register("lifecycle", probes: [.readiness]) { .pass("ready") }
    registry.register("app", probes: [.liveness, .readiness]) { ticker.check() }
    Benchmark("probe answer: /readyz report and JSON body") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(registry.report(.readiness)?.jsonBody())
        }
    }

    let prometheus = PrometheusCollectorRegistry()
    for route in 0..<50 {
        for status in ["200", "404", "500", "503"] {
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                let labels = [("method", method), ("route", "/route/\(route)"), ("status", status)]
                prometheus.makeCounter(name: "http_server_requests_total", labels: labels, help: "Requests.")
                    .increment()
            }
        }
    }
    Benchmark("/metrics with 1,000 series") { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 * 1024)
        for _ in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            prometheus.emit(into: &buffer)
            blackHole(buffer)
        }
    }

    Benchmark("config: parse and validate a realistic file") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try ConfigLoader.decode(
                    realisticConfig, file: "uservice.yaml", features: .init(canLoadPlugins: true, kafka: false)))
        }
    }

    // The body of a Draining Event as the reporter sends it.
    let event = Event(
        metadata: .init(name: "payments-7d4b9c-x2x9z.187a3c5e9d2f4b10", namespace: "payments"),
        eventTime: "2026-11-27T05:15:12.557698Z", reportingController: "uservice",
        reportingInstance: "payments-7d4b9c-x2x9z", action: "Drain", reason: "Draining", type: .normal,
        note: "draining (SIGTERM): drain delay 5s, shutdown timeout 20s",
        regarding: ObjectReference(
            apiVersion: "v1", kind: "Pod", name: "payments-7d4b9c-x2x9z", namespace: "payments",
            uid: "0f8b6f3e-4a55-4c1e-9d3b-7f2a9c1d5e60"))
    Benchmark("Event JSON encoding (events.k8s.io/v1)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(KubernetesClient.encode(event))
        }
    }
}
