/// A problem that keeps a YAML stream from being read as one document tree.
public struct YAMLSyntaxError: Error, Sendable, Equatable {
    /// Where the problem is.
    public var mark: SourceMark
    /// What is wrong, in libyaml's words where libyaml found it.
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }
}
