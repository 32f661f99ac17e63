/// `pool-exhausted`: callers time out waiting for a connection while every connection is in
/// use, and nothing in the logs says connections leak.
///
/// Without leak evidence the work holding connections may simply be too slow for the pool
/// size, or leak logging is off. The finding says so rather than guessing: it is the rule that
/// fires when the more specific ones (leak sites, leak below the pool, pools per request) do not.
public enum PoolExhausted {
    public static let id = "pool-exhausted"
    public static let rule = DiagnosisRule(
        id: id, checks: "pool timeouts at active == maxActive with no leak evidence",
        evaluate: evaluate)

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let timeouts = input.stats(in: "pool-timeout")
        let count = timeouts.reduce(0) { $0 + $1.count }
        guard count >= Threshold.incidentEvents else { return nil }
        let occupancy = PoolOccupancy.of(input)
        if let occupancy, occupancy.level != .full { return nil }
        // Any leak evidence hands the timeouts to a more specific finding.
        let leakLines = input.stats(in: "leak").filter { $0.id != "hikari.leak-unleaked" }.reduce(0) { $0 + $1.count }
            + input.count(in: "abandoned")
        guard input.leakSites.isEmpty, leakLines == 0, PoolPerRequest.evaluate(input) == nil else { return nil }

        var evidence = timeouts.map {
            Evidence.pattern($0, "pool timeouts", fields: ["active", "maxActive", "total", "idle", "waiting", "busy", "size", "wait", "timeout"])
        }
        // Which code waited: the timeout signatures' in-app frames.
        for s in input.signatures(matching: Set(timeouts.map(\.id))).prefix(5) where !s.key.frames.isEmpty {
            evidence.append(.signature(s, "callers that waited", values: ["frames": s.key.frames.joined(separator: " ← ")]))
        }
        let unleaked = input.stat("hikari.leak-unleaked")
        if let unleaked { evidence.append(.pattern(unleaked, "connections held past the leak threshold, then returned")) }

        var explanation = "Callers waited the pool's maximum wait and got no connection \(plural(count, "time"))"
        if let o = occupancy { explanation += " while every connection was in use (active \(o.active) of \(o.limit))" }
        explanation += ". No leak-detection or abandoned-connection trace was logged, so either the work holding connections is too slow for the pool's size (slow queries, long transactions, remote calls made while a connection is held) or leak logging is off and a leak went unreported."
        if let unleaked {
            explanation += " The \(plural(unleaked.count, "connection")) HikariCP reported as held too long and later returned point at slow holders."
        }

        let actions = [
            Action("Turn leak logging on to tell a leak from slow work: HikariCP `leakDetectionThreshold` (a little above the slowest normal use), DBCP `logAbandoned` with `removeAbandoned`, Druid `removeAbandoned` + `logAbandoned`.",
                   references: ["https://github.com/brettwooldridge/HikariCP#frequently-used"]),
            Action("Find what holds connections long: the database's running statements during the incident (MySQL `SHOW PROCESSLIST`, PostgreSQL `pg_stat_activity` with `state = 'active'`), and transactions that span remote calls."),
            Action("Size the pool from measured concurrency and query time rather than raising it blindly: a larger pool only moves the wait to the database.",
                   references: ["https://github.com/brettwooldridge/HikariCP/wiki/About-Pool-Sizing"]),
        ]
        let confidence = occupancy == nil
            ? Confidence(.low, "this pool's timeout message does not say how many connections were in use, and no leak evidence was logged either way")
            : Confidence(.medium, "the pool was full in every timeout, but the absence of leak traces is not proof of no leak (leak logging may be off)")

        return Finding(
            id: id, title: "The pool ran out of connections",
            severity: .error, confidence: confidence, evidence: evidence, explanation: explanation, actions: actions,
            toConfirm: ["Whether leak logging was enabled (leakDetectionThreshold / logAbandoned): if it was, the holders are slow, not leaking."])
    }
}
