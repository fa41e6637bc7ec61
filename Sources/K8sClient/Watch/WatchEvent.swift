/// An object of the pod's namespace that ``KubernetesClient`` can list and watch by name.
public protocol WatchableObject: Decodable, Sendable {
    /// The resource's plural name in the core `v1` API, e.g. `pods`.
    static var resource: String { get }
    /// The version of the object as stored; watches resume after it.
    var resourceVersion: String? { get }
}

/// One line of a watch stream: a change of the watched object, a bookmark, or an error.
public enum WatchEvent<Object: WatchableObject>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Nothing changed up to this version: a watch may resume from it.
    case bookmark(resourceVersion: String)
    /// The server ends the watch, e.g. 410 `Expired` when the version to resume from is too old.
    case error(Status)
    /// A type this client does not know, skipped as client-go does.
    case unknown

    /// The event's `type`, as the API names it.
    public var type: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        case .error: "ERROR"
        case .unknown: "UNKNOWN"
        }
    }

    /// The version the event moves the watch to; nil for an error, or when it names none.
    public var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object):
            object.resourceVersion.flatMap { $0.isEmpty ? nil : $0 }
        case .bookmark(let resourceVersion): resourceVersion.isEmpty ? nil : resourceVersion
        case .error, .unknown: nil
        }
    }
}

extension WatchEvent: Decodable {
    private enum CodingKeys: String, CodingKey {
        case type
        case object
    }

    private struct Bookmark: Decodable {
        struct Metadata: Decodable { var resourceVersion: String }
        var metadata: Metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            self = .bookmark(
                resourceVersion: try container.decode(Bookmark.self, forKey: .object).metadata.resourceVersion)
        case "ERROR": self = .error(try container.decode(Status.self, forKey: .object))
        default: self = .unknown
        }
    }
}

/// A list answer: the objects and the version of the collection they were read at.
public struct ObjectList<Object: WatchableObject>: Decodable, Sendable {
    public struct Metadata: Decodable, Sendable {
        public var resourceVersion: String?
    }

    public var metadata: Metadata
    public var items: [Object]
}
