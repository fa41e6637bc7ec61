import Foundation
import Synchronization
import Testing

@testable import Agent

/// The Kubernetes thread at shutdown: the process must not exit while a transfer still runs
/// on it, so shutdown waits for the call in progress, though not forever.
@Suite("Kubernetes calls, shutdown", .timeLimit(.minutes(1)))
struct KubernetesCallsTests {
    /// A flag the call's thread sets and the test reads.
    final class Flag: Sendable {
        private let value = Atomic(false)
        var isSet: Bool { self.value.load(ordering: .relaxed) }
        func set() { self.value.store(true, ordering: .relaxed) }
    }

    /// Calls on a client that is never used: the calls here send no request.
    static func calls() throws -> KubernetesCalls {
        try ScriptedTransport(apiServer: "https://api.test", answers: []).calls(tokenPath: "/nonexistent/token")
    }

    /// Starts a call that blocks its thread until `release` is signalled, whatever its
    /// cancellation, cancels its task once the call runs, and returns when the task has returned.
    static func cancelBlockingCall(on calls: KubernetesCalls, release: DispatchSemaphore, finished: Flag) async throws {
        let started = Flag()
        let task = Task {
            try await calls.run { _, _ in
                started.set()
                release.wait()
                finished.set()
            }
        }
        for _ in 0..<1000 where !started.isSet {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(started.isSet)
        task.cancel()
        _ = await task.result
    }

    @Test func shutdownWaitsForTheCallInProgressToReturn() async throws {
        let calls = try Self.calls()
        let release = DispatchSemaphore(value: 0)
        let finished = Flag()
        try await Self.cancelBlockingCall(on: calls, release: release, finished: finished)
        #expect(!finished.isSet, "the cancelled task returned at once, its call still runs")
        // Whether the call had returned when shutdown did.
        let returnedFirst = await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                await calls.shutdown(waitingAtMost: .seconds(30))
                return finished.isSet
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(200))
                release.signal()
                return nil
            }
            return await group.compactMap { $0 }.first { _ in true }
        }
        #expect(returnedFirst == true)
    }

    @Test func shutdownWaitsAlsoWhenItsTaskIsCancelled() async throws {
        let calls = try Self.calls()
        let release = DispatchSemaphore(value: 0)
        let finished = Flag()
        try await Self.cancelBlockingCall(on: calls, release: release, finished: finished)
        let stopping = Task {
            await calls.shutdown(waitingAtMost: .seconds(30))
            return finished.isSet
        }
        stopping.cancel()
        try await Task.sleep(for: .milliseconds(200))
        release.signal()
        #expect(await stopping.value, "shutdown returned before the call did")
    }

    @Test func shutdownWaitsNoLongerThanItsLimit() async throws {
        let calls = try Self.calls()
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        let finished = Flag()
        try await Self.cancelBlockingCall(on: calls, release: release, finished: finished)
        await calls.shutdown(waitingAtMost: .milliseconds(100))
        #expect(!finished.isSet)
    }
}
