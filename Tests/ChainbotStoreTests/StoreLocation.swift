import ChainbotCore
import ChainbotStore
import ChainbotTestSupport
import Testing

/// Where a parameterized test keeps its store: the same behaviour must hold in memory and in a file.
enum StoreLocation: String, CaseIterable, CustomTestStringConvertible {
    case memory
    case file

    var testDescription: String { rawValue }

    /// A store in this location, its file (if any) inside `directory`, its time read from `clock`.
    func makeStore(in directory: TemporaryDirectory, clock: ManualClock) throws -> SQLiteStateStore {
        switch self {
        case .memory: try SQLiteStateStore.inMemory(now: clock.now)
        case .file: try SQLiteStateStore.open(path: directory.file("state.db"), now: clock.now)
        }
    }
}
