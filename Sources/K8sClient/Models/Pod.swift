/// The fields of a `v1` Pod that the agent uses to identify itself and follow its annotations.
public struct Pod: Decodable, Sendable, Equatable {
    public struct Metadata: Decodable, Sendable, Equatable {
        public var name: String
        public var namespace: String?
        public var uid: String?
        public var resourceVersion: String?
        public var labels: [String: String]?
        public var annotations: [String: String]?
        public var ownerReferences: [OwnerReference]?
    }

    /// The object that manages the pod, e.g. its ReplicaSet.
    public struct OwnerReference: Decodable, Sendable, Equatable {
        public var kind: String
        public var name: String
        public var uid: String?
        public var controller: Bool?
    }

    public struct Spec: Decodable, Sendable, Equatable {
        public var nodeName: String?
    }

    public var metadata: Metadata
    public var spec: Spec?

    /// A reference to this pod, for Events.
    public var reference: ObjectReference {
        ObjectReference(
            apiVersion: "v1", kind: "Pod", name: self.metadata.name, namespace: self.metadata.namespace,
            uid: self.metadata.uid)
    }

    /// The controller that owns the pod, if any.
    public var controller: OwnerReference? {
        self.metadata.ownerReferences?.first { $0.controller == true }
    }
}

extension Pod: WatchableObject {
    public static let resource = "pods"
    public var resourceVersion: String? { self.metadata.resourceVersion }
}
