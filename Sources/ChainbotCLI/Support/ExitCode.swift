/// Process exit statuses, per DESIGN.md §8.
public enum ExitCode: Int32, Sendable, Error {
    /// Success; for `diff`, no differences.
    case success = 0
    /// `diff` found differences.
    case differences = 1
    /// An operational failure: a provider, the store or a file read failed.
    case failure = 2
    /// The command line was wrong.
    case usage = 64
    /// The manifests are invalid.
    case invalidManifests = 65
}
