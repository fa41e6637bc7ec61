import CurlHTTP
internal import K8sClient
import NIOConcurrencyHelpers
import NIOPosix

/// Runs the blocking ``KubernetesClient`` off the event loops, on a thread of its own, so a
/// slow or hung API server never holds up probes or the data port.
///
/// Calls run one at a time. Cancelling the calling task returns at once, whether its call is
/// running (the transfer is aborted) or still waiting for the thread (it will not run).
final class KubernetesCalls: Sendable {
    let client: KubernetesClient
    private let thread: NIOThreadPool

    init(client: KubernetesClient) {
        self.client = client
        self.thread = NIOThreadPool(numberOfThreads: 1)
        self.thread.start()
    }

    /// Runs `call` with the client on the Kubernetes thread.
    func run<Value: Sendable>(
        _ call: @escaping @Sendable (KubernetesClient, TransferCancellation) throws(KubernetesError) -> Value
    ) async throws(KubernetesError) -> Value {
        let cancellation = TransferCancellation()
        let completion = CallCompletion<Value>()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                completion.wait(with: continuation)
                self.thread.submit { [client] state in
                    guard state == .active else {
                        completion.finish(.failure(Self.cancelled("the Kubernetes thread is stopped")))
                        return
                    }
                    completion.finish(Result { () throws(KubernetesError) in try call(client, cancellation) })
                }
            }
        } onCancel: {
            cancellation.cancel()
            completion.finish(.failure(Self.cancelled("cancelled")))
        }
        return try result.get()
    }

    /// Waits for the call in progress to return, at most `limit` (2 s by default), then stops
    /// the thread.
    ///
    /// Call it once nobody waits for a call any more: each call then either finished or was
    /// cancelled, so a transfer still running is one being aborted, which takes milliseconds.
    /// The process must not exit while a transfer runs: libcurl and OpenSSL would then work on
    /// state that `exit` is tearing down. It waits also when the calling task is cancelled (a
    /// service group cancels its services when one fails).
    func shutdown(waitingAtMost limit: Duration = .seconds(2)) async {
        // A task of its own: the caller's cancellation would end both waits below at once.
        await Task {
            await withTaskGroup(of: Void.self) { group in
                // Calls run in order on the one thread: this one runs once the one before returned.
                group.addTask { _ = try? await self.run { _, _ in } }
                group.addTask { try? await Task.sleep(for: limit) }
                await group.next()
                group.cancelAll()
            }
        }.value
        self.thread.shutdownGracefully { _ in }
    }

    private static func cancelled(_ message: String) -> KubernetesError {
        .transport(.cancelled(message))
    }
}

/// The one result of a call, delivered to its waiting task by whichever comes first: the
/// call finishing or the task being cancelled.
private final class CallCompletion<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<Value, KubernetesError>, Never>?
        var result: Result<Value, KubernetesError>?
        var delivered = false
    }

    private let state = NIOLockedValueBox(State())

    func wait(with continuation: CheckedContinuation<Result<Value, KubernetesError>, Never>) {
        let ready = self.state.withLockedValue { state -> Result<Value, KubernetesError>? in
            guard let result = state.result else {
                state.continuation = continuation
                return nil
            }
            state.delivered = true
            return result
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func finish(_ result: Result<Value, KubernetesError>) {
        let waiting = self.state.withLockedValue {
            state -> CheckedContinuation<Result<Value, KubernetesError>, Never>? in
            guard state.result == nil, !state.delivered else { return nil }
            state.result = result
            guard let continuation = state.continuation else { return nil }
            state.delivered = true
            state.continuation = nil
            return continuation
        }
        waiting?.resume(returning: result)
    }
}
