// A sample uservice plugin in Swift, exported through the C ABI with @_cdecl: answers
// POST /plugins/hello with {"hello":"BODY"} and logs through the host.
public import CUServicePlugin

#if canImport(Glibc)
import Glibc
#endif

/// The plugin's state between calls: the host table it logs through.
private final class HelloState {
    let host: UnsafePointer<uservice_host>

    init(host: UnsafePointer<uservice_host>) {
        self.host = host
    }

    func log(_ level: uservice_log_level, _ message: String) {
        let host = self.host.pointee
        guard host.log_enabled(host.context, level) != 0 else { return }
        var message = message
        message.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { host.log(host.context, level, $0.baseAddress, $0.count) }
        }
    }

    static func from(_ state: UnsafeMutableRawPointer?) -> HelloState? {
        state.map { Unmanaged<HelloState>.fromOpaque($0).takeUnretainedValue() }
    }
}

private let contentType: StaticString = "application/json"

/// Built once; read-only afterwards, so sharing it between threads is safe.
nonisolated(unsafe) private let descriptor: UnsafeMutablePointer<uservice_plugin> = {
    let descriptor = UnsafeMutablePointer<uservice_plugin>.allocate(capacity: 1)
    descriptor.initialize(
        to: uservice_plugin(
            abi_version: USERVICE_PLUGIN_ABI_VERSION,
            name: UnsafeRawPointer(("hello" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self),
            version: UnsafeRawPointer(("1.0.0" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self),
            init: { host, state, _ in
                guard let host, let state else { return 1 }
                let hello = HelloState(host: host)
                state.pointee = Unmanaged.passRetained(hello).toOpaque()
                hello.log(USERVICE_LOG_INFO, "hello plugin ready")
                return 0
            },
            process: { state, request, length, response in
                guard let response else { return 1 }
                let text = String(decoding: UnsafeBufferPointer(start: request, count: length), as: UTF8.self)
                var escaped = ""
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\"": escaped += "\\\""
                    case "\\": escaped += "\\\\"
                    case _ where scalar.value < 0x20:
                        escaped += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                    default: escaped.unicodeScalars.append(scalar)
                    }
                }
                let body = Array("{\"hello\":\"\(escaped)\"}".utf8)
                let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(body.count, 1))
                buffer.initialize(from: body, count: body.count)
                response.pointee.status = 200
                response.pointee.content_type = UnsafeRawPointer(contentType.utf8Start).assumingMemoryBound(
                    to: CChar.self)
                response.pointee.body = buffer
                response.pointee.body_length = body.count
                HelloState.from(state)?.log(USERVICE_LOG_DEBUG, "greeted \(length) bytes")
                return 0
            },
            release: { _, response in
                response?.pointee.body?.deallocate()
            },
            health: nil,
            deinit: { state in
                guard let state else { return }
                HelloState.from(state)?.log(USERVICE_LOG_INFO, "hello plugin stopping")
                Unmanaged<HelloState>.fromOpaque(state).release()
            }
        ))
    return descriptor
}()

/// The plugin's entry point, found by the host with dlsym.
@_cdecl("uservice_plugin_entry")
public func uservicePluginEntry() -> UnsafePointer<uservice_plugin> {
    UnsafePointer(descriptor)
}
