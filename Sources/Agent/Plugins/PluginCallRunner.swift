import Metrics
internal import NIOCore
import NIOPosix
import Synchronization

/// Runs plugin calls on a thread pool of their own, at most `limit` at once, and gives each an
/// answer within its timeout whatever the plugin does.
///
/// A call past the limit is refused at once instead of queued, so a burst cannot pile request
/// bodies up in memory. A call that times out is answered, but its thread stays with the
/// plugin until the plugin returns and counts against the limit until then: a plugin that
/// never returns ends up refusing calls, not holding connections.
final class PluginCallRunner: Sendable {
    /// How a call ended.
    enum Outcome: Sendable {
        /// The plugin returned; nil when it reported a failure (or was shut down).
        case answered(PluginResponse?)
        /// `limit` calls were running already.
        case busy
        /// The plugin did not return within the timeout.
        case timedOut
    }

    let limit: Int
    private let pool: NIOThreadPool
    private let running = Atomic(0)
    /// Help text of the metric of refused plugin calls.
    static let metricDescriptions = [
        "uservice_plugin_calls_refused_total":
            "Plugin calls answered 503 (busy: maxPluginCalls running) or 504 (timeout: past pluginTimeout)."
    ]

    /// `uservice_plugin_calls_refused_total{reason}`.
    private let refusedBusy = Counter(label: "uservice_plugin_calls_refused_total", dimensions: [("reason", "busy")])
    private let refusedTimeout = Counter(
        label: "uservice_plugin_calls_refused_total", dimensions: [("reason", "timeout")])

    /// Starts `limit` threads for plugin calls.
    init(limit: Int) {
        self.limit = limit
        self.pool = NIOThreadPool(numberOfThreads: limit)
        self.pool.start()
    }

    /// Calls `plugin` with `body` on a pool thread; the future completes on `eventLoop` when
    /// the plugin returns or `timeout` passes, whichever comes first. The body is copied for
    /// the plugin only once the call is admitted.
    func call(
        _ plugin: LoadedPlugin,
        body: ByteBuffer,
        timeout: TimeAmount,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<Outcome> {
        guard self.running.wrappingAdd(1, ordering: .relaxed).newValue <= self.limit else {
            self.running.subtract(1, ordering: .relaxed)
            self.refusedBusy.increment()
            return eventLoop.makeSucceededFuture(.busy)
        }
        let request = Array(body.readableBytesView)
        let promise = eventLoop.makePromise(of: Outcome.self)
        // Whichever comes first, the plugin's return or the timeout, answers; both run on the loop.
        let settled = NIOLoopBoundBox(false, eventLoop: eventLoop)
        let settle: @Sendable (Outcome) -> Void = { [refusedTimeout] outcome in
            guard !settled.value else { return }
            settled.value = true
            if case .timedOut = outcome { refusedTimeout.increment() }
            promise.succeed(outcome)
        }
        let timeoutTask = eventLoop.scheduleTask(in: timeout) { settle(.timedOut) }
        self.pool.submit { state in
            let response: PluginResponse?
            if case .active = state {
                response = plugin.process(request)
            } else {
                response = nil
            }
            self.running.subtract(1, ordering: .relaxed)
            eventLoop.execute {
                timeoutTask.cancel()
                settle(.answered(response))
            }
        }
        return promise.futureResult
    }

    /// Stops the pool's idle threads; a thread still inside a plugin stays until it returns
    /// (this does not wait for it).
    func shutdown() {
        self.pool.shutdownGracefully { _ in }
    }
}
