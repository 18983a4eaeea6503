import ChainbotCore
import ChainbotOS
import ChainbotProviders
import ChainbotTestSupport
import Testing

/// Secret values from whole files and from `KEY=` lines; errors that name the file and key only.
struct SecretReaderTests {
    let directory = TemporaryDirectory("chainbot-secrets")
    let reader = SecretReader(fileSystem: LocalFileSystem())
    let sentinel = "SENTINEL-7c1e-never-shown"

    @Test func readsWholeFileLessOneTrailingNewline() throws {
        let lf = directory.write("lf", "s3cr3t\n")
        let crlf = directory.write("crlf", "s3cr3t\r\n")
        let two = directory.write("two", "s3cr3t\n\n")
        let none = directory.write("none", "s3cr3t")

        #expect(try reader.value(of: SecretRef(file: lf)) == "s3cr3t")
        #expect(try reader.value(of: SecretRef(file: crlf)) == "s3cr3t")
        #expect(try reader.value(of: SecretRef(file: two)) == "s3cr3t\n")
        #expect(try reader.value(of: SecretRef(file: none)) == "s3cr3t")
    }

    @Test func readsValueOfKeyLineVerbatimLastOneWinning() throws {
        let file = directory.write(
            "db.env", "DB=other\nDB_PASSWORD=first\r\nUSER=alex\nDB_PASSWORD=\"p w=d\" # kept\nTAIL=1")

        #expect(try reader.value(of: SecretRef(file: file, key: "DB_PASSWORD")) == "\"p w=d\" # kept")
        #expect(try reader.value(of: SecretRef(file: file, key: "DB")) == "other")
        #expect(try reader.value(of: SecretRef(file: file, key: "TAIL")) == "1")
    }

    @Test func missingFileErrorNamesFileAndKey() {
        let file = directory.file("nope")

        #expect(throws: ProviderError("secret file '\(file)' not found (key 'TOKEN')")) {
            try reader.value(of: SecretRef(file: file, key: "TOKEN"))
        }
        #expect(throws: ProviderError("secret file '\(file)' not found")) {
            try reader.value(of: SecretRef(file: file))
        }
    }

    @Test func missingKeyErrorNamesFileAndKeyButNoValue() {
        let file = directory.write("app.env", "API_TOKEN=\(sentinel)\nOTHER=\(sentinel)\n")

        let error = #expect(throws: ProviderError.self) {
            try reader.value(of: SecretRef(file: file, key: "API_TOKEN2"))
        }

        #expect(error?.description == "secret file '\(file)' has no key 'API_TOKEN2'")
        #expect(error.map { String(reflecting: $0).contains(sentinel) } == false)
    }

    @Test func unreadableFileErrorNamesFileAndCause() {
        directory.write("dir/inside", "")
        let file = directory.file("dir")

        #expect(throws: ProviderError("cannot read secret file '\(file)' (key 'K'): read \(file): Is a directory")) {
            try reader.value(of: SecretRef(file: file, key: "K"))
        }
    }

    @Test func refusesNonUTF8SecretWithoutShowingIt() {
        let file = directory.file("binary")
        Fixtures.write(file, [0x53, 0xff, 0xfe, 0x0a])

        #expect(throws: ProviderError("secret file '\(file)' is not UTF-8 text")) {
            try reader.value(of: SecretRef(file: file))
        }
    }
}
