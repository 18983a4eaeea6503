import ChainbotCore

// `ChainbotCore.JSONValue` is spelled out: this module has a `JSONValue` of its own (for `nft -j`).
extension ChainbotCore.JSONValue {
    /// The value of `key` in an object, nil otherwise.
    func member(_ key: String) -> ChainbotCore.JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The text of a string value.
    var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The items of an array value.
    var elements: [ChainbotCore.JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// A number or a numeric string as an integer.
    var integer: Int? {
        switch self {
        case .int(let value): value
        case .double(let value): value == value.rounded() ? Int(exactly: value) : nil
        case .string(let text): Int(text)
        default: nil
        }
    }
}

/// The JSON values ALEX OS sends and receives (the core's, with member order kept).
typealias AlexOSJSON = ChainbotCore.JSONValue
