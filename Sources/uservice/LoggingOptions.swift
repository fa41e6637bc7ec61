import Agent
import ArgumentParser
import Logging

/// The logging options of `start`, which override the config's `logging` section.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Lowest log level written; overrides logging.level.")
    var logLevel: Logger.Level?

    @Option(help: "Log line format (json or text); overrides logging.format.")
    var logFormat: LoggingConfig.Format?

    /// The logging settings of `config` with the command-line overrides applied.
    func logging(from config: LoggingConfig) -> LoggingConfig {
        LoggingConfig(level: self.logLevel ?? config.level, format: self.logFormat ?? config.format)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LoggingConfig.Format: ExpressibleByArgument {}
