import Glibc

/// A child's standard input as chainbot writes it: the pipe's write end and the bytes still to send.
struct ChildInput {
    /// The non-blocking write end, or nil once everything is written or the child stopped reading.
    private(set) var fd: Int32?
    private let bytes: [UInt8]
    private var offset = 0

    init(fd: Int32, bytes: [UInt8]) {
        self.fd = fd
        self.bytes = bytes
        if bytes.isEmpty { close() }
    }

    /// Writes as much as the pipe takes without blocking; closes the pipe when done (the child sees EOF)
    /// or when the child closed its end (EPIPE: the rest is dropped, as a shell pipeline would).
    mutating func feed() throws(SystemError) {
        guard let writable = fd else { return }
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(writable, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written >= 0 {
                offset += written
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return }
            if code == EPIPE { break }
            throw SystemError("write standard input", code: code)
        }
        close()
    }

    /// Closes the write end if it is still open.
    mutating func close() {
        if let open = fd { Glibc.close(open) }
        fd = nil
    }
}
