import Foundation

/// The Kubernetes API stand-in (`Tests/Tools/fake_apiserver.py`) with a service-account
/// folder for the agent: a token, the stand-in's CA as `ca.crt`, and a `namespace` file.
final class FakeAPIServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/fake_apiserver.py").path

    let folder: URL
    let serviceAccountDir: URL
    let namespace: String
    let podName: String
    let podUID = UUID().uuidString.lowercased()
    private(set) var apiPort = 0
    private(set) var controlPort = 0
    private let process = Process()
    private let input = Pipe()

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// One API request as the stand-in received it.
    struct Request {
        var method: String
        var path: String
        /// The HTTP status, `reset` / `hang` for a fault that sent none, or `lost CODE` when
        /// the request took effect but its answer was replaced by a reset.
        var status: String
        var token: String?
        var contentType: String?
        var body: [String: Any]?
        var time: Double
        /// The client's port: requests on one kept-alive connection share it.
        var clientPort: Int
    }

    init(
        token: String = "token-\(UUID().uuidString)", namespace: String = "demo", podName: String = "web-7d4b9c-x2x9z"
    )
        throws
    {
        self.namespace = namespace
        self.podName = podName
        self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("fake-apiserver-\(UUID())")
        self.serviceAccountDir = self.folder.appendingPathComponent("serviceaccount")
        let pki = self.folder.appendingPathComponent("pki")
        for directory in [self.serviceAccountDir, pki] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try self.writeToken(token)
        try "\(namespace)\n".write(
            to: self.serviceAccountDir.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)

        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = [
            "python3", Self.script, "--pki-dir", pki.path,
            "--ca-out", self.serviceAccountDir.appendingPathComponent("ca.crt").path, "--token", token,
            "--namespace", namespace, "--pod-name", podName, "--pod-uid", self.podUID,
        ]
        let output = Pipe()
        self.process.standardInput = self.input
        self.process.standardOutput = output
        try self.process.run()
        let line = output.fileHandleForReading.readLine()
        guard let data = line.data(using: .utf8),
            let ports = try? JSONSerialization.jsonObject(with: data) as? [String: Int],
            let api = ports["api"], let control = ports["control"]
        else {
            self.process.terminate()
            throw StartFailure(description: "the fake API server did not start; it printed: \(line)")
        }
        self.apiPort = api
        self.controlPort = control
    }

    deinit {
        try? self.input.fileHandleForWriting.close()
        self.process.terminate()
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.folder)
    }

    /// What the agent needs to find this cluster: the Kubernetes service and downward-API
    /// variables (the pod's namespace comes from the `namespace` file unless given).
    func environment(namespace: String? = nil) -> [String: String] {
        var environment = [
            "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(self.apiPort)",
            "POD_NAME": self.podName,
        ]
        environment["POD_NAMESPACE"] = namespace
        return environment
    }

    /// The `kubernetes` config section for this cluster.
    func configSection(extra: String = "") -> String {
        """
        kubernetes:
          enabled: true
          serviceAccountDir: \(self.serviceAccountDir.path)
        \(extra)
        """
    }

    /// Rotates the token file, as the kubelet does.
    func writeToken(_ token: String) throws {
        try token.write(to: self.serviceAccountDir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
    }

    /// From now on, only `token` is accepted.
    func acceptOnly(token: String) throws {
        try self.control("/token", ["token": token])
    }

    /// Injects a fault: `mode` is an HTTP status (`500`, `503`, `429`), `hang`, `reset`,
    /// `lose-response` (the request takes effect, then the connection is reset), or `redirect`
    /// (307 to `location`, by default the same path under `/redirected` on this server);
    /// it hits the next `count` requests matching `method` and `path` (a part of the path and
    /// query), -1: until cleared.
    func inject(
        _ mode: String, count: Int = -1, retryAfter: Int = 1, method: String? = nil, path: String? = nil,
        location: String? = nil
    )
        throws
    {
        var body: [String: Any] = ["mode": mode, "count": count, "retryAfter": retryAfter]
        body["method"] = method
        body["path"] = path
        body["location"] = location
        try self.control("/fault", body)
    }

    /// Removes every fault and releases hung requests.
    func clearFaults() throws {
        try self.control("/clear-faults", [:])
    }

    /// Forgets the stored Events, as their time-to-live would.
    func deleteEvents() throws {
        try self.control("/delete-events", [:])
    }

    /// Creates or replaces the ConfigMap `name` (an `ADDED` or `MODIFIED` watch event).
    func setConfigMap(_ name: String, data: [String: String]) throws {
        try self.control("/configmap", ["name": name, "data": data])
    }

    /// Deletes the ConfigMap `name` (a `DELETED` watch event).
    func deleteConfigMap(_ name: String) throws {
        try self.control("/delete-configmap", ["name": name])
    }

    /// Sets the pod's annotations to exactly `annotations` (a `MODIFIED` watch event).
    func setPodAnnotations(_ annotations: [String: String]) throws {
        try self.control("/pod-annotations", ["annotations": annotations])
    }

    /// Ends every open watch stream cleanly, as the server's own timeout would.
    func closeWatches() throws {
        try self.control("/close-watches", [:])
    }

    /// Resets the connection of every open watch stream.
    func resetWatches() throws {
        try self.control("/reset-watches", [:])
    }

    /// Drops the history: a watch resuming from any version seen so far gets a 410 `ERROR` event.
    func compact() throws {
        try self.control("/compact", [:])
    }

    /// How watch streams are cut into chunks: `whole` (a line a chunk), `fragmented` (each
    /// line in three chunks) or `batched` (the lines pending at once in one chunk); and how
    /// often they carry a bookmark (seconds).
    func setWatchOptions(chunking: String? = nil, bookmarkInterval: Double? = nil) throws {
        var options: [String: Any] = [:]
        options["chunking"] = chunking
        options["bookmarkInterval"] = bookmarkInterval
        try self.control("/watch-options", options)
    }

    /// The open watch streams, as `resource/name` (e.g. `configmaps/uservice-config`).
    func openWatches() throws -> [String] {
        let list = try self.fetch("/watches") as? [[String: Any]] ?? []
        return list.map { "\($0["resource"] as? String ?? "")/\($0["name"] as? String ?? "")" }
    }

    /// Waits until `count` watch streams are open, for up to `timeout` seconds.
    @discardableResult
    func waitForWatches(_ count: Int, timeout: TimeInterval = 15) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while try self.openWatches().count != count {
            guard Date() < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

    /// Every API request received so far.
    func requests() throws -> [Request] {
        let list = try self.fetch("/requests") as? [[String: Any]] ?? []
        return list.map { entry in
            Request(
                method: entry["method"] as? String ?? "", path: entry["path"] as? String ?? "",
                status: (entry["status"]).map { "\($0)" } ?? "", token: entry["token"] as? String,
                contentType: entry["contentType"] as? String, body: entry["body"] as? [String: Any],
                time: entry["time"] as? Double ?? 0, clientPort: entry["clientPort"] as? Int ?? 0)
        }
    }

    /// The Events stored so far, as the API server returns them.
    func events() throws -> [[String: Any]] {
        try self.fetch("/events") as? [[String: Any]] ?? []
    }

    /// Waits until the stored Events satisfy `condition`, for up to `timeout` seconds.
    @discardableResult
    func waitForEvents(timeout: TimeInterval = 15, _ condition: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        var events = try self.events()
        while !condition(events) && Date() < deadline {
            usleep(50_000)
            events = try self.events()
        }
        return events
    }

    private func control(_ path: String, _ body: [String: Any]) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let response = try HTTPTestClient.request(port: self.controlPort, method: "POST", path: path, body: text)
        guard response.status == 200 else { throw StartFailure(description: "control \(path): \(response.status)") }
    }

    private func fetch(_ path: String) throws -> Any {
        let response = try HTTPTestClient.request(port: self.controlPort, path: path)
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8))
    }
}

extension [String: Any] {
    /// The value at a dotted path, e.g. `regarding.uid`.
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        return current
    }
}

extension FileHandle {
    /// Reads one line (without its newline), blocking.
    func readLine() -> String {
        var bytes: [UInt8] = []
        while let byte = try? self.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            bytes.append(first)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
