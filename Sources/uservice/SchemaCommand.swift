import AgentConfiguration
internal import ArgumentParser

/// `uservice schema`: the config file's JSON Schema, for editors and CI checks.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the config file."
    )

    func run() {
        print(ConfigLoader.jsonSchema(features: BuildFeatures.config).renderJSON(), terminator: "")
    }
}
