import ChainbotCore

/// The entry chainbot writes for a WatchtowerTarget, in the targets file's own snake_case words.
public enum TargetEntry {
    /// The name of the facet that holds an entry's text.
    public static let facet = "entry"

    /// `name`, `type`, `target`, `interval`, `timeout`, the thresholds, for http the expected status (and
    /// JSON status), `severity`, and the `managed_by: chainbot` marker, in that order.
    static func value(name: String, spec: WatchtowerTargetSpec) -> EntryValue {
        var fields: [EntryField] = [
            EntryField("name", .scalar(name)),
            EntryField("type", .scalar(spec.type.rawValue)),
            EntryField("target", .scalar(spec.target)),
            EntryField("interval", .scalar(DurationText.format(spec.interval))),
            EntryField("timeout", .scalar(DurationText.format(spec.timeout))),
            EntryField("failure_threshold", .scalar(String(spec.failureThreshold))),
            EntryField("recovery_threshold", .scalar(String(spec.recoveryThreshold))),
        ]
        if spec.type == .http {
            fields.append(EntryField("expect_status", .scalar(String(spec.expectStatus))))
            if let json = spec.expectJSONStatus { fields.append(EntryField("expect_json_status", .scalar(json))) }
        }
        fields.append(EntryField("severity", .scalar(spec.severity.rawValue)))
        fields.append(EntryField(TargetsFile.markerKey, .scalar(TargetsFile.marker)))
        return .mapping(fields)
    }

    /// The entry as the facet shows it: `key: value` lines.
    static func text(_ value: EntryValue) -> String {
        value.yamlText(asListItem: false) ?? ""
    }
}
