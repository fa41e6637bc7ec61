import CCurl

/// A reusable libcurl easy handle: requests made one after another through it reuse its open
/// connections (HTTP keep-alive, TLS sessions).
///
/// Blocking and single-threaded: call ``perform(_:cancellation:)`` from one thread at a time
/// that may block (a command, a dedicated thread), never from an event loop.
public final class CurlConnection {
    private let handle: UnsafeMutableRawPointer
    /// Runs the transfers, so a cancellation can wake its wait for the network at once; it
    /// also keeps the open connections between them.
    private let multi: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    public init() throws(CurlError) {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: UInt32(CURLE_FAILED_INIT.rawValue), message: "cannot create a libcurl handle")
        }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(handle)
            throw CurlError(code: UInt32(CURLE_FAILED_INIT.rawValue), message: "cannot create a libcurl multi handle")
        }
        self.handle = handle
        self.multi = multi
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(self.handle)
        curl_multi_cleanup(self.multi)
        self.errorBuffer.deallocate()
    }

    /// Performs the request and returns the response, whatever its status.
    ///
    /// Only the request's ``CurlRequest/protocols`` are used, and a redirect is never
    /// followed: a 3xx answer is the response.
    ///
    /// - Throws: ``CurlError`` when no response arrived: a scheme the request does not allow
    ///   (`CURLE_UNSUPPORTED_PROTOCOL`, before any connection), connection refused or reset,
    ///   TLS verification failed, timeout, a body over the limit, or `cancellation`.
    public func perform(
        _ request: CurlRequest, cancellation: TransferCancellation? = nil
    ) throws(CurlError) -> CurlResponse {
        try self.transfer(request, cancellation: cancellation, receiver: nil)
    }

    /// Performs the request, handing the body of a 2xx response to `receive` piece by piece as
    /// it arrives (a watch stream) instead of collecting it; `receive` returns false to stop.
    /// `receive` first gets an empty piece once the 2xx response's head has arrived. Any other
    /// status's body is collected into the response, as ``perform(_:cancellation:)`` does.
    ///
    /// - Throws: ``CurlError`` as ``perform(_:cancellation:)`` does, and when `receive` stopped
    ///   the transfer.
    public func stream(
        _ request: CurlRequest,
        cancellation: TransferCancellation? = nil,
        receive: (UnsafeRawBufferPointer) -> Bool
    ) throws(CurlError) -> CurlResponse {
        let result = withoutActuallyEscaping(receive) { receive in
            Result { () throws(CurlError) in try self.transfer(request, cancellation: cancellation, receiver: receive) }
        }
        return try result.get()
    }

    private func transfer(
        _ request: CurlRequest,
        cancellation: TransferCancellation?,
        receiver: ((UnsafeRawBufferPointer) -> Bool)?
    ) throws(CurlError) -> CurlResponse {
        // Reset forgets the last request's options but keeps open connections and TLS sessions.
        curl_easy_reset(self.handle)
        self.errorBuffer[0] = 0
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers { headerList = curl_slist_append(headerList, header) }

        let transfer = TransferState(handle: self.handle, limit: request.maxResponseBytes, receiver: receiver)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        let code: CURLcode = withExtendedLifetime(transfer) {
            let optionsSet = self.setOptions(for: request, headers: headerList)
            guard optionsSet == CURLE_OK else { return optionsSet }
            uservice_curl_setopt_pointer(self.handle, CURLOPT_WRITEDATA, context)
            uservice_curl_setopt_pointer(self.handle, CURLOPT_HEADERDATA, context)
            // libcurl copies the body (COPYPOSTFIELDS); an empty body still needs a valid
            // pointer, or libcurl would read the body from standard input.
            let body = request.body.isEmpty ? [0] : request.body
            return body.withUnsafeBufferPointer { bodyPointer in
                if request.method != "GET" {
                    uservice_curl_setopt_long(self.handle, CURLOPT_POSTFIELDSIZE, request.body.count)
                    uservice_curl_setopt_pointer(
                        self.handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress))
                }
                return self.run(transfer, headTimeout: request.headTimeout, cancellation: cancellation)
            }
        }
        guard code == CURLE_OK else {
            throw self.error(for: code, transfer: transfer, request: request)
        }
        var status = 0
        uservice_curl_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &status)
        return CurlResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    /// Runs the configured transfer to its end, waking from its wait for the network when
    /// `cancellation` is cancelled.
    private func run(
        _ transfer: TransferState,
        headTimeout: Duration?,
        cancellation: TransferCancellation?
    ) -> CURLcode {
        if cancellation?.isCancelled == true { return CURLE_ABORTED_BY_CALLBACK }
        let added = curl_multi_add_handle(self.multi, self.handle)
        guard added == CURLM_OK else { return self.multiFailure(added) }
        defer { curl_multi_remove_handle(self.multi, self.handle) }
        let headDeadline = headTimeout.map { ContinuousClock.now + $0 }
        guard let cancellation else { return self.drive(transfer, headDeadline: headDeadline, cancellation: nil) }
        let waker = MultiWaker(multi: self.multi)
        return cancellation.whileRunning(wakingWith: waker.wake) {
            self.drive(transfer, headDeadline: headDeadline, cancellation: cancellation)
        }
    }

    /// Lets libcurl work and waits for the network until the transfer is done, cancelled, or
    /// without a response head at `headDeadline`.
    private func drive(
        _ transfer: TransferState,
        headDeadline: ContinuousClock.Instant?,
        cancellation: TransferCancellation?
    ) -> CURLcode {
        var result = CURLE_OK
        while true {
            var running: Int32 = 0
            let performed = curl_multi_perform(self.multi, &running)
            guard performed == CURLM_OK else { return self.multiFailure(performed) }
            if uservice_curl_multi_done(self.multi, self.handle, &result) { return result }
            if running == 0 { return self.multiFailure(CURLM_INTERNAL_ERROR) }
            if cancellation?.isCancelled == true { return CURLE_ABORTED_BY_CALLBACK }
            if let headDeadline, transfer.status == 0, ContinuousClock.now >= headDeadline {
                self.say("no response head before the deadline")
                return CURLE_OPERATION_TIMEDOUT
            }
            // libcurl picks the wait from its own timers; curl_multi_wakeup ends it early.
            let polled = curl_multi_poll(self.multi, nil, 0, 1000, nil)
            guard polled == CURLM_OK else { return self.multiFailure(polled) }
        }
    }

    /// A failure of the multi handle itself, said in the error buffer, so the error names it.
    private func multiFailure(_ code: CURLMcode) -> CURLcode {
        self.say("libcurl multi handle: " + String(cString: curl_multi_strerror(code)))
        return CURLE_RECV_ERROR
    }

    /// Puts `message` in the error buffer, where the transfer's error is read from.
    private func say(_ message: String) {
        let bytes = message.utf8.prefix(Int(CURL_ERROR_SIZE) - 1)
        for (index, byte) in bytes.enumerated() { self.errorBuffer[index] = CChar(bitPattern: byte) }
        self.errorBuffer[bytes.count] = 0
    }

    /// Sets the request's options; returns the failure of the first option the transfer's
    /// safety depends on (allowed schemes, redirects, TLS verification) that libcurl refused.
    private func setOptions(for request: CurlRequest, headers: UnsafeMutablePointer<curl_slist>?) -> CURLcode {
        uservice_curl_setopt_pointer(self.handle, CURLOPT_ERRORBUFFER, self.errorBuffer)
        uservice_curl_setopt_string(self.handle, CURLOPT_URL, request.url)
        uservice_curl_setopt_string(self.handle, CURLOPT_CUSTOMREQUEST, request.method)
        // Only the schemes the request allows (the Kubernetes client: https alone).
        let protocols = request.protocols.curlList
        // Redirects are answers, never followed: a 3xx comes back as the response. Off is
        // libcurl's default; say so, and restrict them as well, so no later edit quietly
        // lets an API server send the token elsewhere or down to plain HTTP.
        // TLS verification is libcurl's default too; say so, so no later edit can drop it.
        let safety = [
            uservice_curl_setopt_string(self.handle, CURLOPT_PROTOCOLS_STR, protocols),
            uservice_curl_setopt_long(self.handle, CURLOPT_FOLLOWLOCATION, 0),
            uservice_curl_setopt_long(self.handle, CURLOPT_MAXREDIRS, 0),
            uservice_curl_setopt_string(self.handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols),
            uservice_curl_setopt_long(self.handle, CURLOPT_SSL_VERIFYPEER, 1),
            uservice_curl_setopt_long(self.handle, CURLOPT_SSL_VERIFYHOST, 2),
        ]
        uservice_curl_setopt_long(self.handle, CURLOPT_NOSIGNAL, 1)
        // A peer gone without a reset (a failed-over load balancer) is found by keepalive
        // probes within about two minutes, not at the end of a watch's minutes-long timeout.
        uservice_curl_setopt_long(self.handle, CURLOPT_TCP_KEEPALIVE, 1)
        uservice_curl_setopt_long(self.handle, CURLOPT_TCP_KEEPIDLE, 30)
        uservice_curl_setopt_long(self.handle, CURLOPT_TCP_KEEPINTVL, 10)
        // Only the server's own response heads reach the header callback, not a proxy's.
        uservice_curl_setopt_long(self.handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        uservice_curl_setopt_long(self.handle, CURLOPT_TIMEOUT_MS, request.timeout.curlMilliseconds)
        uservice_curl_setopt_long(self.handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.curlMilliseconds)
        uservice_curl_setopt_pointer(self.handle, CURLOPT_HTTPHEADER, headers)
        if let caFile = request.caFile {
            uservice_curl_setopt_string(self.handle, CURLOPT_CAINFO, caFile)
        }
        if Libcurl.supportsHTTP2 {
            uservice_curl_setopt_long(self.handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        }
        uservice_curl_setopt_data_function(self.handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }
        uservice_curl_setopt_data_function(self.handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
            return transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
                ? size * count : 0
        }
        return safety.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    private func error(for code: CURLcode, transfer: TransferState, request: CurlRequest) -> CurlError {
        if code == CURLE_ABORTED_BY_CALLBACK {
            return .cancelled()
        }
        if transfer.stoppedByReceiver {
            return CurlError(code: UInt32(code.rawValue), message: "the receiver stopped the transfer")
        }
        let message: String
        if transfer.exceededLimit {
            message = "the response body is larger than \(transfer.limit) bytes"
        } else if code == CURLE_UNSUPPORTED_PROTOCOL {
            // Also what a URL without a known scheme gets: say which schemes would do.
            let scheme =
                request.url.firstRange(of: "://").map { "\"\(request.url[..<$0.lowerBound])\"" }
                ?? "a URL without a scheme"
            let allowed = request.protocols.curlList.replacing(",", with: " or ")
            message = "\(scheme) is not allowed (only \(allowed) URLs): \(request.url)"
        } else if self.errorBuffer[0] != 0 {
            message = String(cString: self.errorBuffer)
        } else {
            message = String(cString: curl_easy_strerror(code))
        }
        return CurlError(code: UInt32(code.rawValue), message: message)
    }
}

/// Wakes a multi handle's wait from another thread (`curl_multi_wakeup` is thread-safe).
private struct MultiWaker: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer

    func wake() { curl_multi_wakeup(self.multi) }
}

/// What one transfer received, filled in by libcurl's callbacks.
private final class TransferState {
    /// The easy handle running the transfer, to read the status once a head has arrived.
    let handle: UnsafeMutableRawPointer
    let limit: Int
    /// Takes a 2xx body as it arrives, when streaming.
    let receiver: ((UnsafeRawBufferPointer) -> Bool)?
    /// The status of the last complete response head; 0 before one arrived.
    var status = 0
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false
    var stoppedByReceiver = false

    init(handle: UnsafeMutableRawPointer, limit: Int, receiver: ((UnsafeRawBufferPointer) -> Bool)?) {
        self.handle = handle
        self.limit = limit
        self.receiver = receiver
    }

    /// Takes a piece of the body: to the receiver, or collected; false aborts the transfer
    /// (the receiver said stop, or the collected body passed the limit).
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let receiver = self.receiver, (200..<300).contains(self.status) {
            self.stoppedByReceiver = !receiver(chunk)
            return !self.stoppedByReceiver
        }
        guard self.body.count + chunk.count <= self.limit else {
            self.exceededLimit = true
            return false
        }
        self.body.append(contentsOf: chunk)
        return true
    }

    /// Records one header line; a status line starts a new response (after a redirect or
    /// `100 Continue`), so only the final response's status and headers are kept. The end of
    /// a 2xx head is told to the receiver as an empty piece; false aborts the transfer.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            self.headers = []
            return true
        }
        if text == "\r\n" || text == "\n" {
            // The end of a head (or of a chunked body's trailers, once the status is known).
            guard self.status == 0 || !(200..<300).contains(self.status) else { return true }
            var status = 0
            uservice_curl_getinfo_long(self.handle, CURLINFO_RESPONSE_CODE, &status)
            self.status = status < 200 ? 0 : status  // 1xx: the final head is still to come
            return self.status == 0 || self.receiveBody(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        guard let colon = text.firstIndex(of: ":") else { return true }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingWhitespace()
        self.headers.append((name, value))
        return true
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 so a tiny timeout is not libcurl's "no timeout" (0).
    fileprivate var curlMilliseconds: Int {
        let (seconds, attoseconds) = self.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
