import Agent

/// Decodes YAML text as `test.yaml` and returns the diagnostics as `LINE:COLUMN: MESSAGE` strings.
func diagnostics(_ yaml: String) -> [String] {
    do {
        _ = try ConfigLoader.decode(Array(yaml.utf8), file: "test.yaml")
        return []
    } catch {
        return error.diagnostics.map { "\($0.mark): \($0.problem)" }
    }
}

/// Decodes YAML text that must be valid.
func config(_ yaml: String) throws -> AgentConfig {
    try ConfigLoader.decode(Array(yaml.utf8), file: "test.yaml").config
}
