#if Kafka
import CRdKafka
import Logging
internal import Agent
import AgentConfiguration
import UServiceSupport

/// A librdkafka producer for one topic.
///
/// librdkafka does the batching, retries and reconnects on its own threads and holds records in
/// a bounded local queue until the brokers acknowledge them. Its handles are thread-safe, so
/// `produce` can be called from any thread; delivery reports arrive through ``poll(timeoutMilliseconds:)``
/// and are counted in ``outcomes``.
final class KafkaProducer: @unchecked Sendable {
    /// What librdkafka calls back into: delivery counts and the logger. Lives as long as the producer.
    private let callbacks: KafkaCallbacks
    private let handle: OpaquePointer
    private let topicHandle: OpaquePointer
    let topic: String

    var outcomes: KafkaOutcomes { self.callbacks.outcomes }

    /// Creates the producer; it connects in the background.
    ///
    /// - Throws: ``KafkaError/configuration(_:)`` when librdkafka refuses a property.
    init(_ config: KafkaConfig, logger: Logger) throws(KafkaError) {
        let properties: [(String, String)] = [
            ("bootstrap.servers", config.brokers.joined(separator: ",")),
            ("client.id", config.clientId),
            ("acks", config.acks.propertyValue),
            ("compression.codec", config.compression.rawValue),
            ("linger.ms", "\(config.linger.milliseconds)"),
            ("message.timeout.ms", "\(max(1, config.messageTimeout.milliseconds))"),
            ("queue.buffering.max.messages", "\(config.queueSize)"),
        ]
        let conf = rd_kafka_conf_new()
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties
        where rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw .configuration("\(name)=\(value): \(String(nulTerminated: errorText))")
        }
        let callbacks = KafkaCallbacks(logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            KafkaCallbacks.from(opaque).delivered(error: message.pointee.err)
        }
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            KafkaCallbacks.from(opaque).log(level: level, facility: facility, text: text)
        }
        rd_kafka_conf_set_error_cb(conf) { handle, error, reason, opaque in
            guard let opaque else { return }
            let fatal = handle.map { rd_kafka_fatal_error($0, nil, 0) != RD_KAFKA_RESP_ERR_NO_ERROR } ?? false
            KafkaCallbacks.from(opaque).error(
                rd_kafka_resp_err_t(rawValue: error), reason: reason.map { String(cString: $0) } ?? "", fatal: fatal)
        }
        // On success rd_kafka_new owns conf; on failure it is still ours.
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration(String(nulTerminated: errorText))
        }
        guard let topicHandle = rd_kafka_topic_new(handle, config.topic, nil) else {
            let reason = String(cString: rd_kafka_err2str(rd_kafka_last_error()))
            rd_kafka_destroy(handle)
            throw .configuration("topic \(config.topic): \(reason)")
        }
        self.callbacks = callbacks
        self.handle = handle
        self.topicHandle = topicHandle
        self.topic = config.topic
    }

    deinit {
        rd_kafka_topic_destroy(self.topicHandle)
        rd_kafka_destroy(self.handle)
    }

    /// Queues one record; never blocks. A full local queue drops the record and counts it.
    ///
    /// - Returns: whether the record was queued.
    @discardableResult
    func produce(key: String, value: String) -> Bool {
        var key = key
        var value = value
        let result = key.withUTF8 { key in
            value.withUTF8 { value in
                rd_kafka_produce(
                    self.topicHandle, crdkafka_partition_unassigned, RD_KAFKA_MSG_F_COPY,
                    UnsafeMutableRawPointer(mutating: value.baseAddress), value.count, key.baseAddress, key.count, nil)
            }
        }
        guard result == 0 else {
            self.outcomes.count(.dropped)
            return false
        }
        return true
    }

    /// Serves delivery reports and callbacks, waiting up to `timeoutMilliseconds` for one.
    func poll(timeoutMilliseconds: Int32) {
        rd_kafka_poll(self.handle, timeoutMilliseconds)
    }

    /// Records queued or in flight, not yet reported delivered or failed.
    var pending: Int {
        Int(rd_kafka_outq_len(self.handle))
    }

    /// Waits up to `timeoutMilliseconds` for every pending record to be delivered (or to fail),
    /// then drops what is still pending: those count as `dropped`.
    ///
    /// - Returns: how many records were dropped.
    func flush(timeoutMilliseconds: Int32) -> Int {
        guard rd_kafka_flush(self.handle, timeoutMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR else { return 0 }
        let left = self.pending
        rd_kafka_purge(self.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        // Purged records come back as delivery reports with a purge error, counted as dropped.
        rd_kafka_poll(self.handle, 0)
        return left
    }

    /// Asks the cluster for the topic's metadata: passes when a broker answers and knows the topic.
    func checkBrokers(timeoutMilliseconds: Int32) -> HealthCheckResult {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(self.handle, 0, self.topicHandle, &metadata, timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return .fail("brokers unreachable: \(KafkaError.describe(error))")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let brokers = metadata.pointee.broker_cnt
        guard metadata.pointee.topic_cnt > 0, let topic = metadata.pointee.topics?.pointee else {
            return .fail("\(brokers) brokers, no metadata for topic \(self.topic)")
        }
        guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .fail("\(brokers) brokers, topic \(self.topic): \(KafkaError.describe(topic.err))")
        }
        return .pass("\(brokers) brokers, topic \(self.topic) has \(topic.partition_cnt) partitions")
    }
}

/// What went wrong setting up the producer.
enum KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka refused the configuration.
    case configuration(String)

    var description: String {
        switch self {
        case .configuration(let reason): "kafka: \(reason)"
        }
    }

    /// librdkafka's text for an error code.
    static func describe(_ error: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(error))
    }
}
#endif
