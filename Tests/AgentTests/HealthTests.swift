import AgentConfiguration
import NIOCore
import Testing

@testable import Agent
@testable import UServiceSupport

@Suite("health checks")
struct HealthTests {
    @Test func tickerPassesWithinItsMarginOnly() {
        let start = ContinuousClock.now
        let ticker = Ticker(margin: .seconds(5), now: start)
        #expect(ticker.check(at: start + .seconds(5)).passed)
        #expect(!ticker.check(at: start + .milliseconds(5001)).passed)
        ticker.tick(at: start + .seconds(10))
        let result = ticker.check(at: start + .seconds(12))
        #expect(result.passed)
        #expect(result.output == "last tick 2000ms ago, margin 5000ms")
        ticker.tick(at: start)
        #expect(ticker.check(at: start + .seconds(12)).passed, "an older tick never moves the last one back")
    }

    @Test func reportsSelectByProbeNameAndExclusion() throws {
        let registry = HealthRegistry()
        registry.register("a", probes: [.liveness, .readiness]) { .pass() }
        registry.register("b", probes: [.readiness]) { .fail("down") }
        #expect(registry.report(.liveness)?.passed == true)
        let readiness = try #require(registry.report(.readiness))
        #expect(!readiness.passed)
        #expect(readiness.entries.map(\.name) == ["a", "b"])
        #expect(registry.report(.readiness, excluding: ["b"])?.passed == true)
        #expect(registry.report(.readiness, only: "b")?.entries.map(\.name) == ["b"])
        #expect(registry.report(.liveness, only: "b") == nil)
        #expect(registry.report(.startup)?.entries.isEmpty == true)
    }

    @Test func reportJSONHasTheHealthJSONShape() {
        let time = UTCTimestamp(seconds: 0)
        let report = HealthReport(entries: [
            .init(name: "x\"y", result: HealthCheckResult(passed: false, output: "it \"broke\"", time: time))
        ])
        #expect(
            String(buffer: report.jsonBody())
                == #"{"status":"fail","checks":{"x\"y":{"status":"fail","output":"it \"broke\"","time":"1970-01-01T00:00:00Z"}}}"#
        )
    }

    @Test func polledCheckRecordsTimeoutsAndFailsUntilFirstRun() async {
        let slow = PolledCheck(name: "slow", interval: .seconds(1), timeout: .milliseconds(50)) {
            try? await Task.sleep(for: .seconds(30))
            return .pass()
        }
        #expect(slow.latest.output == "not checked yet")
        #expect(!slow.latest.passed)
        await slow.runOnce()
        #expect(!slow.latest.passed)
        #expect(slow.latest.output.hasPrefix("timed out after"))

        let quick = PolledCheck(name: "quick", interval: .seconds(1), timeout: .seconds(5)) { .pass("fine") }
        await quick.runOnce()
        #expect(quick.latest.passed)
        #expect(quick.latest.output == "fine")
    }

    @Test func polledChecksAppearInProbesThroughTheirCache() async {
        let registry = HealthRegistry()
        registry.registerPolled("dependency", probes: [.readiness], interval: .seconds(1), timeout: .seconds(1)) {
            .pass("reachable")
        }
        #expect(registry.report(.readiness)?.passed == false)
        for check in registry.polledChecks { await check.runOnce() }
        #expect(registry.report(.readiness)?.passed == true)
    }

    @Test func aNamedOnlyCheckIsServedByNameButNotCounted() {
        let registry = HealthRegistry()
        registry.register("lifecycle", probes: [.readiness]) { .pass("ready") }
        registry.register("kubernetes", probes: [], namedOnly: [.readiness]) { .fail("no answer") }
        let overall = registry.report(.readiness)
        #expect(overall?.entries.map(\.name) == ["lifecycle"])
        #expect(registry.report(.readiness, only: "kubernetes")?.entries.map(\.name) == ["kubernetes"])
        #expect(registry.report(.liveness, only: "kubernetes") == nil)
    }

    @Test func probeBodyFitsEvenWhenEveryByteNeedsEscaping() {
        let worst = String(repeating: "\u{01}", count: 40)
        let report = HealthReport(entries: [
            .init(name: worst, result: HealthCheckResult(passed: true, output: worst, time: UTCTimestamp(seconds: 0))),
            .init(name: "b", result: HealthCheckResult(passed: false, output: "", time: UTCTimestamp(seconds: 60))),
        ])
        let escaped = String(repeating: "\\u0001", count: 40)
        #expect(
            String(buffer: report.jsonBody())
                == #"{"status":"fail","checks":{""# + escaped + #"":{"status":"pass","output":""# + escaped
                + #"","time":"1970-01-01T00:00:00Z"},"b":{"status":"fail","output":"","time":"1970-01-01T00:01:00Z"}}}"#
        )
    }
}
