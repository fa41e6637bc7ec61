import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps a plugin's calls (`process`, `health`) apart from its `deinit`: calls enter and leave
/// through it, and ``close(waitingUpTo:)`` lets no new call in and waits for those inside to
/// return, so `deinit` never runs while plugin code does.
final class PluginCallFence: Sendable {
    private struct State {
        var callsInside = 0
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// Runs `call` unless the fence is closed (then returns nil).
    func run<Result>(_ call: () -> Result) -> Result? {
        let entered = self.state.withLockedValue { state in
            guard !state.closed else { return false }
            state.callsInside += 1
            return true
        }
        guard entered else { return nil }
        defer { self.state.withLockedValue { $0.callsInside -= 1 } }
        return call()
    }

    /// Closes the fence and waits up to `seconds` for the calls inside to return (checking
    /// every 10 ms: this runs once, at exit).
    ///
    /// - Returns: true when no call is inside any more; false when some still are (a plugin
    ///   that hangs), and the plugin's state must be left alone.
    func close(waitingUpTo seconds: Double) -> Bool {
        var waited = 0.0
        while true {
            let callsInside = self.state.withLockedValue { state in
                state.closed = true
                return state.callsInside
            }
            if callsInside == 0 { return true }
            if waited >= seconds { return false }
            usleep(10_000)
            waited += 0.01
        }
    }
}
