public import ChainbotCore
import Glibc

extension ProviderError {
    /// Makes a provider error from a failed system call: `rename /etc/x: Permission denied`, coded by its
    /// errno (`ProviderError.Code(errno:)`: `permissionDenied`).
    ///
    /// Errors a later attempt can outlive (a full disk, a busy device, an I/O error) are retryable.
    public init(_ error: SystemError) {
        let transient: Set<Int32> = [EAGAIN, EBUSY, EIO, ENOSPC, EDQUOT, ENOMEM, ETIMEDOUT, ETXTBSY]
        self.init(error.description, retryable: transient.contains(error.code), code: Code(errno: error.code))
    }

    /// Makes a provider error from the calling thread's `errno` after `operation` failed on `path`.
    static func current(_ operation: String, path: String) -> ProviderError {
        ProviderError(SystemError.current(operation, path: path))
    }
}

extension ProviderError.Code {
    /// The code for an errno value: ENOENT is `notFound`, EACCES `permissionDenied`, EROFS `readOnly`,
    /// ENOSPC `noSpace`, and so on; nil for an errno no case names (EISDIR, EIO: the message says which).
    public init?(errno code: Int32) {
        switch code {
        case ENOENT, ENOTDIR: self = .notFound
        case EACCES, EPERM: self = .permissionDenied
        case EROFS: self = .readOnly
        case ENOSPC, EDQUOT: self = .noSpace
        case EEXIST: self = .alreadyExists
        case EBUSY, ETXTBSY: self = .busy
        case ETIMEDOUT: self = .timedOut
        default: return nil
        }
    }
}
