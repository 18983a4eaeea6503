// A libFuzzer target for the whole manifest loader: YAML parsing, document decoding, the set-wide
// checks, and both renderings of the diagnostics (the terminal text and the `-o json` array).
//
// Unlike YAMLFuzz.swift it is not compiled into the module it tests: manifest-fuzz.sh builds
// ChainbotCore, ChainbotYAML and ChainbotManifest as separate instrumented modules and links this
// file against them, so it sees only their public API, as the CLI does.
//
// The input goes through `ManifestLoader.load(text:path:)`, the only public entry that takes contents
// rather than paths; its bytes are decoded as UTF-8 first (invalid sequences become U+FFFD), so the
// loader's invalid-encoding and UTF-16 paths are left to the YAML target, which parses raw bytes.

import ChainbotCore
import ChainbotManifest
import ChainbotYAML
import Glibc

/// Small limits, so that hostile inputs hit every limit quickly (as in YAMLFuzz.swift).
private let fuzzLimits = YAMLLimits(maxBytes: 64 << 10, maxDepth: 32, maxDocuments: 50, maxExpandedNodes: 20_000)

private let fuzzPath = "fuzz.yaml"

/// MANIFEST_FUZZ_PRINT=1 prints each input's diagnostics and resources (for replaying a finding).
private let printResults = getenv("MANIFEST_FUZZ_PRINT").map { String(cString: $0) == "1" } ?? false

/// Loads one fuzzer input as a manifest file, renders its diagnostics, and traps (a finding) when the
/// result breaks an invariant of `ManifestSet`.
@_cdecl("LLVMFuzzerTestOneInput")
public func manifestFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    let text = String(decoding: bytes, as: UTF8.self)
    let set = ManifestLoader(limits: fuzzLimits).load(text: text, path: fuzzPath)
    let rendered = DiagnosticRenderer(files: set.files, colored: false).render(set.diagnostics)
    let json = JSONValue.array(set.diagnostics.map(\.json)).serialized()
    if printResults {
        print(rendered, terminator: "")
        print("\(set.resources.count) resources: " + set.resources.map(\.id.description).joined(separator: ", "))
        fflush(nil)  // every stream, before a failed check aborts the process
    }

    check(set.files.count == 1 && set.files[0].path == fuzzPath, "files is not the one file loaded")
    check(set.files[0].bytes.elementsEqual(text.utf8), "the file's bytes are not the text loaded")
    // libyaml puts the end of the stream on a line of its own when the text does not end with a line
    // break, so a mark may sit one line past the last line of the text.
    checkDiagnostics(set, lineLimit: lineBreakCount(text) + 2)
    checkResources(set)

    check(set.diagnostics.isEmpty == rendered.isEmpty, "rendered text and diagnostics disagree on emptiness")
    check(set.diagnostics.isEmpty || rendered.hasSuffix(" generated.\n"), "rendered text lacks its count line")
    _ = DiagnosticRenderer(files: set.files, colored: true).render(set.diagnostics)

    check(json.hasPrefix("[") && json.hasSuffix("]"), "the JSON diagnostics are not an array")
    // JSON forbids raw control characters; every one must have been escaped.
    check(!json.unicodeScalars.contains { $0.value < 0x20 }, "unescaped control character in JSON output")
    _ = JSONValue.array(set.diagnostics.map(\.json)).serialized(pretty: true)
    return 0
}

/// Every location is in the file loaded, 0 (file-level) or 1-based, and on a line the text has;
/// diagnostics are sorted; `isValid` agrees with the severities.
private func checkDiagnostics(_ set: ManifestSet, lineLimit: Int) {
    for diagnostic in set.diagnostics {
        checkLocation(diagnostic.location, lineLimit: lineLimit, "diagnostic [\(diagnostic.code.rawValue)]")
        check(!diagnostic.message.isEmpty, "empty message [\(diagnostic.code.rawValue)]")
        for note in diagnostic.notes {
            check(!note.message.isEmpty, "empty note message [\(diagnostic.code.rawValue)]")
            if let location = note.location {
                checkLocation(location, lineLimit: lineLimit, "note of [\(diagnostic.code.rawValue)]")
            }
        }
    }
    for (a, b) in zip(set.diagnostics, set.diagnostics.dropFirst()) {
        check(!(b.location < a.location), "diagnostics not sorted: \(a.location) before \(b.location)")
    }
    let hasErrors = set.diagnostics.contains { $0.severity == .error }
    check(set.isValid == !hasErrors, "isValid disagrees with the diagnostics' severities")
    check(!set.hasIOErrors, "an I/O error from loading text")
}

private func checkLocation(_ location: SourceLocation, lineLimit: Int, _ what: String) {
    check(location.file == fuzzPath, "\(what) in another file: \(location.file)")
    check(location.line >= 0 && location.column >= 0, "\(what) at a negative position: \(location)")
    check(location.line <= lineLimit, "\(what) past the last line (\(lineLimit)): \(location)")
    check(location.length >= 1, "\(what) with a length below 1")
}

/// Resources are in the file, in document order, named inside their document. A valid set has at
/// least one (an empty file is an error), no two with the same identity, and every reference and
/// every FirewallRule's Firewall among its resources (those are errors too).
private func checkResources(_ set: ManifestSet) {
    for resource in set.resources {
        check(resource.location.file == fuzzPath && resource.nameLocation.file == fuzzPath, "resource in another file")
        check(resource.location.line >= 1 && resource.location.column >= 1, "resource location not 1-based")
        check(!(resource.nameLocation < resource.location), "metadata.name located before its document starts")
    }
    for (a, b) in zip(set.resources, set.resources.dropFirst()) {
        check(a.location < b.location, "resources out of document order: \(a.location), \(b.location)")
    }
    if set.isValid {
        check(!set.resources.isEmpty, "a valid set without resources")
        let ids = Set(set.resources.map(\.id))
        check(ids.count == set.resources.count, "a valid set with a duplicate resource")
        for resource in set.resources {
            for target in references(of: resource) {
                check(ids.contains(target), "in a valid set, \(resource.id) refers to \(target), which is not a resource")
            }
            if resource.id.kind == .firewallRule {
                check(ids.contains { $0.kind == .firewall }, "a valid set with \(resource.id) but no Firewall resource")
            }
        }
    }
}

/// What a resource refers to: metadata.dependsOn, a Port's owner, an Agent's service, a ConfigFile's notify.
private func references(of resource: Resource) -> [ResourceID] {
    var out = resource.metadata.dependsOn
    switch resource.spec {
    case .port(let port): out += port.owner.map { [$0] } ?? []
    case .agent(let agent): out += agent.service.map { [$0] } ?? []
    case .configFile(let file): out += file.notify
    default: break
    }
    return out
}

/// An upper bound on the line breaks in `text`: LF, CR, NEL, LS and PS each counted (CRLF twice).
private func lineBreakCount(_ text: String) -> Int {
    text.unicodeScalars.count { [0x0A, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) }
}

/// `precondition` that also survives -Ounchecked: an invariant violation must reach libFuzzer as a crash.
private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("manifest-fuzz invariant: " + message()) }
}
