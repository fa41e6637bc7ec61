import Agent
import ArgumentParser
import Logging

/// `uservice start`: run the agent.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the agent (on the built-in defaults when no config is given)."
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var globalOptions: GlobalOptions

    @Option(name: .customLong("plugin"), help: ArgumentHelp("Plugin shared library to load (repeatable).", valueName: "path"))
    var plugins: [String] = []

    func run() async throws {
        var loaded = try self.configOptions.load()
        loaded.config.plugins += self.plugins
        let logging = self.globalOptions.logging(from: loaded.config.logging)
        LoggingSystem.bootstrap { label in
            AgentLogHandler(label: label, level: logging.level, format: logging.format)
        }
        let logger = Logger(label: loaded.config.service.name)
        logger.info(
            "configuration loaded",
            metadata: ["config": "\(self.configOptions.path ?? "built-in defaults")"]
        )
    }
}
