/// How sure a finding is, and why no surer.
public struct Confidence: Sendable, Codable, Equatable {
    public enum Level: String, Sendable, Codable, Comparable {
        case low, medium, high
        var rank: Int { self == .low ? 0 : self == .medium ? 1 : 2 }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }
    public var level: Level
    public var why: String
    public init(_ level: Level, _ why: String) {
        self.level = level
        self.why = why
    }
}

/// One piece of evidence behind a finding: a signature or pattern with its counts and times,
/// or a named value (`active`=0, `maxActive`=30, `pools created`=140).
public struct Evidence: Sendable, Codable, Equatable {
    public var label: String
    public var signature: String?
    public var pattern: String?
    public var count: Int?
    public var first: Int64?
    public var last: Int64?
    public var sources: [String: Int]?
    public var values: [String: String]?

    public init(label: String, signature: String? = nil, pattern: String? = nil, count: Int? = nil,
                first: Int64? = nil, last: Int64? = nil, sources: [String: Int]? = nil, values: [String: String]? = nil) {
        self.label = label
        self.signature = signature
        self.pattern = pattern
        self.count = count
        self.first = first
        self.last = last
        self.sources = sources
        self.values = values
    }
}

/// Something to check or change, with where to read more.
public struct Action: Sendable, Codable, Equatable {
    public var text: String
    public var references: [String]
    public init(_ text: String, references: [String] = []) {
        self.text = text
        self.references = references
    }
}

/// A conclusion drawn from the evidence by one diagnosis rule.
public struct Finding: Sendable, Codable, Equatable {
    /// Stable id (`app-leak`, `db-connection-limit`, …).
    public var id: String
    public var title: String
    public var severity: Severity
    public var confidence: Confidence
    public var evidence: [Evidence]
    public var explanation: String
    public var actions: [Action]
    /// What would confirm the finding when its key evidence is missing.
    public var toConfirm: [String]

    public init(id: String, title: String, severity: Severity, confidence: Confidence, evidence: [Evidence],
                explanation: String, actions: [Action], toConfirm: [String] = []) {
        self.id = id
        self.title = title
        self.severity = severity
        self.confidence = confidence
        self.evidence = evidence
        self.explanation = explanation
        self.actions = actions
        self.toConfirm = toConfirm
    }
}
