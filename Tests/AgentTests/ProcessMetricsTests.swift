import Testing
import UServiceSupport

@testable import Agent

@Suite("process metrics")
struct ProcessMetricsTests {
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
