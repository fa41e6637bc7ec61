/// Records a lifecycle event everywhere the agent reports them: the Kubernetes Event queue
/// (in a cluster, with `kubernetes.events`) and the record sink (with Kafka).
struct LifecycleEventPublisher: Sendable {
    var queue: EventQueue?
    var sink: (any RecordSink)?

    func record(_ reason: AgentEvent.Reason, note: String) {
        guard self.queue != nil || self.sink != nil else { return }
        let event = AgentEvent(reason, note: note)
        self.queue?.record(event)
        self.sink.publish(.event) { .event(event) }
    }
}
