/// Cases libyaml 0.2.5 itself gets wrong, copied from the suite's README.md ("libyaml baseline"),
/// which measured them through PyYAML's C loader on the same libyaml. A loader built on libyaml cannot
/// pass them; anything else that fails is taken to be our bug.
enum KnownLibyamlFailures {
    /// How libyaml gets a case wrong.
    enum Category: String, CaseIterable {
        case rejectsValid = "valid input rejected"
        case acceptsInvalid = "invalid input accepted"
        case parseDifference = "parse differs"
    }

    /// README "Valid input that libyaml 0.2.5 rejects (51)": scanner or parser errors on valid YAML.
    static let rejectsValid: Set<String> = [
        "2JQS", "2LFX", "2SXE", "4ABK", "4MUZ/00", "4MUZ/01", "4MUZ/02", "58MP", "5MUD", "5T43", "6BCT",
        "6CA3", "6LVF", "6M2F", "7Z25", "8XYN", "96NN/00", "96NN/01", "9SA2", "A2M4", "BEC7", "CFD4", "DBG4",
        "DK3J", "DK95/00", "DK95/03", "DK95/04", "FP8R", "FRK4", "HM87/00", "HWV9", "K3WX", "M2N8/00", "M7A3",
        "MUS6/05", "MUS6/06", "NHX8", "NJ66", "NKF9", "Q5MG", "QT73", "R4YG", "S3PD", "SM9W/01", "UKK6/00",
        "UT92", "VJP3/01", "W4TN", "W5VH", "Y79Y/001", "Y79Y/010",
    ]

    /// README "Invalid input that libyaml 0.2.5 accepts (16)".
    static let acceptsInvalid: Set<String> = [
        "9C9N", "9HCY", "9JBA", "CVW2", "DK95/01", "EB22", "G5U8", "MUS6/00", "MUS6/01", "QB6E", "RHX7", "S98Z",
        "SU5Z", "X4QW", "Y79Y/003", "YJV2",
    ]

    /// README "Real libyaml parse differences (5)": libyaml's events differ from `test.event`.
    static let parseDifferences: Set<String> = ["652Z", "HM87/01", "JEF9/02", "L24T/01", "Y2GN"]

    /// The category a case is listed under, or nil when libyaml is expected to get it right.
    static func category(of id: String) -> Category? {
        if rejectsValid.contains(id) { return .rejectsValid }
        if acceptsInvalid.contains(id) { return .acceptsInvalid }
        if parseDifferences.contains(id) { return .parseDifference }
        return nil
    }
}
