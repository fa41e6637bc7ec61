import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The agent's list+watch of its ConfigMap and its Pod against the TLS API stand-in: live
/// config, streams that end, expire or are reset, an API outage, token rotation, the
/// annotations, and shutdown while watching.
@Suite("kubernetes watch", .serialized)
struct KubernetesWatchTests {
    static let configMapName = "uservice-config"

    /// The agent's config, as the file and as the ConfigMap's `uservice.yaml`.
    static func config(_ api: FakeAPIServer, name: String, watchPod: Bool = true) -> String {
        """
        service:
          name: \(name)
        health:
          port: 0
        server:
          port: 0
        lifecycle:
          drainDelay: 100ms
        \(api.configSection(extra: "  watchPod: \(watchPod)\n  configMap:\n    name: \(Self.configMapName)"))
        """
    }

    static func publish(_ api: FakeAPIServer, name: String) throws {
        try api.setConfigMap(Self.configMapName, data: ["uservice.yaml": Self.config(api, name: name)])
    }

    /// Starts an agent whose ConfigMap holds `name`, once both watches are open.
    static func start(
        _ api: FakeAPIServer, name: String = "from-configmap", watchPod: Bool = true
    ) throws
        -> RunningAgent
    {
        try Self.publish(api, name: name)
        let agent = try RunningAgent(
            config: Self.config(api, name: "from-file", watchPod: watchPod), environment: api.environment())
        #expect(try api.waitForWatches(watchPod ? 2 : 1), "the watches did not open")
        #expect(try ConfigFileWatchTests.waitForServiceName(name, on: agent), "the ConfigMap was not applied")
        return agent
    }

    /// How many ConfigMap reloads the agent logged, once `expected` are in or after 5 s: a new
    /// config is served a moment before its log line reaches the test.
    static func configMapReloads(_ agent: RunningAgent, reaching expected: Int) -> Int {
        let deadline = Date().addingTimeInterval(5)
        while true {
            let count = agent.logLines.filter {
                $0["message"] as? String == "config reloaded" && $0["trigger"] as? String == "ConfigMap changed"
            }.count
            guard count < expected, Date() < deadline else { return count }
            usleep(20_000)
        }
    }

    static func metrics(_ agent: RunningAgent) throws -> PrometheusText {
        try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
    }

    @Test("each ConfigMap change is applied within 2 s, once; an invalid one is rejected and the old config kept")
    func liveConfig() throws {
        let api = try FakeAPIServer()
        let agent = try Self.start(api)
        #expect(!agent.logLines.contains { $0["message"] as? String == "watching the config file for changes" })

        var latencies: [Double] = []
        for update in 1...20 {
            let started = Date()
            try Self.publish(api, name: "update-\(update)")
            #expect(
                try ConfigFileWatchTests.waitForServiceName("update-\(update)", on: agent, interval: 2_000),
                "update \(update)")
            latencies.append(Date().timeIntervalSince(started) * 1000)
        }
        latencies.sort()
        print(
            "ConfigMap update to applied over 20 updates: p50 \(Int(latencies[9])) ms, p99 \(Int(latencies[19])) ms"
        )
        #expect(Self.configMapReloads(agent, reaching: 21) == 21, "the first content and 20 updates, each once")

        try api.setConfigMap(Self.configMapName, data: ["uservice.yaml": "service:\n  name: [broken\n"])
        let events = try api.waitForEvents { $0.contains { $0["reason"] as? String == "ConfigRejected" } }
        let rejected = events.first { $0["reason"] as? String == "ConfigRejected" }
        let note = rejected?["note"] as? String ?? ""
        #expect(note.contains(/configmap\/uservice-config\/uservice.yaml:\d+:\d+: error: invalid YAML/), "\(note)")
        #expect(rejected?["type"] as? String == "Warning")
        #expect(
            try ConfigFileWatchTests.waitForServiceName("update-20", on: agent, within: 0.3), "the old config is kept")

        try api.setConfigMap(Self.configMapName, data: ["other.yaml": "service: {name: x}\n"])
        try api.waitForEvents { events in
            events.contains { ($0["note"] as? String)?.contains("has no key uservice.yaml") == true }
        }
        try api.deleteConfigMap(Self.configMapName)
        try api.waitForEvents { events in
            events.contains { ($0["note"] as? String)?.contains("does not exist") == true }
        }
        try Self.publish(api, name: "back")
        #expect(try ConfigFileWatchTests.waitForServiceName("back", on: agent))

        // SIGHUP applies the ConfigMap's content again, not the file (which says from-file).
        agent.signal(SIGHUP)
        let signalled = agent.waitForLog {
            $0["message"] as? String == "config reloaded" && $0["trigger"] as? String == "SIGHUP"
        }
        #expect(signalled?["config"] as? String == "configmap/\(Self.configMapName)/uservice.yaml")
        #expect(try ConfigFileWatchTests.waitForServiceName("back", on: agent, within: 0.3))

        let requests = try api.requests().filter { $0.path.contains("/configmaps") }
        #expect(requests.allSatisfy { $0.path.contains("fieldSelector=metadata.name%3D\(Self.configMapName)") })
        #expect(requests.filter { !$0.path.contains("watch=true") }.count == 1, "listed once")
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("streams closed, expired or reset are re-opened; no change is missed or applied twice")
    func streamRestarts() throws {
        let api = try FakeAPIServer()
        // Each event line split over three chunks, as a proxy may pass them on.
        try api.setWatchOptions(chunking: "fragmented")
        let agent = try Self.start(api, watchPod: false)
        /// Lets the re-opened stream live past a second: streams that end sooner back off.
        func settle() throws {
            #expect(try api.waitForWatches(1))
            usleep(1_200_000)
        }

        try settle()
        try api.closeWatches()
        try Self.publish(api, name: "after-close")
        #expect(try ConfigFileWatchTests.waitForServiceName("after-close", on: agent))

        // History gone: the resumed watch gets a 410 ERROR and lists again. (No bookmark may
        // come between the compaction and the close: it would carry a version still current.)
        try api.setWatchOptions(bookmarkInterval: 3600)
        try settle()
        try api.compact()
        try api.closeWatches()
        try Self.publish(api, name: "after-expiry")
        #expect(try ConfigFileWatchTests.waitForServiceName("after-expiry", on: agent))

        // Several event lines in one chunk.
        try api.setWatchOptions(chunking: "batched", bookmarkInterval: 1)
        try settle()
        try api.resetWatches()
        try Self.publish(api, name: "after-reset")
        #expect(try ConfigFileWatchTests.waitForServiceName("after-reset", on: agent))

        #expect(Self.configMapReloads(agent, reaching: 4) == 4, "the first content and three changes, each once")
        let requests = try api.requests().filter { $0.path.contains("/configmaps") }
        #expect(requests.filter { !$0.path.contains("watch=true") }.count == 2, "listed at start and after expiry")
        let metrics = try Self.metrics(agent)
        for reason in ["closed", "expired", "error"] {
            #expect(
                metrics.values(
                    "uservice_kubernetes_watch_restarts_total", ["resource": "configmaps", "reason": reason]
                ).first ?? 0 >= 1, "no \(reason) restart counted")
        }
        #expect(
            metrics.values("uservice_kubernetes_watch_events_total", ["resource": "configmaps", "type": "MODIFIED"])
                .first ?? 0 >= 2)
        #expect(
            metrics.values("uservice_kubernetes_watch_last_sync_timestamp_seconds", ["resource": "configmaps"])
                .first ?? 0 > Date().timeIntervalSince1970 - 60)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("an API server down for 30 s: backoff, probes unaffected, then what changed meanwhile is picked up")
    func apiOutage() throws {
        let api = try FakeAPIServer()
        let agent = try Self.start(api, watchPod: false)
        try api.inject("reset", path: "/configmaps")
        try api.resetWatches()
        try Self.publish(api, name: "during-outage")
        let outageStarted = Date()
        var checkFailed = false
        while Date().timeIntervalSince(outageStarted) < 30 {
            let check = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kubernetes-watch")
            checkFailed = checkFailed || check.status == 503
            #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 200)
            usleep(500_000)
        }
        #expect(checkFailed, "the kubernetes-watch check did not say the watch is failing")
        let attempts = try api.requests().filter { $0.path.contains("/configmaps") && $0.status == "reset" }.count
        // Jittered backoff from 0.8 s doubling to 30 s: a handful of attempts, not a busy loop.
        #expect((3...12).contains(attempts), "\(attempts) attempts in 30 s")
        try api.clearFaults()
        #expect(try ConfigFileWatchTests.waitForServiceName("during-outage", on: agent, within: 35))
        let check = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kubernetes-watch")
        #expect(check.status == 200, "\(check.body)")
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("a token rotated during a watch: the 401 re-reads the file and the watch goes on")
    func tokenRotation() throws {
        let api = try FakeAPIServer(token: "first-token")
        let agent = try Self.start(api, watchPod: false)
        try api.acceptOnly(token: "second-token")
        try api.resetWatches()
        let deadline = Date().addingTimeInterval(10)
        while try !api.requests().contains(where: { $0.path.contains("watch=true") && $0.status == "401" }),
            Date() < deadline
        {
            usleep(50_000)
        }
        try api.writeToken("second-token")
        try Self.publish(api, name: "after-rotation")
        #expect(try ConfigFileWatchTests.waitForServiceName("after-rotation", on: agent, within: 35))
        let watches = try api.requests().filter { $0.path.contains("watch=true") }
        #expect(watches.contains { $0.status == "401" && $0.token == "first-token" })
        #expect(watches.last?.token == "second-token" && watches.last?.status == "200")
        let unauthorized = try Self.metrics(agent).values(
            "uservice_kubernetes_watch_restarts_total", ["resource": "configmaps", "reason": "unauthorized"])
        #expect(unauthorized.first ?? 0 >= 1)
        #expect(!agent.logText.contains("first-token") && !agent.logText.contains("second-token"))
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("Pod annotations set the log level and take the pod out of rotation; invalid values are rejected")
    func podAnnotations() throws {
        let api = try FakeAPIServer()
        let agent = try Self.start(api)
        let levelKey = "uservice.dev/log-level"
        let rotationKey = "uservice.dev/out-of-rotation"

        try api.setPodAnnotations([levelKey: "debug"])
        #expect(
            agent.waitForLog { $0["message"] as? String == "log level set by annotation" }?["level"] as? String
                == "debug")
        // Debug lines flow now, e.g. the API requests of the kubernetes check.
        #expect(agent.waitForLog(timeout: 15) { $0["level"] as? String == "debug" } != nil)
        try api.setPodAnnotations([:])
        let restored = agent.waitForLog { $0["message"] as? String == "log level annotation removed" }
        #expect(restored?["level"] as? String == "info", "the config's level is back")

        try api.setPodAnnotations([rotationKey: "true"])
        #expect(try Self.waitForReadiness(503, agent))
        let report = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").json
        #expect(report?[path: "checks.rotation.status"] as? String == "fail")
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/").status == 200, "it keeps serving")

        try api.setPodAnnotations([rotationKey: "yes", levelKey: "loud"])
        let rejected = try api.waitForEvents { events in
            events.filter { $0["reason"] as? String == "AnnotationRejected" }.count == 2
        }
        .filter { $0["reason"] as? String == "AnnotationRejected" }
        #expect(rejected.allSatisfy { $0["type"] as? String == "Warning" })
        #expect(rejected.contains { ($0["note"] as? String)?.contains("\(rotationKey)=\"yes\"") == true })
        #expect(try Self.waitForReadiness(503, agent, within: 0.3), "an invalid value changes nothing")

        try api.setPodAnnotations([:])
        #expect(try Self.waitForReadiness(200, agent))
        // The Events follow the readiness change, through the Event queue.
        let reasons = try api.waitForEvents { events in
            events.contains { $0["reason"] as? String == "BackInRotation" }
        }
        .compactMap { $0["reason"] as? String }
        #expect(reasons.contains("OutOfRotation") && reasons.contains("BackInRotation"))
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }

    @Test("SIGTERM while watching exits within the drain budget and closes the streams")
    func shutdownWhileWatching() throws {
        let api = try FakeAPIServer()
        let agent = try Self.start(api)
        let started = Date()
        agent.signal(SIGTERM)
        #expect(agent.waitForExit(timeout: 10) == 0)
        let seconds = Date().timeIntervalSince(started)
        // drainDelay 0.1 s, then the Event flush; the open streams add nothing.
        #expect(seconds < 3, "exit took \(seconds) s")
        #expect(try api.waitForWatches(0, timeout: 2), "streams were left open")
    }

    /// Waits until `/readyz` answers `status`, for up to `seconds`.
    static func waitForReadiness(_ status: Int, _ agent: RunningAgent, within seconds: TimeInterval = 2) throws -> Bool
    {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == status { return true }
            usleep(20_000)
        } while Date() < deadline
        return false
    }
}
