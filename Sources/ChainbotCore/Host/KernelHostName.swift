import Glibc

/// The kernel's host name (`gethostname(2)`), or `localhost` when it cannot be read: the default name of
/// this host, which `--host` and the configuration's `host` override.
public enum KernelHostName {
    public static func read() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
