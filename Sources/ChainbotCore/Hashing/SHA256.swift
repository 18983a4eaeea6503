/// SHA-256 (FIPS 180-4) in pure Swift: feed bytes with `update`, read the 32-byte digest with `finalize`.
///
/// Hashes manifests for generations and secrets for `sha256:` fingerprints without a crypto library.
/// Whole 64-byte blocks are compressed straight from the caller's buffer; only a partial block is copied.
public struct SHA256: Sendable {
    /// The digest length in bytes.
    public static let digestByteCount = 32
    /// The block length in bytes.
    public static let blockByteCount = 64

    private var state = SHA256State.initial
    /// A partial block waiting for more input (8 × 8 = 64 bytes, inline).
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingCount = 0
    /// Bytes hashed so far.
    private var byteCount: UInt64 = 0

    /// Starts an empty hash.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, let start = bytes.baseAddress else { return }
        var input = bytes
        byteCount &+= UInt64(input.count)
        if pendingCount > 0 {
            let taken = min(Self.blockByteCount - pendingCount, input.count)
            let offset = pendingCount
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress?.advanced(by: offset).copyMemory(from: start, byteCount: taken)
            }
            pendingCount += taken
            input = UnsafeRawBufferPointer(rebasing: input[taken...])
            guard pendingCount == Self.blockByteCount else { return }
            let block = pending
            withUnsafeBytes(of: block) { state.compress(blocks: $0) }
            pendingCount = 0
        }
        let wholeBlocks = input.count / Self.blockByteCount * Self.blockByteCount
        if wholeBlocks > 0 {
            state.compress(blocks: UnsafeRawBufferPointer(rebasing: input[..<wholeBlocks]))
        }
        let rest = input.count - wholeBlocks
        if rest > 0, let source = input.baseAddress {
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress?.copyMemory(from: source + wholeBlocks, byteCount: rest)
            }
            pendingCount = rest
        }
    }

    /// Adds `bytes` to the message (an array, a slice, `string.utf8`, …).
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in update(UnsafeRawBufferPointer(buffer)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// Returns the 32-byte digest of everything added so far; the hash itself can keep taking input.
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = byteCount &* 8
        // 0x80, zeros up to 56 mod 64, then the message length in bits as a big-endian UInt64.
        let zeros = (Self.blockByteCount + 55 - pendingCount) % Self.blockByteCount
        var padding = [UInt8](repeating: 0, count: 1 + zeros + 8)
        padding[0] = 0x80
        for index in 0..<8 { padding[1 + zeros + index] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * index)) }
        padding.withUnsafeBytes { copy.update($0) }
        return copy.state.bigEndianBytes
    }

    /// Returns the digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Returns `bytes` as lowercase hexadecimal, two digits per byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
