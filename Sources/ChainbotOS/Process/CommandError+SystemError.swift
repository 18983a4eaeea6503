public import ChainbotCore

extension CommandError.Reason {
    /// The reason a failed system call gives: its text (`pipe: Too many open files`) and its errno.
    public init(_ error: SystemError) {
        self.init(error.description, errno: error.code)
    }

    /// The reason `posix_spawn` gives when it returns `status` (an errno value): `No such file or directory`.
    init(spawnStatus status: Int32) {
        self.init(SystemError.text(for: status), errno: status)
    }
}
