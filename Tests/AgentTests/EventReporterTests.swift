import CurlHTTP
import Foundation
import K8sClient
import Logging
import ServiceLifecycleTestKit
import Testing
import UServiceSupport

@testable import Agent

/// The Event reporter against a scripted API server, in-process: what it sends, and how it
/// retries, gives up or goes on for each kind of answer (the retry matrix).
@Suite("Event reporter, in-process")
struct EventReporterTests {
    static let apiServer = "https://api.test"
    static let pod = #"{"metadata":{"name":"web-0","namespace":"demo","uid":"uid-1"},"spec":{"nodeName":"node-1"}}"#
    static let eventsPath = "/apis/events.k8s.io/v1/namespaces/demo/events"

    /// A status body as the API server sends it.
    static func status(_ code: Int, _ reason: String, retryAfterSeconds: Int? = nil) -> ScriptedTransport.Answer {
        let details = retryAfterSeconds.map { #","details":{"retryAfterSeconds":\#($0)}"# } ?? ""
        return .status(
            code,
            body:
                #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"scripted","reason":"\#(reason)","code":\#(code)\#(details)}"#
        )
    }

    /// Runs a reporter over `events` until the script is used up, then shuts it down
    /// gracefully; returns the requests the API server received.
    static func report(
        _ events: [AgentEvent],
        answers: [ScriptedTransport.Answer],
        token: TokenFile? = nil
    ) async throws -> [ScriptedTransport.Received] {
        let token = try token ?? TokenFile("token-1")
        let transport = ScriptedTransport(apiServer: Self.apiServer, answers: answers)
        let calls = try transport.calls(tokenPath: token.path)
        let queue = EventQueue()
        for event in events { queue.record(event) }
        let reporter = EventReporter(
            calls: calls, queue: queue, flushTimeout: .seconds(5), logger: Logger(label: "test"),
            backoff: Backoff(base: .milliseconds(2), cap: .milliseconds(8)))
        await testGracefulShutdown { trigger in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await reporter.run() }
                for _ in 0..<1000 where !transport.isExhausted {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                // Whatever the reporter does with the last answer, it does before its next request.
                try? await Task.sleep(for: .milliseconds(50))
                trigger.triggerGracefulShutdown()
            }
        }
        await calls.shutdown()
        #expect(transport.isExhausted, "the reporter stopped before the script ended")
        return transport.received
    }

    static func event(_ reason: AgentEvent.Reason, _ note: String, second: Int = 0) -> AgentEvent {
        AgentEvent(reason, note: note, time: UTCTimestamp(seconds: 1_795_000_000 + second))
    }

    @Test func itReadsItsPodThenSendsEachEventRegardingIt() async throws {
        let requests = try await Self.report(
            [Self.event(.started, "up"), Self.event(.ready, "ready", second: 1)],
            answers: [.status(200, body: Self.pod), .echo(201), .echo(201)])
        #expect(
            requests.map { "\($0.method) \($0.path)" } == [
                "GET /api/v1/namespaces/demo/pods/web-0", "POST \(Self.eventsPath)", "POST \(Self.eventsPath)",
            ])
        #expect(requests.allSatisfy { $0.authorization == "Bearer token-1" })
        let sent = try #require(requests.last?.body)
        #expect(
            sent.contains(#""reason":"Ready""#) && sent.contains(#""uid":"uid-1""#)
                && sent.contains(#""reportingController":"uservice""#))
    }

    @Test func serverErrorsResetsAndTooManyRequestsAreRetriedAndRetryAfterIsHonoured() async throws {
        let requests = try await Self.report(
            [Self.event(.started, "up")],
            answers: [
                .status(200, body: Self.pod), Self.status(500, "InternalError"), .reset,
                .status(429, headers: [("Retry-After", "1")], body: "{}"), Self.status(503, "ServiceUnavailable"),
                .echo(201),
            ])
        let posts = requests.filter { $0.method == "POST" }
        #expect(posts.count == 5)
        let names = posts.map { Self.name(in: $0.body) }
        #expect(names.allSatisfy { $0 != nil } && Set(names).count == 1, "every attempt sends the Event under one name")
        #expect(posts[3].at - posts[2].at >= .milliseconds(950), "the 429's Retry-After: 1 was waited for")
    }

    @Test func aForbiddenEventIsDroppedAtOnceAndTheNextOneGoesOut() async throws {
        let requests = try await Self.report(
            [Self.event(.started, "up"), Self.event(.ready, "ready", second: 1)],
            answers: [.status(200, body: Self.pod), Self.status(403, "Forbidden"), .echo(201)])
        #expect(requests.map(\.method) == ["GET", "POST", "POST"])
        #expect(requests[2].body.contains(#""reason":"Ready""#))
    }

    @Test func alreadyExistsMeansAnEarlierAttemptLanded() async throws {
        let requests = try await Self.report(
            [Self.event(.started, "up"), Self.event(.ready, "ready", second: 1)],
            answers: [.status(200, body: Self.pod), Self.status(409, "AlreadyExists"), .echo(201)])
        #expect(requests.map(\.method) == ["GET", "POST", "POST"], "no retry after 409")
        #expect(requests[2].body.contains(#""reason":"Ready""#))
    }

    @Test func aRepeatPatchesItsSeriesAndAGoneSeriesStartsANewEvent() async throws {
        let requests = try await Self.report(
            [
                Self.event(.configReloaded, "changed: logging"),
                Self.event(.configReloaded, "changed: logging", second: 5),
            ],
            answers: [.status(200, body: Self.pod), .echo(201), Self.status(404, "NotFound"), .echo(201)])
        #expect(requests.map(\.method) == ["GET", "POST", "PATCH", "POST"])
        #expect(requests[2].path.hasPrefix(Self.eventsPath + "/web-0."))
        #expect(requests[2].body.contains(#""count":2"#))
        let firstName = try #require(Self.name(in: requests[1].body))
        let secondName = try #require(Self.name(in: requests[3].body))
        #expect(firstName != secondName, "a new Event, not the gone one")
    }

    @Test func aRotatedTokenIsReadAgainAfterA401AndTheCallRetriedOnce() async throws {
        let token = try TokenFile("token-1")
        let requests = try await Self.report(
            [Self.event(.started, "up")],
            answers: [
                .after({ token.write("token-2") }, Self.status(401, "Unauthorized")), .status(200, body: Self.pod),
                .echo(201),
            ],
            token: token)
        #expect(requests.map(\.authorization) == ["Bearer token-1", "Bearer token-2", "Bearer token-2"])
    }

    @Test func itGivesUpAfterItsAttemptsAndGoesOn() async throws {
        let failures = Array(repeating: Self.status(503, "ServiceUnavailable"), count: EventReporter.maxAttempts)
        let requests = try await Self.report(
            [Self.event(.started, "up"), Self.event(.ready, "ready", second: 1)],
            answers: [.status(200, body: Self.pod)] + failures + [.echo(201)])
        #expect(requests.count == 2 + EventReporter.maxAttempts)
        #expect(requests.last?.body.contains(#""reason":"Ready""#) == true)
    }

    @Test func withoutItsPodItStillReportsRegardingThePodByName() async throws {
        let requests = try await Self.report(
            [Self.event(.started, "up")], answers: [Self.status(403, "Forbidden"), .echo(201)])
        #expect(requests.map(\.method) == ["GET", "POST"])
        let regarding = try #require(requests[1].body.range(of: #""regarding":\{[^}]*\}"#, options: .regularExpression))
        #expect(requests[1].body[regarding].contains(#""name":"web-0""#))
        #expect(!requests[1].body[regarding].contains("uid"), "the uid is unknown")
    }

    private static func name(in body: String) -> String? {
        guard let range = body.range(of: #""name":"web-0\.[0-9a-f]+""#, options: .regularExpression) else { return nil }
        return String(body[range].dropFirst(8).dropLast())
    }
}

/// A service-account token file in a temporary folder, which a test can rotate.
final class TokenFile: Sendable {
    let path: String

    init(_ token: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.path = folder.appendingPathComponent("token").path
        self.write(token)
    }

    func write(_ token: String) {
        _ = FileManager.default.createFile(atPath: self.path, contents: Data(token.utf8))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (self.path as NSString).deletingLastPathComponent)
    }
}
