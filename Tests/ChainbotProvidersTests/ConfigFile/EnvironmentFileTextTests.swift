import ChainbotCore
import Testing

@testable import ChainbotProviders

/// `KEY=value` lines as systemd's EnvironmentFile parser reads them back.
struct EnvironmentFileTextTests {
    @Test func rendersSortedLinesQuotingOnlyWhatNeedsIt() throws {
        let entries: [(key: String, value: String)] = [
            ("PORT", "5000"), ("NAME", "two words"), ("EMPTY", ""), ("PATHS", "/usr/bin:/bin"),
            ("QUOTE", #"say "hi""#), ("BACKSLASH", #"a\b"#), ("DOLLAR", "$HOME"), ("TICK", "`id`"),
            ("HASH", "a#b"), ("MULTI", "line1\nline2"), ("LEAD", " lead"), ("UNICODE", "café"),
            ("SINGLE", "it's"), ("TAB", "a\tb"), ("URL", "http://127.0.0.1:8000/api?x=1&y=2"),
            ("_UNDER", "a-b.c,d@e%f+g=h"),
        ]

        let text = try EnvironmentFileText.render(entries)

        #expect(
            text == #"""
                BACKSLASH="a\\b"
                DOLLAR="\$HOME"
                EMPTY=
                HASH="a#b"
                LEAD=" lead"
                MULTI="line1
                line2"
                NAME="two words"
                PATHS=/usr/bin:/bin
                PORT=5000
                QUOTE="say \"hi\""
                SINGLE="it's"
                TAB="a\#tb"
                TICK="\`id\`"
                UNICODE="café"
                URL="http://127.0.0.1:8000/api?x=1&y=2"
                _UNDER=a-b.c,d@e%f+g=h

                """#)
    }

    @Test func writesNewlineAsLineBreakNotBackslashN() throws {
        // systemd keeps `\n` inside double quotes as a backslash and an `n`.
        #expect(try EnvironmentFileText.line(key: "K", value: "a\nb") == "K=\"a\nb\"\n")
        #expect(try EnvironmentFileText.line(key: "K", value: #"a\nb"#) == #"K="a\\nb""# + "\n")
    }

    @Test func rendersNothingForNoEntries() throws {
        #expect(try EnvironmentFileText.render([]) == "")
    }

    @Test(arguments: ["1ABC", "A-B", "A B", "", "KÉY", "A=B"])
    func refusesKeysSystemdWouldIgnore(key: String) {
        #expect(
            throws: ProviderError(
                "env key '\(key)' is not a valid variable name (letters, digits and '_', not starting with a digit)")
        ) { try EnvironmentFileText.line(key: key, value: "v") }
    }

    @Test(arguments: ["a\rb", "x\u{0}", "\u{1b}[0m", "del\u{7f}"])
    func refusesControlCharactersWithoutShowingTheValue(value: String) {
        let error = #expect(throws: ProviderError.self) { try EnvironmentFileText.line(key: "TOKEN", value: value) }

        #expect(
            error?.message
                == "env value of 'TOKEN' contains a control character other than tab or newline, which systemd "
                + "does not accept")
    }

    @Test func refusesKeyGivenTwice() {
        #expect(throws: ProviderError("env key 'A' is given twice")) {
            try EnvironmentFileText.render([("A", "1"), ("B", "2"), ("A", "3")])
        }
    }
}
