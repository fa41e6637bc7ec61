/// Renders the metrics registry in Prometheus text format 0.0.4.
///
/// The executable picks the metrics backend and hands the agent this view of it, so the
/// agent's code only uses swift-metrics' API.
package protocol MetricsExposition: Sendable {
    /// Appends every registered metric to `buffer`.
    func render(into buffer: inout [UInt8])
}
