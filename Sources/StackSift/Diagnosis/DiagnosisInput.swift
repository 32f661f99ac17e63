/// What the diagnosis rules read: the merged analysis state and the category of every pattern.
/// Rules are pure functions of this value, so a test builds a small state by hand.
public struct DiagnosisInput: Sendable {
    public var state: AnalysisState
    /// Pattern id → catalog category (`pool-timeout`, `db-refused`, …).
    public var categories: [String: String]

    public init(state: AnalysisState, categories: [String: String]) {
        self.state = state
        self.categories = categories
    }

    public init(_ result: AnalysisResult, catalog: PatternCatalog) {
        self.init(state: result.state, categories: catalog.categoryByID)
    }

    public func stat(_ id: String) -> PatternStat? { state.patterns[id] }

    /// Matches of the patterns of one category, in id order.
    public func stats(in category: String) -> [PatternStat] {
        state.patterns.values.filter { categories[$0.id] == category }.sorted { $0.id < $1.id }
    }

    public func count(in category: String) -> Int { stats(in: category).reduce(0) { $0 + $1.count } }

    /// Signatures whose events matched any of `patterns`, most events first.
    public func signatures(matching patterns: Set<String>) -> [SignatureStat] {
        state.signatures.values.filter { !$0.patterns.isDisjoint(with: patterns) }
            .sorted { ($0.count, $1.key.id) > ($1.count, $0.key.id) }
    }

    /// Events of a text field's value (`stage` = `Starting...`) summed over `values`.
    public func textCount(_ id: String, _ field: String, _ values: [String]) -> Int {
        guard let f = state.patterns[id]?.textFields[field] else { return 0 }
        return values.reduce(0) { $0 + (f.values[$1] ?? 0) }
    }

    /// Distinct values a text field took (the overflow past the cap counts as at least one more).
    public func distinct(_ id: String, _ field: String) -> Int {
        guard let f = state.patterns[id]?.textFields[field] else { return 0 }
        return f.values.count + (f.overflow > 0 ? 1 : 0)
    }

    /// First and last time over `stats`.
    public func span(_ stats: [PatternStat]) -> (Int64?, Int64?) {
        (stats.compactMap(\.firstSeen).min(), stats.compactMap(\.lastSeen).max())
    }

    /// Events per input summed over `stats`.
    public func sources(_ stats: [PatternStat]) -> [String: Int] {
        var out: [String: Int] = [:]
        for s in stats { for (k, v) in s.sources { out[k, default: 0] += v } }
        return out
    }
}

extension PatternCatalog {
    /// Pattern id → category.
    public var categoryByID: [String: String] {
        Dictionary(patterns.map { ($0.spec.id, $0.spec.category) }, uniquingKeysWith: { _, b in b })
    }
}

/// A place in application code that borrowed connections and did not return them in time: the
/// first frame of the open stack of leak-detection and abandoned-connection traces.
public struct LeakSite: Sendable, Equatable {
    /// `com.acme.report.ReportDao.loadMonthly`
    public var frame: String
    public var count: Int
    public var first: Int64?
    public var last: Int64?
    public var sources: [String: Int]
    public var signatures: [String]
    /// The frames the site's signatures were keyed on (the site and its callers).
    public var frames: [String]
    /// The patterns its traces matched (`dbcp.abandoned-trace`, `hikari.leak-detection`, …).
    public var patterns: Set<String>
}

extension DiagnosisInput {
    /// Open-stack signatures (`rootCause == "open-stack"`) grouped by their first frame, most
    /// traces first. Signatures key on up to three frames, so one site reached from two callers
    /// is two signatures but one leak site.
    public var leakSites: [LeakSite] {
        var by: [String: LeakSite] = [:]
        // Biggest signature first, so a site's `frames` are those of its most frequent caller.
        let open = state.signatures.values.filter { $0.key.rootCause == "open-stack" }
            .sorted { ($0.count, $1.key.id) > ($1.count, $0.key.id) }
        for s in open {
            let frame = s.key.frames.first ?? "(no frame)"
            var site = by[frame] ?? LeakSite(frame: frame, count: 0, first: nil, last: nil, sources: [:], signatures: [], frames: s.key.frames, patterns: [])
            site.count += s.count
            site.first = minOpt(site.first, s.firstSeen)
            site.last = maxOpt(site.last, s.lastSeen)
            for (k, v) in s.sources { site.sources[k, default: 0] += v }
            site.signatures.append(s.key.id)
            site.signatures.sort()
            site.patterns.formUnion(s.patterns)
            by[frame] = site
        }
        return by.values.sorted { ($0.count, $1.frame) > ($1.count, $0.frame) }
    }

    /// True when the site's traces come from a pool that reclaims connections (an `abandoned`
    /// category pattern: DBCP, Druid, Tomcat removeAbandoned) rather than only reporting them
    /// (HikariCP leak detection).
    public func reclaimed(_ site: LeakSite) -> Bool {
        site.patterns.contains { categories[$0] == "abandoned" }
    }
}

/// How full the pool said it was when callers timed out: the pool's own `active` against its
/// limit (Druid `active`/`maxActive`, HikariCP `active`/`total`, Tomcat `busy`/`size`).
public struct PoolOccupancy: Sendable, Equatable {
    public enum Level: String, Sendable { case full, farBelow, between }
    /// The largest `active` any timeout reported, and the largest limit.
    public var active: Int64
    public var limit: Int64
    public var limitName: String
    public var pattern: String

    /// `full`: every connection handed out; `farBelow`: fewer than half. HikariCP's `total` is
    /// the pool's current size, not `maximumPoolSize`: `active == total` means every connection
    /// it has is out, which is full as far as waiting callers are concerned.
    public var level: Level {
        if limit > 0 && active >= limit { return .full }
        if active * 2 < limit { return .farBelow }
        return .between
    }

    /// The occupancy reported by the pool-timeout matches in `input`, from the first pattern
    /// (in id order) that carries both numbers; nil when no timeout said (DBCP, c3p0).
    public static func of(_ input: DiagnosisInput) -> PoolOccupancy? {
        for s in input.stats(in: "pool-timeout") {
            for (a, l) in [("active", "maxActive"), ("active", "total"), ("busy", "size")] {
                if let active = s.fields[a]?.max, let limit = s.fields[l]?.max {
                    return PoolOccupancy(active: active, limit: limit, limitName: l, pattern: s.id)
                }
            }
        }
        return nil
    }
}

extension DiagnosisInput {
    /// Versions of a library named in the exemplars' jar names (`druid-1.2.8.jar`, as Logback's
    /// packaging data prints them after frames: `~[druid-1.2.8.jar:1.2.8]`), lowest first.
    public func jarVersions(_ artifact: String) -> [[Int]] {
        guard let regex = try? Regex("(?<![\\w.-])" + artifact + "-(\\d+(?:\\.\\d+)+)\\.jar") else { return [] }
        let scratch = MatchScratch(maxCaptureCount: regex.captureCount)
        var found: Set<[Int]> = []
        for s in state.signatures.values {
            forEachMatch(regex, in: s.exemplar, scratch: scratch) { m in
                if let v = m.string(1) { found.insert(v.split(separator: ".").compactMap { Int($0) }) }
            }
        }
        return found.sorted { $0.lexicographicallyPrecedes($1) }
    }
}

/// `1.2.8`.
func versionText(_ v: [Int]) -> String { v.map(String.init).joined(separator: ".") }
