/// Told of every request a listener answers, once its answer is ready: an access log.
package protocol HTTPRequestLog: Sendable {
    /// `bytes` counts the answer's body; `nanoseconds` runs from the whole request being in to
    /// its answer being ready.
    func record(_ request: HTTPRequest, status: UInt, bytes: Int, nanoseconds: Int64)
}
