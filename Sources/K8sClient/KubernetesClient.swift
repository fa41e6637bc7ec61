public import CurlHTTP
import FoundationEssentials
public import Logging
import Metrics
import UServiceSupport

/// Calls the Kubernetes API with the pod's service-account credentials, through a
/// ``KubernetesTransport`` (libcurl unless told otherwise).
///
/// Blocking: every call runs the request on the calling thread (with libcurl, one at a time
/// through one kept-alive connection). Call it from a dedicated thread, never from an event loop; pass a
/// ``TransferCancellation`` to stop a call from elsewhere.
///
/// Only `https` is spoken (an `http://` API server fails every call with a transport error
/// before connecting) and redirects are not followed: a 3xx answer is a final
/// ``KubernetesError/status(code:reason:message:retryAfter:)``.
///
/// Each attempt is counted in `uservice_kubernetes_requests_total{verb,code}` (`code` is the
/// HTTP status, or `error` when no response came). A 401 re-reads the token and retries once.
public final class KubernetesClient: Sendable {
    public let cluster: ClusterConfig
    private let token: ServiceAccountToken
    let transport: any KubernetesTransport
    let timeout: Duration
    private let logger: Logger

    /// Help text of the metrics the client records, by name, for the metrics backend.
    public static let metricDescriptions = [
        "uservice_kubernetes_requests_total": "Kubernetes API requests, by verb and HTTP status (error when none came)."
    ]

    /// - Parameters:
    ///   - timeout: the longest one request may take, connecting included.
    ///   - transport: how requests reach the API server; nil: libcurl (``CurlTransport``).
    public init(
        cluster: ClusterConfig,
        timeout: Duration = .seconds(10),
        logger: Logger,
        transport: (any KubernetesTransport)? = nil
    ) throws(KubernetesError) {
        self.cluster = cluster
        self.token = ServiceAccountToken(path: cluster.tokenPath)
        if let transport {
            self.transport = transport
        } else {
            do {
                self.transport = try CurlTransport()
            } catch {
                throw .transport(error)
            }
        }
        self.timeout = timeout
        self.logger = logger
    }

    /// `GET` the pod the agent runs in.
    public func ownPod(cancellation: TransferCancellation? = nil) throws(KubernetesError) -> Pod {
        let path = "/api/v1/namespaces/\(self.cluster.namespace)/pods/\(self.cluster.podName)"
        return try self.call(verb: "get", method: "GET", path: path, cancellation: cancellation)
    }

    /// Creates `event` (`POST`) and returns it as stored.
    public func create(_ event: Event, cancellation: TransferCancellation? = nil) throws(KubernetesError) -> Event {
        let path = "/apis/events.k8s.io/v1/namespaces/\(event.metadata.namespace)/events"
        return try self.call(
            verb: "create", method: "POST", path: path, body: Self.encode(event), contentType: "application/json",
            cancellation: cancellation)
    }

    /// Updates the series of the Event `name` (a JSON merge `PATCH`) and returns it as stored.
    public func updateSeries(
        _ series: Event.Series,
        ofEvent name: String,
        namespace: String,
        cancellation: TransferCancellation? = nil
    ) throws(KubernetesError) -> Event {
        struct SeriesPatch: Encodable { var series: Event.Series }
        let path = "/apis/events.k8s.io/v1/namespaces/\(namespace)/events/\(name)"
        return try self.call(
            verb: "patch", method: "PATCH", path: path, body: Self.encode(SeriesPatch(series: series)),
            contentType: "application/merge-patch+json", cancellation: cancellation)
    }

    /// `GET /version`: the cheapest authenticated call, to tell whether the API answers.
    public func serverVersion(cancellation: TransferCancellation? = nil) throws(KubernetesError) -> String {
        struct Version: Decodable { var gitVersion: String }
        let version: Version = try self.call(verb: "get", method: "GET", path: "/version", cancellation: cancellation)
        return version.gitVersion
    }

    func call<Response: Decodable>(
        verb: String,
        method: String,
        path: String,
        body: [UInt8] = [],
        contentType: String? = nil,
        cancellation: TransferCancellation?
    ) throws(KubernetesError) -> Response {
        let response = try self.exchange(
            verb: verb, method: method, path: path, body: body, contentType: contentType, timeout: self.timeout
        ) { request throws(CurlError) in
            try self.transport.perform(request, cancellation: cancellation)
        }
        guard (200..<300).contains(response.status) else {
            throw Self.error(from: response)
        }
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw .invalidResponse("\(method) \(path): \(error)")
        }
    }

    /// Sends one request through `transfer`; a 401 re-reads the token and sends it once more.
    func exchange(
        verb: String,
        method: String,
        path: String,
        body: [UInt8] = [],
        contentType: String? = nil,
        timeout: Duration,
        headTimeout: Duration? = nil,
        transfer: (CurlRequest) throws(CurlError) -> CurlResponse
    ) throws(KubernetesError) -> CurlResponse {
        var headers = ["Accept: application/json"]
        if let contentType { headers.append("Content-Type: \(contentType)") }
        var request = CurlRequest(
            method: method, url: self.cluster.apiServer + path, headers: headers, body: body,
            caFile: self.cluster.caPath, timeout: timeout, connectTimeout: min(timeout, .seconds(5)),
            headTimeout: headTimeout, protocols: .https)
        let response = try self.send(verb: verb, path: path, request: &request, transfer: transfer)
        guard response.status == 401 else { return response }
        // Bound tokens rotate: read the file again and retry once.
        self.token.invalidate()
        return try self.send(verb: verb, path: path, request: &request, transfer: transfer)
    }

    private func send(
        verb: String,
        path: String,
        request: inout CurlRequest,
        transfer: (CurlRequest) throws(CurlError) -> CurlResponse
    ) throws(KubernetesError) -> CurlResponse {
        request.headers.removeAll { $0.hasPrefix("Authorization: ") }
        request.headers.append("Authorization: Bearer \(try self.token.current())")
        let started = ContinuousClock.now
        let sent = request
        let result = Result { () throws(CurlError) in try transfer(sent) }
        let status = (try? result.get())?.status
        let code = status.map { "\($0)" } ?? "error"
        Counter(label: "uservice_kubernetes_requests_total", dimensions: [("verb", verb), ("code", code)]).increment()
        self.logger.debug(
            "kubernetes request",
            metadata: [
                "verb": "\(verb)", "path": "\(path)", "code": status.map { .stringConvertible($0) } ?? "error",
                "durationMs": .stringConvertible((ContinuousClock.now - started).fractionalMilliseconds),
            ])
        switch result {
        case .success(let response): return response
        case .failure(let error): throw .transport(error)
        }
    }

    /// The typed error for a non-2xx response, from its `Status` body when it has one.
    static func error(from response: CurlResponse) -> KubernetesError {
        let status = try? JSONDecoder().decode(Status.self, from: Data(response.body))
        let retryAfter =
            response.header("retry-after").flatMap(Int.init).map { Duration.seconds($0) }
            ?? status?.details?.retryAfterSeconds.map { Duration.seconds($0) }
        // The server's words go to logs, Events and probe output: a few hundred bytes at most.
        var message = String(
            (status?.message ?? String(decoding: response.body.prefix(300), as: UTF8.self)).prefix(300))
        if (300..<400).contains(response.status) {
            // Never followed: the token goes to the configured API server and nowhere else.
            let location = response.header("location") ?? "nowhere"
            message = "redirect to \(location) not followed" + (message.isEmpty ? "" : ": \(message)")
        }
        return .status(
            code: response.status, reason: status?.reason ?? "HTTP \(response.status)", message: message,
            retryAfter: retryAfter)
    }

    /// The JSON body the client sends for `value` (an ``Event``, a series patch).
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Encoding these plain value types cannot fail.
        return (try? [UInt8](encoder.encode(value))) ?? []
    }
}
