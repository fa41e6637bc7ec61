import Synchronization
import UServiceSupport

/// The pod's bearer token, read from its file and re-read as it rotates: at least every
/// `refreshInterval`, and at once after ``invalidate()`` (which follows a 401).
///
/// A failed re-read keeps the token read before. The token never appears in descriptions.
public final class ServiceAccountToken: Sendable {
    private struct State {
        var token: String?
        var readAt: ContinuousClock.Instant?
    }

    /// The token file.
    public let path: String
    public let refreshInterval: Duration
    private let state = Mutex(State())

    public init(path: String, refreshInterval: Duration = .seconds(60)) {
        self.path = path
        self.refreshInterval = refreshInterval
    }

    /// The token to send, re-read when due.
    ///
    /// - Throws: ``KubernetesError/token(_:)`` when the file was never readable.
    public func current() throws(KubernetesError) -> String {
        let now = ContinuousClock.now
        let result: Result<String, KubernetesError> = self.state.withLock { state in
            if let token = state.token, let readAt = state.readAt, now - readAt < self.refreshInterval {
                return .success(token)
            }
            switch self.read() {
            case .success(let token):
                state.token = token
                state.readAt = now
                return .success(token)
            case .failure(let error):
                guard let token = state.token else { return .failure(error) }
                state.readAt = now  // keep the old token; try the file again next interval
                return .success(token)
            }
        }
        return try result.get()
    }

    /// Makes the next ``current()`` re-read the file.
    public func invalidate() {
        self.state.withLock { $0.readAt = nil }
    }

    private func read() -> Result<String, KubernetesError> {
        do {
            let token = String(decoding: try FileContents.bytes(at: self.path, limit: 64 << 10), as: UTF8.self)
                .trimmingNewlines()
            guard !token.isEmpty else { return .failure(.token("\(self.path) is empty")) }
            return .success(token)
        } catch {
            return .failure(.token("cannot read \(self.path): \(error)"))
        }
    }
}
