internal import AgentConfiguration
internal import K8sClient
internal import Logging
import NIOConcurrencyHelpers

/// Acts on the agent's own Pod annotations:
/// - `uservice.dev/log-level: LEVEL` sets the log level while present (it wins over the
///   command line and the config; removing it gives them back the say);
/// - `uservice.dev/out-of-rotation: "true"` fails the `rotation` readiness check, so the pod
///   leaves its Service's endpoints but keeps running; `"false"` or removing it puts it back.
///   Each change is an Event (`OutOfRotation`, `BackInRotation`).
/// An invalid value is logged and reported as an `AnnotationRejected` Warning Event, and
/// changes nothing. Only a change of an annotation's value is acted on.
final class PodAnnotationFollower: Sendable {
    static let logLevelKey = "uservice.dev/log-level"
    static let outOfRotationKey = "uservice.dev/out-of-rotation"

    private struct State {
        /// The annotations' values last acted on (nil: absent).
        var logLevel: String?
        var outOfRotation: String?
        var inRotation = true
    }

    private let state = NIOLockedValueBox(State())
    private let logControl: LogControl
    private let events: LifecycleEventPublisher
    private let logger: Logger

    init(logControl: LogControl, events: LifecycleEventPublisher, logger: Logger) {
        self.logControl = logControl
        self.events = events
        self.logger = logger
    }

    /// The `rotation` check: fails while the pod is taken out of rotation.
    var rotation: HealthCheckResult {
        self.state.withLockedValue { $0.inRotation }
            ? .pass("in rotation")
            : .fail("out of rotation: annotation \(Self.outOfRotationKey) is \"true\"")
    }

    /// Takes the Pod as it is now; nil (deleted: the pod is going away) changes nothing.
    func follow(_ pod: Pod?) {
        guard let pod else { return }
        let annotations = pod.metadata.annotations ?? [:]
        let level = annotations[Self.logLevelKey]
        let rotation = annotations[Self.outOfRotationKey]
        let (levelChanged, rotationChanged) = self.state.withLockedValue { state in
            defer {
                state.logLevel = level
                state.outOfRotation = rotation
            }
            return (state.logLevel != level, state.outOfRotation != rotation)
        }
        if levelChanged { self.applyLogLevel(level) }
        if rotationChanged { self.applyRotation(rotation) }
    }

    private func applyLogLevel(_ value: String?) {
        guard let value else {
            self.logControl.annotate(level: nil)
            return self.logger.notice(
                "log level annotation removed",
                metadata: ["level": "\(self.logControl.settings.level)", "annotation": "\(Self.logLevelKey)"])
        }
        guard let level = Logger.Level(rawValue: value) else {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            return self.reject(Self.logLevelKey, value, expected: levels)
        }
        self.logControl.annotate(level: level)
        self.logger.notice(
            "log level set by annotation", metadata: ["level": "\(level)", "annotation": "\(Self.logLevelKey)"])
    }

    private func applyRotation(_ value: String?) {
        let out: Bool
        switch value {
        case "true": out = true
        case "false", nil: out = false
        case let other?: return self.reject(Self.outOfRotationKey, other, expected: "\"true\" or \"false\"")
        }
        let changed = self.state.withLockedValue { state in
            defer { state.inRotation = !out }
            return state.inRotation == out
        }
        guard changed else { return }
        if out {
            self.logger.notice("out of rotation: /readyz fails until the annotation is removed")
            self.events.record(
                .outOfRotation, note: "annotation \(Self.outOfRotationKey)=true: readiness fails, the pod keeps running"
            )
        } else {
            self.logger.notice("back in rotation")
            self.events.record(.backInRotation, note: "annotation \(Self.outOfRotationKey) cleared: readiness restored")
        }
    }

    private func reject(_ annotation: String, _ value: String, expected: String) {
        // Anyone who may annotate the pod writes this value: a short quote of it is enough.
        let value = value.count > 64 ? value.prefix(64) + "..." : value
        self.logger.warning(
            "annotation ignored: invalid value",
            metadata: ["annotation": "\(annotation)", "value": "\(value)", "expected": "\(expected)"])
        self.events.record(
            .annotationRejected, note: "annotation \(annotation)=\"\(value)\" ignored: expected \(expected)")
    }
}
