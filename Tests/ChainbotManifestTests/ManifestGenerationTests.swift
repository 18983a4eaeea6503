import ChainbotCore
import ChainbotManifest
import ChainbotOS
import ChainbotTestSupport
import Testing

@Suite struct ManifestGenerationTests {
    let runner = SpawnCommandRunner()

    private func git(_ directory: String, _ arguments: [String]) async throws -> String {
        let result = try await runner.run(
            CommandInvocation(
                "git",
                ["-C", directory, "-c", "user.name=chainbot-test", "-c", "user.email=test@chainbot.invalid"] + arguments
            ))
        try #require(result.succeeded, "git \(arguments): \(result.errorOutput)")
        return String(result.output.prefix { $0 != "\n" })
    }

    @Test(.enabled(if: Fixtures.exists("/usr/bin/git"), "git is not installed"))
    func isTheCommitOfACleanWorkTreeAndDirtyOnceEdited() async throws {
        let repository = TemporaryDirectory()
        let manifests = repository.file("manifests")
        repository.write(
            "manifests/pi.yaml",
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: a}\nspec: {exec: /bin/true}\n")
        _ = try await git(repository.path, ["init", "-q"])
        _ = try await git(repository.path, ["add", "."])
        _ = try await git(repository.path, ["commit", "-qm", "manifests"])
        let head = try await git(repository.path, ["rev-parse", "HEAD"])
        let set = ManifestLoader().load([manifests])
        #expect(await ManifestGeneration.compute(paths: [manifests], files: set.files, runner: runner) == head)

        repository.write(
            "manifests/pi.yaml",
            "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: b}\nspec: {exec: /bin/true}\n")
        #expect(
            await ManifestGeneration.compute(paths: [manifests], files: set.files, runner: runner) == head + "-dirty")

        // A change elsewhere in the repository does not make the manifests dirty.
        _ = try await git(repository.path, ["checkout", "-q", "--", "manifests/pi.yaml"])
        repository.write("README.md", "notes\n")
        #expect(await ManifestGeneration.compute(paths: [manifests], files: set.files, runner: runner) == head)
    }

    @Test func outsideGitItIsAContentHashThatFollowsTheContent() async {
        let directory = TemporaryDirectory()
        let path = directory.write(
            "pi.yaml", "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: a}\nspec: {exec: /bin/true}\n")
        let first = await ManifestGeneration.compute(
            paths: [path], files: ManifestLoader().load([path]).files, runner: runner)
        #expect(first.hasPrefix("sha256:"))
        #expect(first.count == 19)
        #expect(
            await ManifestGeneration.compute(paths: [path], files: ManifestLoader().load([path]).files, runner: runner)
                == first)
        directory.write(
            "pi.yaml", "apiVersion: chainbot.dev/v1\nkind: Service\nmetadata: {name: b}\nspec: {exec: /bin/true}\n")
        #expect(
            await ManifestGeneration.compute(paths: [path], files: ManifestLoader().load([path]).files, runner: runner)
                != first)
    }

    @Test func withoutGitTheContentHashIsUsed() async {
        let fake = FakeCommandRunner()
        let files = [ManifestFile(path: "m/pi.yaml", bytes: Array("a: 1\n".utf8))]
        let generation = await ManifestGeneration.compute(paths: ["m/pi.yaml"], files: files, runner: fake)
        #expect(generation == ManifestGeneration.contentHash(files))
        #expect(fake.commandLines.first?.hasPrefix("git -C m rev-parse --show-toplevel") == true)
    }
}
