internal import NIOCore

/// Where one connection is in its request/response cycle and since when: what decides which of
/// its deadlines applies (``HTTPServerHandler`` keeps one per connection). Times come from the
/// connection's event loop, whose timers enforce the deadlines.
struct ConnectionActivity {
    enum Phase: Equatable {
        /// Connected, and no byte has arrived yet.
        case opened
        /// Waiting for the next request on a kept-alive connection.
        case idle
        /// Bytes of a request arrived; the whole request is not in yet.
        case reading
        /// A whole request is in; the server is working on it.
        case processing
        /// The last answer is on its way and the connection closes after it.
        case closing
    }

    private(set) var phase = Phase.opened
    /// When the current phase started.
    private(set) var since: NIODeadline
    /// Bytes of a next request arrived while one was being processed.
    private var moreBytesArrived = false

    init(now: NIODeadline) {
        self.since = now
    }

    /// Returns true when this starts the reading of a request, and with it its request timeout.
    @discardableResult
    mutating func bytesArrived(now: NIODeadline) -> Bool {
        switch self.phase {
        case .opened, .idle:
            self.enter(.reading, now: now)
            return true
        case .processing:
            self.moreBytesArrived = true
            return false
        case .reading, .closing:
            return false
        }
    }

    /// A request's head is in: from now on its whole must arrive in time, also when its bytes
    /// came with those of the request before (pipelined). Returns true when this starts the
    /// reading of a request.
    @discardableResult
    mutating func requestStarted(now: NIODeadline) -> Bool {
        guard self.phase == .idle else { return false }
        self.enter(.reading, now: now)
        return true
    }

    mutating func requestReceived(now: NIODeadline) {
        self.moreBytesArrived = false
        self.enter(.processing, now: now)
    }

    mutating func responseSent(now: NIODeadline) {
        guard self.phase == .processing else { return }
        self.enter(self.moreBytesArrived ? .reading : .idle, now: now)
    }

    mutating func closing(now: NIODeadline) {
        self.enter(.closing, now: now)
    }

    private mutating func enter(_ phase: Phase, now: NIODeadline) {
        self.phase = phase
        self.since = now
    }
}
