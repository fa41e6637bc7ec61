internal import NIOCore

/// One timer for the deadline checks of all the connections of one event loop and listener.
///
/// A timer of its own costs a connection a scheduled callback and its cancellation, about as
/// much as parsing and answering a probe (kubelet opens a connection for every probe). Here a
/// connection only takes a slot in an array and says when it next wants its check; the one
/// timer fires at the earliest of those times and runs the checks that are due. Checks run at
/// most ``slack`` late when many come due close together (the timer waits at least that long
/// between runs), and never early.
///
/// Bound to its event loop: every method is called on it.
final class DeadlineTimer {
    /// A connection with a deadline to check, and when.
    private struct Entry {
        let handler: HTTPServerHandler
        let context: ChannelHandlerContext
        var checkAt: NIODeadline
    }

    /// The shortest wait between two runs of the timer.
    static let slack = TimeAmount.milliseconds(50)

    private let eventLoop: any EventLoop
    private var entries: [Entry] = []
    /// The scheduled run, and when it comes.
    private var next: (callback: NIOScheduledCallback, at: NIODeadline)?
    /// True while due checks run: they set their next times, and the run schedules once after.
    private var running = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Connections with a slot.
    var count: Int { self.entries.count }

    /// Gives `handler` a slot with its first check at `checkAt`, and returns the slot.
    func add(_ handler: HTTPServerHandler, context: ChannelHandlerContext, checkAt: NIODeadline) -> Int {
        self.entries.append(Entry(handler: handler, context: context, checkAt: checkAt))
        self.wake(by: checkAt)
        return self.entries.count - 1
    }

    /// Frees `slot`. The connection moved into it, if any, is told its new slot.
    func remove(_ slot: Int) {
        let last = self.entries.removeLast()
        guard slot < self.entries.count else { return }
        self.entries[slot] = last
        last.handler.deadlineSlot = slot
    }

    /// Moves the check of the connection in `slot` to `checkAt`.
    func check(_ slot: Int, at checkAt: NIODeadline) {
        self.entries[slot].checkAt = checkAt
        self.wake(by: checkAt)
    }

    /// When the connection in `slot` has its next check.
    func checkTime(of slot: Int) -> NIODeadline {
        self.entries[slot].checkAt
    }

    /// Makes the timer fire no later than `deadline`.
    private func wake(by deadline: NIODeadline) {
        guard !self.running else { return }
        if let next = self.next {
            guard deadline < next.at else { return }
            next.callback.cancel()
        }
        self.schedule(at: deadline)
    }

    private func schedule(at deadline: NIODeadline) {
        // Fails only while the event loop shuts down, which closes the connections anyway.
        let callback = try? self.eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: Run(timer: self))
        self.next = callback.map { ($0, deadline) }
    }

    /// Runs the checks that are due and schedules the next run. A check may close its
    /// connection, which frees its slot: the due ones are collected first.
    fileprivate func run() {
        self.next = nil
        let now = self.eventLoop.now
        var due: [Entry] = []
        for index in self.entries.indices where self.entries[index].checkAt <= now {
            due.append(self.entries[index])
            self.entries[index].checkAt = .distantFuture  // the check sets its next time
        }
        self.running = true
        for entry in due where entry.handler.deadlineSlot != nil {
            entry.handler.checkDeadline(context: entry.context)
        }
        self.running = false
        guard let earliest = self.entries.lazy.map(\.checkAt).min(), earliest != .distantFuture else { return }
        self.schedule(at: max(earliest, now + Self.slack))
    }

    /// The timer's callback; it holds the timer until it runs or is cancelled.
    private struct Run: NIOScheduledCallbackHandler {
        let timer: DeadlineTimer

        func handleScheduledCallback(eventLoop: some EventLoop) {
            self.timer.run()
        }
    }
}
