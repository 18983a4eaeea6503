/// The manifest set the testbed kill trials apply: Services running `/bin/sleep infinity`, each reading one of
/// a few environment files (ConfigFiles that notify the Services reading them), plus a sentinel ConfigFile that
/// stays when the others leave the manifests, so `apply --prune` has a non-empty set.
enum KillTrialManifests {
    static let serviceCount = 6
    static let fileCount = 3
    static let sentinelPath = "/etc/kt-keep/keep.conf"

    static func service(_ index: Int) -> String { "kt\(index)" }
    static func unit(_ index: Int) -> String { "kt\(index).service" }
    static func unitPath(_ index: Int) -> String { "/etc/systemd/system/kt\(index).service" }
    static func linkPath(_ index: Int) -> String { "/etc/systemd/system/multi-user.target.wants/kt\(index).service" }
    static func file(_ index: Int) -> String { "kt-env\(index)" }
    static func filePath(_ index: Int) -> String { "/etc/kt/kt\(index).env" }
    static func content(_ index: Int) -> String { "N=\(index)\n" }

    /// Every resource of the full set as `Kind/name`, the sentinel aside.
    static var resources: [String] {
        (0..<serviceCount).map { "Service/\(service($0))" } + (0..<fileCount).map { "ConfigFile/\(file($0))" }
    }

    static let sentinel = """
        apiVersion: chainbot.dev/v1
        kind: ConfigFile
        metadata: {name: kt-keep}
        spec: {path: \(sentinelPath), content: "keep\\n"}
        """

    /// The whole set: every Service, every environment file, the sentinel.
    static var full: String {
        let services = (0..<serviceCount).map { index in
            """
            apiVersion: chainbot.dev/v1
            kind: Service
            metadata: {name: \(service(index))}
            spec:
              exec: /bin/sleep infinity
              environmentFile: \(filePath(index % fileCount))

            """
        }
        let files = (0..<fileCount).map { index in
            let readers = (0..<serviceCount).filter { $0 % fileCount == index }.map { "Service/\(service($0))" }
            return """
                apiVersion: chainbot.dev/v1
                kind: ConfigFile
                metadata: {name: \(file(index))}
                spec:
                  path: \(filePath(index))
                  env: {N: "\(index)"}
                  notify: [\(readers.joined(separator: ", "))]

                """
        }
        return (services + files + [sentinel]).joined(separator: "---\n")
    }
}
