import Foundation
import Testing

/// Config changes reach a running agent without a signal: edits of the file, and the way
/// kubelet updates a mounted ConfigMap (a new timestamped folder, then an atomic swap of the
/// `..data` symlink the file resolves through).
@Suite("uservice start: config file watch", .serialized)
struct ConfigFileWatchTests {
    static func config(name: String) -> String {
        "service: {name: \(name)}\nhealth: {port: 0}\nserver: {port: 0}\n"
    }

    /// Whether `GET /` on the data port answers with the service name `expected` within
    /// `seconds`, asking every `interval` microseconds.
    static func waitForServiceName(
        _ expected: String,
        on agent: RunningAgent,
        within seconds: TimeInterval = 2,
        interval: useconds_t = 50_000
    ) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let answer = try HTTPTestClient.request(port: agent.dataPort, path: "/")
            if answer.json?["service"] as? String == expected { return true }
            usleep(interval)
        } while Date() < deadline
        return false
    }

    static func reloads(_ agent: RunningAgent) -> Int {
        agent.logLines.filter { $0["message"] as? String == "config reloaded" }.count
    }

    @Test("an edited file is applied within 2 s, once; rewriting the same content changes nothing")
    func editedFile() throws {
        let agent = try RunningAgent(config: Self.config(name: "first"))
        #expect(try Self.waitForServiceName("first", on: agent))
        try agent.rewriteConfig(Self.config(name: "second"))
        #expect(try Self.waitForServiceName("second", on: agent), "not applied within 2 s")
        let reloaded = agent.waitForLog { $0["message"] as? String == "config reloaded" }
        #expect(reloaded?["trigger"] as? String == "file changed")
        #expect(reloaded?["changed"] as? String == "service")

        try agent.rewriteConfig(Self.config(name: "second"))
        usleep(600_000)
        #expect(Self.reloads(agent) == 1, "the same content was applied again")

        try agent.rewriteConfig("service: {name: 7}\n")
        let rejected = agent.waitForLog { $0["message"] as? String == "config rejected, keeping the running config" }
        #expect(rejected?["trigger"] as? String == "file changed")
        #expect(try Self.waitForServiceName("second", on: agent, within: 0.2), "the old config is kept")
        try agent.rewriteConfig(Self.config(name: "third"))
        #expect(try Self.waitForServiceName("third", on: agent))
    }

    @Test("kubelet's swap of the ..data symlink of a mounted ConfigMap is applied within 2 s")
    func configMapSwap() throws {
        let fileManager = FileManager.default
        let volume = fileManager.temporaryDirectory.appendingPathComponent("configmap-\(UUID())")
        try fileManager.createDirectory(at: volume, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: volume) }
        /// Writes one version as kubelet's atomic writer does, and points `..data` at it.
        func publish(_ version: String, _ config: String) throws {
            let folder = volume.appendingPathComponent("..\(version)")
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            try config.write(to: folder.appendingPathComponent("uservice.yaml"), atomically: false, encoding: .utf8)
            let staged = volume.appendingPathComponent("..data_tmp")
            try fileManager.createSymbolicLink(atPath: staged.path, withDestinationPath: "..\(version)")
            #expect(rename(staged.path, volume.appendingPathComponent("..data").path) == 0)
        }
        try publish("2026_11_30_10_00_00.1", Self.config(name: "mounted-first"))
        try fileManager.createSymbolicLink(
            atPath: volume.appendingPathComponent("uservice.yaml").path, withDestinationPath: "..data/uservice.yaml")

        let agent = try RunningAgent(config: "", configFile: volume.appendingPathComponent("uservice.yaml"))
        #expect(try Self.waitForServiceName("mounted-first", on: agent))
        try publish("2026_11_30_10_01_00.2", Self.config(name: "mounted-second"))
        try fileManager.removeItem(at: volume.appendingPathComponent("..2026_11_30_10_00_00.1"))
        #expect(try Self.waitForServiceName("mounted-second", on: agent), "the swap was not applied within 2 s")
        usleep(400_000)
        #expect(Self.reloads(agent) == 1)
    }
}
