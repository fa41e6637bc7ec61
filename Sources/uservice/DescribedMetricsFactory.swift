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

    private func descriptor(_ label: String) -> MetricNameDescriptor? {
        // The whole name is the label; an empty unit adds nothing to it.
        self.descriptions[label].map { MetricNameDescriptor(metricName: label, unitName: "", helpText: $0) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let descriptor = self.descriptor(label) else {
            return self.base.makeCounter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeCounter(descriptor: descriptor, labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let descriptor = self.descriptor(label) else {
            return self.base.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeCounter(descriptor: descriptor, labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let descriptor = self.descriptor(label) else {
            return self.base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        guard aggregate else { return self.base.registry.makeGauge(descriptor: descriptor, labels: dimensions) }
        let buckets = self.base.valueHistogramBuckets[label] ?? self.base.defaultValueHistogramBuckets
        return self.base.registry.makeValueHistogram(descriptor: descriptor, labels: dimensions, buckets: buckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let descriptor = self.descriptor(label) else {
            return self.base.makeMeter(label: label, dimensions: dimensions)
        }
        return self.base.registry.makeGauge(descriptor: descriptor, labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let descriptor = self.descriptor(label) else {
            return self.base.makeTimer(label: label, dimensions: dimensions)
        }
        let buckets = self.base.durationHistogramBuckets[label] ?? self.base.defaultDurationHistogramBuckets
        return self.base.registry.makeDurationHistogram(descriptor: descriptor, labels: dimensions, buckets: buckets)
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
