import AgentConfiguration

/// Decodes YAML text as `test.yaml` and returns the diagnostics as `LINE:COLUMN: MESSAGE` strings.
/// `kafka`: decode as a build with the `Kafka` trait does.
func diagnostics(_ yaml: String, kafka: Bool = false) -> [String] {
    do {
        _ = try ConfigLoader.decode(
            Array(yaml.utf8), file: "test.yaml", features: .init(canLoadPlugins: true, kafka: kafka))
        return []
    } catch {
        return error.diagnostics.map { "\($0.mark): \($0.problem)" }
    }
}

/// Decodes YAML text that must be valid; `kafka` as for ``diagnostics(_:kafka:)``.
func config(_ yaml: String, kafka: Bool = false) throws -> AgentConfig {
    try ConfigLoader.decode(Array(yaml.utf8), file: "test.yaml", features: .init(canLoadPlugins: true, kafka: kafka))
        .config
}
