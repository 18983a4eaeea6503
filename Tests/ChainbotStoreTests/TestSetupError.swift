import Glibc

/// A failure to set up a test's world (not a failure of the code under test).
struct TestSetupError: Error, CustomStringConvertible {
    let description: String

    init(_ what: String, errno: Int32) {
        description = "\(what) failed: \(String(cString: strerror(errno)))"
    }

    init(_ description: String) {
        self.description = description
    }
}

/// Writes `bytes` to a new file at `path`.
func writeFile(_ path: String, _ bytes: [UInt8]) throws(TestSetupError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw TestSetupError("open \(path)", errno: errno) }
    defer { close(descriptor) }
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw TestSetupError("write \(path)", errno: errno) }
}
