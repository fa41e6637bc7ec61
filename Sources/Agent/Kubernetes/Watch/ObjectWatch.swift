import CurlHTTP
internal import K8sClient
internal import Logging
import NIOConcurrencyHelpers

/// Follows one object of the pod's namespace the way client-go's Reflector does: it lists
/// the object, then watches it from the list's resourceVersion, and re-opens each stream that
/// ends from the last version an event or bookmark moved it to.
///
/// A stream ended by the server (its `timeoutSeconds`, picked at random in
/// ``streamTimeouts`` so replicas do not reconnect together) is re-opened at once; a 410
/// (an `ERROR` event in the stream, or the HTTP status) means that version's history is gone:
/// it lists again. Failures wait a jittered exponential backoff (a 429's `Retry-After`
/// instead), so a down API server is not hammered; the client re-reads a rotated token on a
/// 401. A stream that ends within a second without an event counts as a failure too.
///
/// `onChange` gets the object on every change (nil when it is absent or deleted), on the
/// watch's own Kubernetes thread. Cancelling the task stops the watch at once, whatever the
/// stream is doing.
struct ObjectWatch<Object: WatchableObject>: Sendable {
    /// Why a list+watch cycle started over, the `reason` of the restarts metric.
    enum RestartReason: String, Sendable {
        /// The server ended the stream.
        case closed
        /// The version to resume from is too old (410): listed again.
        case expired
        /// No answer, an error status, or a stream that could not be followed.
        case error
        /// 401 even with the token read again.
        case unauthorized
    }

    let name: String
    let calls: KubernetesCalls
    let status: WatchStatus
    let logger: Logger
    let onChange: @Sendable (Object?) -> Void
    var backoff = Backoff(base: .milliseconds(800), cap: .seconds(30))
    /// The range the server-side timeout of each stream is picked from.
    var streamTimeouts: ClosedRange<Duration> = .seconds(300) ... .seconds(600)
    /// The longest wait a `Retry-After` may impose.
    static var maxRetryAfter: Duration { .seconds(60) }
    /// A stream shorter than this without an event is a failure, not a clean end.
    static var shortStream: Duration { .seconds(1) }

    private var resource: String { Object.resource }

    /// Lists and watches until the task is cancelled.
    func run() async {
        var random = SystemRandomNumberGenerator()
        var resourceVersion: String?
        var failures = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let progress = NIOLockedValueBox(StreamProgress())
            let reason: RestartReason
            var delay: Duration?
            do {
                if resourceVersion == nil {
                    resourceVersion = try await self.list()
                }
                try await self.watch(from: resourceVersion ?? "", timeout: self.streamTimeout(using: &random), progress)
                let ended = progress.withLockedValue { $0 }
                resourceVersion = ended.resourceVersion ?? resourceVersion
                if let error = ended.error, error.code == 410 {
                    reason = .expired
                } else if let error = ended.error {
                    reason = .error
                    self.failing("the stream ended with an error: \(error.code ?? 0) \(error.message ?? "")")
                } else {
                    reason = .closed
                }
            } catch {
                if error.isCancelled { return }
                let ended = progress.withLockedValue { $0 }
                resourceVersion = ended.resourceVersion ?? resourceVersion
                reason = Self.reason(for: error)
                delay = error.retryAfter.map { min($0, Self.maxRetryAfter) }
                if reason != .expired { self.failing("\(error)") }
            }
            WatchMetrics.countRestart(resource: self.resource, reason: reason.rawValue)
            // A stream that delivered, or lasted, was healthy: what follows starts the count anew.
            let ended = progress.withLockedValue { $0 }
            let healthy = ended.events > 0 || ContinuousClock.now - started >= Self.shortStream
            switch reason {
            case .closed where healthy:
                failures = 0
                self.logger.debug("kubernetes watch: stream ended, resuming", metadata: self.metadata)
                continue
            case .expired:
                // The history is gone: list again, at once unless that just happened.
                resourceVersion = nil
                failures = healthy ? 1 : failures + 1
                self.logger.info("kubernetes watch: history expired, listing again", metadata: self.metadata)
                if failures == 1 { continue }
            default:
                failures = healthy ? 1 : failures + 1
            }
            let wait = delay ?? self.backoff.delay(beforeRetry: failures - 1, using: &random)
            do {
                try await Task.sleep(for: wait)
            } catch {
                return
            }
        }
    }

    /// Lists the object, hands it to `onChange`, and returns the version to watch from.
    private func list() async throws(KubernetesError) -> String {
        let list = try await self.calls.run { [name] client, cancellation throws(KubernetesError) in
            try client.list(Object.self, named: name, cancellation: cancellation)
        }
        self.onChange(list.items.first)
        self.synced()
        guard let resourceVersion = list.metadata.resourceVersion, !resourceVersion.isEmpty else {
            throw .invalidResponse("the \(self.resource) list has no resourceVersion")
        }
        return resourceVersion
    }

    private func watch(
        from resourceVersion: String,
        timeout: Duration,
        _ progress: NIOLockedValueBox<StreamProgress>
    ) async throws(KubernetesError) {
        try await self.calls.run { [name, status, resource, onChange] client, cancellation throws(KubernetesError) in
            try client.watch(
                Object.self, named: name, from: resourceVersion, timeout: timeout, cancellation: cancellation,
                opened: { status.update(.watching) }
            ) { event in
                WatchMetrics.countEvent(resource: resource, type: event.type)
                progress.withLockedValue { progress in
                    if case .error(let error) = event {
                        progress.error = error
                    } else {
                        progress.events += 1
                        progress.resourceVersion = event.resourceVersion ?? progress.resourceVersion
                    }
                }
                switch event {
                case .added(let object), .modified(let object): onChange(object)
                case .deleted: onChange(nil)
                case .bookmark, .error: break
                }
                if case .error = event { return }
                WatchMetrics.recordSync(resource: resource)
            }
        }
    }

    private func synced() {
        self.status.update(.watching)
        WatchMetrics.recordSync(resource: self.resource)
    }

    private func failing(_ reason: String) {
        if self.status.state != .failing(reason) {
            self.logger.warning(
                "kubernetes watch failed, retrying", metadata: self.metadata.merging(["error": "\(reason)"]) { $1 })
        }
        self.status.update(.failing(reason))
    }

    private var metadata: Logger.Metadata {
        ["watch": "\(self.status.object)"]
    }

    private func streamTimeout(using random: inout SystemRandomNumberGenerator) -> Duration {
        let seconds = Int64.random(
            in: self.streamTimeouts.lowerBound.components.seconds...self.streamTimeouts.upperBound.components.seconds,
            using: &random)
        return .seconds(seconds)
    }

    private static func reason(for error: KubernetesError) -> RestartReason {
        switch error.statusCode {
        case 410: .expired
        case 401: .unauthorized
        default: .error
        }
    }
}

/// What one stream delivered: how many events (bookmarks included), the last version, and its
/// `ERROR`, if any.
private struct StreamProgress: Sendable {
    var events = 0
    var resourceVersion: String?
    var error: Status?
}

extension KubernetesError {
    /// True when the call was cancelled (the watch's task is).
    fileprivate var isCancelled: Bool {
        if case .transport(let error) = self { return error.isCancelled }
        return false
    }
}
