import AgentConfiguration
internal import ArgumentParser
import UServiceSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--config FILE`, falling back to `$USERVICE_CONFIG`, then to the embedded defaults.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("YAML config file (default: $USERVICE_CONFIG, else built-in defaults).", valueName: "file")
    )
    var config: String?

    /// The config file to read, if any.
    var path: String? {
        if let config { return config }
        guard let fromEnvironment = getenv("USERVICE_CONFIG").map({ String(cString: $0) }), !fromEnvironment.isEmpty
        else { return nil }
        return fromEnvironment
    }

    /// Loads the config, or prints every problem to standard error and exits with status 1.
    func load() throws -> LoadedConfig {
        guard let path = self.path else { return ConfigLoader.defaults(features: BuildFeatures.config) }
        do {
            return try ConfigLoader.load(file: path, features: BuildFeatures.config)
        } catch {
            for diagnostic in error.diagnostics {
                LineWriter.standardError.writeLine(diagnostic.description)
            }
            throw ExitCode.failure
        }
    }
}
