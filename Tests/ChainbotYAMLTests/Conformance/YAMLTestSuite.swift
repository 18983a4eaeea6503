import FoundationEssentials

/// The official YAML test suite's data (yaml-test-suite, data-2022-01-17), kept beside the checkout at
/// `../shared/conformance/yaml-test-suite/`; its README.md describes the layout read here.
enum YAMLTestSuite {
    /// One case: a folder holding `in.yaml`.
    struct Case: Sendable {
        /// The folder relative to the suite, e.g. `229Q` or `2G84/01`.
        var id: String
        /// The suite's name for the case.
        var name: String
        var input: [UInt8]
        /// Whether the input must be rejected (an `error` file is present).
        var expectsError: Bool
        /// The expected documents as concatenated JSON values, when the case has `in.json`.
        var json: [UInt8]?
    }

    /// The suite's folder: the package root (three levels above this file's folder), then
    /// `../shared/conformance/yaml-test-suite`.
    static let directory: String = {
        let components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        let packageRoot = components.dropLast(4).joined(separator: "/")
        return packageRoot + "/../shared/conformance/yaml-test-suite"
    }()

    /// Whether the suite's data is there to test against.
    static var isPresent: Bool {
        FileManager.default.fileExists(atPath: directory + "/README.md")
    }

    /// Every case, sorted by id; a multi-case id contributes one case per numbered sub-folder.
    static func cases() throws -> [Case] {
        var cases: [Case] = []
        for id in try folders(in: directory) {
            if let single = loadCase(id) {
                cases.append(single)
                continue
            }
            for sub in try folders(in: directory + "/" + id) {
                if let multi = loadCase(id + "/" + sub) {
                    cases.append(multi)
                }
            }
        }
        return cases
    }

    private static func folders(in path: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return names.filter { name in
            var isDirectory: Bool = false
            return FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory) && isDirectory
        }.sorted()
    }

    private static func loadCase(_ id: String) -> Case? {
        let folder = directory + "/" + id
        guard let input = read(folder + "/in.yaml") else { return nil }
        let name = read(folder + "/name").map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Case(
            id: id, name: name.split(separator: "\n").first.map(String.init) ?? "", input: input,
            expectsError: FileManager.default.fileExists(atPath: folder + "/error"), json: read(folder + "/in.json"))
    }

    private static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }
}
