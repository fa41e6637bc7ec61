import Metrics
import NIOConcurrencyHelpers
internal import NIOCore
import Synchronization

/// The open connections of one listener and their in-flight requests: admits new connections
/// up to the listener's limit, so a drain can ask them to finish, wait for them, and close
/// what is left at the deadline.
final class ConnectionRegistry: Sendable {
    private struct Shared {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let shared = NIOLockedValueBox(Shared())
    /// Changed twice per request by every event loop: an atomic, not a turn at the lock.
    private let inFlightRequests = Atomic(0)
    /// `uservice_http_connections{listener}`: connections open now.
    private let openConnections: Gauge
    /// `uservice_http_connections_rejected_total{listener}`: closed on accept, over the limit.
    private let rejectedConnections: Counter

    /// - Parameter listener: the listener's name, the `listener` label of its metrics.
    init(listener: String) {
        self.openConnections = Gauge(label: "uservice_http_connections", dimensions: [("listener", listener)])
        self.rejectedConnections = Counter(
            label: "uservice_http_connections_rejected_total", dimensions: [("listener", listener)])
    }

    /// Tracks `channel` until it closes, unless `limit` connections are open already: then it
    /// is counted as rejected and false is returned (the caller closes it).
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        let id = ObjectIdentifier(channel)
        // The gauge is set under the lock, so concurrent opens and closes cannot leave it stale.
        let admitted = self.shared.withLockedValue { shared in
            guard shared.channels.count < limit else { return false }
            shared.channels[id] = channel
            self.openConnections.record(shared.channels.count)
            return true
        }
        guard admitted else {
            self.rejectedConnections.increment()
            return false
        }
        channel.closeFuture.whenComplete { _ in
            let waiters = self.shared.withLockedValue { shared in
                shared.channels[id] = nil
                self.openConnections.record(shared.channels.count)
                guard shared.channels.isEmpty else { return [CheckedContinuation<Void, Never>]() }
                defer { shared.emptyWaiters = [] }
                return shared.emptyWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        return true
    }

    func requestStarted() {
        self.inFlightRequests.add(1, ordering: .relaxed)
    }

    func requestFinished() {
        self.inFlightRequests.subtract(1, ordering: .relaxed)
    }

    /// Open connections and requests being served right now.
    var counts: (connections: Int, requests: Int) {
        (self.shared.withLockedValue { $0.channels.count }, self.inFlightRequests.load(ordering: .relaxed))
    }

    /// Asks every connection to close once its current request is answered (idle ones close now).
    func quiesceAll() {
        for channel in self.shared.withLockedValue({ Array($0.channels.values) }) {
            channel.eventLoop.execute {
                channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            }
        }
    }

    /// Closes every connection now.
    func closeAll() {
        for channel in self.shared.withLockedValue({ Array($0.channels.values) }) {
            channel.close(promise: nil)
        }
    }

    /// Returns once no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let empty = self.shared.withLockedValue { shared in
                if shared.channels.isEmpty { return true }
                shared.emptyWaiters.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
