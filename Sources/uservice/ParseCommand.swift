import Agent
import AgentConfiguration
internal import ArgumentParser

/// `uservice parse`: validate a config and print it with every default filled in.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Validate the config and print the effective config.",
        discussion: """
            Problems are printed to standard error as FILE:LINE:COLUMN: error: MESSAGE, \
            all at once; the exit status is then 1.
            """
    )

    enum Output: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
    }

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .shortAndLong, help: "Output format.")
    var output: Output = .yaml

    func run() throws {
        let loaded = try self.configOptions.load()
        switch self.output {
        case .yaml: print(loaded.effective.renderYAML(), terminator: "")
        case .json: print(loaded.effective.renderJSON(), terminator: "")
        }
    }
}
