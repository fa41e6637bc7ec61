internal import K8sClient
internal import UServiceSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The standard `process_*` metrics, read from `/proc/self` at scrape time.
package struct ProcessMetrics: Sendable, Equatable {
    package var cpuSeconds: Double
    package var residentMemoryBytes: Int
    package var openFileDescriptors: Int
    package var startTimeSeconds: Double

    /// Reads the current values; nil when `/proc` is not there.
    package static func read() -> ProcessMetrics? {
        guard let statBytes = try? FileContents.bytes(at: "/proc/self/stat"),
            let bootTime = Self.bootTime()
        else { return nil }
        let stat = String(decoding: statBytes, as: UTF8.self)
        // Fields after the command name, which is in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22, rss 24.
        guard fields.count > 21, let userTicks = Double(fields[11]), let systemTicks = Double(fields[12]),
            let startTicks = Double(fields[19]), let residentPages = Int(fields[21])
        else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        return ProcessMetrics(
            cpuSeconds: (userTicks + systemTicks) / ticksPerSecond,
            residentMemoryBytes: residentPages * pageSize,
            openFileDescriptors: Self.countOpenFileDescriptors(),
            startTimeSeconds: bootTime + startTicks / ticksPerSecond
        )
    }

    /// The four metrics in Prometheus text format.
    package var prometheusText: String {
        """
        # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total \(self.cpuSeconds)
        # HELP process_resident_memory_bytes Resident memory size in bytes.
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes \(self.residentMemoryBytes)
        # HELP process_open_fds Number of open file descriptors.
        # TYPE process_open_fds gauge
        process_open_fds \(self.openFileDescriptors)
        # HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
        # TYPE process_start_time_seconds gauge
        process_start_time_seconds \(self.startTimeSeconds)

        """
    }

    private static func bootTime() -> Double? {
        guard let bytes = try? FileContents.bytes(at: "/proc/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) else { return nil }
        return Double(line.dropFirst("btime ".count))
    }

    private static func countOpenFileDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDotEntry = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".")
            }
            if !isDotEntry { count += 1 }
        }
        return count - 1  // the descriptor opendir itself holds
    }
}
