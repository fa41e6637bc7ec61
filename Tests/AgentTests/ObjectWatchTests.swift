import CurlHTTP
import Foundation
import K8sClient
import Logging
import Synchronization
import Testing

@testable import Agent

/// The list+watch loop against a scripted API server, in-process: which versions it resumes
/// from, when it lists again, how it waits, and how fast it stops.
@Suite("object watch, in-process")
struct ObjectWatchTests {
    static let apiServer = "https://api.test"
    static let listPath = "/api/v1/namespaces/demo/configmaps?fieldSelector=metadata.name%3Dcfg"

    static func configMap(_ resourceVersion: Int, _ value: String) -> String {
        #"{"kind":"ConfigMap","metadata":{"name":"cfg","resourceVersion":"\#(resourceVersion)"},"data":{"k":"\#(value)"}}"#
    }

    static func list(_ resourceVersion: Int, _ value: String?) -> ScriptedTransport.Answer {
        let items = value.map { Self.configMap(resourceVersion, $0) } ?? ""
        return .status(
            200,
            body: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"\#(resourceVersion)"},"items":[\#(items)]}"#)
    }

    static func event(_ type: String, _ resourceVersion: Int, _ value: String) -> String {
        #"{"type":"\#(type)","object":\#(Self.configMap(resourceVersion, value))}"# + "\n"
    }

    static func bookmark(_ resourceVersion: Int) -> String {
        #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"\#(resourceVersion)"}}}"#
            + "\n"
    }

    static let expired =
        #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 10 (30)","reason":"Expired","code":410}}"#
        + "\n"

    /// What one watch run did.
    struct Run {
        var changes: [String?]
        var requests: [ScriptedTransport.Received]
        var status: WatchStatus.State
        /// From cancelling the watch's task to its end.
        var stopTime: Duration
    }

    /// Watches `cfg` until the script is used up and the status satisfies `settled` (for up to
    /// 5 s), then cancels the watch.
    static func watch(
        answers: [ScriptedTransport.Answer],
        backoff: Backoff = Backoff(base: .milliseconds(2), cap: .milliseconds(8)),
        until settled: @escaping (WatchStatus.State) -> Bool = { _ in true }
    ) async throws -> Run {
        let token = try TokenFile("token-1")
        let transport = ScriptedTransport(apiServer: Self.apiServer, answers: answers)
        let calls = try transport.calls(tokenPath: token.path)
        let changes = Mutex<[String?]>([])
        let status = WatchStatus(object: "configmap/cfg")
        let watch = ObjectWatch<ConfigMap>(
            name: "cfg", calls: calls, status: status, logger: Logger(label: "test"),
            onChange: { configMap in changes.withLock { $0.append(configMap?.data?["k"]) } }, backoff: backoff)
        let task = Task { await watch.run() }
        for _ in 0..<1000 where !transport.isExhausted {
            try await Task.sleep(for: .milliseconds(10))
        }
        // Whatever the watch does with the last answer, it does before its next request.
        try await Task.sleep(for: .milliseconds(100))
        for _ in 0..<500 where !settled(status.state) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let state = status.state
        let cancelled = ContinuousClock.now
        task.cancel()
        await task.value
        let stopTime = ContinuousClock.now - cancelled
        await calls.shutdown()
        #expect(transport.isExhausted, "the watch stopped before the script ended")
        return Run(
            changes: changes.withLock { $0 }, requests: transport.received, status: state, stopTime: stopTime)
    }

    /// The `resourceVersion` a request resumes from, or `list` for a list.
    static func resumes(_ requests: [ScriptedTransport.Received]) -> [String] {
        requests.map { request in
            guard request.path.contains("&watch=true") else { return "list" }
            return request.path.firstMatch(of: /resourceVersion=(\d+)/).map { String($0.1) } ?? "?"
        }
    }

    @Test func itListsThenResumesEachStreamFromTheLastVersionSeen() async throws {
        let modified = Self.event("MODIFIED", 16, "c")
        let run = try await Self.watch(
            answers: [
                Self.list(10, "a"),
                .stream([Self.event("MODIFIED", 11, "b"), Self.bookmark(15)], end: .clean),
                // An event split across reads, then the connection reset.
                .stream([String(modified.prefix(20)), String(modified.dropFirst(20))], end: .reset),
                .stream([], end: .held),
            ], until: { $0 == .watching })
        #expect(run.changes == ["a", "b", "c"])
        #expect(Self.resumes(run.requests) == ["list", "10", "15", "16"])
        #expect(run.requests.first?.path == Self.listPath)
        let watch = try #require(run.requests.last?.path)
        #expect(watch.hasPrefix(Self.listPath + "&watch=true&resourceVersion=16&allowWatchBookmarks=true"))
        let timeout = try #require(watch.firstMatch(of: /timeoutSeconds=(\d+)$/).flatMap { Int($0.1) })
        #expect((300...600).contains(timeout))
        #expect(run.status == .watching)
        // At once in fact (the transfer's wait is woken); bounded loosely for a loaded machine.
        #expect(run.stopTime < .milliseconds(500), "cancelling a held stream took \(run.stopTime)")
    }

    @Test func anExpiredHistoryListsAgain() async throws {
        let run = try await Self.watch(answers: [
            Self.list(10, "a"),
            // kube-apiserver's way: 200, then an ERROR event with a 410 Status.
            .stream([Self.expired], end: .clean),
            Self.list(30, "b"),
            // Or the HTTP status itself.
            .status(410, body: #"{"kind":"Status","status":"Failure","reason":"Expired","code":410}"#),
            Self.list(31, nil),
            .stream([], end: .held),
        ]) { $0 == .watching }
        #expect(Self.resumes(run.requests) == ["list", "10", "list", "30", "list", "31"])
        #expect(run.changes == ["a", "b", nil], "a list without the object says it is gone")
        #expect(run.status == .watching)
    }

    @Test func aTooManyRequestsAnswerIsWaitedOutAsAsked() async throws {
        let run = try await Self.watch(answers: [
            Self.list(10, "a"),
            .status(429, headers: [("Retry-After", "1")], body: #"{"kind":"Status","code":429}"#),
            .stream([], end: .held),
        ])
        #expect(Self.resumes(run.requests) == ["list", "10", "10"])
        let waited = run.requests[2].at - run.requests[1].at
        #expect(waited >= .milliseconds(950), "retried after \(waited)")
    }

    @Test func aLineOverTheLimitStopsTheStreamAndItResumesFromTheVersionBefore() async throws {
        let huge = Self.event("MODIFIED", 12, String(repeating: "x", count: KubernetesClient.maxObjectBytes))
        let run = try await Self.watch(answers: [
            Self.list(10, "a"),
            .stream([Self.event("MODIFIED", 11, "b"), huge], end: .clean),
            .stream([], end: .held),
        ])
        #expect(run.changes == ["a", "b"])
        #expect(Self.resumes(run.requests) == ["list", "10", "11"])
    }

    @Test func failuresMarkTheWatchOutOfSyncUntilAStreamOpens() async throws {
        let isFailing: (WatchStatus.State) -> Bool = {
            if case .failing = $0 { return true }
            return false
        }
        let failing = try await Self.watch(
            answers: [
                Self.list(10, "a"), .reset, .reset,
                // Waited out until the watch is cancelled.
                .status(
                    503, headers: [("Retry-After", "60")], body: #"{"kind":"Status","message":"overloaded","code":503}"#
                ),
            ], until: isFailing)
        guard case .failing(let reason, _) = failing.status else {
            Issue.record("not failing: \(failing.status)")
            return
        }
        #expect(reason.contains("503") && reason.contains("overloaded"), "\(reason)")
        #expect(failing.stopTime < .milliseconds(500), "cancelling the wait took \(failing.stopTime)")

        let recovered = try await Self.watch(
            answers: [Self.list(10, "a"), .reset, .stream([], end: .held)], until: { $0 == .watching })
        #expect(recovered.status == .watching, "a stream that opens is in sync again")
    }

    @Test func aStreamThatEndsAtOnceIsReopenedAfterABackoffEvenWithEvents() async throws {
        let run = try await Self.watch(
            answers: [
                Self.list(10, "a"), .stream([Self.bookmark(12)], end: .clean),
                .stream([Self.bookmark(13)], end: .clean), .stream([], end: .held),
            ], backoff: Backoff(base: .milliseconds(400), cap: .seconds(2)))
        #expect(Self.resumes(run.requests) == ["list", "10", "12", "13"])
        // Jittered between half and all of 400 ms, then of 800 ms: never at once.
        #expect(run.requests[2].at - run.requests[1].at >= .milliseconds(200))
        #expect(run.requests[3].at - run.requests[2].at >= .milliseconds(400), "the backoff grows")
    }

    @Test func aRetryAfterOfZeroStillWaitsASecond() async throws {
        let run = try await Self.watch(answers: [
            Self.list(10, "a"),
            .status(503, headers: [("Retry-After", "0")], body: #"{"kind":"Status","code":503}"#),
            .stream([], end: .held),
        ])
        #expect(run.requests[2].at - run.requests[1].at >= .milliseconds(950))
    }

    @Test func anErrorEventEndsTheStreamAndUnknownTypesAreSkipped() async throws {
        let serverError =
            #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"etcd","reason":"InternalError","code":500}}"#
            + "\n"
        let run = try await Self.watch(answers: [
            Self.list(10, "a"),
            .stream([#"{"type":"SYNC","object":{}}"# + "\n", Self.event("MODIFIED", 11, "b")], end: .clean),
            .stream([serverError, Self.event("MODIFIED", 12, "ignored")], end: .clean),
            .stream([], end: .held),
        ])
        #expect(run.changes == ["a", "b"], "nothing after the ERROR is applied")
        #expect(Self.resumes(run.requests) == ["list", "10", "11", "11"])
    }

    @Test func theCheckFailsOnlyAfterTheWatchHasBeenFailingForTheGracePeriod() {
        let watch = WatchStatus(object: "configmap/cfg")
        let start = ContinuousClock.now
        #expect(!WatchStatus.check([watch], now: start).passed, "not listed yet")
        #expect(watch.failed("403 Forbidden", at: start))
        let unlisted = WatchStatus.check([watch], now: start)
        #expect(
            !unlisted.passed && unlisted.output == "configmap/cfg: not listed yet: 403 Forbidden",
            "no grace before a list")
        #expect(watch.synced(at: start), "recovered")
        #expect(WatchStatus.check([watch], now: start).passed)
        #expect(watch.failed("reset", at: start + .seconds(2)))
        #expect(!watch.failed("503", at: start + .seconds(5)), "only the first failure is new")
        let retrying = WatchStatus.check([watch], now: start + .seconds(11))
        #expect(retrying.passed && retrying.output == "configmap/cfg: retrying for 9 s: 503")
        let failing = WatchStatus.check([watch], now: start + .seconds(2) + WatchStatus.grace)
        #expect(!failing.passed && failing.output == "configmap/cfg: failing for 10 s: 503")
    }

    @Test func aStreamThatFailsRightAfterOpeningDoesNotEndTheOutage() {
        let watch = WatchStatus(object: "pod/web-0")
        let start = ContinuousClock.now
        _ = watch.synced(at: start)
        #expect(watch.failed("reset", at: start))
        // Opened, then cut within a second, again and again: still the outage that began at start.
        for second in 3...12 {
            #expect(watch.synced(at: start + .seconds(second)))
            #expect(!watch.failed("reset", at: start + .seconds(second) + .milliseconds(200)))
        }
        #expect(!WatchStatus.check([watch], now: start + .seconds(13)).passed)
        // A recovery that lasts ends it: the next failure starts a new one.
        #expect(watch.synced(at: start + .seconds(14)))
        #expect(watch.failed("reset", at: start + .seconds(20)))
        #expect(WatchStatus.check([watch], now: start + .seconds(21)).passed)
    }
}
