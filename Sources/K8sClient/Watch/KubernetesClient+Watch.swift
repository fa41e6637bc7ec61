public import CurlHTTP
import FoundationEssentials

extension KubernetesClient {
    /// The longest watch event line (and list answer) accepted. A ConfigMap holds at most
    /// 1 MiB; as JSON, escapes make it longer (a newline two bytes, `<`, `>`, `&` and control
    /// characters six, as kube-apiserver writes them), so a config of ordinary text fits with
    /// room to spare. Past the limit the stream is stopped with
    /// ``KubernetesError/invalidResponse(_:)`` and nothing of the line is kept.
    public static let maxObjectBytes = 4 << 20

    /// Lists the objects named `name` in the pod's namespace: a `GET` of the collection with
    /// `fieldSelector=metadata.name=NAME`, which RBAC `resourceNames` can allow, and which
    /// gives the version to start a watch from.
    public func list<Object: WatchableObject>(
        _ type: Object.Type,
        named name: String,
        cancellation: TransferCancellation? = nil
    ) throws(KubernetesError) -> ObjectList<Object> {
        try self.call(
            verb: "list", method: "GET", path: self.collectionPath(Object.self, named: name),
            cancellation: cancellation)
    }

    /// Watches the objects named `name` from `resourceVersion` on: `opened` runs once the
    /// server accepted the watch, then `onEvent` with each event as it arrives, on the calling
    /// thread. Bookmarks are asked for.
    ///
    /// - Parameter timeout: how long the server keeps the stream open (`timeoutSeconds`); the
    ///   transfer itself may take 30 s more, and its head at most the client's request timeout.
    /// - Returns: when the server ended the stream cleanly (its timeout), or after an `ERROR`
    ///   event, which `onEvent` saw last. Events of a type this client does not know are
    ///   handed over as ``WatchEvent/unknown``.
    /// - Throws: ``KubernetesError``: an error status (410 when `resourceVersion` is too old),
    ///   no response or a stream cut, a line that is not an event or is over ``maxObjectBytes``.
    public func watch<Object: WatchableObject>(
        _ type: Object.Type,
        named name: String,
        from resourceVersion: String,
        timeout: Duration,
        cancellation: TransferCancellation? = nil,
        opened: () -> Void,
        onEvent: (WatchEvent<Object>) -> Void
    ) throws(KubernetesError) {
        let seconds = max(1, timeout.components.seconds)
        let path =
            self.collectionPath(Object.self, named: name)
            + "&watch=true&resourceVersion=\(resourceVersion.percentEncoded)&allowWatchBookmarks=true"
            + "&timeoutSeconds=\(seconds)"
        var lines = LineSplitter(maxLineBytes: Self.maxObjectBytes)
        var failure: KubernetesError?
        // An ERROR event is the server's last word on the stream: nothing after it is taken.
        var endedByError = false
        let decoder = JSONDecoder()
        let response: CurlResponse
        do {
            response = try self.exchange(
                verb: "watch", method: "GET", path: path, timeout: .seconds(seconds + 30), headTimeout: self.timeout
            ) { request throws(CurlError) in
                try self.transport.stream(request, cancellation: cancellation) { piece in
                    guard !piece.isEmpty else {
                        opened()
                        return true
                    }
                    guard !endedByError else { return true }
                    do {
                        for line in try lines.append(piece) {
                            let event = try decoder.decode(WatchEvent<Object>.self, from: Data(line))
                            onEvent(event)
                            if case .error = event {
                                endedByError = true
                                break
                            }
                        }
                        return true
                    } catch let error as LineSplitter.LineTooLong {
                        failure = .invalidResponse("watch \(Object.resource)/\(name): \(error)")
                    } catch {
                        failure = .invalidResponse("watch \(Object.resource)/\(name): not an event: \(error)")
                    }
                    return false
                }
            }
        } catch {
            throw failure ?? error
        }
        guard (200..<300).contains(response.status) else {
            throw Self.error(from: response)
        }
    }

    private func collectionPath<Object: WatchableObject>(_ type: Object.Type, named name: String) -> String {
        "/api/v1/namespaces/\(self.cluster.namespace.percentEncoded)/\(Object.resource)"
            + "?fieldSelector=metadata.name%3D\(name.percentEncoded)"
    }
}

extension String {
    /// The string with every byte but URL-unreserved ones (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
    fileprivate var percentEncoded: String {
        var encoded = ""
        for byte in self.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return encoded
    }
}
