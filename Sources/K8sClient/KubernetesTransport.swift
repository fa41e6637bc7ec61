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
}

/// The transport over libcurl: one kept-alive connection, one transfer at a time.
public final class CurlTransport: KubernetesTransport {
    private let connection: Mutex<CurlConnection>

    public init() throws(CurlError) {
        self.connection = Mutex(try CurlConnection())
    }

    public func perform(_ request: CurlRequest, cancellation: TransferCancellation?) throws(CurlError) -> CurlResponse {
        let result: Result<CurlResponse, CurlError> = self.connection.withLock { connection in
            if cancellation?.isCancelled == true {
                return .failure(.cancelled())
            }
            return Result { () throws(CurlError) in try connection.perform(request, cancellation: cancellation) }
        }
        return try result.get()
    }
}
