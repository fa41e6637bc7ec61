internal import Logging
import NIOPosix
internal import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Applies changes of the config file without a SIGHUP, as a mounted ConfigMap gets them:
/// kubelet refreshes the file up to a minute after `kubectl apply`, and nobody signals the agent.
///
/// It watches the file's folder with inotify, which sees both an editor's write or rename and
/// kubelet's atomic swap of the `..data` symlink the mounted file resolves through. Events are
/// gathered for ``settleTime``, then the reloader reads the file and acts only on content it
/// has not seen (``ConfigReloader/Trigger/fileChanged``): rejected content is reported once,
/// and an unchanged file never causes a reload. It polls on a thread of its own, so a slow
/// file system never holds up the agent, and stops within 100 ms of a graceful shutdown.
struct ConfigFileWatcher: Service {
    let path: String
    let reloader: ConfigReloader
    let logger: Logger

    /// How long events are gathered before the file is read: one update is several events.
    static let settleTime: Duration = .milliseconds(100)

    func run() async {
        let directory = Self.directory(of: self.path)
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            return self.logger.warning(
                "config file changes are not watched: inotify unavailable", metadata: ["errno": "\(errno)"])
        }
        defer { close(descriptor) }
        let events = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
        guard inotify_add_watch(descriptor, directory, events) >= 0 else {
            return self.logger.warning(
                "config file changes are not watched", metadata: ["folder": "\(directory)", "errno": "\(errno)"])
        }
        self.logger.info("watching the config file for changes", metadata: ["config": "\(self.path)"])
        let stop = Atomic(false)
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        // A graceful shutdown or a cancellation (the group failing) stops the polling thread.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await thread.runIfActive { self.watch(descriptor, until: stop) }
            } onGracefulShutdown: {
                stop.store(true, ordering: .relaxed)
            }
        } onCancel: {
            stop.store(true, ordering: .relaxed)
        }
    }

    /// Waits for inotify events in slices of 100 ms, and reloads once they have settled.
    private func watch(_ descriptor: Int32, until stop: borrowing Atomic<Bool>) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var settlesAt: ContinuousClock.Instant?
        while !stop.load(ordering: .relaxed) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) > 0 {
                // What changed does not matter: the file's content decides.
                while read(descriptor, &buffer, buffer.count) > 0 {}
                settlesAt = .now + Self.settleTime
            }
            if let due = settlesAt, ContinuousClock.now >= due {
                settlesAt = nil
                self.reloader.reload(.fileChanged)
            }
        }
    }

    /// The folder holding `path` (`.` for a bare file name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
