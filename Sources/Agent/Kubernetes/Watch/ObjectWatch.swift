import CurlHTTP
internal import K8sClient
internal import Logging
import NIOConcurrencyHelpers

/// Follows one object of the pod's namespace the way client-go's Reflector does: it lists
/// the object, then watches it from the list's resourceVersion, and re-opens each stream that
/// ends from the last version an event or bookmark moved it to.
///
/// A stream the server ended (its `timeoutSeconds`, picked at random in ``streamTimeouts`` so
/// replicas do not reconnect together) is re-opened at once; a 410 (an `ERROR` event in the
/// stream, or the HTTP status) means that version's history is gone: it lists again, at once
/// when nothing failed since the last healthy stream. Anything else waits a jittered
/// exponential backoff, or a `Retry-After` when longer (counted as 1 s to 60 s), so a down or
/// hostile API server is not hammered; the backoff starts over only after a stream stayed open
/// for ``healthyStream``, and after ``relistAfterFailures`` failures in a row the watch lists
/// again instead of resuming. The client re-reads a rotated token on a 401.
///
/// `onChange` gets the object on every change (nil when it is absent or deleted), one call at
/// a time: a list's from the watch's task, a stream's from its Kubernetes thread. Cancelling
/// the task stops the watch at once, whatever the stream is doing.
struct ObjectWatch<Object: WatchableObject>: Sendable {
    /// Why a list+watch cycle started over, the `reason` of the restarts metric.
    enum RestartReason: String, Sendable {
        /// The server ended the stream.
        case closed
        /// The version to resume from is too old (410): listed again.
        case expired
        /// No answer, an error status or `ERROR` event, or a stream that could not be followed.
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
    /// How long a stream must stay open to count as healthy: shorter ones, however they end,
    /// are re-opened after a backoff, so a server that closes at once is not a busy loop.
    static var healthyStream: Duration { .seconds(1) }
    /// Failures in a row after which the watch lists again rather than resume, as client-go
    /// does after a watch error: the version it would resume from may be what is wrong.
    static var relistAfterFailures: Int { 3 }

    private var resource: String { Object.resource }

    /// Lists and watches until the task is cancelled.
    func run() async {
        var random = SystemRandomNumberGenerator()
        var resourceVersion: String?
        var failures = 0
        while !Task.isCancelled {
            let progress = NIOLockedValueBox(StreamProgress())
            var thrown: KubernetesError?
            do {
                if resourceVersion == nil {
                    resourceVersion = try await self.list()
                }
                try await self.watch(from: resourceVersion ?? "", timeout: self.streamTimeout(using: &random), progress)
            } catch {
                if error.isCancelled { return }
                thrown = error
            }
            let ended = progress.withLockedValue { $0 }
            resourceVersion = ended.resourceVersion ?? resourceVersion
            let reason: RestartReason
            var retryAfter: Duration?
            if let error = ended.error {
                // The stream's ERROR decides, however the stream then ended.
                reason = Self.isExpired(error) ? .expired : .error
                retryAfter = error.details?.retryAfterSeconds.map { .seconds($0) }
                if reason == .error {
                    self.failed("the stream ended with an error: \(error.code ?? 0) \(error.message ?? "")")
                }
            } else if let thrown {
                reason = Self.reason(for: thrown)
                retryAfter = thrown.retryAfter
                if reason != .expired { self.failed("\(thrown)") }
            } else {
                reason = .closed
            }
            WatchMetrics.countRestart(resource: self.resource, reason: reason.rawValue)
            let healthy = ended.openedAt.map { ContinuousClock.now - $0 >= Self.healthyStream } ?? false
            if healthy { failures = 0 }
            if reason == .closed && healthy {
                self.logger.debug("kubernetes watch: stream ended, resuming", metadata: self.metadata)
                continue
            }
            failures += 1
            if failures >= Self.relistAfterFailures { resourceVersion = nil }
            if reason == .expired {
                // The history is gone: list again, at once unless that is what just happened.
                resourceVersion = nil
                self.logger.info("kubernetes watch: history expired, listing again", metadata: self.metadata)
                if failures == 1 { continue }
            }
            var wait = self.backoff.delay(beforeRetry: failures - 1, using: &random)
            if let retryAfter {
                wait = max(wait, Backoff.honouring(retryAfter: retryAfter))
            }
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
        guard let resourceVersion = list.metadata.resourceVersion, !resourceVersion.isEmpty else {
            throw .invalidResponse("the \(self.resource) list has no resourceVersion")
        }
        self.onChange(list.items.first)
        WatchMetrics.recordSync(resource: self.resource)
        self.markSynced()
        return resourceVersion
    }

    private func watch(
        from resourceVersion: String,
        timeout: Duration,
        _ progress: NIOLockedValueBox<StreamProgress>
    ) async throws(KubernetesError) {
        try await self.calls.run { [name, resource, onChange] client, cancellation throws(KubernetesError) in
            try client.watch(
                Object.self, named: name, from: resourceVersion, timeout: timeout, cancellation: cancellation,
                opened: {
                    progress.withLockedValue { $0.openedAt = .now }
                    self.markSynced()
                }
            ) { event in
                WatchMetrics.countEvent(resource: resource, type: event.type)
                progress.withLockedValue { progress in
                    if case .error(let error) = event { progress.error = error }
                    progress.resourceVersion = event.resourceVersion ?? progress.resourceVersion
                }
                switch event {
                case .added(let object), .modified(let object): onChange(object)
                case .deleted: onChange(nil)
                case .bookmark, .error, .unknown: break
                }
                if event.resourceVersion != nil { WatchMetrics.recordSync(resource: resource) }
            }
        }
    }

    /// A list, or a stream opened: the watch is in sync again.
    private func markSynced() {
        if self.status.synced() {
            self.logger.info("kubernetes watch recovered", metadata: self.metadata)
        }
    }

    /// Logs the first failure since the watch was in sync as a warning, the others at debug.
    private func failed(_ reason: String) {
        let reason = String(reason.prefix(300))
        let first = self.status.failed(reason)
        self.logger.log(
            level: first ? .warning : .debug, "kubernetes watch failed, retrying",
            metadata: self.metadata.merging(["error": "\(reason)"]) { $1 })
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

    /// A 410, or the reasons kube-apiserver gives it (as client-go's `isExpiredError` reads it).
    private static func isExpired(_ status: Status) -> Bool {
        status.code == 410 || status.reason == "Expired" || status.reason == "Gone"
    }

    private static func reason(for error: KubernetesError) -> RestartReason {
        switch error.statusCode {
        case 410: .expired
        case 401: .unauthorized
        default: .error
        }
    }
}

/// What one stream delivered: when it opened, the last version, and its `ERROR`, if any.
private struct StreamProgress: Sendable {
    var openedAt: ContinuousClock.Instant?
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
