import Foundation
import Testing

/// What the host does about a plugin that is slow, hangs, or answers oddly: the call limit,
/// the timeout, the status check, and shutdown with calls still running.
@Suite("plugins: limits and answers", .serialized)
struct PluginLimitTests {
    /// Tests/Tools/scripted_plugin.c, which the hostile-client test uses too: `hang` never
    /// returns, `sleep N` returns after N ms, `status N` answers status N; its deinit writes
    /// `scripted deinit` to standard error.
    static func compileScripted() throws -> String {
        let source = Corpus.folder.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tools/scripted_plugin.c")
        return try PluginTests.compilePlugin(String(contentsOf: source, encoding: .utf8))
    }

    static func call(_ agent: RunningAgent, _ body: String) throws -> HTTPTestClient.Response {
        try HTTPTestClient.request(port: agent.dataPort, method: "POST", path: "/plugins/scripted", body: body)
    }

    /// Runs `body` `count` times at once and returns what each returned.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable () throws -> T) throws -> [T] {
        let results = NSLock()
        nonisolated(unsafe) var collected: [Result<T, any Error>] = []
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            let result = Result { try body() }
            results.withLock { collected.append(result) }
        }
        return try collected.map { try $0.get() }
    }

    @Test("calls past maxPluginCalls get 503, slow ones 504, and a hung plugin holds neither connections nor exit")
    func hungPlugin() throws {
        let plugin = try Self.compileScripted()
        let agent = try RunningAgent(
            config: """
                health: {port: 0}
                server: {port: 0, maxPluginCalls: 2, pluginTimeout: 500ms}
                lifecycle: {drainDelay: 0s, shutdownTimeout: 2s}
                plugins: [\(plugin)]
                """)
        let waited = Date()
        let hungStatuses = try Self.concurrently(2) { try Self.call(agent, "hang").status }
        #expect(Date().timeIntervalSince(waited) < 5, "a hung plugin call is answered")
        #expect(hungStatuses == [504, 504])

        // Both plugin threads are still inside the plugin: a new call is refused at once.
        let busy = try Self.call(agent, "sleep 0")
        #expect(busy.status == 503)
        #expect(busy.headers["retry-after"] == "1")
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200)
        #expect(try HTTPTestClient.request(port: agent.dataPort, path: "/").status == 200)

        let metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        #expect(metrics.values("uservice_plugin_calls_refused_total", ["reason": "busy"]) == [1])
        #expect(metrics.values("uservice_plugin_calls_refused_total", ["reason": "timeout"]) == [2])

        agent.signal(SIGTERM)
        #expect(agent.waitForExit(timeout: 10) != nil, "exits although the plugin never returns")
        #expect(agent.logText.contains("plugin still running at exit; its deinit is skipped"))
        #expect(!agent.logText.contains("scripted deinit"), "deinit never runs while plugin code does")
    }

    @Test("a plugin call within the timeout is answered, and deinit runs after it at exit")
    func slowButInTime() throws {
        let plugin = try Self.compileScripted()
        let agent = try RunningAgent(
            config: """
                health: {port: 0}
                server: {port: 0, pluginTimeout: 2s}
                lifecycle: {drainDelay: 0s}
                plugins: [\(plugin)]
                """)
        #expect(try Self.call(agent, "sleep 300").status == 200)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
        #expect(agent.logText.contains("scripted deinit"))
    }

    @Test("a plugin's status must be final: 1xx and out-of-range become 502, 204 and 304 lose their body")
    func statuses() throws {
        let plugin = try Self.compileScripted()
        let agent = try RunningAgent(config: "health: {port: 0}\nserver: {port: 0}\nplugins: [\(plugin)]\n")
        for status in [101, 199, 600, 65535] {
            let response = try Self.call(agent, "status \(status)")
            #expect(response.status == 502, "\(status)")
            #expect(response.body.contains("invalid status \(status)"))
        }
        for status in [204, 304] {
            let connection = try HTTPTestClient.Connection(port: agent.dataPort)
            connection.send("POST /plugins/scripted HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nstatus \(status)")
            connection.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            let bytes = connection.receive {
                String(decoding: $0, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count == 3
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let first = String(text[..<text.range(of: "HTTP/1.1 200")!.lowerBound])
            #expect(first.hasPrefix("HTTP/1.1 \(status) "), "\(text)")
            #expect(first.hasSuffix("\r\n\r\n") && !first.lowercased().contains("content-length"), "\(first)")
        }
        #expect(try Self.call(agent, "status 299").status == 299)
        let metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        #expect(
            metrics.values("http_server_request_duration_seconds_count", ["route": "/plugins/{name}", "status": "2xx"])
                == [1])
        #expect(
            metrics.values("http_server_request_duration_seconds_count", ["route": "/plugins/{name}", "status": "299"])
                .isEmpty)
    }

    @Test("a plugin path without a slash is the file in the working directory, logged absolute")
    func pathWithoutSlash() throws {
        let plugin = URL(fileURLWithPath: try Self.compileScripted())
        let agent = try RunningAgent(
            config: "health: {port: 0}\nserver: {port: 0}\n", arguments: ["--plugin", plugin.lastPathComponent],
            workingDirectory: plugin.deletingLastPathComponent())
        let loaded = agent.logLines.first { $0["message"] as? String == "plugin loaded" }
        #expect(loaded?["path"] as? String == plugin.resolvingSymlinksInPath().path)
        #expect(try Self.call(agent, "status 201").status == 201)
    }
}
