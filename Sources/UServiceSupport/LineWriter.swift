#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to a file descriptor, each with a single `write(2)` so lines from
/// concurrent tasks never interleave. Log lines and CLI diagnostics go through it.
public struct LineWriter: Sendable {
    private let descriptor: Int32

    /// Standard output, where commands print their results.
    public static let standardOutput = LineWriter(descriptor: 1)
    /// Standard error, where the agent writes its logs and diagnostics.
    public static let standardError = LineWriter(descriptor: 2)

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Writes `line` and a newline; a short write is retried, a failed one is dropped.
    public func writeLine(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(self.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
