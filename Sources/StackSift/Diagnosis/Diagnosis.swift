/// One diagnosis rule: a pure function from the analysis to at most one finding.
public struct DiagnosisRule: Sendable {
    public let id: String
    /// What the rule checks, in one line.
    public let checks: String
    public let evaluate: @Sendable (DiagnosisInput) -> Finding?
}

/// Runs every rule and orders the findings.
public enum Diagnosis {
    /// Causes before symptoms: on equal severity and confidence a finding that explains the
    /// incident comes before `db-connection-limit`, which only says the database was full.
    public static let rules: [DiagnosisRule] = [
        LeakBelowPool.rule,
        PoolPerRequest.rule,
        AbandonedRemovalActive.rule,
        AppLeak.rule,
        PoolExhausted.rule,
        StaleConnections.rule,
        DBConnectionLimit.rule,
    ]

    /// Findings, most severe first, then most confident, then in rule order.
    public static func run(_ input: DiagnosisInput) -> [Finding] {
        var found: [(Int, Finding)] = []
        for (i, r) in rules.enumerated() {
            if let f = r.evaluate(input) { found.append((i, f)) }
        }
        found.sort { a, b in
            if a.1.severity != b.1.severity { return a.1.severity > b.1.severity }
            if a.1.confidence.level != b.1.confidence.level { return a.1.confidence.level > b.1.confidence.level }
            return a.0 < b.0
        }
        return found.map(\.1)
    }
}

/// The numbers the rules share, in one place so that a reader can see (and argue with) them.
public enum Threshold {
    /// Fewer pool timeouts than this are not an incident: one caller waiting out maxWait during
    /// a deploy, a failover or a long GC pause is normal. Three make a pattern.
    public static let incidentEvents = 3
    /// More live pools than this in one run is not a configuration (a handful of data sources),
    /// it is pools being built at run time.
    public static let pools = 10
    /// Pool creations spread over at least this many distinct minutes are a process that keeps
    /// building pools, not a startup that builds many at once.
    public static let creationMinutes = 5
}

extension Evidence {
    /// A pattern's matches: count, first and last time, inputs, and its numeric fields
    /// (`0` or `317…13047`) as values.
    static func pattern(_ s: PatternStat, _ label: String, fields: [String] = [], extra: [String: String] = [:]) -> Evidence {
        var values = extra
        for name in fields {
            if let f = s.fields[name] { values[name] = f.min == f.max ? "\(f.min)" : "\(f.min)…\(f.max)" }
        }
        return Evidence(label: label, pattern: s.id, count: s.count, first: s.firstSeen, last: s.lastSeen,
                        sources: s.sources.isEmpty ? nil : s.sources, values: values.isEmpty ? nil : values)
    }

    static func signature(_ s: SignatureStat, _ label: String, values: [String: String] = [:]) -> Evidence {
        Evidence(label: label, signature: s.key.id, count: s.count, first: s.firstSeen, last: s.lastSeen,
                 sources: s.sources.isEmpty ? nil : s.sources, values: values.isEmpty ? nil : values)
    }
}

/// `ReportDao.loadMonthly` for `com.acme.report.ReportDao.loadMonthly`: class and method.
func shortFrame(_ frame: String) -> String {
    let parts = frame.split(separator: ".")
    return parts.count >= 2 ? parts.suffix(2).joined(separator: ".") : frame
}

/// `a, b and c`.
func listText(_ items: [String]) -> String {
    switch items.count {
    case 0: return ""
    case 1: return items[0]
    default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

/// `1 event`, `3 events`.
func plural(_ n: Int, _ word: String, _ many: String? = nil) -> String {
    "\(n) " + (n == 1 ? word : (many ?? word + "s"))
}
