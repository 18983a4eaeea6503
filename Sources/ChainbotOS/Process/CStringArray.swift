import Glibc

/// A NULL-terminated array of C strings (an `argv` or `envp`) that frees its strings when released.
final class CStringArray {
    /// The strings followed by a NULL pointer, as `posix_spawn` takes them.
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    /// Copies `strings`; fails when one contains a NUL byte, which C would silently cut it at.
    init(_ strings: [String]) throws(CStringArrayError) {
        pointers = []
        pointers.reserveCapacity(strings.count + 1)
        for string in strings {
            if string.utf8.contains(0) { throw .containsNUL(string) }
            guard let copy = strdup(string) else { throw .outOfMemory }
            pointers.append(copy)
        }
        pointers.append(nil)
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }

    /// Calls `body` with the array as `char *const *`.
    func withUnsafePointer<Result>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        pointers.withUnsafeBufferPointer { buffer in
            // The array always holds at least the terminating NULL, so the base address exists.
            guard let base = buffer.baseAddress else { preconditionFailure("CStringArray without terminator") }
            return body(base)
        }
    }
}

/// Why a list of strings cannot become a C string array.
enum CStringArrayError: Error, CustomStringConvertible {
    case containsNUL(String)
    case outOfMemory

    var description: String {
        switch self {
        case .containsNUL(let string):
            "argument or environment entry contains a NUL byte: \(string.debugDescription)"
        case .outOfMemory: "out of memory copying arguments"
        }
    }
}
