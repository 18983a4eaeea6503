import ChainbotCore
import ChainbotManifest
import ChainbotYAML
import Glibc

/// Generates a realistic manifest set and times loading and validating it.
struct ManifestBenchmark {
    let resources: Int
    let files: Int

    func run() {
        var template = Array("/tmp/chainbot-bench-XXXXXX".utf8CString)
        guard
            let directory = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap(mkdtemp) }).map({
                String(cString: $0)
            })
        else {
            print("cannot create a temporary directory")
            return
        }
        defer { removeTree(directory) }
        let bytes = generate(into: directory)
        let loader = ManifestLoader()
        var times: [Double] = []
        var last: ManifestSet?
        for _ in 0..<7 {
            let start = now()
            last = loader.load([directory])
            times.append(now() - start)
        }
        times.sort()
        let set = last
        // The reference: parsing and composing the same YAML with no chainbot semantics, on one core.
        let texts = (set?.files ?? []).map(\.bytes)
        var parseTimes: [Double] = []
        for _ in 0..<7 {
            let start = now()
            for bytes in texts { _ = YAMLParser.parse(bytes) }
            parseTimes.append(now() - start)
        }
        parseTimes.sort()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("manifests: \(resources) resources in \(files) files (\(bytes / 1024) KiB)")
        print("  load + validate (all cores):   median \(format(times[times.count / 2])) s, min \(format(times[0])) s")
        print("  YAML parse + compose only:     median \(format(parseTimes[parseTimes.count / 2])) s (one core)")
        print("  result: \(set?.resources.count ?? 0) valid resources, \(set?.diagnostics.count ?? 0) diagnostics")
        print("  peak RSS: \(usage.ru_maxrss / 1024) MiB")
    }

    /// Writes the manifests and returns their total size in bytes.
    private func generate(into directory: String) -> Int {
        var total = 0
        let perFile = (resources + files - 1) / files
        var index = 0
        for file in 0..<files {
            var text = ""
            for _ in 0..<perFile where index < resources {
                text += document(index)
                index += 1
            }
            if text.isEmpty { break }
            let path = directory + "/" + String(repeating: "0", count: 3 - String(file).count) + "\(file).yaml"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            total += bytes.count
        }
        if index > 0 {
            // One Firewall for the rules to belong to.
            let path = directory + "/firewall.yaml"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let text = Array(
                "apiVersion: chainbot.dev/v1\nkind: Firewall\nmetadata: {name: pi}\nspec:\n  managementPorts: [5420]\n"
                    .utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        return total
    }

    /// A document of a kind chosen by `index`: services with their env file, port, agent and target.
    private func document(_ index: Int) -> String {
        let group = index / 6
        let name = "svc-\(group)"
        let header = "---\napiVersion: chainbot.dev/v1\n"
        switch index % 6 {
        case 0:
            return header + Self.service(name, group)
        case 1:
            return header + """
                kind: ConfigFile
                metadata: {name: \(name)-env}
                spec:
                  path: /etc/apps/\(name).env
                  mode: "0640"
                  env: {PORT: \(10_000 + group), TOKEN: {secretRef: {file: /etc/apps/secrets.env, key: TOKEN}}}
                  notify: [Service/\(name)]

                """
        case 2:
            return header + """
                kind: Port
                metadata: {name: \(name)-port}
                spec: {port: \(10_000 + group), address: 127.0.0.1, owner: Service/\(name)}

                """
        case 3:
            return header + """
                kind: Agent
                metadata: {name: \(name)-agent}
                spec:
                  version: "1.\(group)"
                  capabilities: [chat, search]
                  port: \(10_000 + group)
                  healthEndpoint: /health
                  service: Service/\(name)

                """
        case 4:
            return header + """
                kind: WatchtowerTarget
                metadata: {name: \(name)-probe}
                spec: {type: tcp, target: "127.0.0.1:\(10_000 + group)", interval: 1m}

                """
        default:
            return header + """
                kind: FirewallRule
                metadata: {name: \(name)-lan}
                spec: {action: accept, ports: [\(20_000 + group)], from: [10.42.\(group % 256).0/24]}

                """
        }
    }

    /// A Service with most fields set (the heaviest document of the mix).
    private static func service(_ name: String, _ group: Int) -> String {
        """
        kind: Service
        metadata:
          name: \(name)
          labels: {app: \(name), tier: backend}
        spec:
          description: Generated service \(group)
          exec: /opt/apps/\(name)/bin/server --port \(10_000 + group)
          user: app
          workingDirectory: /opt/apps/\(name)
          environmentFile: /etc/apps/\(name).env
          environment: {LOG_LEVEL: info, WORKERS: 2}
          after: [network-online.target]
          restart: always
          restartSec: 5s
          healthCheck:
            http: http://127.0.0.1:\(10_000 + group)/health
            interval: 30s

        """
    }

    private func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private func format(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        return
            "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - String(milliseconds % 1000).count))\(milliseconds % 1000)"
    }

    private func removeTree(_ directory: String) {
        guard let handle = opendir(directory) else { return }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { unlink(directory + "/" + name) }
        }
        closedir(handle)
        rmdir(directory)
    }
}
