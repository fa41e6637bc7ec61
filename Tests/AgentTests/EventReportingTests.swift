import AgentConfiguration
import K8sClient
import Testing

@testable import Agent
@testable import UServiceSupport

@Suite("event reporting")
struct EventReportingTests {
    static let time = UTCTimestamp(seconds: 1_795_000_000, nanoseconds: 123_456_789)

    @Test func aRepeatWithinTheWindowUpdatesTheSeriesAndALateOneStartsAgain() {
        var tracker = EventSeriesTracker()
        let start = ContinuousClock.now
        let event = AgentEvent(.configReloaded, note: "changed: logging", time: Self.time)
        let first = tracker.delivery(for: event, podName: "web-1", now: start)
        #expect(first == .create(name: "web-1.18e91efd632f4d15"))
        tracker.delivered(first, for: event, now: start)

        let second = tracker.delivery(for: event, podName: "web-1", now: start + .seconds(60))
        #expect(
            second
                == .updateSeries(
                    name: "web-1.18e91efd632f4d15",
                    series: .init(count: 2, lastObservedTime: "2026-11-18T11:06:40.123456Z")))
        tracker.delivered(second, for: event, now: start + .seconds(60))
        let third = tracker.delivery(for: event, podName: "web-1", now: start + .seconds(120))
        guard case .updateSeries(_, let series) = third else {
            Issue.record("expected a series update, got \(third)")
            return
        }
        #expect(series.count == 3)

        let other = AgentEvent(.configReloaded, note: "changed: lifecycle", time: Self.time)
        #expect(
            tracker.delivery(for: other, podName: "web-1", now: start + .seconds(61))
                == .create(name: "web-1.18e91efd632f4d15"))
        // Six minutes after the last occurrence the series is over.
        let late = tracker.delivery(for: event, podName: "web-1", now: start + .seconds(60) + EventSeriesTracker.window)
        #expect(late == .create(name: "web-1.18e91efd632f4d15"))
    }

    @Test func eventNamesStayValidForLongPodNames() {
        let name = EventSeriesTracker.eventName(podName: String(repeating: "a", count: 253), time: Self.time)
        #expect(name.count <= 253)
        #expect(name.hasSuffix(".18e91efd632f4d15"))
    }

    @Test func notesAreCutToOneKilobyteOnACharacterBoundary() {
        let event = AgentEvent(.configRejected, note: String(repeating: "é", count: 600))
        #expect(event.note.utf8.count <= 1024)
        #expect(event.note.hasSuffix("..."))
        #expect(AgentEvent(.ready, note: "short").note == "short")
    }

    @Test func backoffGrowsWithJitterUpToItsCap() {
        var random = SystemRandomNumberGenerator()
        let backoff = Backoff(base: .milliseconds(500), cap: .seconds(30))
        for _ in 0..<50 {
            let first = backoff.delay(beforeRetry: 0, using: &random)
            #expect(first >= .milliseconds(250) && first <= .milliseconds(500))
            let fourth = backoff.delay(beforeRetry: 3, using: &random)
            #expect(fourth >= .seconds(2) && fourth <= .seconds(4))
            let late = backoff.delay(beforeRetry: 40, using: &random)
            #expect(late >= .seconds(15) && late <= .seconds(30))
        }
    }

    @Test func aFullQueueDropsTheOldestAndAClosedOneEmptiesThenEnds() async {
        let queue = EventQueue(capacity: 2)
        queue.record(.started, note: "1")
        queue.record(.ready, note: "2")
        queue.record(.draining, note: "3")
        queue.close()
        queue.record(.stopped, note: "ignored after close")
        #expect(await queue.next()?.note == "2")
        #expect(await queue.next()?.note == "3")
        #expect(await queue.next() == nil)
    }

    @Test func aWaitingConsumerGetsTheNextEventOrNilWhenCancelled() async {
        let queue = EventQueue()
        async let next = queue.next()
        try? await Task.sleep(for: .milliseconds(50))
        queue.record(.ready, note: "ready")
        #expect(await next?.reason == .ready)

        let waiting = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == nil)
    }

}
