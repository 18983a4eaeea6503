/// The YAML 1.2 core schema: which plain scalars are null, booleans, integers or floats.
///
/// Only the spellings the core schema lists count: `yes`, `no`, `on`, `off` and `y` are strings, and a
/// leading zero does not make an integer octal (`0644` is 644; octal is written `0o644`).
enum CoreSchema {
    /// The value of a plain, untagged scalar.
    static func resolvePlain(_ text: String) -> ScalarValue {
        // Most plain scalars are words; the first byte rules out every typed spelling that cannot apply.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            return isNull(text) ? .null : .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return bool(text).map(ScalarValue.bool) ?? .string(text)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            if let integer = integer(text) { return integer }
            if let float = float(text) { return .float(float) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    /// Whether `text` is a core-schema null: empty, `~`, `null`, `Null` or `NULL`.
    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": true
        default: false
        }
    }

    /// The boolean `text` spells (`true`, `True`, `TRUE`, `false`, `False`, `FALSE`), or nil.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// `.int` for a core-schema integer (decimal, `0o` octal, `0x` hexadecimal), `.float` when it does
    /// not fit in `Int`, or nil when `text` is not an integer.
    static func integer(_ text: String) -> ScalarValue? {
        var text = text
        return text.withUTF8 { bytes -> ScalarValue? in
            if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") {
                return integer(digits: bytes[2...], radix: 8)
            }
            if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") {
                return integer(digits: bytes[2...], radix: 16)
            }
            let digits = bytes.first.map(isSign) == true ? bytes[1...] : bytes[...]
            guard !digits.isEmpty, digits.allSatisfy(isDecimalDigit) else { return nil }
            if let value = Int(decimal: digits, negative: bytes.first == UInt8(ascii: "-")) { return .int(value) }
            return Double(String(decoding: bytes, as: UTF8.self)).map(ScalarValue.float)
        }
    }

    /// The value of a core-schema float (`1.5`, `.5`, `1e3`, `-.inf`, `.nan`), or nil.
    ///
    /// Integers are not floats here; `resolvePlain` tries them first.
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        var text = text
        guard text.withUTF8(isDecimalFloat) else { return nil }
        return Double(text)
    }

    /// Reads hexadecimal or octal digits; values beyond `Int` become `.float`.
    private static func integer(digits: Slice<UnsafeBufferPointer<UInt8>>, radix: Int) -> ScalarValue? {
        var values: [Int] = []
        values.reserveCapacity(digits.count)
        for byte in digits {
            guard let value = digitValue(byte), value < radix else { return nil }
            values.append(value)
        }
        var exact = 0
        var fits = true
        for value in values where fits {
            let (shifted, overflowShift) = exact.multipliedReportingOverflow(by: radix)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(value)
            fits = !overflowShift && !overflowAdd
            exact = sum
        }
        if fits { return .int(exact) }
        return .float(values.reduce(0.0) { $0 * Double(radix) + Double($1) })
    }

    /// Matches `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
    private static func isDecimalFloat(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func digitRun() -> Int {
            let start = index
            while index < bytes.count, isDecimalDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, isSign(bytes[index]) { index += 1 }
        let integerDigits = digitRun()
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = digitRun()
            if integerDigits == 0 && fractionDigits == 0 { return false }
        } else if integerDigits == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, isSign(bytes[index]) { index += 1 }
            if digitRun() == 0 { return false }
        }
        return index == bytes.count
    }

    private static func isSign(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }

    private static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}

extension Int {
    /// Reads decimal `digits` (all `0`…`9`) as a negative or positive number; nil when it overflows.
    fileprivate init?(decimal digits: Slice<UnsafeBufferPointer<UInt8>>, negative: Bool) {
        var value = 0
        for digit in digits {
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let step = Int(digit - UInt8(ascii: "0"))
            // Accumulating toward the sign keeps Int.min readable.
            let (sum, overflowAdd) =
                negative ? shifted.subtractingReportingOverflow(step) : shifted.addingReportingOverflow(step)
            if overflowShift || overflowAdd { return nil }
            value = sum
        }
        self = value
    }
}
