import UServiceSupport

/// A config ready to use, with its effective form for `uservice parse`.
public struct LoadedConfig: Sendable, Equatable {
    /// The typed settings.
    public var config: AgentConfig
    /// Every setting with defaults filled in, in the order of the schema.
    public var effective: ConfigValue
    /// The text it was read from; empty for the embedded defaults.
    public var source: [UInt8] = []
}

/// Reads config files and describes the config format.
public enum ConfigLoader {
    /// Reads and validates the YAML config at `path`.
    ///
    /// - Parameters:
    ///   - features: what the build and process support: without dynamic loading (the static
    ///     executable) a non-empty `plugins` list is an error, without Kafka a `kafka` section.
    /// - Throws: ``ConfigError`` with every problem found, each positioned in the file.
    public static func load(file path: String, features: ConfigFeatures) throws(ConfigError) -> LoadedConfig {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.bytes(at: path)
        } catch {
            let problem = ConfigProblem.unreadableFile(reason: error.description)
            throw ConfigError(diagnostics: [ConfigDiagnostic(file: path, mark: .start, problem: problem)])
        }
        return try self.decode(bytes, file: path, features: features)
    }

    /// Validates YAML config text; `file` names it in diagnostics. `features` as for
    /// ``load(file:features:)``.
    public static func decode(
        _ bytes: [UInt8], file: String, features: ConfigFeatures
    ) throws(ConfigError) -> LoadedConfig {
        let context = ConfigDecodingContext(file: file)
        let document: YAMLNode?
        do {
            document = try YAMLParser.parse(bytes)
        } catch {
            context.report(.syntax(error.message), at: error.mark)
            throw ConfigError(diagnostics: context.diagnostics)
        }
        guard let root = document, !root.isNull else {
            context.report(.emptyFile, at: .start)
            throw ConfigError(diagnostics: context.diagnostics)
        }
        var reader = ConfigReader(mapping: root, path: "", context: context)
        let config = AgentConfig(reading: &reader, features: features)
        guard context.diagnostics.isEmpty else { throw ConfigError(diagnostics: context.diagnostics) }
        return LoadedConfig(config: config, effective: .object(reader.effective), source: bytes)
    }

    /// The embedded defaults, used when no config file is given.
    public static func defaults(features: ConfigFeatures) -> LoadedConfig {
        var reader = ConfigReader.describing()
        let config = AgentConfig(reading: &reader, features: features)
        return LoadedConfig(config: config, effective: .object(reader.effective))
    }

    /// The JSON Schema (draft 2020-12) of the config file, generated from the same code that validates it.
    public static func jsonSchema(features: ConfigFeatures) -> ConfigValue {
        var reader = ConfigReader.describing()
        _ = AgentConfig(reading: &reader, features: features)
        guard case .object(let members) = reader.schema(description: nil) else { return .null }
        let header: [ConfigValue.Member] = [
            .init("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            .init("title", .string("uservice configuration")),
        ]
        return .object(header + members.map { $0.key == "type" ? .init("type", .string("object")) : $0 })
    }
}
