#if Kafka
import CRdKafka
import Logging
import Metrics
import NIOConcurrencyHelpers

/// How the agent's records end: `uservice_kafka_messages_total{result}`.
struct KafkaOutcomes: Sendable {
    /// The `result` label values.
    enum Result: String, Sendable, CaseIterable {
        /// Acknowledged by the brokers (as `acks` asks).
        case delivered
        /// Given up on by librdkafka: the message timeout passed or the brokers refused it.
        case failed
        /// Never sent: the local queue was full, or the drain's flush timeout passed.
        case dropped
    }

    /// Help text of the metric.
    static let metricDescriptions = [
        "uservice_kafka_messages_total": "Records published to Kafka, by how they ended: delivered, failed or dropped."
    ]

    private let counters: [Result: Counter]

    init() {
        var counters: [Result: Counter] = [:]
        for result in Result.allCases {
            counters[result] = Counter(
                label: "uservice_kafka_messages_total", dimensions: [("result", result.rawValue)])
        }
        self.counters = counters
    }

    func count(_ result: Result, _ amount: Int = 1) {
        self.counters[result]?.increment(by: amount)
    }
}

/// The object librdkafka's callbacks reach through its opaque pointer: it counts delivery
/// reports and routes librdkafka's own log lines and errors into swift-log.
final class KafkaCallbacks: Sendable {
    /// Failed deliveries are logged at most this often, with how many failed since the last line.
    static let failureLogInterval: Duration = .seconds(10)

    let outcomes = KafkaOutcomes()
    private let logger: Logger
    private let failures = NIOLockedValueBox<(lastLogged: ContinuousClock.Instant?, unlogged: Int)>((nil, 0))

    init(logger: Logger) {
        self.logger = logger
    }

    static func from(_ opaque: UnsafeMutableRawPointer) -> KafkaCallbacks {
        Unmanaged<KafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// A delivery report: success, a purge at exit (dropped), or a failure.
    func delivered(error: rd_kafka_resp_err_t) {
        switch error {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            self.outcomes.count(.delivered)
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
            self.outcomes.count(.dropped)
        default:
            self.outcomes.count(.failed)
            let now = ContinuousClock.now
            let count: Int? = self.failures.withLockedValue { failures in
                failures.unlogged += 1
                if let last = failures.lastLogged, now - last < Self.failureLogInterval { return nil }
                defer { failures = (now, 0) }
                return failures.unlogged
            }
            if let count {
                self.logger.warning(
                    "kafka: records not delivered",
                    metadata: ["error": "\(KafkaError.describe(error))", "records": .stringConvertible(count)])
            }
        }
    }

    /// A line of librdkafka's own log, at its syslog level.
    func log(level: Int32, facility: UnsafePointer<CChar>?, text: UnsafePointer<CChar>?) {
        let swiftLevel: Logger.Level =
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        self.logger.log(
            level: swiftLevel, "kafka: \(text.map { String(cString: $0) } ?? "")",
            metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"])
    }

    /// An error librdkafka reports outside a delivery, such as every broker being down.
    /// librdkafka recovers from all but fatal ones on its own.
    func error(_ error: rd_kafka_resp_err_t, reason: String, fatal: Bool) {
        self.logger.log(
            level: fatal ? .error : .warning, "kafka: \(reason)",
            metadata: ["error": "\(KafkaError.describe(error))", "fatal": "\(fatal)"])
    }
}
#endif
