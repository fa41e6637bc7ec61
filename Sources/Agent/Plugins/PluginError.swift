/// Why a plugin could not be loaded or used. The description names the plugin's path.
public enum PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileMissing(path: String)
    /// `dlopen` refused the file (not a shared object, wrong architecture, missing dependency).
    case cannotOpen(path: String, reason: String)
    case entryMissing(path: String)
    case abiMismatch(path: String, found: UInt32, expected: UInt32)
    case invalidDescriptor(path: String, reason: String)
    case initFailed(path: String, code: Int32, message: String?)
    case duplicateName(String)

    public var description: String {
        switch self {
        case .fileMissing(let path):
            return "plugin \(path): no such file"
        case .cannotOpen(let path, let reason):
            return "plugin \(path): not a loadable shared object: \(reason)"
        case .entryMissing(let path):
            return "plugin \(path): no uservice_plugin_entry symbol (is it a uservice plugin?)"
        case .abiMismatch(let path, let found, let expected):
            return "plugin \(path): built for plugin ABI \(found), this uservice speaks ABI \(expected)"
        case .invalidDescriptor(let path, let reason):
            return "plugin \(path): invalid descriptor: \(reason)"
        case .initFailed(let path, let code, let message):
            return "plugin \(path): init failed with code \(code)" + (message.map { ": \($0)" } ?? "")
        case .duplicateName(let name):
            return "two plugins are named \(name)"
        }
    }
}
