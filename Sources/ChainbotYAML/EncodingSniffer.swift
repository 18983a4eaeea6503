/// Recognizes UTF-16 and UTF-32 input by its first bytes, as YAML 1.2 §5.2 detects encodings.
enum EncodingSniffer {
    /// "UTF-16" or "UTF-32" when the first bytes are that encoding's byte order mark, or an ASCII
    /// character in it; nil for anything that may be UTF-8.
    static func nonUTF8Encoding(of bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(4))
        if head == [0x00, 0x00, 0xFE, 0xFF] || head == [0xFF, 0xFE, 0x00, 0x00] {
            return "UTF-32"
        }
        if head.count == 4, head[0] == 0, head[1] == 0, head[2] == 0, head[3] != 0 {
            return "UTF-32"
        }
        if head.count == 4, head[0] != 0, head[1] == 0, head[2] == 0, head[3] == 0 {
            return "UTF-32"
        }
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) {
            return "UTF-16"
        }
        if head.count >= 2, (head[0] == 0) != (head[1] == 0) {
            return "UTF-16"
        }
        return nil
    }
}
