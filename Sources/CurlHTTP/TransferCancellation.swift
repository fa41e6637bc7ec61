import Synchronization

/// Stops a transfer in progress from another thread: libcurl checks it several times a
/// second while connecting, sending and waiting.
public final class TransferCancellation: Sendable {
    private let cancelled = Atomic(false)

    public init() {}

    /// True once ``cancel()`` was called.
    public var isCancelled: Bool { self.cancelled.load(ordering: .relaxed) }

    /// Makes the transfer fail with a cancellation ``CurlError`` at libcurl's next check.
    public func cancel() { self.cancelled.store(true, ordering: .relaxed) }
}
