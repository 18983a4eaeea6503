import ChainbotCore
import Glibc

/// Whole-file reads and writes on an open descriptor, retrying EINTR and short transfers.
enum FileDescriptorIO {
    /// Reads from `fd` until end of file; `path` names the file in errors.
    static func readAll(_ fd: Int32, path: String) throws(ProviderError) -> [UInt8] {
        var status = stat()
        let expected = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected)
        // One byte more than the expected size, so end of file is usually seen by the second read.
        var chunk = [UInt8](repeating: 0, count: max(expected + 1, 4096))
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProviderError.current("read", path: path)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes every byte of `bytes` to `fd`; `path` names the file in errors.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(ProviderError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProviderError.current("write", path: path)
            }
            offset += count
        }
    }

    /// Flushes `fd` to stable storage; `path` names the file in errors.
    static func sync(_ fd: Int32, path: String) throws(ProviderError) {
        while fsync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            // Some filesystems cannot sync a directory (EINVAL); the data is as durable as they allow.
            if code == EINVAL { return }
            throw ProviderError(SystemError("fsync", path: path, code: code))
        }
    }

    /// Flushes the directory `directory` (any descriptor of it, `O_PATH` too) to make a rename or unlink
    /// inside it durable; `path` names it in errors.
    static func syncDirectory(_ directory: Int32, path: String) throws(ProviderError) {
        let fd = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ProviderError.current("open", path: path) }
        defer { close(fd) }
        try sync(fd, path: path)
    }
}
