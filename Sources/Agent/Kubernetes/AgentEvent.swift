package import K8sClient
package import UServiceSupport

/// A lifecycle moment the agent reports as a Kubernetes Event.
package struct AgentEvent: Sendable, Equatable {
    /// The reasons of the contract, each with its action and type.
    package enum Reason: String, Sendable, CaseIterable {
        case started = "Started"
        case ready = "Ready"
        case draining = "Draining"
        case stopped = "Stopped"
        case configReloaded = "ConfigReloaded"
        case configRejected = "ConfigRejected"
        case pluginLoaded = "PluginLoaded"
        case outOfRotation = "OutOfRotation"
        case backInRotation = "BackInRotation"
        case annotationRejected = "AnnotationRejected"

        /// What the agent did, in the Event's `action`.
        package var action: String {
            switch self {
            case .started: "Start"
            case .ready: "BecomeReady"
            case .draining: "Drain"
            case .stopped: "Stop"
            case .configReloaded, .configRejected: "ReloadConfig"
            case .pluginLoaded: "LoadPlugin"
            case .outOfRotation, .backInRotation: "SetRotation"
            case .annotationRejected: "ReadAnnotation"
            }
        }

        package var type: Event.Kind {
            self == .configRejected || self == .annotationRejected ? .warning : .normal
        }
    }

    /// The longest note the API accepts, in UTF-8 bytes.
    static let maxNoteBytes = 1024

    package var reason: Reason
    /// What happened, for people; cut to 1 kB.
    package var note: String
    /// When it happened.
    package var time: UTCTimestamp

    package init(_ reason: Reason, note: String, time: UTCTimestamp = .now()) {
        self.reason = reason
        self.note = Self.truncated(note)
        self.time = time
    }

    /// Events with the same key within ``EventSeriesTracker/window`` form one series.
    var seriesKey: String {
        "\(self.reason.rawValue)\u{0}\(self.note)"
    }

    private static func truncated(_ note: String) -> String {
        guard note.utf8.count > Self.maxNoteBytes else { return note }
        var cut = ""
        for character in note {
            guard cut.utf8.count + character.utf8.count <= Self.maxNoteBytes - 3 else { break }
            cut.append(character)
        }
        return cut + "..."
    }
}
