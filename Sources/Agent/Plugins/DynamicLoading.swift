import CPluginHost

/// Whether this process can load shared libraries, which plugins are.
///
/// The image's `static` variant is one fully static executable (`-static-executable`): no
/// dynamic loader is mapped, so `dlopen` of a plugin cannot work (glibc's static `dlopen`
/// would need the very `libc.so.6` the image does not have, and two C libraries in one
/// process besides). SwiftPM does not tell the code how it is linked, so the process looks at
/// its own program headers, already in memory: a dynamically linked executable names its
/// loader in a `PT_INTERP` header; a static one (static-pie too) has none.
package enum DynamicLoading {
    /// True when the executable was started by the dynamic loader, so plugins can be loaded.
    /// When the kernel passed no program headers (never on Linux), it assumes it can.
    package static let isAvailable: Bool = uservice_has_program_interpreter() != 0
}
