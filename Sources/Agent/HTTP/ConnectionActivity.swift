import NIOCore

/// Where one connection is in its request/response cycle, shared by the two handlers that
/// care: the request handler reports request and response ends, the timeout handler (which
/// sees only bytes) reads them. Both run on the connection's event loop.
final class ConnectionActivity {
    enum Phase {
        /// Waiting for a request.
        case idle
        /// Bytes of a request arrived; the whole request is not in yet.
        case reading
        /// A whole request is in; the server is working on it.
        case processing
    }

    private(set) var phase = Phase.idle
    /// When the current phase started.
    private(set) var since = NIODeadline.now()
    /// Bytes of a next request arrived while one was being processed.
    private var moreBytesArrived = false

    func bytesArrived() {
        switch self.phase {
        case .idle: self.enter(.reading)
        case .processing: self.moreBytesArrived = true
        case .reading: break
        }
    }

    func requestReceived() {
        self.moreBytesArrived = false
        self.enter(.processing)
    }

    func responseSent() {
        guard self.phase == .processing else { return }
        self.enter(self.moreBytesArrived ? .reading : .idle)
    }

    private func enter(_ phase: Phase) {
        self.phase = phase
        self.since = .now()
    }
}
