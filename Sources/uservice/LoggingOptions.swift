import Agent
import AgentConfiguration
public import ArgumentParser
import Logging

/// The logging options of `start`, which override the config's `logging` section.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Lowest log level written; overrides logging.level.")
    var logLevel: Logger.Level?

    @Option(help: "Log line format (json or text); overrides logging.format.")
    var logFormat: LoggingConfig.Format?

    /// What the command line chose over the config.
    var overrides: LogControl.Overrides {
        LogControl.Overrides(level: self.logLevel, format: self.logFormat)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LoggingConfig.Format: ExpressibleByArgument {}
