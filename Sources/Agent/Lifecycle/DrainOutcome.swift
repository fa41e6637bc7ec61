import NIOConcurrencyHelpers

/// What a drain had to cut, if anything; decides the exit status.
final class DrainOutcome: Sendable {
    private let cut = NIOLockedValueBox<(requests: Int, connections: Int)?>(nil)

    init() {}

    func recordCut(requests: Int, connections: Int) {
        self.cut.withLockedValue { $0 = (requests, connections) }
    }

    /// True when every request in flight finished before the deadline.
    var isClean: Bool {
        self.cut.withLockedValue { $0 == nil }
    }
}
