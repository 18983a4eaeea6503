extension LibYAMLFailure {
    /// The fatal problem this failure means for a person reading `source`.
    ///
    /// Decided by stage and by the bytes at the reported position, never by libyaml's wording: a reader
    /// failure on bytes that are not UTF-8 is `.invalidEncoding`; a scanner failure on a tab in a line's
    /// leading whitespace is `.tabIndentation`; everything else is `.syntax` with libyaml's own text.
    func problem(in source: SourceText) -> YAMLProblem {
        switch stage {
        case .reader:
            return readerProblem(in: source)
        case .scanner where source.isIndentationTab(at: problemMark):
            return YAMLProblem(
                .tabIndentation, "tabs are not allowed for indentation; use spaces", at: problemMark,
                related: contextNote)
        case .scanner, .parser:
            let message = context.map { "\(problem) \($0)" } ?? problem
            return YAMLProblem(.syntax, message, at: problemMark, related: contextNote)
        case .memory:
            return YAMLProblem(.syntax, "libyaml ran out of memory: \(problem)", at: problemMark)
        }
    }

    /// Where libyaml's context (e.g. "while parsing a block mapping") starts, when it is elsewhere.
    private var contextNote: [YAMLProblem.Related] {
        guard let context, let contextMark, contextMark != problemMark else { return [] }
        return [YAMLProblem.Related(context, at: contextMark)]
    }

    private func readerProblem(in source: SourceText) -> YAMLProblem {
        let mark = source.mark(atByteOffset: problemOffset)
        if let scalar = source.scalar(atByteOffset: problemOffset) {
            return YAMLProblem(
                .syntax, "character \(scalar.codePointDescription) is not allowed in YAML (\(problem))", at: mark)
        }
        let byte = problemOffset >= 0 && problemOffset < source.bytes.count ? source.bytes[problemOffset] : nil
        let detail = byte.map { "\(problem), byte 0x\(hex($0, digits: 2))" } ?? problem
        return YAMLProblem(.invalidEncoding, "manifest is not valid UTF-8 (\(detail))", at: mark)
    }
}

extension Unicode.Scalar {
    /// `U+0001`-style spelling, at least four hex digits.
    var codePointDescription: String {
        "U+\(hex(value, digits: 4))"
    }
}

/// Upper-case hexadecimal of `value`, zero-padded to at least `digits` digits.
func hex(_ value: some BinaryInteger, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}
