import CCurl

/// Why a transfer produced no HTTP response.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's result code.
    public var code: UInt32
    /// libcurl's explanation.
    public var message: String

    public var description: String { self.message }
}

/// A status and body received over HTTP(S).
public struct CurlResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
}

/// One blocking HTTP(S) request through a libcurl easy handle.
///
/// Blocking: call it from a thread that may block (a command, a thread pool), never from an
/// event loop.
public struct CurlTransfer: Sendable {
    public var method: String
    public var url: String
    public var headers: [String]
    public var body: [UInt8]
    /// The longest the whole transfer may take.
    public var timeout: Duration
    /// The longest connecting may take.
    public var connectTimeout: Duration

    public init(
        method: String = "GET",
        url: String,
        headers: [String] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Performs the request and returns the response, whatever its status.
    public func perform() throws(CurlError) -> CurlResponse {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: UInt32(CURLE_FAILED_INIT.rawValue), message: "cannot create a libcurl handle")
        }
        defer { curl_easy_cleanup(handle) }
        let received = ReceivedBytes()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in self.headers { headerList = curl_slist_append(headerList, header) }

        // libcurl copies the body (COPYPOSTFIELDS); an empty body still needs a valid pointer,
        // or libcurl would read the body from standard input.
        let bodyBytes = self.body.isEmpty ? [0] : self.body
        let code: CURLcode = bodyBytes.withUnsafeBufferPointer { bodyPointer in
            uservice_curl_setopt_string(handle, CURLOPT_URL, self.url)
            uservice_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, self.method)
            uservice_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            uservice_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(self.timeout))
            uservice_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(self.connectTimeout))
            uservice_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList)
            if self.method != "GET" {
                uservice_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, self.body.count)
                uservice_curl_setopt_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress))
            }
            uservice_curl_setopt_write_function(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                let received = Unmanaged<ReceivedBytes>.fromOpaque(context).takeUnretainedValue()
                received.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            }
            return withExtendedLifetime(received) {
                uservice_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(received).toOpaque())
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            throw CurlError(code: UInt32(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        uservice_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return CurlResponse(status: status, body: received.bytes)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// The body as libcurl hands it over, chunk by chunk.
private final class ReceivedBytes {
    var bytes: [UInt8] = []
}
