public import CurlHTTP

/// Why a Kubernetes API call failed.
public enum KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No HTTP response: connection refused or reset, TLS failure, timeout, cancellation.
    case transport(CurlError)
    /// The API server answered with an error status; its `Status` body when it sent one.
    case status(code: Int, reason: String, message: String, retryAfter: Duration?)
    /// A success status with a body that is not the expected object.
    case invalidResponse(String)
    /// The service-account token could not be read.
    case token(String)

    /// Whether trying the same call again later may succeed: 401 (the token may rotate), 429,
    /// 5xx, and transport failures other than cancellation and a scheme that is not allowed.
    /// Other 4xx, and 3xx (redirects are not followed), are final.
    public var isRetryable: Bool {
        switch self {
        case .transport(let error): !error.isCancelled && !error.isUnsupportedProtocol
        case .status(let code, _, _, _): code == 401 || code == 429 || code >= 500
        case .invalidResponse, .token: false
        }
    }

    /// How long the server asked to wait (429 `Retry-After`), if it did.
    public var retryAfter: Duration? {
        if case .status(_, _, _, let retryAfter) = self { return retryAfter }
        return nil
    }

    /// The HTTP status, if a response arrived.
    public var statusCode: Int? {
        if case .status(let code, _, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .transport(let error): "no response: \(error)"
        case .status(let code, let reason, let message, _): "\(code) \(reason): \(message)"
        case .invalidResponse(let detail): "unexpected response: \(detail)"
        case .token(let detail): "service-account token: \(detail)"
        }
    }
}
