import ChainbotCore
import ChainbotManifest
import Glibc

extension EngineOptions {
    /// This host's name and labels: `--host NAME`, else the configuration's `host`, else the kernel's host
    /// name; the configuration's `labels:` under `--label KEY=VALUE` (repeatable; a key given twice keeps
    /// the last).
    static func hostIdentity(_ arguments: Arguments) throws(UsageError) -> HostIdentity {
        // Only a given name is checked: a kernel host name chainbot would not accept must not stop it.
        if let given = arguments.value("host"), let problem = FleetInventory.hostnameProblem(given) {
            throw UsageError(message: "--host: \(problem)")
        }
        let name = arguments.value("host") ?? KernelHostName.read()
        var labels: [String: String] = [:]
        for (flag, key) in [("labels:", "labels"), ("--label", "label")] {
            for entry in arguments.all(key) {
                guard let equals = entry.firstIndex(of: "=") else {
                    throw UsageError(message: "\(flag) takes KEY=VALUE, like room=kitchen; not '\(entry)'")
                }
                let label = String(entry[..<equals])
                let value = String(entry[entry.index(after: equals)...])
                if let problem = FleetInventory.labelProblem(key: label, value: value) {
                    throw UsageError(message: "\(flag) \(entry): \(problem)")
                }
                labels[label] = value
            }
        }
        return HostIdentity(name: name, labels: labels)
    }
}
