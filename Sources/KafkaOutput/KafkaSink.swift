#if Kafka
package import Agent
import AgentConfiguration
import CRdKafka
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import UServiceSupport

/// Publishes the agent's records to Kafka: JSON values keyed by the pod's name, one topic.
///
/// Publishing never blocks a caller: records go to librdkafka's bounded local queue, which
/// holds them while the brokers are away; a full queue drops and counts them. A thread of the
/// sink's own serves delivery reports. At graceful shutdown, which comes after the drain
/// (so every request's record is queued) and after the Event reporter, the sink flushes for
/// up to `kafka.flushTimeout`; what is still pending then is dropped and counted.
package final class KafkaSink: RecordOutput {
    /// Makes the sink when the config has a `kafka` section.
    package static let factory = RecordOutputFactory(serviceName: "kafka") {
        config, settings, registry, logger throws(AgentStartupError) in
        guard let kafka = config.kafka else { return nil }
        return try KafkaSink(kafka, settings: settings, registry: registry, logger: logger)
    }

    /// Help text of the Kafka output's metrics, by name.
    package static var metricDescriptions: [String: String] {
        KafkaOutcomes.metricDescriptions
    }

    /// The version of the librdkafka the agent runs with.
    package static var librdkafkaVersion: String {
        String(cString: rd_kafka_version_str())
    }

    /// How long one poll for delivery reports waits, and so how soon the poll thread sees a stop.
    private static let pollMilliseconds: Int32 = 100

    private let producer: KafkaProducer
    private let publishes: KafkaConfig.Publish
    private let flushTimeout: ConfigDuration
    private let settings: RuntimeSettings
    private let podName: String
    /// Two threads: one polls for delivery reports, the other runs checks and the final flush.
    private let threads: NIOThreadPool
    private let polling = Atomic<Bool>(true)
    private let logger: Logger

    /// Creates the producer (it connects in the background), starts polling, and registers
    /// the `kafka` check.
    ///
    /// - Throws: ``AgentStartupError/kafka(_:)`` when librdkafka refuses the configuration.
    init(
        _ config: KafkaConfig,
        settings: RuntimeSettings,
        registry: HealthRegistry,
        logger: Logger
    ) throws(AgentStartupError) {
        do {
            self.producer = try KafkaProducer(config, logger: Logger(label: "kafka"))
        } catch {
            throw .kafka("\(error)")
        }
        self.publishes = config.publish
        self.flushTimeout = config.flushTimeout
        self.settings = settings
        self.podName = HostEnvironment.podName()
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: 2)
        self.threads.start()
        self.threads.submit { _ in
            while self.polling.load(ordering: .relaxed) {
                self.producer.poll(timeoutMilliseconds: Self.pollMilliseconds)
            }
        }
        self.registerCheck(countsInReadiness: config.readiness, registry: registry)
        logger.info(
            "kafka: on",
            metadata: [
                "brokers": "\(config.brokers.joined(separator: ","))", "topic": "\(config.topic)",
                "key": "\(self.podName)", "librdkafka": "\(Self.librdkafkaVersion)",
            ])
    }

    package func accepts(_ kind: AgentRecord.Kind) -> Bool {
        switch kind {
        case .event: self.publishes.events
        case .request: self.publishes.accessLog
        case .pluginOutput: self.publishes.plugins
        }
    }

    package func publish(_ record: AgentRecord) {
        let value = KafkaRecordJSON.render(
            record, service: self.settings.current { $0.service.name }, pod: self.podName)
        self.producer.produce(key: self.podName, value: value)
    }

    package func run() async {
        try? await gracefulShutdown()
        self.polling.store(false, ordering: .relaxed)
        let pending = self.producer.pending
        let timeout = Int32(clamping: self.flushTimeout.milliseconds)
        let dropped =
            (try? await self.threads.runIfActive { [producer] in producer.flush(timeoutMilliseconds: timeout) })
            ?? pending
        if dropped > 0 {
            self.logger.warning(
                "kafka: records not delivered: the flush timeout passed",
                metadata: ["records": .stringConvertible(dropped), "flushTimeout": "\(self.flushTimeout)"])
        } else if pending > 0 {
            self.logger.info("kafka: flushed", metadata: ["records": .stringConvertible(pending)])
        }
        self.shutdown()
    }

    /// Stops the threads; the producer is destroyed with the sink.
    package func shutdown() {
        self.polling.store(false, ordering: .relaxed)
        self.threads.shutdownGracefully { _ in }
    }

    /// `kafka`: passes while a broker answers a metadata request for the topic. Always at
    /// `/readyz/kafka`; part of `/readyz` only with `kafka.readiness: true`; never in liveness.
    private func registerCheck(countsInReadiness: Bool, registry: HealthRegistry) {
        registry.registerPolled(
            "kafka", probes: countsInReadiness ? [.readiness] : [],
            namedOnly: countsInReadiness ? [] : [.readiness], interval: .seconds(5), timeout: .seconds(3)
        ) { [producer, threads] in
            let result = try? await threads.runIfActive { producer.checkBrokers(timeoutMilliseconds: 2500) }
            return result ?? .fail("stopped")
        }
    }
}
#endif
