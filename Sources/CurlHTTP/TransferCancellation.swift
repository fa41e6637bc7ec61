import Synchronization

/// Stops a transfer in progress from another thread: a cancellation wakes the transfer's
/// wait for the network at once, whether it is connecting, sending, or waiting for data.
public final class TransferCancellation: Sendable {
    private let cancelled = Atomic(false)
    /// Wakes the transfer running now, if any; called under the lock, so whoever registered
    /// it can unregister before freeing what it wakes.
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// True once ``cancel()`` was called.
    public var isCancelled: Bool { self.cancelled.load(ordering: .relaxed) }

    /// Makes the transfer fail with a cancellation ``CurlError`` now (or at its start).
    public func cancel() {
        self.cancelled.store(true, ordering: .relaxed)
        self.wake.withLock { $0?() }
    }

    /// Runs `body` with `wake` called on a cancellation meanwhile; `wake` is never called
    /// once `body` has returned.
    func whileRunning<Result, Failure: Error>(
        wakingWith wake: @escaping @Sendable () -> Void,
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        self.wake.withLock { $0 = wake }
        defer { self.wake.withLock { $0 = nil } }
        return try body()
    }
}
