import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// Filesystem failures carry a `ProviderError.Code` made from their errno, so callers decide on it.
struct SystemErrorCodeTests {
    let directory = TemporaryDirectory("chainbot-fs-code")

    @Test func aDirectoryUnderARegularFileIsNotFound() {
        directory.write("plain", "x")

        let error = #expect(throws: ProviderError.self) {
            try LocalFileSystem(root: directory.path).makeDirectory("/plain/below", mode: 0o755)
        }

        #expect(error?.code == .notFound)
        #expect(error?.retryable == false)
    }

    @Test func aRealENOENTFromOpenIsNotFound() {
        let path = directory.file("missing")
        #expect(open(path, O_RDONLY | O_CLOEXEC) == -1)

        let error = ProviderError(SystemError.current("open", path: path))

        #expect(error.code == .notFound)
        #expect(error.message == "open \(path): No such file or directory")
    }

    @Test func readingADirectoryKeepsItsMessageAndHasNoCodeOfItsOwn() {
        mkdir(directory.file("dir"), 0o755)

        let error = #expect(throws: ProviderError.self) { try LocalFileSystem(root: directory.path).read("/dir") }

        #expect(error?.message == "read \(directory.file("dir")): Is a directory")
        #expect(error?.code == nil)
    }

    @Test(arguments: [
        (ENOENT, ProviderError.Code.notFound), (ENOTDIR, .notFound), (EACCES, .permissionDenied),
        (EPERM, .permissionDenied), (EROFS, .readOnly), (ENOSPC, .noSpace), (EDQUOT, .noSpace),
        (EEXIST, .alreadyExists), (EBUSY, .busy), (ETXTBSY, .busy), (ETIMEDOUT, .timedOut),
    ])
    func errnoMapsToItsCode(errno: Int32, code: ProviderError.Code) {
        let error = ProviderError(SystemError("rename", path: "/etc/x", code: errno))

        #expect(error.code == code)
        #expect(ProviderError.Code(errno: errno) == code)
    }

    @Test func aFullDiskIsRetryableAndARefusalIsNot() {
        #expect(ProviderError(SystemError("write", path: "/etc/x", code: ENOSPC)).retryable)
        #expect(!ProviderError(SystemError("rename", path: "/etc/x", code: EROFS)).retryable)
        #expect(!ProviderError(SystemError("open", path: "/etc/x", code: EACCES)).retryable)
    }
}
