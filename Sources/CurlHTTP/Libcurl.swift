import CCurl

/// Facts about the libcurl the Kubernetes client runs on.
public enum Libcurl {
    /// The libcurl version, e.g. `7.88.1`.
    public static var version: String {
        guard let info = uservice_curl_version_info(), let version = info.pointee.version else { return "unknown" }
        return String(cString: version)
    }

    /// True when this libcurl speaks HTTP/2 (built with nghttp2); it is then offered over TLS.
    public static var supportsHTTP2: Bool {
        guard let info = uservice_curl_version_info() else { return false }
        return info.pointee.features & CURL_VERSION_HTTP2 != 0
    }
}
