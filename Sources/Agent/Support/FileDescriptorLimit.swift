#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process's limit on open file descriptors, which every connection needs one of.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one, as Go's runtime does at start: container runtimes
    /// often leave the soft limit at 1024, fewer than the listeners' default `maxConnections`
    /// together, and out of descriptors no listener can accept, probes included.
    ///
    /// - Returns: the soft limit in force afterwards; nil when it cannot be read.
    static func raiseToHardLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }
}
