import Agent
import NIOHTTP1
import Testing

@Suite("requests and process metrics")
struct HTTPRequestTests {
    private func request(_ uri: String) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(version: .http1_1, method: .GET, uri: uri))
    }

    @Test func pathAndQuery() {
        let request = self.request("/readyz?exclude=a,b&exclude=c%2Dd&x=1+2&flag")
        #expect(request.path == "/readyz")
        #expect(request.queryValues("exclude", splittingCommas: true) == ["a", "b", "c-d"])
        #expect(request.queryValues("x") == ["1 2"])
        #expect(request.queryValues("flag") == [""])
        #expect(request.queryValues("missing").isEmpty)
        #expect(self.request("/plain").queryValues("a").isEmpty)
        #expect(self.request("/bad?x=%zz%4").queryValues("x") == [""])
    }

    @Test func processMetricsComeFromProc() throws {
        let metrics = try #require(ProcessMetrics.read())
        #expect(metrics.residentMemoryBytes > 1_000_000)
        #expect(metrics.openFileDescriptors >= 3)
        #expect(metrics.cpuSeconds > 0)
        let now = Double(UTCTimestamp.now().seconds)
        #expect(metrics.startTimeSeconds > now - 3600 && metrics.startTimeSeconds <= now + 1)
        #expect(metrics.prometheusText.contains("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "))
    }
}
