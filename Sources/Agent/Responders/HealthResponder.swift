internal import AgentConfiguration
import HTTPServer
internal import NIOCore
import NIOHTTP1
internal import UServiceSupport

/// The health port: probes, `/metrics`, the preStop hook and watchdog ticks.
///
/// | path | method | answer |
/// |---|---|---|
/// | `/livez`, `/readyz`, `/startupz` | GET | 200 or 503, `application/health+json`; `?exclude=NAME` skips checks |
/// | `/livez/NAME` (and the others) | GET | one check; 404 when the probe has no such check |
/// | `/metrics` | GET | Prometheus text format 0.0.4 |
/// | `/prestop` | POST | starts draining; answers once `lifecycle.drainDelay` has passed |
/// | `/tick/NAME` | POST | ticks a watchdog ticker; 204, or 404 for an unknown one |
///
/// The endpoints that change the agent's state (`/prestop`, `/tick/NAME`) answer only peers
/// inside the pod, over loopback; others get 403, since the port is reachable from the cluster.
/// They take POST only, so that no link or URL fetch that issues a GET (from the application
/// in the pod, say) can trigger them.
struct HealthResponder: HTTPResponder {
    let registry: HealthRegistry
    let lifecycle: LifecycleController
    let settings: RuntimeSettings
    let tickers: [String: Ticker]
    let metrics: any MetricsExposition

    func respond(to request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        // The probes' own paths, as kubelet asks for them, skip the general matching below.
        if let probe = Probe(path: request.path) {
            return .now(self.probe(probe, check: nil, request: request))
        }
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        let first = segments.first.map(String.init) ?? ""
        if let probe = Probe(rawValue: first), segments.count <= 2 {
            return .now(self.probe(probe, check: segments.dropFirst().first, request: request))
        }
        switch (first, segments.count) {
        case ("metrics", 1):
            return .now(self.metricsPage(request))
        case ("prestop", 1):
            guard request.remote?.isLoopback == true else { return .now(Self.forbidden(route: "/prestop")) }
            return self.preStop(request, on: eventLoop)
        case ("tick", 2):
            guard request.remote?.isLoopback == true else { return .now(Self.forbidden(route: "/tick/{name}")) }
            return .now(self.tick(String(segments[1]), request: request))
        default:
            return .now(.error(.notFound, "no such endpoint", route: "unmatched"))
        }
    }

    /// 403 to a peer outside the pod asking for a state change.
    private static func forbidden(route: String) -> HTTPResponse {
        .error(.forbidden, "only answered to peers in the pod (loopback)", route: route)
    }

    private func probe(_ probe: Probe, check: Substring?, request: HTTPRequest) -> HTTPResponse {
        let route = probe.route(oneCheck: check != nil)
        guard request.method == .GET || request.method == .HEAD else {
            return .methodNotAllowed(allowed: [.GET, .HEAD], route: route)
        }
        let excluded = Set(request.queryValues("exclude", splittingCommas: true))
        guard let report = self.registry.report(probe, only: check.map(String.init), excluding: excluded) else {
            return .error(.notFound, "\(probe.rawValue) has no check named \(check ?? "")", route: route)
        }
        return HTTPResponse(
            status: report.passed ? .ok : .serviceUnavailable, headers: Self.healthJSON, body: report.jsonBody(),
            route: route)
    }

    private static let healthJSON: HTTPHeaders = ["content-type": "application/health+json"]

    private func metricsPage(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return .methodNotAllowed(allowed: [.GET, .HEAD], route: "/metrics")
        }
        var bytes = Array((ProcessMetrics.read()?.prometheusText ?? "").utf8)
        self.metrics.render(into: &bytes)
        var body = ByteBuffer()
        body.writeBytes(bytes)
        return HTTPResponse(
            status: .ok, headers: ["content-type": "text/plain; version=0.0.4; charset=utf-8"], body: body,
            route: "/metrics")
    }

    /// Starts the drain and answers when the drain delay is over, so a preStop hook holds
    /// Kubernetes' SIGTERM back until endpoints have stopped sending traffic.
    private func preStop(_ request: HTTPRequest, on eventLoop: any EventLoop) -> HTTPAnswer {
        guard request.method == .POST else { return .now(.methodNotAllowed(allowed: [.POST], route: "/prestop")) }
        _ = self.lifecycle.requestDrain(by: .preStopHook)
        let drainDelay = self.settings.current { $0.lifecycle.drainDelay }
        let startedAt = self.lifecycle.drainStartedAt ?? .now
        let remaining = max(.zero, startedAt + drainDelay.duration - .now)
        let body = "{\"state\":\"\(self.lifecycle.state.rawValue)\",\"drainDelay\":\"\(drainDelay)\"}"
        let answer = eventLoop.scheduleTask(in: .nanoseconds(remaining.wholeNanoseconds)) {
            HTTPResponse.json(.ok, body, route: "/prestop")
        }
        return .later(answer.futureResult)
    }

    private func tick(_ name: String, request: HTTPRequest) -> HTTPResponse {
        guard request.method == .POST else { return .methodNotAllowed(allowed: [.POST], route: "/tick/{name}") }
        guard let ticker = self.tickers[name] else {
            return .error(.notFound, "no ticker named \(name)", route: "/tick/{name}")
        }
        ticker.tick()
        return HTTPResponse(status: .noContent, route: "/tick/{name}")
    }
}
