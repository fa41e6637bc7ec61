/// Something the agent publishes to a ``RecordSink``: a lifecycle event, a data-plane request,
/// or a plugin's answer.
enum AgentRecord: Sendable {
    /// The kinds, which a sink may take or not.
    enum Kind: Sendable {
        case event, request, pluginOutput
    }

    case event(AgentEvent)
    case request(AccessRecord)
    case pluginOutput(PluginOutput)

    var kind: Kind {
        switch self {
        case .event: .event
        case .request: .request
        case .pluginOutput: .pluginOutput
        }
    }
}

/// One data-plane request, with the fields of its access-log line.
struct AccessRecord: Sendable {
    var time: UTCTimestamp
    var method: String
    var path: String
    var status: UInt
    /// Response body bytes.
    var bytes: Int
    var nanoseconds: Int64
    var remote: String
}

/// A plugin's answer to `POST /plugins/NAME`.
struct PluginOutput: Sendable {
    var time: UTCTimestamp
    var plugin: String
    var status: Int
    var contentType: String
    var body: [UInt8]
}

/// Where the agent publishes its records besides its log and Kubernetes Events; a build with
/// the `Kafka` trait has one, the Kafka sink.
protocol RecordSink: Sendable {
    /// Whether the sink takes records of `kind`, so callers skip building ones it does not.
    func accepts(_ kind: AgentRecord.Kind) -> Bool
    /// Hands `record` over without blocking; a full sink drops and counts it.
    func publish(_ record: AgentRecord)
}

extension Optional where Wrapped == any RecordSink {
    /// Publishes the record `make` builds when there is a sink and it takes records of `kind`.
    func publish(_ kind: AgentRecord.Kind, _ make: () -> AgentRecord) {
        guard let sink = self, sink.accepts(kind) else { return }
        sink.publish(make())
    }
}
