import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Drain, forced exit, the preStop hook and config reload, on the running binary.
@Suite("uservice start: lifecycle", .serialized)
struct AgentLifecycleTests {
    /// Sends `count` requests on their own connections at once; returns their statuses
    /// (0 for a request that got no response) once all are answered.
    private static func concurrentRequests(_ count: Int, port: Int, path: String) -> () -> [Int] {
        let statuses = StatusList()
        let group = DispatchGroup()
        let connected = DispatchSemaphore(value: 0)
        for _ in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? HTTPTestClient.Connection(port: port, timeout: 30) else {
                    connected.signal()
                    statuses.append(-1)
                    return
                }
                connection.send("GET \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
                connected.signal()
                let status = (try? connection.readResponse())?.status ?? 0
                statuses.append(status)
            }
        }
        for _ in 0..<count { connected.wait() }
        return {
            group.wait()
            return statuses.values
        }
    }

    @Test("SIGTERM with 50 slow requests in flight: all complete, late connections are refused, exit 0")
    func drainOnSIGTERM() throws {
        let agent = try RunningAgent(
            config: "health: {port: 0}\nserver: {port: 0}\nlifecycle: {drainDelay: 1500ms, shutdownTimeout: 10s}\n")
        let finish = Self.concurrentRequests(50, port: agent.dataPort, path: "/work?ms=2500")
        agent.waitForLog(timeout: 5) { _ in
            (try? HTTPTestClient.request(port: agent.healthPort, path: "/metrics"))
                .flatMap { try? PrometheusText($0.body) }?.values("http_server_active_requests").first == 51
        }
        agent.signal(SIGTERM)

        #expect(agent.waitForLog { $0["message"] as? String == "draining" }?["trigger"] as? String == "SIGTERM")
        let readiness = try HTTPTestClient.request(port: agent.healthPort, path: "/readyz")
        #expect(readiness.status == 503)
        #expect(
            (readiness.json?["checks"] as? [String: [String: Any]])?["lifecycle"]?["output"] as? String == "draining")
        #expect(
            try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200,
            "liveness holds while draining")

        let duringDelay = try HTTPTestClient.request(port: agent.dataPort, path: "/")
        #expect(duringDelay.status == 200)
        #expect(duringDelay.headers["connection"] == "close")

        agent.waitForLog { $0["message"] as? String == "drain delay over: no longer accepting connections" }
        #expect(throws: HTTPTestClient.Failure.connectionRefused) {
            _ = try HTTPTestClient.Connection(port: agent.dataPort)
        }
        #expect(
            try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 503, "probes still answer")

        let statuses = finish()
        #expect(statuses.count == 50)
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(agent.waitForExit() == 0)
        #expect(agent.logLines.contains { $0["message"] as? String == "drained" })
        #expect(
            agent.logLines.filter { $0["logger"] as? String == "access" && $0["path"] as? String == "/work" }.count
                == 50)
    }

    @Test("the shutdown timeout cuts what is still running, says so, and exits 1")
    func shutdownTimeoutCuts() throws {
        let agent = try RunningAgent(
            config:
                "health: {port: 0}\nserver: {port: 0, maxWork: 30s}\nlifecycle: {drainDelay: 0s, shutdownTimeout: 300ms}\n"
        )
        let finish = Self.concurrentRequests(3, port: agent.dataPort, path: "/work?ms=20000")
        usleep(200_000)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit(timeout: 10) == 1)
        let cut = agent.logLines.first {
            $0["message"] as? String == "shutdown timeout reached: closed connections with work in flight"
        }
        #expect(cut?["requests"] as? Int == 3)
        #expect(finish() == [0, 0, 0])
    }

    @Test("a second SIGTERM exits at once, naming what it cut")
    func secondSignalForcesExit() throws {
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0}\nlifecycle: {drainDelay: 20s}\n")
        let finish = Self.concurrentRequests(2, port: agent.dataPort, path: "/work?ms=9000")
        usleep(200_000)
        agent.signal(SIGTERM)
        agent.waitForLog { $0["message"] as? String == "draining" }
        agent.signal(SIGINT)
        #expect(agent.waitForExit(timeout: 5) == 1)
        let line = agent.logLines.first { $0["message"] as? String == "second termination signal: exiting now" }
        #expect(line?["level"] as? String == "critical")
        #expect(line?["requests"] as? Int == 2)
        #expect(finish() == [0, 0])
    }

    @Test("/prestop starts the drain at once, answers after the drain delay, and the agent exits 0")
    func preStopHook() throws {
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0}\nlifecycle: {drainDelay: 800ms}\n")
        let started = Date()
        let answer = Thread.runDetached {
            (try? HTTPTestClient.request(port: agent.healthPort, method: "POST", path: "/prestop"), Date())
        }
        agent.waitForLog { $0["message"] as? String == "draining" }
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 503)
        let (response, answeredAt) = answer()
        #expect(answeredAt.timeIntervalSince(started) >= 0.75, "answers only after the drain delay")
        #expect(response?.status == 200)
        #expect(response?.json?["state"] as? String == "draining")
        #expect(agent.waitForExit() == 0)
        #expect(
            agent.logLines.first { $0["message"] as? String == "draining" }?["trigger"] as? String == "preStop hook")
    }

    @Test("uservice drain asks the agent to drain and waits for it")
    func drainCommand() throws {
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0}\nlifecycle: {drainDelay: 300ms}\n")
        let result = try UServiceBinary.run([
            "drain", "--url", "http://127.0.0.1:\(agent.healthPort)/prestop", "--timeout", "5s",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\"state\":\"draining\""))
        #expect(agent.waitForExit() == 0, "the drain completes without a signal")

        let nobody = try UServiceBinary.run(["drain", "--url", "http://127.0.0.1:\(agent.healthPort)/prestop"])
        #expect(nobody.status == 1)
        #expect(nobody.standardError.hasPrefix("uservice drain: http://127.0.0.1:\(agent.healthPort)/prestop: "))
    }

    @Test("SIGHUP applies a valid config, keeps ports and command-line log options, and rejects an invalid one")
    func reload() throws {
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0, maxWork: 100ms}\n")
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=200").status == 400)

        // --log-format json (from RunningAgent) keeps winning over the reloaded format: text.
        try agent.rewriteConfig(
            "health: {port: 0}\nserver: {port: 1, maxWork: 1s}\nlogging: {level: debug, format: text}\n")
        agent.signal(SIGHUP)
        let reloaded = agent.waitForLog { $0["message"] as? String == "config reloaded" }
        #expect(reloaded?["changed"] as? String == "server,logging")
        #expect(
            agent.logLines.contains {
                $0["message"] as? String
                    == "config reload: server.port changes only on restart; keeping the running value"
            })
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=200").status == 200)

        try agent.rewriteConfig("server:\n  maxWork: soon\n")
        agent.signal(SIGHUP)
        let rejected = agent.waitForLog { $0["message"] as? String == "config rejected, keeping the running config" }
        #expect(rejected?["errors"] as? Int == 1)
        let detail =
            "config rejected: \(agent.configURL.path):2:12: error: invalid duration \"soon\": expected a number before \"soon\""
        #expect(agent.logLines.contains { $0["message"] as? String == detail })
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/work?ms=200").status == 200, "old config kept")
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 200)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
    }
}

/// Statuses collected from many threads.
private final class StatusList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []

    func append(_ status: Int) {
        self.lock.withLock { self.list.append(status) }
    }

    var values: [Int] {
        self.lock.withLock { self.list }
    }
}

extension Thread {
    /// Runs `body` on a new thread; the returned function waits for and returns its result.
    static func runDetached<Result>(_ body: @escaping @Sendable () -> Result) -> () -> Result {
        let box = ResultBox<Result>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.value = body()
            done.signal()
        }
        return {
            done.wait()
            return box.value!
        }
    }
}

private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}
