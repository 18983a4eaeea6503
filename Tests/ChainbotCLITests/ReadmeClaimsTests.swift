import ChainbotCore
import ChainbotOS
import ChainbotTestSupport
import Glibc
import Testing

/// What README.md shows a newcomer is what chainbot does: the tour's output, the command table, the
/// binary's size and libraries.
@Suite(.enabled(if: Fixtures.exists(Fixtures.path(".build/debug/chainbot")), "the chainbot binary is not built"))
struct ReadmeClaimsTests {
    static let binary = Fixtures.path(".build/debug/chainbot")
    static let readme = Fixtures.readText(Fixtures.path("README.md")) ?? ""

    /// The lines of README's section `## TITLE`, up to the next `## `.
    static func section(_ title: String) -> [Substring] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: Substring("## \(title)")) else { return [] }
        let rest = lines[(start + 1)...]
        return Array(rest.prefix { !$0.hasPrefix("## ") })
    }

    /// Runs chainbot in the repository (the README's commands use paths relative to it), without colors.
    static func chainbot(_ arguments: [String]) async throws -> CommandResult {
        try await SpawnCommandRunner().run(
            CommandInvocation(
                "env", ["-C", Fixtures.packageRoot, binary] + arguments, environment: ["NO_COLOR": "1"],
                timeout: .seconds(60)))
    }

    /// `generation 3f9a…` names the checkout's commit (or a content hash): the same shape, any value.
    static func normalized(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("generation ") && !line.dropFirst(11).contains(" ") ? "generation GENERATION" : String(line)
        }.joined(separator: "\n")
    }

    @Test func eachCommandOfTheTourPrintsWhatTheReadmeShows() async throws {
        let tour = Self.section("A short tour")
        guard let open = tour.firstIndex(of: "```console"), let close = tour[(open + 1)...].firstIndex(of: "```")
        else {
            Issue.record("README.md has no ```console block under '## A short tour'")
            return
        }
        var shown: [(command: [String], output: [Substring])] = []
        for line in tour[(open + 1)..<close] {
            if line.hasPrefix("$ chainbot ") {
                let command = line.dropFirst(2).prefix { $0 != "#" }.split(separator: " ").dropFirst().map(String.init)
                shown.append((command, []))
            } else if !shown.isEmpty {
                shown[shown.count - 1].output.append(line)
            }
        }
        #expect(shown.count >= 4, "the tour's commands: \(shown.map(\.command))")
        for (command, output) in shown {
            let result = try await Self.chainbot(command)
            let expected = output.joined(separator: "\n").trimmingTrailingBlankLines
            let printed = (result.output + result.errorOutput).trimmingTrailingBlankLines
            #expect(
                [.exited(0), .exited(65)].contains(result.termination),
                "chainbot \(command.joined(separator: " ")): \(printed)")
            if expected.isEmpty {
                #expect(!printed.isEmpty, "chainbot \(command.joined(separator: " ")) printed nothing")
            } else {
                #expect(
                    Self.normalized(printed) == Self.normalized(expected), "chainbot \(command.joined(separator: " "))")
            }
        }
    }

    @Test func theCommandTableShowsEachCommandsUsageAsItsHelpPrintsIt() async throws {
        var checked = 0
        for row in Self.section("Commands") where row.hasPrefix("| `chainbot ") {
            // The first cell: one or more `chainbot …` spans; `\|` inside a span is a literal bar.
            let first = row.dropFirst(2).replacing("\\|", with: "\u{1}").prefix { $0 != "|" }
            for span in first.split(separator: "`") where span.hasPrefix("chainbot ") {
                let usage = span.replacing("\u{1}", with: "|")
                let words = usage.split(separator: " ")
                guard words.count > 1, !words[1].hasPrefix("-") else { continue }
                let help = try await Self.chainbot([String(words[1]), "--help"])
                let line = (help.output + help.errorOutput).split(separator: "\n").first { $0.hasPrefix("usage: ") }
                #expect(line.map { String($0.dropFirst(7)) } == String(usage), "README's row for chainbot \(words[1])")
                checked += 1
            }
        }
        #expect(checked >= 15, "README's command table has \(checked) commands")
    }

    @Test(
        .enabled(
            if: Fixtures.exists(Fixtures.path(".build/release/chainbot")),
            "the release binary is not built (.ci/run builds it before the tests)"))
    func theReleaseBinarysSizeAndLibrariesAreWhatTheReadmeSays() async throws {
        let paragraph = Self.section("Building and installing").joined(separator: " ")
        let claimed = try #require(Self.number(before: " MB (", in: paragraph), "README: 'about N MB (M MB stripped'")
        let stripped = try #require(Self.number(before: " MB stripped", in: paragraph))
        let release = Fixtures.path(".build/release/chainbot")
        var info = stat()
        try #require(stat(release, &info) == 0)
        let megabytes = Double(info.st_size) / 1_000_000
        #expect(
            abs(megabytes - claimed) / claimed < 0.15, "README says about \(claimed) MB; the build is \(megabytes) MB")
        let directory = TemporaryDirectory()
        let strip = try await SpawnCommandRunner().run(
            CommandInvocation("strip", ["-o", directory.file("chainbot"), release], timeout: .seconds(60)))
        if strip.succeeded, stat(directory.file("chainbot"), &info) == 0 {
            let strippedSize = Double(info.st_size) / 1_000_000
            #expect(abs(strippedSize - stripped) / stripped < 0.15, "README: \(stripped) MB stripped; \(strippedSize)")
        }
        let ldd = try await SpawnCommandRunner().run(CommandInvocation("ldd", [release], timeout: .seconds(30)))
        try #require(ldd.succeeded, "ldd: \(ldd.errorOutput)")
        let named = ["libyaml", "libsqlite3", "libc.", "libm.", "libstdc++", "libgcc_s", "linux-vdso", "ld-linux"]
        for library in ldd.output.split(separator: "\n").compactMap({
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
        }) {
            let name = library.split(separator: "/").last ?? library
            #expect(named.contains { name.hasPrefix($0) }, "ldd shows \(library), which README does not name")
        }
        for library in ["libyaml-0-2", "libsqlite3-0", "libstdc++", "libgcc_s"] {
            #expect(paragraph.contains(library), "README does not name \(library)")
        }
    }

    /// The number just before `marker` in `text` (`about 39 MB (` → 39).
    static func number(before marker: String, in text: String) -> Double? {
        guard let range = text.firstRange(of: marker) else { return nil }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber || $0 == "." }
        return Double(String(digits.reversed()))
    }
}

extension String {
    fileprivate var trimmingTrailingBlankLines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
