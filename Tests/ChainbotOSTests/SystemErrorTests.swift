import ChainbotOS
import Glibc
import Testing

/// `SystemError` text and the EINTR-retrying call wrapper.
struct SystemErrorTests {
    @Test func rendersOperationPathAndErrnoText() {
        let error = SystemError("open", path: "/etc/x", code: ENOENT)

        #expect(error.description == "open /etc/x: No such file or directory")
        #expect(error.message == "No such file or directory")
    }

    @Test func rendersOperationAndErrnoTextWithoutPath() {
        #expect(SystemError("pipe2", code: EMFILE).description == "pipe2: Too many open files")
    }

    @Test func retryingThrowsErrnoOfFailedCallWithItsPath() {
        let path = "/nonexistent/chainbot-system-error-test"

        let error = #expect(throws: SystemError.self) {
            try SystemError.retrying("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        }

        #expect(error == SystemError("open", path: path, code: ENOENT))
    }

    @Test func retryingCallsAgainAfterEINTRAndReturnsResult() throws {
        var attempts = 0

        let result = try SystemError.retrying("read") { () -> Int in
            attempts += 1
            if attempts < 3 {
                errno = EINTR
                return -1
            }
            return 42
        }

        #expect(result == 42)
        #expect(attempts == 3)
    }

    @Test func namesUnknownErrnoValue() {
        #expect(SystemError.text(for: 9999).contains("9999"))
    }
}
