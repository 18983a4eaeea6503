import ChainbotCore
import ChainbotYAML
import Testing

@Suite struct YAMLTestSuiteTests {
    /// How a case came out.
    private enum Outcome {
        case pass
        /// Rejected valid input: the first problem.
        case rejected(YAMLProblem)
        /// Accepted invalid input.
        case accepted
        /// Loaded valid input to something other than `in.json`.
        case differs(String)

        var passed: Bool {
            if case .pass = self { return true }
            return false
        }
    }

    // The suite's data lives outside this repository, beside the checkout. Without it this test is
    // reported as skipped with this reason; it never passes silently.
    @Test(
        .enabled(
            if: YAMLTestSuite.isPresent,
            "yaml-test-suite not found at ../shared/conformance/yaml-test-suite beside the package root"))
    func everyCaseLibyamlCanParseLoadsAsTheSuiteExpects() throws {
        let cases = try YAMLTestSuite.cases()
        #expect(cases.count == 402)
        var passed = 0
        var known: [KnownLibyamlFailures.Category: Int] = [:]
        var unexpected = 0
        for testCase in cases {
            let outcome = Self.outcome(of: testCase)
            switch (KnownLibyamlFailures.category(of: testCase.id), outcome) {
            case (nil, .pass):
                passed += 1
            case (nil, _):
                unexpected += 1
                Issue.record("\(testCase.id) (\(testCase.name)): \(Self.describe(outcome))")
            case (let category?, _) where Self.fails(outcome, as: category):
                known[category, default: 0] += 1
            case (let category?, _):
                unexpected += 1
                Issue.record(
                    """
                    \(testCase.id) (\(testCase.name)) is a known libyaml failure (\(category.rawValue)) but now \
                    gives: \(Self.describe(outcome)); check libyaml and update KnownLibyamlFailures
                    """)
            }
        }
        let knownTotal = known.values.reduce(0, +)
        let byCategory = KnownLibyamlFailures.Category.allCases.map { "\(known[$0, default: 0]) \($0.rawValue)" }
        print(
            "yaml-test-suite: \(cases.count) cases, \(passed) pass, \(knownTotal) known libyaml failures "
                + "(\(byCategory.joined(separator: ", "))), \(unexpected) unexpected")
        #expect(unexpected == 0)
        #expect(passed + knownTotal == cases.count)
    }

    @Test func knownFailureListsHaveTheReadmeCounts() {
        #expect(KnownLibyamlFailures.rejectsValid.count == 51)
        #expect(KnownLibyamlFailures.acceptsInvalid.count == 16)
        #expect(KnownLibyamlFailures.parseDifferences.count == 5)
        let all = [
            KnownLibyamlFailures.rejectsValid, KnownLibyamlFailures.acceptsInvalid,
            KnownLibyamlFailures.parseDifferences,
        ]
        #expect(all.reduce(Set<String>()) { $0.union($1) }.count == 72)
    }

    private static func outcome(of testCase: YAMLTestSuite.Case) -> Outcome {
        let stream = YAMLParser.parse(testCase.input)
        if testCase.expectsError {
            return stream.problems.isEmpty ? .accepted : .pass
        }
        if let problem = stream.problems.first {
            return .rejected(problem)
        }
        guard let json = testCase.json else { return .pass }
        let expected: [JSONValue]
        do {
            expected = try JSONValue.sequence(parsing: json)
        } catch {
            return .differs("in.json is not readable: \(error)")
        }
        let actual = stream.documents.map(JSONValue.init)
        guard actual.count == expected.count else {
            return .differs("\(actual.count) documents, in.json has \(expected.count)")
        }
        for (index, (mine, theirs)) in zip(actual, expected).enumerated() {
            guard let mine else { return .differs("document \(index + 1) has no JSON form") }
            if !mine.matches(theirs) {
                return .differs("document \(index + 1) is \(mine.serialized()), in.json has \(theirs.serialized())")
            }
        }
        return .pass
    }

    /// Whether `outcome` is the failure libyaml is known for in `category`.
    private static func fails(_ outcome: Outcome, as category: KnownLibyamlFailures.Category) -> Bool {
        switch (category, outcome) {
        case (.rejectsValid, .rejected(let problem)): [.syntax, .tabIndentation].contains(problem.kind)
        case (.acceptsInvalid, .accepted): true
        case (.parseDifference, .differs): true
        default: false
        }
    }

    private static func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .pass: "passes"
        case .rejected(let problem): "rejected: \(problem.mark): \(problem.kind): \(problem.message)"
        case .accepted: "accepted invalid input"
        case .differs(let difference): "loaded differently: \(difference)"
        }
    }
}
