import Glibc

/// Reads a whole regular file with a size limit, refusing FIFOs, sockets and devices before reading.
///
/// The file is opened with `O_NONBLOCK` (so opening a FIFO does not wait for a writer) and its type and
/// size are taken from the opened descriptor (`fstat`), so nothing can change between the check and the
/// read. The returned bytes are exactly the file's: no read buffer stays attached to them.
public enum RegularFile {
    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable {
        /// `open`, `fstat` or `read` failed with this errno.
        case system(Int32)
        /// The path names something other than a regular file (the type, like "a FIFO").
        case notRegular(String)
        /// The file is larger than the limit (its size in bytes, or nil when it grew while being read).
        case tooLarge(Int?)
    }

    /// The bytes of the regular file at `path`, at most `maxBytes` of them.
    public static func read(_ path: String, maxBytes: Int) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(.system(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.system(errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular(typeName(info.st_mode))) }
        let size = Int(clamping: info.st_size)
        guard size <= maxBytes else { return .failure(.tooLarge(size)) }
        // One byte more than fstat said, to notice a file that grew; still bounded by the limit.
        var bytes = [UInt8](repeating: 0, count: min(size, maxBytes) + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= maxBytes else { return .failure(.tooLarge(nil)) }
                bytes += [UInt8](repeating: 0, count: min(65_536, maxBytes + 1 - bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress.map { $0 + filled }, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.system(errno))
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= maxBytes else { return .failure(.tooLarge(nil)) }
        // An exact copy: the spare capacity of the read buffer is not kept alive with the bytes.
        return .success(filled == bytes.count ? bytes : Array(bytes[..<filled]))
    }

    /// What kind of file `path` is without opening it (following symbolic links), or nil when it is
    /// missing or cannot be examined.
    static func status(_ path: String) -> (type: String, isRegular: Bool, size: Int)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let isRegular = (info.st_mode & S_IFMT) == S_IFREG
        return (typeName(info.st_mode), isRegular, Int(clamping: info.st_size))
    }

    /// "a FIFO", "a socket", … for messages.
    public static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }

    /// The text of an errno, like "No such file or directory".
    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
