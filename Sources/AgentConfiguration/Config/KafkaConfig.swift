/// The `kafka` section, accepted only by a build with the `Kafka` package trait: where the
/// agent publishes its records and what it publishes.
public struct KafkaConfig: Sendable, Equatable {
    /// Which replicas must have a record before the broker acknowledges it.
    public enum Acks: String, Sendable, CaseIterable {
        /// Every in-sync replica (Kafka's `acks=all`).
        case all
        /// The partition leader only (`acks=1`).
        case leader
        /// No acknowledgement (`acks=0`): a record counts as delivered once sent.
        case none

        /// The value of librdkafka's `acks` property.
        package var propertyValue: String {
            switch self {
            case .all: "all"
            case .leader: "1"
            case .none: "0"
            }
        }
    }

    /// How record batches are compressed on the wire.
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    /// Which of the agent's records are published.
    public struct Publish: Sendable, Equatable {
        /// Lifecycle events (the reasons of the Kubernetes Events). Default true.
        public var events: Bool
        /// One record per data-plane request, with the access-log fields. Default false.
        public var accessLog: Bool
        /// The answers of `POST /plugins/NAME`. Default false.
        public var plugins: Bool

        public init(events: Bool = true, accessLog: Bool = false, plugins: Bool = false) {
            self.events = events
            self.accessLog = accessLog
            self.plugins = plugins
        }
    }

    /// Bootstrap brokers as `host:port`. Required.
    public var brokers: [String]
    /// The topic every record goes to. Required.
    public var topic: String
    /// The producer's `client.id`. Default `uservice`.
    public var clientId: String
    /// Default `all`.
    public var acks: Acks
    /// Default `none`.
    public var compression: Compression
    /// How long records wait to be batched before they are sent. Default 5ms.
    public var linger: ConfigDuration
    /// How long a record may wait for delivery (retries included) before it counts as failed. Default 30s.
    public var messageTimeout: ConfigDuration
    /// The most records held locally while the brokers are slow or away; more are dropped and counted.
    /// Default 10000.
    public var queueSize: Int
    /// How long the drain waits at exit for records still queued to be delivered. Default 5s.
    public var flushTimeout: ConfigDuration
    /// Whether broker reachability (the `kafka` check) counts in `/readyz`. Default false: a
    /// Kafka outage should not take every pod out of its Service. The check is always at
    /// `/readyz/kafka`.
    public var readiness: Bool
    public var publish: Publish

    public init(
        brokers: [String],
        topic: String,
        clientId: String = "uservice",
        acks: Acks = .all,
        compression: Compression = .none,
        linger: ConfigDuration = ConfigDuration(milliseconds: 5),
        messageTimeout: ConfigDuration = .seconds(30),
        queueSize: Int = 10000,
        flushTimeout: ConfigDuration = .seconds(5),
        readiness: Bool = false,
        publish: Publish = Publish()
    ) {
        self.brokers = brokers
        self.topic = topic
        self.clientId = clientId
        self.acks = acks
        self.compression = compression
        self.linger = linger
        self.messageTimeout = messageTimeout
        self.queueSize = queueSize
        self.flushTimeout = flushTimeout
        self.readiness = readiness
        self.publish = publish
    }

    init(reading reader: inout ConfigReader) {
        let defaults = KafkaConfig(brokers: [], topic: "")
        self.brokers = reader.require(
            "brokers", .nonEmptyList(of: .brokerAddress), placeholder: [], "Bootstrap brokers as host:port.")
        self.topic = reader.require("topic", .topicName, placeholder: "", "The topic every record goes to.")
        self.clientId = reader.read("clientId", .nonEmpty, default: defaults.clientId, "The producer's client.id.")
        self.acks = reader.read("acks", .acks, default: defaults.acks, "all, leader or none.")
        self.compression = reader.read(
            "compression", .choice, default: defaults.compression, "none, gzip, snappy, lz4 or zstd.")
        self.linger = reader.read(
            "linger", .duration, default: defaults.linger, "How long records wait to be batched.")
        self.messageTimeout = reader.read(
            "messageTimeout", .duration, default: defaults.messageTimeout,
            "How long a record may wait for delivery before it counts as failed.")
        self.queueSize = reader.read(
            "queueSize", .integer(in: 1...10_000_000, expected: "a number of records", what: "queue size"),
            default: defaults.queueSize, "The most records held locally; more are dropped and counted.")
        self.flushTimeout = reader.read(
            "flushTimeout", .duration, default: defaults.flushTimeout,
            "How long the drain waits at exit for queued records to be delivered.")
        self.readiness = reader.read(
            "readiness", .bool, default: defaults.readiness,
            "Let broker reachability (the kafka check) count in /readyz.")
        self.publish = reader.section("publish", "Which records are published.") {
            Publish(reading: &$0, defaults: defaults.publish)
        }
    }
}

extension KafkaConfig.Publish {
    init(reading reader: inout ConfigReader, defaults: KafkaConfig.Publish) {
        self.events = reader.read("events", .bool, default: defaults.events, "Lifecycle events.")
        self.accessLog = reader.read(
            "accessLog", .bool, default: defaults.accessLog, "One record per data-plane request.")
        self.plugins = reader.read("plugins", .bool, default: defaults.plugins, "The answers of POST /plugins/NAME.")
    }
}

extension ValueKind where Value == KafkaConfig.Acks {
    /// `all`, `leader` or `none`; Kafka's numbers (`-1`, `1`, `0`) are refused with the name to use.
    static let acks = ValueKind(
        schema: ValueKind.choice.schema,
        decode: { node, context in
            if case .scalar(let scalar) = node.content, case .integer(let number?) = scalar.resolved {
                let names: [Int: KafkaConfig.Acks] = [-1: .all, 1: .leader, 0: .none]
                let choices = KafkaConfig.Acks.allCases.map(\.rawValue)
                context.report(
                    .invalidChoice(scalar.text, choices: choices, suggestion: names[number]?.rawValue), at: node.mark)
                return nil
            }
            return ValueKind.choice.decode(node, context)
        },
        encode: ValueKind.choice.encode
    )
}

extension ValueKind where Value == String {
    /// A broker address: `host:port` or `[IPv6]:port`; a host of four numbers must be an IPv4 address.
    static let brokerAddress = text(
        "a broker address as host:port",
        pattern: "^(?!\(DottedQuad.schemaPattern):)([0-9A-Za-z.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$",
        isValid: { text in
            guard let colon = text.lastIndex(of: ":") else { return false }
            let host = text[..<colon]
            guard let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port), !host.isEmpty else {
                return false
            }
            if host.first == "[" {
                return host.last == "]" && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || ":.".contains($0) }
            }
            return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-".contains($0)) }
        },
        problem: { text in
            text.lastIndex(of: ":").flatMap { DottedQuad.problem(host: text[..<$0]) }
        }
    )

    /// A Kafka topic name: up to 249 of a-z, A-Z, 0-9, `.`, `_` and `-`.
    static let topicName = text(
        "a topic name of up to 249 letters, digits, ., _ and -", pattern: "^[A-Za-z0-9._-]{1,249}$"
    ) {
        $0.utf8.count <= 249 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
