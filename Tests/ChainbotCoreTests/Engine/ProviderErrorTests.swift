import ChainbotCore
import Testing

/// What a `ProviderError` says about its resource, and what a launch failure's reason carries.
struct ProviderErrorTests {
    let a = ResourceID(.service, "a")
    let b = ResourceID(.service, "b")

    @Test func regardingNamesTheResourceOnlyWhereTheProviderNamedNone() {
        var named = ProviderError("x", code: .invalidSpec)
        named.resource = b

        #expect(ProviderError("x").regarding(a).resource == a)
        #expect(named.regarding(a).resource == b)
    }

    @Test func oneFailureMetByTwoResourcesIsOneFailure() {
        let error = ProviderError("systemctl show failed", retryable: true, code: .launchFailed)

        #expect(error.regarding(a) == error.regarding(b))
        #expect(Set([error.regarding(a), error.regarding(b)]).count == 1)
        #expect(error.regarding(a) != ProviderError("systemctl show failed", retryable: true, code: .timedOut))
    }

    @Test func aLaunchFailureReadsAsItsTextAndCarriesItsErrno() {
        let error = CommandError.launchFailed(
            command: "nft", reason: CommandError.Reason("No such file or directory", errno: 2))

        #expect(error.description == "cannot run 'nft': No such file or directory")
        #expect(error == .launchFailed(command: "nft", reason: "No such file or directory"))
        guard case .launchFailed(_, let reason) = error else { return }
        #expect(reason.errno == 2)
        #expect(CommandError.Reason("refused").errno == nil)
    }
}
