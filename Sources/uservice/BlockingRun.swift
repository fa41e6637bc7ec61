import Dispatch
import Synchronization

/// Runs `operation` on Swift's global concurrent executor and blocks the calling thread until
/// it returns.
///
/// `uservice start` uses it from a synchronous `main` instead of an async one: Swift's async
/// `main` parks the main thread in `dispatch_main`, which ends it with `pthread_exit`; that
/// forced unwind makes a static executable's libgcc sort every unwind entry of the 25 MB binary
/// first, about 80 ms of CPU at every start. Nothing in the agent runs on the main actor, so
/// blocking the main thread is safe.
func runBlocking<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) throws -> Value {
    let outcome = Mutex<Result<Value, any Error>?>(nil)
    let finished = DispatchSemaphore(value: 0)
    Task {
        let result: Result<Value, any Error>
        do {
            result = .success(try await operation())
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
        finished.signal()
    }
    finished.wait()
    return try outcome.withLock { $0! }.get()
}
