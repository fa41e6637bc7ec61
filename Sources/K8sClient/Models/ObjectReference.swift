/// What an Event is about: a reference to an object by kind, name and uid.
public struct ObjectReference: Codable, Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String?
    /// Set when known, so the Event follows this very object, not a namesake created later.
    public var uid: String?

    public init(apiVersion: String, kind: String, name: String, namespace: String?, uid: String?) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}
