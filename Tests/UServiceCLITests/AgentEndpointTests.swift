import Foundation
import Testing

/// The running binary's endpoints, as a kubelet, Prometheus and clients see them.
@Suite("uservice start: endpoints", .serialized)
struct AgentEndpointTests {
    static let config = """
        health:
          port: 0
          tickers:
            - name: app
              margin: 400ms
              probes: [livez, readyz]
        server:
          port: 0
          maxWork: 2s
        """

    @Test("probes answer application/health+json with every check")
    func probes() throws {
        let agent = try RunningAgent(config: Self.config)
        for (path, check) in [("/livez", "app"), ("/readyz", "lifecycle"), ("/startupz", "started")] {
            let response = try HTTPTestClient.request(port: agent.healthPort, path: path)
            #expect(response.status == 200, "\(path)")
            #expect(response.headers["content-type"] == "application/health+json")
            let json = try #require(response.json)
            #expect(json["status"] as? String == "pass")
            let checks = try #require(json["checks"] as? [String: [String: Any]])
            #expect(checks[check]?["status"] as? String == "pass", "\(path) lacks \(check)")
            let time = try #require(checks[check]?["time"] as? String)
            #expect(time.hasSuffix("Z") && time.count == 20, "RFC 3339 time: \(time)")
        }
        let ready = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz")
        #expect(Set((ready.json?["checks"] as? [String: Any])?.keys.map { $0 } ?? []) == ["lifecycle", "app"])
    }

    @Test("one check by path, exclusions by query, 404 for unknown checks and paths")
    func singleChecksAndExclusions() throws {
        let agent = try RunningAgent(config: Self.config)
        let one = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/lifecycle")
        #expect(one.status == 200)
        #expect((one.json?["checks"] as? [String: Any])?.keys.map { $0 } == ["lifecycle"])

        let excluded = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz?exclude=app,lifecycle")
        #expect(excluded.status == 200)
        #expect((excluded.json?["checks"] as? [String: Any])?.isEmpty == true)

        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez/lifecycle").status == 404)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/nope").status == 404)
        let connection = try HTTPTestClient.Connection(port: agent.healthPort)
        connection.send("HEAD /livez HTTP/1.1\r\nhost: x\r\n\r\nGET /readyz HTTP/1.1\r\nhost: x\r\n\r\n")
        let head = String(
            decoding: connection.receive { String(decoding: $0, as: UTF8.self).contains("\"lifecycle\"") },
            as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        let responses = head.components(separatedBy: "HTTP/1.1 200 OK")
        #expect(responses.count == 3)
        #expect(responses[1].hasSuffix("\r\n\r\n"), "the HEAD answer has headers only; the GET answer follows at once")

        let wrongMethod = try HTTPTestClient.request(port: agent.healthPort, method: "DELETE", path: "/livez")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD")
    }

    @Test("a ticker fails after its margin and passes again once ticked")
    func ticker() throws {
        let agent = try RunningAgent(config: Self.config)
        let tick = try HTTPTestClient.request(port: agent.healthPort, method: "POST", path: "/tick/app")
        #expect(tick.status == 204)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez/app").status == 200)

        usleep(900_000)
        let stale = try HTTPTestClient.request(port: agent.healthPort, path: "/livez")
        #expect(stale.status == 503)
        #expect(stale.json?["status"] as? String == "fail")
        let app = (stale.json?["checks"] as? [String: [String: Any]])?["app"]
        #expect(app?["status"] as? String == "fail")
        #expect((app?["output"] as? String)?.contains("margin 400ms") == true)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 503)

        #expect(try HTTPTestClient.request(port: agent.healthPort, method: "POST", path: "/tick/app").status == 204)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200)
        #expect(try HTTPTestClient.request(port: agent.healthPort, method: "POST", path: "/tick/other").status == 404)
    }

    @Test("the data port serves /, /echo and /work, and logs one access line per request")
    func dataPort() throws {
        let agent = try RunningAgent(config: Self.config)
        let info = try HTTPTestClient.request(port: agent.dataPort, path: "/")
        #expect(info.status == 200)
        #expect(info.json?["service"] as? String == "uservice")
        #expect(info.json?["state"] as? String == "ready")

        let echo = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/echo", headers: ["content-type": "text/x-test"], body: "héllo"
        )
        #expect(echo.status == 200)
        #expect(echo.body == "héllo")
        #expect(echo.headers["content-type"] == "text/x-test")

        let work = try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=50")
        #expect(work.json?["workedMs"] as? Int == 50)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=5000").status == 400)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=-1").status == 400)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/missing").status == 404)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/echo").status == 405)

        let access = agent.waitForLog { $0["logger"] as? String == "access" && $0["path"] as? String == "/work" }
        #expect(access?["method"] as? String == "GET")
        #expect(access?["status"] as? Int == 200)
        #expect(access?["bytes"] as? Int == 15)
        #expect(access?["durationMs"] as? Double ?? 0 >= 50)
        #expect((access?["remote"] as? String)?.hasPrefix("127.0.0.1:") == true)
        agent.waitForLog { $0["logger"] as? String == "access" && $0["status"] as? Int == 405 }
        #expect(agent.logLines.filter { $0["logger"] as? String == "access" }.count == 7)
    }

    @Test("/metrics is valid Prometheus text with the contract's metric names")
    func metrics() throws {
        let agent = try RunningAgent(config: Self.config)
        _ = try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=10")
        _ = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz")
        let response = try HTTPTestClient.request(port: agent.healthPort, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let metrics = try PrometheusText(response.body)

        for name in [
            "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
            "process_start_time_seconds",
        ] {
            #expect(metrics.values(name).count == 1, "\(name)")
        }
        #expect(metrics.types["process_cpu_seconds_total"] == "counter")
        #expect(metrics.values("process_resident_memory_bytes").first ?? 0 > 1_000_000)
        #expect(metrics.values("process_open_fds").first ?? 0 >= 3)
        #expect(metrics.types["http_server_request_duration_seconds"] == "histogram")
        #expect(
            metrics.values(
                "http_server_request_duration_seconds_count", ["method": "GET", "route": "/work", "status": "200"]) == [
                    1
                ])
        #expect(
            metrics.values("http_server_request_duration_seconds_count", ["route": "/readyz", "status": "200"]) == [1])
        let buckets = metrics.values("http_server_request_duration_seconds_bucket", ["route": "/work"])
        #expect(buckets == buckets.sorted(), "buckets are cumulative")
        #expect(metrics.values("http_server_active_requests") == [1], "the scrape itself is in flight")
        #expect(metrics.values("uservice_lifecycle_state", ["state": "ready"]) == [1])
        #expect(metrics.values("uservice_lifecycle_state", ["state": "draining"]) == [0])
    }

    @Test("a port in use stops start with exit 1 and a one-line reason")
    func portInUse() throws {
        let first = try RunningAgent(config: Self.config)
        let second = try UServiceBinary.run(
            ["start", "--log-format", "text", "-c", "/dev/stdin"],
            stdin: "health: {port: \(first.healthPort)}\nserver: {port: 0}\n")
        #expect(second.status == 1)
        let lines = second.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("cannot start: the health listener cannot bind 0.0.0.0:\(first.healthPort)") == true)
    }
}
