/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4), for the WebSocket handshake's keys.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity((bytes.count + 2) / 3 * 4)
        for groupStart in stride(from: 0, to: bytes.count, by: 3) {
            let group = bytes[groupStart..<min(groupStart + 3, bytes.count)]
            var value = 0
            for (index, byte) in group.enumerated() { value |= Int(byte) << (16 - 8 * index) }
            for index in 0..<4 {
                text.append(index <= group.count ? alphabet[(value >> (18 - 6 * index)) & 0x3f] : UInt8(ascii: "="))
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `text` encodes; nil when it is not padded Base64 of the standard alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var bytes: [UInt8] = []
        for groupStart in stride(from: 0, to: characters.count, by: 4) {
            let group = characters[groupStart..<groupStart + 4]
            let padding = group.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, groupStart + 4 == characters.count || padding == 0 else { return nil }
            var value = 0
            for (index, character) in group.prefix(4 - padding).enumerated() {
                guard let digit = alphabet.firstIndex(of: character) else { return nil }
                value |= digit << (18 - 6 * index)
            }
            for index in 0..<(3 - padding) { bytes.append(UInt8((value >> (16 - 8 * index)) & 0xff)) }
        }
        return bytes
    }
}
