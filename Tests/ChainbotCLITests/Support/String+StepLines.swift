extension String {
    /// How many of apply's step lines (`[3/7] Service/web: systemctl restart web.service ... ok`) name
    /// `action`; a long step's `... still running (7.0s)` notices are the same step, not another one.
    func stepLines(naming action: String) -> Int {
        split(separator: "\n").count { $0.contains(action) && !$0.contains("... still running (") }
    }
}
