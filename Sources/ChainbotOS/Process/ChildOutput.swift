import Glibc

/// One of a child's output streams as chainbot reads it: the pipe's read end and the bytes so far.
struct ChildOutput {
    /// What the stream is called in errors: `standard output` or `standard error`.
    let name: String
    /// The non-blocking read end, or nil once the child closed its end (EOF) or chainbot gave up on it.
    private(set) var fd: Int32?
    /// Everything read so far.
    private(set) var bytes: [UInt8] = []

    init(name: String, fd: Int32) {
        self.name = name
        self.fd = fd
    }

    /// Why reading stopped early.
    enum Failure: Error {
        case limitExceeded
        case readFailed(SystemError)
    }

    /// Reads until the pipe is empty (EAGAIN) or at EOF, keeping at most `limit` bytes.
    mutating func drain(into scratch: UnsafeMutableRawBufferPointer, limit: Int) throws(Failure) {
        guard let readable = fd else { return }
        while true {
            let count = read(readable, scratch.baseAddress, scratch.count)
            if count > 0 {
                guard bytes.count + count <= limit else { throw .limitExceeded }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
            } else if count == 0 {
                close()
                return
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                throw .readFailed(SystemError("read \(name)", code: code))
            }
        }
    }

    /// Closes the read end if it is still open.
    mutating func close() {
        if let open = fd { Glibc.close(open) }
        fd = nil
    }
}
