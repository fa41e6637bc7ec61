public import CurlHTTP
import Synchronization

/// How a ``KubernetesClient`` reaches the API server: one HTTP exchange per call. libcurl in
/// the agent (``CurlTransport``); a scripted transport in tests of what is built on the client.
public protocol KubernetesTransport: Sendable {
    /// Performs `request` on the calling thread and returns the response, whatever its status.
    ///
    /// - Throws: `CurlError` when no response came (connection refused or reset, TLS, timeout,
    ///   cancelled through `cancellation`).
    func perform(_ request: CurlRequest, cancellation: TransferCancellation?) throws(CurlError) -> CurlResponse

    /// Performs `request` on the calling thread, handing a 2xx body to `receive` as it arrives:
    /// first an empty piece once the response's head is in, then the body piece by piece
    /// until the server ends it or `receive` returns false. Any other status's body is in the
    /// returned response.
    ///
    /// - Throws: `CurlError` as ``perform(_:cancellation:)``, also when the stream is cut or
    ///   `receive` stopped it.
    func stream(
        _ request: CurlRequest,
        cancellation: TransferCancellation?,
        receive: (UnsafeRawBufferPointer) -> Bool
    ) throws(CurlError) -> CurlResponse
}

/// The transport over libcurl: one kept-alive connection, one transfer at a time (a stream
/// holds it until it ends).
public final class CurlTransport: KubernetesTransport, @unchecked Sendable {
    /// Used only while holding `lock`: libcurl handles are not thread-safe.
    private let connection: CurlConnection
    private let lock = Mutex(())

    public init() throws(CurlError) {
        self.connection = try CurlConnection()
    }

    public func perform(_ request: CurlRequest, cancellation: TransferCancellation?) throws(CurlError) -> CurlResponse {
        try self.lock.withLock { _ throws(CurlError) in
            try self.connection.perform(request, cancellation: cancellation)
        }
    }

    public func stream(
        _ request: CurlRequest,
        cancellation: TransferCancellation?,
        receive: (UnsafeRawBufferPointer) -> Bool
    ) throws(CurlError) -> CurlResponse {
        try self.lock.withLock { _ throws(CurlError) in
            try self.connection.stream(request, cancellation: cancellation, receive: receive)
        }
    }
}
