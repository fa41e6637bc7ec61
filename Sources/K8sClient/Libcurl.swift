import CCurl

/// Facts about the libcurl the Kubernetes client runs on.
public enum Libcurl {
    /// The libcurl version, e.g. `7.88.1`.
    public static var version: String {
        guard let info = uservice_curl_version_info(), let version = info.pointee.version else { return "unknown" }
        return String(cString: version)
    }
}
