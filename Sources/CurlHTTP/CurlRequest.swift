/// One HTTP(S) request for ``CurlConnection``.
public struct CurlRequest: Sendable {
    public var method: String
    public var url: String
    /// Header lines, e.g. `Accept: application/json`.
    public var headers: [String]
    /// Sent for every method but `GET`; empty means an empty body.
    public var body: [UInt8]
    /// A PEM file of the certificate authorities to trust for HTTPS; nil for the system's.
    public var caFile: String?
    /// The longest the whole transfer may take.
    public var timeout: Duration
    /// The longest connecting may take.
    public var connectTimeout: Duration
    /// The longest the response's head may take to arrive, connecting included; nil: only
    /// ``timeout`` bounds it. For a stream, whose ``timeout`` is long, so a server that accepts
    /// and never answers is found soon.
    public var headTimeout: Duration?
    /// The largest response body accepted; a larger one fails the transfer.
    public var maxResponseBytes: Int
    /// The URL schemes the request may use; any other fails it with
    /// `CURLE_UNSUPPORTED_PROTOCOL` before a connection is made. Default `https` only.
    /// Redirects are never followed, whatever the schemes.
    public var protocols: CurlProtocols

    public init(
        method: String = "GET",
        url: String,
        headers: [String] = [],
        body: [UInt8] = [],
        caFile: String? = nil,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        headTimeout: Duration? = nil,
        maxResponseBytes: Int = 4 << 20,
        protocols: CurlProtocols = .https
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.caFile = caFile
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.headTimeout = headTimeout
        self.maxResponseBytes = maxResponseBytes
        self.protocols = protocols
    }
}

/// URL schemes a ``CurlRequest`` may use.
public struct CurlProtocols: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Plain HTTP, e.g. for `uservice drain` to the agent on loopback.
    public static let http = CurlProtocols(rawValue: 1 << 0)
    /// HTTP over TLS, the only scheme the Kubernetes client uses.
    public static let https = CurlProtocols(rawValue: 1 << 1)

    /// libcurl's `CURLOPT_PROTOCOLS_STR` list, e.g. `http,https`; an empty set counts as
    /// `https` alone.
    var curlList: String {
        var names: [String] = []
        if self.contains(.http) { names.append("http") }
        if self.contains(.https) || names.isEmpty { names.append("https") }
        return names.joined(separator: ",")
    }
}

/// A status, headers and body received over HTTP(S).
public struct CurlResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields of the final response, names lowercased, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (lowercase).
    public func header(_ name: String) -> String? {
        self.headers.first { $0.name == name }?.value
    }

    public static func == (lhs: CurlResponse, rhs: CurlResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Why a transfer produced no HTTP response.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's result code.
    public var code: UInt32
    /// libcurl's explanation, with details when libcurl gave them.
    public var message: String

    public init(code: UInt32, message: String) {
        self.code = code
        self.message = message
    }

    /// libcurl's `CURLE_ABORTED_BY_CALLBACK`, which a ``TransferCancellation`` causes.
    static let abortedByCallback: UInt32 = 42

    /// The error of a transfer stopped, or never started, because it was cancelled.
    public static func cancelled(_ message: String = "cancelled") -> CurlError {
        CurlError(code: Self.abortedByCallback, message: message)
    }

    /// True when the transfer was stopped through its ``TransferCancellation``.
    public var isCancelled: Bool { self.code == Self.abortedByCallback }

    /// True when the URL's scheme is not one the request allows (`CURLE_UNSUPPORTED_PROTOCOL`):
    /// nothing was sent, and trying again cannot help.
    public var isUnsupportedProtocol: Bool { self.code == 1 }

    public var description: String { self.message }
}
