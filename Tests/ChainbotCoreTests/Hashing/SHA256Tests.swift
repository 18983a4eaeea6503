import ChainbotCore
import Testing

/// SHA-256 against the NIST examples (FIPS 180-4 / CSRC "SHA256.pdf") and incremental hashing.
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                + "mnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func hashesNISTExampleMessages(message: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(message.utf8)) == digest)
    }

    @Test func hashesOneMillionLetterA() {
        var hasher = SHA256()
        let thousand = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(thousand) }

        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"),
        (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
        (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
        (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
        (127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"),
        (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
    ])
    func padsMessagesEndingNearBlockBoundaries(length: Int, digest: String) {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: length)

        #expect(SHA256.hex(SHA256.hash(message)) == digest)
    }

    @Test(arguments: [1, 3, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4096])
    func incrementalUpdatesAtAwkwardBoundariesEqualOneShot(chunkSize: Int) {
        let data = Self.sampleData
        var hasher = SHA256()
        var start = 0
        var size = chunkSize
        while start < data.count {
            let end = min(start + size, data.count)
            hasher.update(data[start..<end])
            start = end
            // Alternate sizes so chunks straddle block edges at different offsets.
            size = size == chunkSize ? max(1, chunkSize / 2 + 7) : chunkSize
        }

        #expect(hasher.finalize() == SHA256.hash(data))
        #expect(SHA256.hex(hasher.finalize()) == "e31b92f283ec18dfc36062fa2b6feafbf22d2ea75d05e8c19c65a67ebd4cb1a4")
    }

    @Test func ignoresEmptyUpdates() {
        var hasher = SHA256()
        hasher.update([UInt8]())
        hasher.update("ab".utf8)
        hasher.update([UInt8]())
        hasher.update("c".utf8)

        #expect(hasher.finalize() == SHA256.hash("abc".utf8))
    }

    @Test func keepsHashingAfterFinalize() {
        var hasher = SHA256()
        hasher.update("ab".utf8)
        let partial = hasher.finalize()
        hasher.update("c".utf8)

        #expect(partial == SHA256.hash("ab".utf8))
        #expect(hasher.finalize() == SHA256.hash("abc".utf8))
    }

    @Test func hashesSequenceWithoutContiguousStorage() {
        let lazyBytes = (0..<200).lazy.map { UInt8(truncatingIfNeeded: $0) }

        #expect(SHA256.hash(lazyBytes) == SHA256.hash(Array(lazyBytes)))
    }

    @Test func rendersLowercaseHexWithTwoDigitsPerByte() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(SHA256.hex([UInt8]()) == "")
    }

    @Test func returnsThirtyTwoByteDigest() {
        #expect(SHA256.hash([UInt8]()).count == SHA256.digestByteCount)
    }

    /// 10 000 bytes that repeat neither per byte nor per block.
    static let sampleData: [UInt8] = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
}
