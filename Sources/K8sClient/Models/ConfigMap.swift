/// The fields of a `v1` ConfigMap that the agent reads its config from.
public struct ConfigMap: Decodable, Sendable, Equatable {
    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        public var resourceVersion: String?
    }

    public var metadata: Metadata
    /// The text entries; absent when the ConfigMap has none.
    public var data: [String: String]?
}

extension ConfigMap: WatchableObject {
    public static let resource = "configmaps"
    public var resourceVersion: String? { self.metadata.resourceVersion }
}
