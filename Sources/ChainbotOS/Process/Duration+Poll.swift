extension Duration {
    /// Whole milliseconds for `poll(2)`, rounded up so a short positive duration never becomes 0; 0 for
    /// none or less, at most `Int32.max`.
    public var pollMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let milliseconds = min(seconds, 1 << 30) * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}
