import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The agent against a real TLS Kubernetes API stand-in: Events, series, token rotation,
/// faults, and that none of it holds up probes or the drain.
@Suite("kubernetes", .serialized)
struct KubernetesTests {
    static func config(_ api: FakeAPIServer, kubernetes extra: String = "", drainDelay: String = "100ms") -> String {
        """
        health:
          port: 0
        server:
          port: 0
        lifecycle:
          drainDelay: \(drainDelay)
        \(api.configSection(extra: extra))
        """
    }

    static func reasons(_ events: [[String: Any]]) -> [String] {
        events.sorted {
            Int($0[path: "metadata.resourceVersion"] as? String ?? "") ?? 0 < Int(
                $1[path: "metadata.resourceVersion"] as? String ?? "") ?? 0
        }
        .compactMap { $0["reason"] as? String }
    }

    @Test("lifecycle Events regard the pod by uid, pass the official schema, and never leak the token")
    func lifecycleEvents() throws {
        let token = "secret-token-\(UUID().uuidString)"
        let api = try FakeAPIServer(token: token)
        let agent = try RunningAgent(
            config: Self.config(api), arguments: ["--plugin", PluginTests.echo], environment: api.environment())
        try api.waitForEvents { Self.reasons($0).contains("Ready") }

        try agent.rewriteConfig(Self.config(api, drainDelay: "150ms"))
        agent.signal(SIGHUP)
        try api.waitForEvents { Self.reasons($0).contains("ConfigReloaded") }
        try agent.rewriteConfig("server:\n  prot: 1\n")
        agent.signal(SIGHUP)
        try api.waitForEvents { Self.reasons($0).contains("ConfigRejected") }

        // The stand-in stores an Event before the agent has counted the answer: poll.
        let deadline = Date().addingTimeInterval(5)
        var metrics = try PrometheusText("")
        repeat {
            metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        } while metrics.values("uservice_kubernetes_requests_total", ["verb": "create", "code": "201"]) != [5]
            && Date() < deadline
        #expect(metrics.values("uservice_kubernetes_requests_total", ["verb": "create", "code": "201"]) == [5])
        #expect(metrics.values("uservice_kubernetes_requests_total", ["verb": "get", "code": "200"]).first ?? 0 >= 1)

        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
        // The drain sent Stopped before the process exited.
        let events = try api.events()
        #expect(
            Self.reasons(events)
                == ["Started", "PluginLoaded", "Ready", "ConfigReloaded", "ConfigRejected", "Draining", "Stopped"])
        for event in events {
            #expect(event[path: "regarding.uid"] as? String == api.podUID)
            #expect(event[path: "regarding.kind"] as? String == "Pod")
            #expect(event[path: "regarding.name"] as? String == api.podName)
            #expect(event[path: "regarding.namespace"] as? String == api.namespace)
            #expect(event[path: "metadata.namespace"] as? String == api.namespace)
            #expect(event["reportingController"] as? String == "uservice")
            #expect(event["reportingInstance"] as? String == api.podName)
            #expect((event["eventTime"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)
            #expect(event["type"] as? String == (event["reason"] as? String == "ConfigRejected" ? "Warning" : "Normal"))
        }
        let rejected = events.first { $0["reason"] as? String == "ConfigRejected" }
        #expect((rejected?["note"] as? String)?.contains("unknown key \"prot\" in \"server\"") == true)

        // The Pod watch lists and watches on a connection of its own.
        let requests = try api.requests().filter { !$0.path.contains("?fieldSelector=") }
        // The reporter reads its pod before its first Event (the `kubernetes` check's GET /version
        // runs beside it, in any order).
        let reporterRequests = requests.filter { !$0.path.hasSuffix("/version") }
        #expect(
            reporterRequests.first?.method == "GET"
                && reporterRequests.first?.path.hasSuffix("/pods/\(api.podName)") == true)
        // Every body passed the stand-in's schema and API rules: nothing was answered 422.
        #expect(requests.allSatisfy { $0.status != "422" }, "\(requests.map(\.status))")
        #expect(requests.allSatisfy { $0.token == token })
        // One kept-alive connection carries the requests (the stand-in speaks HTTP/1.1).
        #expect(Set(requests.map(\.clientPort)).count < requests.count / 2, "\(requests.map(\.clientPort))")
        #expect(!agent.logText.contains(token))
    }

    @Test("a repeat within 6 minutes patches the series; a vanished Event starts a new one")
    func eventSeries() throws {
        let api = try FakeAPIServer()
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment())
        try api.waitForEvents { Self.reasons($0).contains("Ready") }
        for count in 1...3 {
            agent.signal(SIGHUP)
            try api.waitForEvents { events in
                events.contains {
                    $0["reason"] as? String == "ConfigReloaded" && ($0[path: "series.count"] as? Int ?? 1) == count
                }
            }
        }
        let reloaded = try api.events().filter { $0["reason"] as? String == "ConfigReloaded" }
        #expect(reloaded.count == 1)
        #expect(reloaded.first?[path: "series.count"] as? Int == 3)
        let patches = try api.requests().filter { $0.method == "PATCH" }
        #expect(patches.count == 2)
        #expect(patches.allSatisfy { $0.contentType == "application/merge-patch+json" && $0.status == "200" })

        try api.deleteEvents()
        agent.signal(SIGHUP)
        let fresh = try api.waitForEvents { $0.contains { $0["reason"] as? String == "ConfigReloaded" } }
        #expect(fresh.first?["series"] == nil)
        #expect(try api.requests().last { $0.method == "PATCH" }?.status == "404")
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("after a 401 the token file is read again, until the rotated token works")
    func tokenRotation() throws {
        let api = try FakeAPIServer(token: "first-token")
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment())
        try api.waitForEvents { Self.reasons($0).contains("Ready") }

        try api.acceptOnly(token: "second-token")
        agent.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while try api.requests().filter({ $0.status == "401" }).count < 3 && Date() < deadline { usleep(50_000) }
        #expect(try Self.reasons(api.events()).contains("ConfigReloaded") == false)

        try api.writeToken("second-token")
        try api.waitForEvents { Self.reasons($0).contains("ConfigReloaded") }
        let requests = try api.requests()
        let unauthorized = requests.filter { $0.status == "401" }
        #expect(unauthorized.count >= 3)
        #expect(unauthorized.allSatisfy { $0.token == "first-token" })
        #expect(requests.last { $0.method == "POST" }?.token == "second-token")
        #expect(!agent.logText.contains("first-token") && !agent.logText.contains("second-token"))
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("5xx and connection resets are retried; a lost answer to a create is not a duplicate")
    func retries() throws {
        let api = try FakeAPIServer()
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment())
        try api.waitForEvents { Self.reasons($0).contains("Ready") }

        try api.inject("500", count: 2, method: "POST")
        try api.inject("reset", count: 1, method: "POST")
        agent.signal(SIGHUP)
        try api.waitForEvents { Self.reasons($0).contains("ConfigReloaded") }
        let posts = try api.requests().filter { $0.method == "POST" }.suffix(4).map(\.status)
        #expect(posts == ["500", "500", "reset", "201"])

        // A create that landed but whose answer was lost: the retry's 409 AlreadyExists means done.
        try api.inject("lose-response", count: 1, method: "POST")
        try agent.rewriteConfig(Self.config(api, drainDelay: "120ms"))
        agent.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while try api.requests().last?.status != "409" && Date() < deadline { usleep(50_000) }
        #expect(try api.requests().filter { $0.method == "POST" }.suffix(2).map(\.status) == ["lost 201", "409"])
        // Counted as delivered: a repeat extends its series, and nothing was dropped.
        try agent.rewriteConfig(Self.config(api, drainDelay: "130ms"))
        agent.signal(SIGHUP)
        try api.waitForEvents { events in
            events.contains {
                ($0["note"] as? String)?.hasSuffix("changed: lifecycle") == true
                    && $0[path: "series.count"] as? Int == 2
            }
        }
        #expect(try api.events().filter { $0["reason"] as? String == "ConfigReloaded" }.count == 2)
        let metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        #expect(metrics.values("uservice_events_dropped_total").isEmpty)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("429 waits for Retry-After")
    func throttled() throws {
        let api = try FakeAPIServer()
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment())
        try api.waitForEvents { Self.reasons($0).contains("Ready") }
        try api.inject("429", count: 1, retryAfter: 2, method: "POST")
        try agent.rewriteConfig(Self.config(api, drainDelay: "120ms"))
        agent.signal(SIGHUP)
        try api.waitForEvents { Self.reasons($0).contains("ConfigReloaded") }
        let last = try api.requests().filter { $0.method == "POST" }.suffix(2)
        #expect(last.map(\.status) == ["429", "201"])
        if let throttled = last.first, let retried = last.last {
            #expect(retried.time - throttled.time >= 1.9, "waited \(retried.time - throttled.time) s")
        }
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("403 outside the pod's namespace is final: no retries, the Event is dropped and counted")
    func forbiddenIsNotRetried() throws {
        let api = try FakeAPIServer()
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment(namespace: "other"))
        agent.waitForLog { ($0["message"] as? String)?.contains("cannot report a Ready event") == true }
        usleep(1_500_000)  // time in which a retry would have come
        let requests = try api.requests()
        #expect(requests.filter { $0.method == "GET" && $0.path.contains("/pods/") }.map(\.status) == ["403"])
        #expect(requests.filter { $0.method == "POST" }.map(\.status) == ["403", "403"])
        let metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        #expect(metrics.values("uservice_events_dropped_total", ["reason": "rejected"]) == [2])
        let warning = agent.logLines.first {
            ($0["message"] as? String)?.contains("cannot report a Started event") == true
        }
        #expect((warning?["error"] as? String)?.contains("403 Forbidden") == true)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("a hung API server slows neither probes nor the data port, and the drain ends on time")
    func hungAPIServer() throws {
        let api = try FakeAPIServer()
        try api.inject("hang")
        defer { try? api.clearFaults() }
        let agent = try RunningAgent(
            config: Self.config(api, kubernetes: "  flushTimeout: 1s"), environment: api.environment())
        usleep(300_000)  // the pod read is hanging now
        #expect(try api.requests().contains { $0.status == "hang" })

        var durations: [Double] = []
        for path in Array(repeating: ["/livez", "/readyz", "/startupz"], count: 10).joined() {
            let started = Date()
            let response = try HTTPTestClient.request(port: agent.healthPort, path: path)
            durations.append(Date().timeIntervalSince(started) * 1000)
            #expect(response.status == 200, "\(path): \(response.body)")
        }
        durations.sort()
        // Blocked probes would take the API timeout (10 s); these must not wait for the API at all.
        #expect(durations[durations.count / 2] < 50, "median \(durations[durations.count / 2]) ms")
        #expect(durations.last! < 500, "slowest \(durations.last!) ms")
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/").status == 200)
        let check = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kubernetes")
        #expect(check.status == 503)

        let started = Date()
        agent.signal(SIGTERM)
        #expect(agent.waitForExit(timeout: 20) == 0)
        let drainSeconds = Date().timeIntervalSince(started)
        // drainDelay 0.1 s + flushTimeout 1 s, with room for a slow machine; far below the 10 s API timeout.
        #expect(drainSeconds < 4, "drain took \(drainSeconds) s")
        #expect(agent.logLines.contains { $0["message"] as? String == "events not reported: the flush timeout passed" })
    }

    @Test("readiness counts the kubernetes check only when asked; it is always at /readyz/kubernetes")
    func readinessCheck() throws {
        let api = try FakeAPIServer()
        let counted = try RunningAgent(
            config: Self.config(api, kubernetes: "  readiness: true"), environment: api.environment())
        let deadline = Date().addingTimeInterval(10)
        var report: [String: Any] = [:]
        repeat {
            let body = try HTTPTestClient.request(port: counted.healthPort, path: "/readyz").body
            report = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
            if report[path: "checks.kubernetes.status"] as? String == "pass" { break }
            usleep(50_000)
        } while Date() < deadline
        #expect(report[path: "checks.kubernetes.output"] as? String == "API server v1.37.0")
        counted.signal(SIGTERM)
        #expect(counted.waitForExit() == 0)

        let uncounted = try RunningAgent(config: Self.config(api), environment: api.environment())
        let readiness = try HTTPTestClient.request(port: uncounted.healthPort, path: "/readyz").body
        #expect(!readiness.contains("kubernetes"))
        #expect(
            try HTTPTestClient.request(port: uncounted.healthPort, path: "/readyz/kubernetes").body.contains(
                "kubernetes"))
        #expect(try HTTPTestClient.request(port: uncounted.healthPort, path: "/livez/kubernetes").status == 404)
        uncounted.signal(SIGTERM)
        #expect(uncounted.waitForExit() == 0)
    }

    @Test("TLS is verified against ca.crt: another CA's server is refused")
    func tlsVerification() throws {
        let api = try FakeAPIServer()
        let impostorCA = try FakeAPIServer()
        try FileManager.default.removeItem(at: api.serviceAccountDir.appendingPathComponent("ca.crt"))
        try FileManager.default.copyItem(
            at: impostorCA.serviceAccountDir.appendingPathComponent("ca.crt"),
            to: api.serviceAccountDir.appendingPathComponent("ca.crt"))
        let agent = try RunningAgent(config: Self.config(api), environment: api.environment())
        let retry = agent.waitForLog { ($0["message"] as? String)?.contains("will retry to read the pod") == true }
        #expect((retry?["error"] as? String)?.contains("certificate") == true, "\(retry ?? [:])")
        #expect(try api.requests().isEmpty)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("outside a cluster: auto turns Kubernetes off with one line; true refuses to start")
    func notInCluster() throws {
        let agent = try RunningAgent(config: "health:\n  port: 0\nserver:\n  port: 0\nlifecycle:\n  drainDelay: 0s\n")
        let lines = agent.logLines.filter { ($0["message"] as? String)?.contains("Kubernetes") == true }
        #expect(lines.count == 1)
        #expect(lines.first?["message"] as? String == "not in a Kubernetes cluster: Kubernetes features are off")
        #expect(lines.first?["level"] as? String == "info")
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("uservice-\(UUID()).yaml")
        try "kubernetes:\n  enabled: true\n".write(to: folder, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try UServiceBinary.run(
            ["start", "--config", folder.path, "--log-format", "text"],
            environment: ["KUBERNETES_SERVICE_HOST": ""])
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                "cannot start: kubernetes.enabled is true, but KUBERNETES_SERVICE_HOST is not set and kubernetes.apiServer is not configured"
            ))
    }
}
