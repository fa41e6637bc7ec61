import CPluginHost
import CUServicePlugin
internal import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A plugin's answer, copied out of plugin memory.
public struct PluginResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
}

/// A plugin opened with `dlopen`, initialised, and callable through its C ABI.
///
/// `process` and `health` block (they run plugin code): call them off the event loops.
/// A plugin is never unloaded: after `shutdown` its code stays mapped until the process exits,
/// since unloading code that may have registered callbacks or threads is not safe.
public final class LoadedPlugin: @unchecked Sendable {
    // @unchecked: the descriptor and host table are immutable after init; the plugin's
    // `process` and `health` are documented as callable from several threads at once, and the
    // fence keeps them apart from `deinit` and the freeing of the host table.

    /// The plugin's name, from its descriptor.
    public let name: String
    /// The plugin's version, from its descriptor.
    public let version: String
    /// The absolute path the plugin was loaded from.
    public let path: String
    private let descriptor: UnsafePointer<uservice_plugin>
    private let host: UnsafeMutablePointer<uservice_host>
    private let sink: PluginLogSink
    private let state: UnsafeMutableRawPointer?
    private let fence = PluginCallFence()

    /// Opens, checks and initialises the plugin at `path`; its log lines go to `logger`'s
    /// backend under the label `plugin.NAME`.
    ///
    /// `path` is a file path: relative ones are taken from the working directory, also when
    /// they have no slash (which `dlopen` would otherwise look up in the library search path).
    /// It is resolved once, and the absolute path is what is opened, logged and reported.
    ///
    /// A plugin that crashes inside `init` ends the process with status 1 and a message naming it.
    public init(path givenPath: String) throws(PluginError) {
        guard let resolved = realpath(givenPath, nil) else { throw .fileMissing(path: givenPath) }
        let path = String(cString: resolved)
        free(resolved)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .cannotOpen(path: path, reason: dlerror().map { String(cString: $0) } ?? "unknown error")
        }
        var opened = false
        defer { if !opened { dlclose(handle) } }
        guard let symbol = dlsym(handle, USERVICE_PLUGIN_ENTRY_SYMBOL) else { throw .entryMissing(path: path) }
        let entry = unsafeBitCast(symbol, to: uservice_plugin_entry_function.self)
        guard let descriptor = entry() else { throw .invalidDescriptor(path: path, reason: "the entry returned NULL") }
        let abi = descriptor.pointee.abi_version
        guard abi == USERVICE_PLUGIN_ABI_VERSION else {
            throw .abiMismatch(path: path, found: abi, expected: USERVICE_PLUGIN_ABI_VERSION)
        }
        guard let namePointer = descriptor.pointee.name, descriptor.pointee.`init` != nil,
            descriptor.pointee.process != nil, descriptor.pointee.release != nil
        else { throw .invalidDescriptor(path: path, reason: "name, init, process and release are required") }
        let name = String(cString: namePointer)
        guard !name.isEmpty, name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw .invalidDescriptor(path: path, reason: "the name \"\(name)\" is not made of a-z, 0-9 and -")
        }

        let sink = PluginLogSink(logger: Logger(label: "plugin.\(name)"))
        let host = UnsafeMutablePointer<uservice_host>.allocate(capacity: 1)
        host.initialize(to: sink.hostTable())
        var state: UnsafeMutableRawPointer?
        var error: UnsafePointer<CChar>?
        let crashMessage = "uservice: cannot start: plugin \(path) crashed in init\n"
        let code = crashMessage.withCString {
            uservice_plugin_guarded_init(descriptor, host, &state, &error, $0, strlen($0))
        }
        guard code == 0 else {
            host.deallocate()
            throw .initFailed(path: path, code: code, message: error.map { String(cString: $0) })
        }
        opened = true
        self.name = name
        self.version = descriptor.pointee.version.map { String(cString: $0) } ?? ""
        self.path = path
        self.descriptor = descriptor
        self.host = host
        self.sink = sink
        self.state = state
    }

    /// True when the plugin reports health.
    public var hasHealthCheck: Bool {
        self.descriptor.pointee.health != nil
    }

    /// Runs the plugin on one request body. Blocks for as long as the plugin does. Nil when the
    /// plugin fails, or after ``shutdown(waitingUpTo:)``.
    public func process(_ request: [UInt8]) -> PluginResponse? {
        self.fence.run {
            var response = uservice_response(status: 500, content_type: nil, body: nil, body_length: 0)
            let code = request.withUnsafeBufferPointer { bytes in
                self.descriptor.pointee.process(self.state, bytes.baseAddress, bytes.count, &response)
            }
            defer { self.descriptor.pointee.release(self.state, &response) }
            guard code == 0 else { return nil }
            return PluginResponse(
                status: Int(response.status),
                contentType: response.content_type.map { String(cString: $0) } ?? "application/octet-stream",
                body: response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_length)) } ?? []
            )
        } ?? nil
    }

    /// Asks the plugin whether it is healthy. Blocks for as long as the plugin does.
    public func health() -> HealthCheckResult {
        guard let health = self.descriptor.pointee.health else { return .pass() }
        return self.fence.run {
            var message = [CChar](repeating: 0, count: 256)
            let healthy = health(self.state, &message, message.count)
            let length = message.firstIndex(of: 0) ?? message.count
            let text = String(decoding: message[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return healthy == 1 ? .pass(text.isEmpty ? "ok" : text) : .fail(text.isEmpty ? "unhealthy" : text)
        } ?? .fail("shut down")
    }

    /// Lets no new call in, waits up to `seconds` for the calls running to return, then calls
    /// the plugin's `deinit` and frees the host table. Call once.
    ///
    /// - Returns: false when calls were still running at the deadline (a plugin that hangs):
    ///   then `deinit` is not called and the host table stays, since the plugin still uses them.
    @discardableResult
    public func shutdown(waitingUpTo seconds: Double) -> Bool {
        guard self.fence.close(waitingUpTo: seconds) else { return false }
        self.descriptor.pointee.deinit?(self.state)
        self.host.deallocate()
        return true
    }
}
