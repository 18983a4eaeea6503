public import ChainbotCore
import Glibc

extension ProviderError {
    /// Makes a provider error from a failed system call: `rename /etc/x: Permission denied`.
    ///
    /// Errors a later attempt can outlive (a full disk, a busy device, an I/O error) are retryable.
    public init(_ error: SystemError) {
        let transient: Set<Int32> = [EAGAIN, EBUSY, EIO, ENOSPC, EDQUOT, ENOMEM, ETIMEDOUT, ETXTBSY]
        self.init(error.description, retryable: transient.contains(error.code))
    }

    /// Makes a provider error from the calling thread's `errno` after `operation` failed on `path`.
    static func current(_ operation: String, path: String) -> ProviderError {
        ProviderError(SystemError.current(operation, path: path))
    }
}
