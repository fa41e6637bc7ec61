#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read.
public enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with this `errno`.
    case system(errno: Int32)
    /// The file is larger than the reader accepts.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .system(let code): String(cString: strerror(code))
        case .tooLarge(let limit): "the file is larger than \(limit) bytes"
        }
    }
}

/// Reads small files (config, tokens, certificates) whole, without Foundation.
public enum FileContents {
    /// Reads the file at `path`, refusing more than `limit` bytes so a path like `/dev/zero`
    /// fails instead of hanging.
    public static func bytes(at path: String, limit: Int = 1 << 20) throws(FileReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system(errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(errno: errno)
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { throw .tooLarge(limit: limit) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
