import ChainbotCore
import Glibc

/// Whole-file reads and writes on an open descriptor, retrying EINTR and short transfers.
enum FileDescriptorIO {
    /// Throws unless `fd` is a regular file, naming `path` and what it is instead; then clears
    /// `O_NONBLOCK`, which the open may have used so that a FIFO could not block it.
    static func requireRegular(_ fd: Int32, path: String) throws(ProviderError) {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ProviderError.current("fstat", path: path) }
        let type = status.st_mode & S_IFMT
        if type == S_IFDIR { throw ProviderError(SystemError("read", path: path, code: EISDIR)) }
        guard type == S_IFREG else {
            throw ProviderError(
                "read \(path): not a regular file (\(typeName(type))); chainbot reads only regular files")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 && flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    }

    /// What a non-regular file is, for errors.
    static func typeName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a directory"
        default: "not a regular file"
        }
    }

    /// Reads from `fd` until end of file, at most `limit` bytes (a larger file is an error naming `path`
    /// and the limit); `path` names the file in errors.
    static func readAll(_ fd: Int32, path: String, limit: Int = Int.max) throws(ProviderError) -> [UInt8] {
        var status = stat()
        let size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        if size > limit { throw tooLarge(path, limit: limit) }
        // A size the limit does not bound (callers without one) is trusted only up to 16 MiB ahead.
        let expected = min(max(0, size), 16 << 20)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected)
        // One byte more than the expected size, so end of file is usually seen by the second read.
        var chunk = [UInt8](repeating: 0, count: max(expected + 1, 4096))
        while true {
            // At most one byte past the limit: enough to know the file is larger, never much more held.
            let remaining = limit - bytes.count
            let wanted = remaining >= chunk.count ? chunk.count : remaining + 1
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProviderError.current("read", path: path)
            }
            if count == 0 { return bytes }
            if count > limit - bytes.count { throw tooLarge(path, limit: limit) }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// The error for a file over `limit` bytes.
    static func tooLarge(_ path: String, limit: Int) -> ProviderError {
        ProviderError("read \(path): larger than \(sizeText(limit)), the most chainbot reads of one file")
    }

    /// `16 MiB`, `4 KiB`, `100 bytes`.
    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
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
