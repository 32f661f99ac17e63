/// Something `tail` tells the user as it happens.
public struct Alert: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A signature seen for the first time since the first start.
        case newSignature = "new-signature"
        /// An incident signature's rate jumped well above its own recent baseline.
        case burst
        /// An incident signature came back after a quiet spell.
        case resumed
        /// A diagnosis finding became true.
        case finding
    }

    public var kind: Kind
    public var severity: Severity
    /// When it happened: the event's own time (epoch ms), or the wall clock for untimed events
    /// and findings.
    public var time: Int64
    /// Wall-clock time the alert was raised (epoch ms).
    public var raised: Int64
    public var signature: String?
    public var finding: String?
    /// Exception or finding title, in one line.
    public var title: String
    /// Events of the signature so far (kind `burst`: in the burst window).
    public var count: Int
    /// `burst`: the average per window over the baseline period before it.
    public var baseline: Double?
    /// The exemplar's first line (the finding's first evidence for findings).
    public var exemplar: String
    public var source: String?
    /// The signature matched a catalog pattern of an incident category.
    public var incident: Bool

    public init(kind: Kind, severity: Severity, time: Int64, raised: Int64, signature: String? = nil, finding: String? = nil,
                title: String, count: Int, baseline: Double? = nil, exemplar: String, source: String? = nil, incident: Bool = false) {
        self.kind = kind
        self.severity = severity
        self.time = time
        self.raised = raised
        self.signature = signature
        self.finding = finding
        self.title = title
        self.count = count
        self.baseline = baseline
        self.exemplar = exemplar
        self.source = source
        self.incident = incident
    }
}

/// When a rate is a burst. Per signature, events are counted in `window`-long buckets of their
/// own time. A bucket is a burst when its count reaches `minimum` and `factor` times the average
/// bucket of the `baseline` before it (trailing 5 minutes by default): a signature that steadily
/// logs 20 per 10 s does not burst at 25, one that logs 1 per minute bursts at 10 in 10 s. Hot
/// buckets in a row are one burst: one alert.
public struct BurstRule: Sendable, Equatable {
    /// Bucket width, seconds.
    public var window: Int64 = 10
    /// Trailing period the baseline averages, seconds.
    public var baseline: Int64 = 300
    public var factor: Double = 5
    public var minimum = 10
    /// An incident signature silent this long (seconds) and seen again is `resumed`.
    public var quiet: Int64 = 300
    public init() {}
}

/// Turns analysed events into alerts: first sight of a signature, bursts and resumptions of
/// incident signatures. Memory: a few buckets per signature, signatures bounded by the analysis.
final class AlertDetector {
    let rule: BurstRule
    /// Pattern id → (severity, is an incident category).
    private let patternInfo: [String: (Severity, Bool)]
    private struct Rate {
        var buckets: [Int64: Int] = [:]
        /// The last bucket that reached the threshold.
        var hot: Int64?
        /// The latest event time seen (for `resumed`).
        var last: Int64?
    }
    private var rates: [String: Rate] = [:]

    init(catalog: PatternCatalog, rule: BurstRule) {
        self.rule = rule
        var info: [String: (Severity, Bool)] = [:]
        for p in catalog.patterns {
            // Informational patterns (pool statistics, pool started) recur by design: they are not
            // incidents, so they neither burst nor resume.
            let incident = p.spec.marksIncident && p.spec.severity >= .warning
            info[p.spec.id] = (p.spec.severity, incident)
        }
        patternInfo = info
    }

    /// The most severe of the signature's patterns (warning for a plain exception), and whether
    /// one of them is an incident pattern (severity warning or worse, not a wrapper).
    func classify(_ s: SignatureStat) -> (Severity, Bool) {
        var sev: Severity?
        var incident = false
        for p in s.patterns {
            guard let (ps, inc) = patternInfo[p] else { continue }
            if sev == nil || ps > sev! { sev = ps }
            if inc { incident = true }
        }
        return (sev ?? .warning, incident)
    }

    /// One event was counted under `s` (the stat after counting it), at `time`.
    func observe(_ s: SignatureStat, time: Int64, source: String, raised: Int64, into out: inout [Alert]) {
        let (severity, incident) = classify(s)
        var r = rates[s.key.id] ?? Rate()
        let previousLast = r.last
        r.last = max(r.last ?? time, time)
        defer { rates[s.key.id] = r }
        func alert(_ kind: Alert.Kind, count: Int, baseline: Double? = nil) -> Alert {
            Alert(kind: kind, severity: severity, time: time, raised: raised, signature: s.key.id, title: Self.title(s.key),
                  count: count, baseline: baseline, exemplar: Self.firstLine(s.exemplar), source: source, incident: incident)
        }
        if s.count == 1 {
            out.append(alert(.newSignature, count: 1))
        } else if incident, let previousLast, time - previousLast >= rule.quiet * 1000 {
            out.append(alert(.resumed, count: s.count))
        }
        guard incident else { return }
        let w = rule.window * 1000
        let b = time >= 0 ? time / w : (time - w + 1) / w
        r.buckets[b, default: 0] += 1
        let span = max(1, rule.baseline / rule.window)
        // forget buckets older than the baseline of the newest one
        if r.buckets.count > Int(span) + 2, let newest = r.buckets.keys.max() {
            r.buckets = r.buckets.filter { $0.key >= newest - span }
        }
        let count = r.buckets[b] ?? 0
        var before = 0
        for k in (b - span)..<b { before += r.buckets[k] ?? 0 }
        let average = Double(before) / Double(span)
        let threshold = max(Double(rule.minimum), rule.factor * average)
        if Double(count) >= threshold {
            // a bucket right after a hot one continues the same burst
            let continuing = r.hot.map { b >= $0 && b <= $0 + 1 } ?? false
            if !continuing { out.append(alert(.burst, count: count, baseline: average)) }
            r.hot = max(r.hot ?? b, b)
        }
    }

    static func title(_ k: SignatureKey) -> String {
        var t = k.exception ?? ""
        if let root = k.rootCause, root != k.exception { t += t.isEmpty ? root : " ← " + root }
        if !k.message.isEmpty { t += t.isEmpty ? k.message : ": " + k.message }
        return String(t.prefix(200))
    }

    static func firstLine(_ s: String) -> String {
        let line = s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return String(line.prefix(300))
    }
}
