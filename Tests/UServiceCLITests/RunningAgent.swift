import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `uservice start` process on free ports, for integration tests.
///
/// Writes `config` (YAML; `health.port` and `server.port` default to 0) to a temporary file,
/// starts the real binary with JSON logs, and waits for its `ready` line to learn the ports.
final class RunningAgent: @unchecked Sendable {
    let process = Process()
    let configURL: URL
    private(set) var healthPort = 0
    private(set) var dataPort = 0
    private let lock = NSLock()
    private var output = Data()

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameters:
    ///   - environment: added to the test's environment, from which the Kubernetes service
    ///     variables are removed first, so no test reaches a real cluster by accident.
    ///   - workingDirectory: where the agent runs; the test's own by default.
    ///   - configFile: a config file the test laid out itself; `config` is then not written.
    init(
        config: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        workingDirectory: URL? = nil,
        configFile: URL? = nil
    ) throws {
        if let configFile {
            self.configURL = configFile
        } else {
            self.configURL = FileManager.default.temporaryDirectory.appendingPathComponent("uservice-\(UUID()).yaml")
            try config.write(to: self.configURL, atomically: true, encoding: .utf8)
        }
        self.process.executableURL = URL(fileURLWithPath: UServiceBinary.path)
        self.process.arguments = ["start", "--config", self.configURL.path, "--log-format", "json"] + arguments
        self.process.currentDirectoryURL = workingDirectory
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["KUBERNETES_SERVICE_HOST"] = nil
        processEnvironment["KUBERNETES_SERVICE_PORT"] = nil
        self.process.environment = processEnvironment.merging(environment) { $1 }
        let pipe = Pipe()
        self.process.standardError = pipe
        self.process.standardOutput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self, !chunk.isEmpty else { return }
            self.lock.withLock { self.output.append(chunk) }
        }
        try self.process.run()
        guard let ready = self.waitForLog(timeout: 20, { $0["message"] as? String == "ready" }) else {
            self.process.terminate()
            throw StartFailure(description: "agent did not get ready; log:\n\(self.logText)")
        }
        self.healthPort = ready["healthPort"] as? Int ?? 0
        self.dataPort = ready["dataPort"] as? Int ?? 0
    }

    deinit {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(at: self.configURL)
    }

    /// Everything the agent logged so far.
    var logText: String {
        self.lock.withLock { String(decoding: self.output, as: UTF8.self) }
    }

    /// The JSON log lines so far.
    var logLines: [[String: Any]] {
        self.logText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Waits until a log line matches, for up to `timeout` seconds.
    @discardableResult
    func waitForLog(timeout: TimeInterval = 10, _ matches: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let line = self.logLines.first(where: matches) { return line }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    func signal(_ signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status, or nil after `timeout` seconds.
    func waitForExit(timeout: TimeInterval = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while self.process.isRunning && Date() < deadline { usleep(20_000) }
        if self.process.isRunning { return nil }
        self.process.waitUntilExit()
        usleep(100_000)  // let the last log lines arrive
        return self.process.terminationStatus
    }

    /// Replaces the config file (for SIGHUP tests).
    func rewriteConfig(_ config: String) throws {
        try config.write(to: self.configURL, atomically: true, encoding: .utf8)
    }
}
