#if Kafka
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The agent built with the Kafka trait against librdkafka's mock cluster on loopback, read
/// back by kcat: keys and JSON, the flush at drain, a broker away at start, a full queue.
@Suite("kafka", .serialized)
struct KafkaTests {
    static let podName = "web-5f6d7c-q8v2n"

    static func config(
        _ cluster: MockKafkaCluster,
        kafka extra: String = "",
        drainDelay: String = "100ms"
    ) -> String {
        """
        service:
          name: web
        health:
          port: 0
        server:
          port: 0
        lifecycle:
          drainDelay: \(drainDelay)
        kafka:
          brokers: [\(cluster.bootstrap)]
          topic: \(cluster.topic)
        \(extra.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
        """
    }

    static func start(_ config: String, arguments: [String] = []) throws -> RunningAgent {
        try RunningAgent(config: config, arguments: arguments, environment: ["POD_NAME": Self.podName])
    }

    /// Sends `count` `POST /echo` requests on one kept-alive connection.
    static func echo(_ count: Int, port: Int) throws {
        let connection = try HTTPTestClient.Connection(port: port)
        for index in 0..<count {
            let body = "record \(index)"
            connection.send("POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(try connection.readResponse().status == 200)
        }
    }

    static func messages(_ agent: RunningAgent, _ result: String) throws -> Double {
        let metrics = try PrometheusText(HTTPTestClient.request(port: agent.healthPort, path: "/metrics").body)
        return metrics.values("uservice_kafka_messages_total", ["result": result]).first ?? 0
    }

    /// Polls `condition` every 100 ms for up to `timeout` seconds.
    static func eventually(timeout: TimeInterval = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(100_000)
        } while Date() < deadline
        return try condition()
    }

    @Test("events, requests and plugin answers arrive as JSON keyed by the pod")
    func recordsArriveKeyedByPod() throws {
        let cluster = try MockKafkaCluster()
        let agent = try Self.start(
            Self.config(cluster, kafka: "publish: {events: true, accessLog: true, plugins: true}"),
            arguments: ["--plugin", PluginTests.echo])
        try Self.echo(2, port: agent.dataPort)
        let plugin = try HTTPTestClient.request(
            port: agent.dataPort, method: "POST", path: "/plugins/echo", body: "ping")
        #expect(plugin.status == 200)
        // Started, PluginLoaded, Ready, two requests, the plugin's answer and its request.
        #expect(try Self.eventually { try Self.messages(agent, "delivered") == 7 })
        #expect(try Self.messages(agent, "failed") == 0)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kafka").status == 200)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)

        let records = try cluster.records()
        #expect(Set(records.map(\.key)) == [Self.podName])
        for record in records {
            #expect(record.value["service"] as? String == "web")
            #expect(record.value["pod"] as? String == Self.podName)
            #expect((record.value["time"] as? String)?.hasSuffix("Z") == true)
        }
        let events = records.filter { $0.value["kind"] as? String == "event" }
        #expect(
            events.compactMap { $0.value["reason"] as? String } == [
                "Started", "PluginLoaded", "Ready", "Draining", "Stopped",
            ])
        #expect(events.last?.value["note"] as? String == "stopped: every request in flight completed")
        let requests = records.filter { $0.value["kind"] as? String == "request" }
        #expect(requests.map { $0.value["path"] as? String } == ["/echo", "/echo", "/plugins/echo"])
        #expect(requests.first?.value["status"] as? Int == 200)
        #expect(requests.first?.value["bytes"] as? Int == "record 0".utf8.count)
        let outputs = records.filter { $0.value["kind"] as? String == "pluginOutput" }
        #expect(outputs.count == 1)
        #expect(outputs.first?.value["plugin"] as? String == "echo")
        #expect(outputs.first?.value["output"] as? String == "PING")  // the echo plugin answers in upper case
    }

    @Test("1,000 records sent just before SIGTERM are all delivered before the agent exits")
    func drainFlushesEveryRecord() throws {
        let cluster = try MockKafkaCluster()
        let agent = try Self.start(
            Self.config(
                cluster, kafka: "linger: 250ms\nflushTimeout: 20s\npublish: {events: false, accessLog: true}",
                drainDelay: "0s"))
        // A slow broker keeps the records in flight when SIGTERM comes (the mock answers one
        // request at a time: a long linger makes few, large batches).
        try cluster.command("rtt 300")
        try Self.echo(1000, port: agent.dataPort)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)

        let flushed = agent.logLines.first { $0["message"] as? String == "kafka: flushed" }
        #expect(flushed?["records"] as? Int ?? 0 > 0, "records were still pending at SIGTERM")
        let paths = try cluster.records().compactMap { $0.value["path"] as? String }
        #expect(paths.count == 1000)
        #expect(!agent.logText.contains("not delivered"))
    }

    @Test("a broker away at start: the agent starts, probes say so, records wait and then arrive")
    func brokerAwayAtStart() throws {
        let cluster = try MockKafkaCluster()
        try cluster.command("down")
        let agent = try Self.start(Self.config(cluster, kafka: "readiness: true\npublish: {accessLog: true}"))
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/livez").status == 200)
        // The first check waits for the metadata request to time out.
        #expect(
            try Self.eventually {
                try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kafka").body.contains(
                    "brokers unreachable")
            })
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz/kafka").status == 503)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 503)
        try Self.echo(10, port: agent.dataPort)
        #expect(try Self.messages(agent, "delivered") == 0)

        try cluster.command("up")
        #expect(
            try Self.eventually { try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 200 })
        // Started, Ready and the ten requests, none lost while the broker was away.
        #expect(try Self.eventually { try Self.messages(agent, "delivered") == 12 })
        #expect(try Self.messages(agent, "dropped") == 0)
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
        let records = try cluster.records()
        #expect(records.filter { $0.value["kind"] as? String == "request" }.count == 10)
    }

    @Test("a full local queue drops and counts records; the drain gives up on the rest in time")
    func fullQueueDropsAndCounts() throws {
        let cluster = try MockKafkaCluster()
        try cluster.command("down")
        let agent = try Self.start(
            Self.config(cluster, kafka: "queueSize: 5\nflushTimeout: 1s\npublish: {accessLog: true}"))
        try Self.echo(20, port: agent.dataPort)
        // Started, Ready and three requests fill the queue; the other 17 requests are dropped.
        #expect(try Self.messages(agent, "dropped") == 17)
        #expect(try HTTPTestClient.request(port: agent.healthPort, path: "/readyz").status == 200)

        let signalled = Date()
        agent.signal(SIGTERM)
        #expect(agent.waitForExit() == 0)
        #expect(Date().timeIntervalSince(signalled) < 10)
        let warning = agent.logLines.first {
            $0["message"] as? String == "kafka: records not delivered: the flush timeout passed"
        }
        #expect(warning?["records"] as? Int == 5)
    }
}
#endif
