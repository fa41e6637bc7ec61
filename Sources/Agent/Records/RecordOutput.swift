package import AgentConfiguration
package import Logging
package import ServiceLifecycle

/// A ``RecordSink`` that runs as a service of the agent (the Kafka sink): started with the
/// others and, at graceful shutdown, stopped after the drain so it can flush every record.
package protocol RecordOutput: RecordSink, Service {
    /// Releases what outlives the service's run (librdkafka's handle and threads); called once
    /// the service group has returned.
    func shutdown()
}

/// Makes the agent's record output from its config. The executable supplies one when its
/// build has an output (the `Kafka` trait), so the runtime itself has no build conditions.
package struct RecordOutputFactory: Sendable {
    /// The output's name among the agent's services.
    package var serviceName: String
    /// The output the config asks for; nil when it asks for none.
    package var make:
        @Sendable (AgentConfig, RuntimeSettings, HealthRegistry, Logger) throws(AgentStartupError) -> (
            any RecordOutput
        )?

    package init(
        serviceName: String,
        make:
            @escaping @Sendable (AgentConfig, RuntimeSettings, HealthRegistry, Logger) throws(AgentStartupError) -> (
                any RecordOutput
            )?
    ) {
        self.serviceName = serviceName
        self.make = make
    }
}
