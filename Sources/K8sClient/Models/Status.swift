/// The `Status` object the API server answers errors with (`kind: Status`, `apiVersion: v1`).
public struct Status: Codable, Sendable, Equatable {
    /// Extra facts some errors carry.
    public struct Details: Codable, Sendable, Equatable {
        public var name: String?
        public var kind: String?
        public var retryAfterSeconds: Int?
    }

    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// A CamelCase machine-readable reason, e.g. `Unauthorized`, `AlreadyExists`.
    public var reason: String?
    public var code: Int?
    public var details: Details?
}
