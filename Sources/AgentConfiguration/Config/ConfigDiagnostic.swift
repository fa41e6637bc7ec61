/// One problem in a config file, at a position.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The config file's path as the user gave it.
    public var file: String
    public var mark: SourceMark
    public var problem: ConfigProblem

    public init(file: String, mark: SourceMark, problem: ConfigProblem) {
        self.file = file
        self.mark = mark
        self.problem = problem
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE`, the form compilers use, so editors can jump to it.
    public var description: String {
        "\(self.file):\(self.mark.line):\(self.mark.column): error: \(self.problem)"
    }
}

/// Thrown when a config cannot be used; holds every problem found, in file order.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.mark < $1.mark }
    }

    /// Every diagnostic, one per line.
    public var description: String {
        self.diagnostics.map(\.description).joined(separator: "\n")
    }
}
