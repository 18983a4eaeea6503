import ChainbotTestSupport
import Glibc
import Testing

@testable import ChainbotCLI

/// The endpoint's token file: the token alone, one trailing newline allowed, nothing silently removed, and
/// only a small regular file is read.
struct TokenFileTests {
    static func token(_ text: String) -> Result<String, TokenFile.Problem> {
        TokenFile.token(in: Array(text.utf8), path: "/etc/chainbot/token")
    }

    @Test func oneTrailingNewlineIsDropped() {
        #expect(Self.token("s3cret-token-0123456789\n") == .success("s3cret-token-0123456789"))
        #expect(Self.token("s3cret-token-0123456789\r\n") == .success("s3cret-token-0123456789"))
        #expect(Self.token("s3cret-token-0123456789") == .success("s3cret-token-0123456789"))
    }

    @Test(arguments: [
        ("s3cret token-0123456789\n", "whitespace"), ("\ts3cret-token-0123456789", "whitespace"),
        ("s3cret-token-0123456789 \n", "whitespace"), ("s3cret-token-0123456789\n\n", "a line break"),
        ("s3cret-token\n0123456789", "a line break"), ("s3cret-token-\u{7}0123456789", "a control character"),
    ])
    func anythingElseThatIsNotTheTokenIsAnErrorNamingTheFile(_ text: String, _ what: String) {
        #expect(
            Self.token(text)
                == .failure(
                    TokenFile.Problem(
                        message:
                            "the token file /etc/chainbot/token has \(what) inside the token; write the token alone on one line"
                    )))
    }

    @Test func aShortTokenIsRefused() {
        #expect(
            Self.token("short\n")
                == .failure(
                    TokenFile.Problem(message: "the token in /etc/chainbot/token is shorter than 16 characters")))
    }

    @Test func aLargeFileIsRefusedWithoutReadingIt() {
        let directory = TemporaryDirectory()
        let path = directory.write("token", String(repeating: "a", count: 5000))

        #expect(
            TokenFile.read(path)
                == .failure(TokenFile.Problem(message: "the token file \(path) is larger than 4096 bytes")))
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() {
        let directory = TemporaryDirectory()
        let path = directory.file("token")
        #expect(mkfifo(path, 0o600) == 0)

        #expect(
            TokenFile.read(path)
                == .failure(TokenFile.Problem(message: "the token file \(path) is a FIFO, not a regular file")))
    }

    @Test func aMissingFileCannotBeRead() {
        #expect(
            TokenFile.read("/nonexistent/token")
                == .failure(
                    TokenFile.Problem(
                        message: "cannot read the token file /nonexistent/token: No such file or directory",
                        unreadable: true)))
    }
}
