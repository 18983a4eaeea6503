import ChainbotCore
import Testing

/// SHA-1 against the test vectors of RFC 3174 §7.3 (and FIPS 180-4's examples) and the million-`a` message.
struct SHA1Tests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (String(repeating: "01234567", count: 80), "dea356a2cddd90c7a7ecedc5ebb563934f460452"),
        // 55 and 56 bytes: the padding's length field fits in the block, and then it does not.
        (String(repeating: "a", count: 55), "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (String(repeating: "a", count: 56), "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
    ])
    func hashesTheRFCTestVectors(message: String, digest: String) {
        #expect(SHA256.hex(SHA1.hash(message.utf8)) == digest)
    }

    @Test func hashesOneMillionLetterA() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)

        #expect(SHA256.hex(SHA1.hash(million)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }
}
