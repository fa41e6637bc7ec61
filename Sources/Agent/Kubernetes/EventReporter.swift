import CurlHTTP
internal import K8sClient
internal import Logging
internal import ServiceLifecycle
internal import UServiceSupport

/// Sends the queued lifecycle Events to the API server, in order, as `events.k8s.io/v1`
/// Events regarding the agent's pod.
///
/// It first reads its own Pod so Events carry the pod's uid. Failed sends are retried with
/// jittered exponential backoff (a 429's `Retry-After` wins) up to ``maxAttempts``; other 4xx
/// are final. At graceful shutdown, which comes after the drain recorded `Stopped`, the queue
/// closes and has `flushTimeout` to empty; what is left then is dropped and counted.
struct EventReporter: Service {
    /// Sends per Event (and Pod reads at start) before giving up.
    static let maxAttempts = 8
    /// The Events' `reportingController`.
    static let controllerName = "uservice"

    let calls: KubernetesCalls
    let queue: EventQueue
    let flushTimeout: Duration
    let logger: Logger
    var backoff = Backoff()

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.deliverQueued() }
            try? await gracefulShutdown()
            self.queue.close()
            group.addTask { try? await Task.sleep(for: self.flushTimeout) }
            await group.next()
            group.cancelAll()
        }
        let left = self.queue.discardAll()
        if left > 0 {
            EventQueue.countDropped(.shutdown, count: left)
            self.logger.warning(
                "events not reported: the flush timeout passed", metadata: ["events": .stringConvertible(left)])
        }
    }

    private func deliverQueued() async {
        let regarding = await self.identifyPod()
        var tracker = EventSeriesTracker()
        while !Task.isCancelled, let event = await self.queue.next() {
            await self.deliver(event, regarding: regarding, tracker: &tracker)
        }
    }

    /// The agent's pod, with its uid when the API server tells it.
    private func identifyPod() async -> ObjectReference {
        let cluster = self.calls.client.cluster
        let fallback = ObjectReference(
            apiVersion: "v1", kind: "Pod", name: cluster.podName, namespace: cluster.namespace, uid: nil)
        let pod = await self.withRetries("read the pod") { client, cancellation throws(KubernetesError) in
            try client.ownPod(cancellation: cancellation)
        }
        guard case .success(let pod) = pod else { return fallback }
        self.logger.info(
            "kubernetes: pod identified",
            metadata: [
                "pod": "\(pod.metadata.name)", "uid": "\(pod.metadata.uid ?? "")",
                "node": "\(pod.spec?.nodeName ?? "")",
                "owner": "\(pod.controller.map { "\($0.kind)/\($0.name)" } ?? "")",
            ])
        return pod.reference
    }

    private func deliver(_ event: AgentEvent, regarding: ObjectReference, tracker: inout EventSeriesTracker) async {
        let planned = tracker.delivery(for: event, podName: self.calls.client.cluster.podName, now: .now)
        let sent = await self.withRetries("report a \(event.reason.rawValue) event") {
            client, cancellation throws(KubernetesError) in
            do throws(KubernetesError) {
                return try Self.send(
                    planned, of: event, regarding: regarding, client: client, cancellation: cancellation)
            } catch {
                guard case .updateSeries = planned, error.statusCode == 404 else { throw error }
                // The Event of the series is gone (expired or deleted): start a new one.
                let fresh = EventSeriesTracker.Delivery.create(
                    name: EventSeriesTracker.eventName(podName: client.cluster.podName, time: event.time))
                return try Self.send(fresh, of: event, regarding: regarding, client: client, cancellation: cancellation)
            }
        }
        switch sent {
        case .success(let delivery):
            tracker.delivered(delivery, for: event, now: .now)
            self.logger.debug(
                "event reported", metadata: ["reason": "\(event.reason.rawValue)", "event": "\(delivery)"])
        case .failure(let reason):
            EventQueue.countDropped(reason)
        }
    }

    private static func send(
        _ delivery: EventSeriesTracker.Delivery,
        of event: AgentEvent,
        regarding: ObjectReference,
        client: KubernetesClient,
        cancellation: TransferCancellation
    ) throws(KubernetesError) -> EventSeriesTracker.Delivery {
        let cluster = client.cluster
        switch delivery {
        case .create(let name):
            let body = Event(
                metadata: .init(name: name, namespace: cluster.namespace),
                eventTime: event.time.rfc3339(fractionDigits: 6), reportingController: Self.controllerName,
                reportingInstance: String(cluster.podName.prefix(128)), action: event.reason.action,
                reason: event.reason.rawValue, type: event.reason.type, note: event.note, regarding: regarding)
            do {
                _ = try client.create(body, cancellation: cancellation)
            } catch  where error.statusCode == 409 {
                // AlreadyExists: names are unique to this pod and instant, so an earlier attempt
                // landed and only its answer was lost.
            }
        case .updateSeries(let name, let series):
            _ = try client.updateSeries(series, ofEvent: name, namespace: cluster.namespace, cancellation: cancellation)
        }
        return delivery
    }

    /// Runs `call` until it succeeds, fails for good, runs out of attempts, or the task is
    /// cancelled; logs why it gave up.
    private func withRetries<Value: Sendable>(
        _ what: String,
        _ call: @escaping @Sendable (KubernetesClient, TransferCancellation) throws(KubernetesError) -> Value
    ) async -> Result<Value, EventQueue.DropReason> {
        var random = SystemRandomNumberGenerator()
        for attempt in 0..<Self.maxAttempts {
            let error: KubernetesError
            do {
                return .success(try await self.calls.run(call))
            } catch let failure {
                error = failure
            }
            if Task.isCancelled { return .failure(.shutdown) }
            guard error.isRetryable else {
                self.logger.warning("kubernetes: cannot \(what)", metadata: ["error": "\(error)"])
                return .failure(.rejected)
            }
            guard attempt + 1 < Self.maxAttempts else { break }
            let delay =
                error.retryAfter.map(Backoff.honouring(retryAfter:))
                ?? self.backoff.delay(beforeRetry: attempt, using: &random)
            self.logger.info("kubernetes: will retry to \(what)", metadata: ["error": "\(error)", "delay": "\(delay)"])
            do {
                try await Task.sleep(for: delay)
            } catch {
                return .failure(.shutdown)
            }
        }
        self.logger.warning(
            "kubernetes: gave up trying to \(what)", metadata: ["attempts": .stringConvertible(Self.maxAttempts)])
        return .failure(.retriesExhausted)
    }
}
