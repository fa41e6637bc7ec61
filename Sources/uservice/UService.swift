internal import ArgumentParser

/// The `uservice` command line: a Kubernetes sidecar agent.
@main
struct UService: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uservice",
        abstract: "A Kubernetes sidecar agent: probes, metrics, a small data plane, Events and graceful drain.",
        subcommands: [ParseCommand.self, StartCommand.self, DrainCommand.self, VersionCommand.self, SchemaCommand.self]
    )
}
