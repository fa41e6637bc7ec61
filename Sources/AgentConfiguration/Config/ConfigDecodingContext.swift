/// Collects problems and value positions while one config file is decoded.
///
/// Lives only for one decode on one task; never shared.
final class ConfigDecodingContext {
    let file: String
    private(set) var diagnostics: [ConfigDiagnostic] = []
    private var marks: [String: SourceMark] = [:]

    init(file: String) {
        self.file = file
    }

    func report(_ problem: ConfigProblem, at mark: SourceMark) {
        self.diagnostics.append(ConfigDiagnostic(file: self.file, mark: mark, problem: problem))
    }

    /// Remembers where the value at a dotted path (`server.port`) was written.
    func record(_ path: String, at mark: SourceMark) {
        self.marks[path] = mark
    }

    /// Where the value at a dotted path was written, if the file has it.
    func mark(of path: String) -> SourceMark? {
        self.marks[path]
    }
}
