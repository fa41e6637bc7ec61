/// An `events.k8s.io/v1` Event.
public struct Event: Codable, Sendable, Equatable {
    /// `Normal` or `Warning`.
    public enum Kind: String, Codable, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    public struct Metadata: Codable, Sendable, Equatable {
        public var name: String
        public var namespace: String
        /// Set by the API server.
        public var resourceVersion: String?
        public var uid: String?

        public init(name: String, namespace: String) {
            self.name = name
            self.namespace = namespace
        }
    }

    /// How often an Event recurred, updated by PATCH instead of creating a new Event.
    public struct Series: Codable, Sendable, Equatable {
        /// Occurrences so far, at least 2.
        public var count: Int
        /// The latest occurrence, as a MicroTime (RFC 3339, microseconds).
        public var lastObservedTime: String

        public init(count: Int, lastObservedTime: String) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    public var apiVersion = "events.k8s.io/v1"
    public var kind = "Event"
    public var metadata: Metadata
    /// When it first happened, as a MicroTime (RFC 3339, microseconds).
    public var eventTime: String
    public var series: Series?
    public var reportingController: String
    public var reportingInstance: String
    /// What was done, e.g. `Drain`.
    public var action: String
    /// Why, in CamelCase, e.g. `Draining`.
    public var reason: String
    public var type: Kind
    /// A human-readable description, at most 1 kB.
    public var note: String?
    public var regarding: ObjectReference

    public init(
        metadata: Metadata,
        eventTime: String,
        reportingController: String,
        reportingInstance: String,
        action: String,
        reason: String,
        type: Kind,
        note: String?,
        regarding: ObjectReference
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.type = type
        self.note = note
        self.regarding = regarding
    }
}
