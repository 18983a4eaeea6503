public import ChainbotCore

/// The bits of `vcgencmd get_throttled` (`throttled=0x50005`), decoded.
///
/// Bits 0–3 say what holds now (under-voltage, ARM frequency capped, throttled, soft temperature
/// limit); bits 16–19 say the same has occurred since boot. Other bits are kept in `otherBits`.
public struct ThrottleStatus: Sendable, Hashable, CustomStringConvertible {
    /// The value as reported.
    public var raw: UInt32

    public init(raw: UInt32) {
        self.raw = raw
    }

    /// Parses `throttled=0x50005` (surrounding whitespace allowed); nil for anything else.
    public init?(output: String) {
        let text = HostText.trimmed(output)
        guard text.hasPrefix("throttled=0x"), let raw = UInt32(text.dropFirst("throttled=0x".count), radix: 16)
        else { return nil }
        self.init(raw: raw)
    }

    /// The bit (0-based) of `flag` "now"; the "since boot" bit is 16 higher.
    public static func bit(of flag: HostSpec.ThrottleFlag) -> Int {
        switch flag {
        case .underVoltage: 0
        case .frequencyCapped: 1
        case .throttled: 2
        case .softTempLimit: 3
        }
    }

    /// Whether `flag` holds now.
    public func isActive(_ flag: HostSpec.ThrottleFlag) -> Bool { raw & (1 << Self.bit(of: flag)) != 0 }

    /// Whether `flag` has occurred since boot.
    public func hasOccurred(_ flag: HostSpec.ThrottleFlag) -> Bool { raw & (1 << (Self.bit(of: flag) + 16)) != 0 }

    /// The flags that hold now, in `ThrottleFlag.allCases` order.
    public var active: [HostSpec.ThrottleFlag] { HostSpec.ThrottleFlag.allCases.filter(isActive) }

    /// The flags that have occurred since boot, in `ThrottleFlag.allCases` order.
    public var occurred: [HostSpec.ThrottleFlag] { HostSpec.ThrottleFlag.allCases.filter(hasOccurred) }

    /// Set bits this decoder does not name (neither 0–3 nor 16–19).
    public var otherBits: UInt32 { raw & ~UInt32(0x000F_000F) }

    public var underVoltage: Bool { isActive(.underVoltage) }
    public var frequencyCapped: Bool { isActive(.frequencyCapped) }
    public var throttled: Bool { isActive(.throttled) }
    public var softTempLimit: Bool { isActive(.softTempLimit) }
    public var underVoltageOccurred: Bool { hasOccurred(.underVoltage) }
    public var frequencyCappedOccurred: Bool { hasOccurred(.frequencyCapped) }
    public var throttledOccurred: Bool { hasOccurred(.throttled) }
    public var softTempLimitOccurred: Bool { hasOccurred(.softTempLimit) }

    /// `0x50005 (now: underVoltage, throttled; since boot: underVoltage, throttled)`.
    public var description: String {
        let now = active.map(\.rawValue).joined(separator: ", ")
        let since = occurred.map(\.rawValue).joined(separator: ", ")
        return "0x\(String(raw, radix: 16)) (now: \(now.isEmpty ? "none" : now); "
            + "since boot: \(since.isEmpty ? "none" : since))"
    }
}
