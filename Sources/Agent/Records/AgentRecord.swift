package import UServiceSupport

/// Something the agent publishes to a ``RecordSink``: a lifecycle event, a data-plane request,
/// or a plugin's answer.
package enum AgentRecord: Sendable {
    /// The kinds, which a sink may take or not.
    package enum Kind: Sendable {
        case event, request, pluginOutput
    }

    case event(AgentEvent)
    case request(AccessRecord)
    case pluginOutput(PluginOutput)

    package var kind: Kind {
        switch self {
        case .event: .event
        case .request: .request
        case .pluginOutput: .pluginOutput
        }
    }
}

/// One data-plane request, with the fields of its access-log line.
package struct AccessRecord: Sendable {
    package var time: UTCTimestamp
    package var method: String
    package var path: String
    package var status: UInt
    /// Response body bytes.
    package var bytes: Int
    package var nanoseconds: Int64
    package var remote: String
}

/// A plugin's answer to `POST /plugins/NAME`.
package struct PluginOutput: Sendable {
    package var time: UTCTimestamp
    package var plugin: String
    package var status: Int
    package var contentType: String
    package var body: [UInt8]
}

/// Where the agent publishes its records besides its log and Kubernetes Events; a build with
/// the `Kafka` trait has one, the Kafka sink.
package protocol RecordSink: Sendable {
    /// Whether the sink takes records of `kind`, so callers skip building ones it does not.
    func accepts(_ kind: AgentRecord.Kind) -> Bool
    /// Hands `record` over without blocking; a full sink drops and counts it.
    func publish(_ record: AgentRecord)
}

extension Optional where Wrapped == any RecordSink {
    /// Publishes the record `make` builds when there is a sink and it takes records of `kind`.
    package func publish(_ kind: AgentRecord.Kind, _ make: () -> AgentRecord) {
        guard let sink = self, sink.accepts(kind) else { return }
        sink.publish(make())
    }
}
