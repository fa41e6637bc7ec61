import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The open connections of one listener and their in-flight requests, so a drain can ask them
/// to finish, wait for them, and close what is left at the deadline.
final class ConnectionRegistry: Sendable {
    private struct Shared {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let shared = NIOLockedValueBox(Shared())
    /// Changed twice per request by every event loop: an atomic, not a turn at the lock.
    private let inFlightRequests = Atomic(0)

    /// Tracks `channel` until it closes.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.shared.withLockedValue { $0.channels[id] = channel }
        channel.closeFuture.whenComplete { _ in
            let waiters = self.shared.withLockedValue { shared in
                shared.channels[id] = nil
                guard shared.channels.isEmpty else { return [CheckedContinuation<Void, Never>]() }
                defer { shared.emptyWaiters = [] }
                return shared.emptyWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
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
