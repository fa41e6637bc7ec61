internal import CoreMetrics
internal import Prometheus

/// swift-prometheus behind swift-metrics, with the help text the libraries give for their
/// metrics: swift-metrics has no place for it, and Prometheus (and `promtool check metrics`)
/// expects a `# HELP` line per metric. Metrics without a description are made as
/// `PrometheusMetricsFactory` makes them.
struct DescribedMetricsFactory: CoreMetrics.MetricsFactory {
    let base: PrometheusMetricsFactory
    /// Help text by metric name.
    let descriptions: [String: String]

    /// The described metric's name and labels as the base factory would make them (its
    /// sanitizer applied), with its help; nil when it has no description.
    private func described(
        _ label: String,
        _ dimensions: [(String, String)]
    ) -> (descriptor: MetricNameDescriptor, labels: [(String, String)])? {
        let (name, labels) = self.base.nameAndLabelSanitizer(label, dimensions)
        guard let help = self.descriptions[name] else { return nil }
        // The whole name is the label; an empty unit adds nothing to it.
        return (MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let (descriptor, labels) = self.described(label, dimensions) else {
            return self.base.makeCounter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeCounter(descriptor: descriptor, labels: labels)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let (descriptor, labels) = self.described(label, dimensions) else {
            return self.base.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeCounter(descriptor: descriptor, labels: labels)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let (descriptor, labels) = self.described(label, dimensions) else {
            return self.base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        guard aggregate else { return self.base.registry.makeGauge(descriptor: descriptor, labels: labels) }
        let buckets = self.base.valueHistogramBuckets[descriptor.name] ?? self.base.defaultValueHistogramBuckets
        return self.base.registry.makeValueHistogram(descriptor: descriptor, labels: labels, buckets: buckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let (descriptor, labels) = self.described(label, dimensions) else {
            return self.base.makeMeter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeGauge(descriptor: descriptor, labels: labels)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let (descriptor, labels) = self.described(label, dimensions) else {
            return self.base.makeTimer(label: label, dimensions: dimensions)
        }
        let buckets = self.base.durationHistogramBuckets[descriptor.name] ?? self.base.defaultDurationHistogramBuckets
        return self.base.registry.makeDurationHistogram(descriptor: descriptor, labels: labels, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        self.base.destroyCounter(handler)
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        self.base.destroyFloatingPointCounter(handler)
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        self.base.destroyRecorder(handler)
    }

    func destroyMeter(_ handler: any MeterHandler) {
        self.base.destroyMeter(handler)
    }

    func destroyTimer(_ handler: any TimerHandler) {
        self.base.destroyTimer(handler)
    }
}
