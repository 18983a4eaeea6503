import ChainbotCore

/// A usage error: what was wrong with the command line, printed with the command's usage, exit 64.
struct UsageError: Error {
    var message: String
}

/// A command line split into options and positional arguments, checked against what a command accepts.
struct Arguments {
    /// Options that take a value, by every spelling (`-o`, `--output`).
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positional: [String] = []

    /// Parses `arguments`; `valued` maps each spelling of a value option to its canonical name, and
    /// `switches` does the same for flags. `--` ends options; `--name=value` is accepted.
    init(_ arguments: [String], valued: [String: String], switches: [String: String]) throws(UsageError) {
        var index = 0
        var onlyPositional = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositional || !argument.hasPrefix("-") || argument == "-" {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositional = true
                continue
            }
            var name = argument
            var inline: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            if let canonical = valued[name] {
                if let inline {
                    values[canonical, default: []].append(inline)
                } else if index < arguments.count {
                    values[canonical, default: []].append(arguments[index])
                    index += 1
                } else {
                    throw UsageError(message: "option \(name) needs a value")
                }
            } else if let canonical = switches[name], inline == nil {
                flags.insert(canonical)
            } else {
                let known = Array(valued.keys) + Array(switches.keys)
                let hint = Suggestion.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError(message: "unknown option '\(name)'\(hint)")
            }
        }
    }

    /// Drops the first positional argument (a command's operand, once it has been read).
    mutating func dropPositional() {
        if !positional.isEmpty { positional.removeFirst() }
    }

    /// The last value given for an option.
    func value(_ name: String) -> String? { values[name]?.last }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// These arguments over `base` (a configuration file's): a value given here replaces all of base's for
    /// that name, flags add up, positional arguments here replace base's.
    func merged(over base: Arguments) -> Arguments {
        var out = base
        for (name, list) in values { out.values[name] = list }
        out.flags.formUnion(flags)
        if !positional.isEmpty { out.positional = positional }
        return out
    }

    /// `-o text|json` (or the allowed set), defaulting to the first.
    func output(_ allowed: [String] = ["text", "json"]) throws(UsageError) -> String {
        guard let value = value("output") else { return allowed[0] }
        guard allowed.contains(value) else {
            throw UsageError(message: "-o must be one of " + allowed.joined(separator: ", ") + ", not '\(value)'")
        }
        return value
    }
}
