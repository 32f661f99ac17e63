/// `app-leak`: application code borrows connections and does not return them (seed 003).
///
/// The pool names the code when it is told to: abandoned-connection traces (DBCP, Druid, Tomcat
/// with logAbandoned), HikariCP leak detection, c3p0 overdue checkouts. Their open stacks,
/// grouped by first application frame, are the leak sites, ranked by how many traces each left.
/// Pool timeouts with every connection in use say the leak has drained the pool.
///
/// Sites whose own code also hit socket timeouts or slow SQL are not counted here: those
/// connections were busy, not forgotten (`abandoned-removal-active`).
public enum AppLeak {
    public static let id = "app-leak"
    public static let rule = DiagnosisRule(
        id: id, checks: "leak-detection / abandoned traces (ranked leak sites), with pool timeouts at active == maxActive",
        evaluate: evaluate)

    /// Leak sites shown as evidence; the rest are summed.
    static let shownSites = 10

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let busy = AbandonedRemovalActive.inUseSites(input)
        let sites = input.leakSites.filter { busy[$0.frame] == nil }
        let traces = sites.reduce(0) { $0 + $1.count }
        // Leak lines without a stack (`remove abandonded failed`, c3p0 "overdue, and will be
        // destroyed") still say connections were not returned, without saying where.
        let stackless = input.stats(in: "leak").filter { $0.id != "hikari.leak-unleaked" } + input.stats(in: "abandoned")
        // Patterns that left open stacks are counted through their sites (busy ones included).
        let traced = Set(input.leakSites.flatMap(\.patterns))
        let untraced = stackless.filter { !traced.contains($0.id) }.reduce(0) { $0 + $1.count }

        let timeouts = input.stats(in: "pool-timeout")
        let timeoutCount = timeouts.reduce(0) { $0 + $1.count }
        let occupancy = PoolOccupancy.of(input)
        let drained = timeoutCount >= Threshold.incidentEvents && occupancy?.level != .farBelow
        guard traces > 0 || (untraced > 0 && drained) else { return nil }

        var evidence: [Evidence] = []
        for (rank, site) in sites.prefix(shownSites).enumerated() {
            var values = ["rank": "\(rank + 1)"]
            if site.frames.count > 1 { values["called from"] = site.frames.dropFirst().joined(separator: " ← ") }
            evidence.append(Evidence(label: "leak site \(site.frame)", signature: site.signatures.first, count: site.count,
                                     first: site.first, last: site.last, sources: site.sources, values: values))
        }
        if sites.count > shownSites {
            let rest = sites.dropFirst(shownSites)
            evidence.append(Evidence(label: "\(rest.count) more leak sites", count: rest.reduce(0) { $0 + $1.count }))
        }
        for s in stackless { evidence.append(.pattern(s, "leak and abandoned-connection lines")) }
        for s in timeouts {
            evidence.append(.pattern(s, "pool timeouts", fields: ["active", "maxActive", "total", "idle", "waiting", "busy", "size"]))
        }
        let unleaked = input.stat("hikari.leak-unleaked")?.count ?? 0
        let detected = input.stat("hikari.leak-detection")?.count ?? 0
        if unleaked > 0, let s = input.stat("hikari.leak-unleaked") { evidence.append(.pattern(s, "reported leaks later returned (unleaked)")) }

        var explanation: String
        if traces > 0 {
            let ranked = sites.prefix(5).enumerated().map { "\($0.offset + 1). \(shortFrame($0.element.frame)) (\($0.element.count))" }
            explanation = "Application code borrowed connections and did not return them: the pool logged \(plural(traces, "trace")) of connections held past its leak or abandoned threshold, from \(plural(sites.count, "place")) in the code. Ranked by traces: \(ranked.joined(separator: ", ")). "
        } else {
            explanation = "The pool logged \(plural(untraced, "connection")) not returned in time, without the stack that borrowed them. "
        }
        if drained {
            explanation += "Callers then timed out waiting for a connection \(plural(timeoutCount, "time"))"
            if let o = occupancy { explanation += " with \(o.active) of \(o.limit) connections in use" }
            explanation += ": the leaked connections are the ones the pool is missing. "
        } else if timeoutCount == 0 {
            explanation += "No pool timeout was logged: the pool still had connections to spare, or reclaimed the leaked ones in time. "
        }
        if unleaked > 0 && detected > 0 && unleaked * 2 >= detected {
            explanation += "Most HikariCP leak reports (\(unleaked) of \(detected)) were followed by \"unleaked\": those connections came back late, so that code is slow or holds connections across remote calls rather than forgetting close()."
        } else {
            explanation += "A trace shows where a connection was borrowed, not why it was kept: look for a path that skips close() (no finally / try-with-resources) or holds the connection across slow work."
        }

        let top = sites.prefix(3).map { shortFrame($0.frame) }
        var actions = [
            Action("Return the connection on every path\(top.isEmpty ? "" : " in " + listText(top)): try-with-resources or `finally { conn.close(); }` for connections taken from the DataSource by hand; with Spring, use JdbcTemplate or `DataSourceUtils.releaseConnection` instead of `getConnection()`."),
            Action("Keep leak logging on while fixing: HikariCP `leakDetectionThreshold`, DBCP `removeAbandoned`/`logAbandoned` (DBCP 2 `abandonedUsageTracking`), Druid `removeAbandoned` with `logAbandoned`.",
                   references: ["https://github.com/brettwooldridge/HikariCP#frequently-used", "https://commons.apache.org/proper/commons-dbcp/configuration.html"]),
        ]
        if drained {
            actions.append(Action("Do not raise the pool size to hide it: a leak drains any size, only later."))
        }
        var toConfirm: [String] = []
        if drained && occupancy == nil {
            toConfirm.append("The pool's active count when callers timed out (this pool's timeout message carries none): in a heap dump, the pool's active count near maxActive (for example `_numActive` 749 of maxActive 750) confirms the pool was drained by the leaks.")
        }
        if traces == 0 {
            toConfirm.append("Where the connections were borrowed: enable logAbandoned / leakDetectionThreshold so the pool logs the borrowing stack.")
        }

        let confidence: Confidence
        if unleaked > 0 && detected > 0 && unleaked * 2 >= detected {
            confidence = Confidence(.low, "most reported leaks were returned later: slow holders, not lost connections")
        } else if traces >= Threshold.incidentEvents && drained {
            confidence = Confidence(.high, "\(plural(traces, "leak trace")) name the borrowing code, and the pool ran dry (\(plural(timeoutCount, "timeout")))")
        } else if traces > 0 {
            confidence = Confidence(.medium, drained ? "the pool ran dry, but only \(plural(traces, "leak trace")) name the code"
                                                     : "\(plural(traces, "leak trace")) name the borrowing code, but the pool never ran dry")
        } else {
            confidence = Confidence(.medium, "the pool ran dry and reported unreturned connections, but without the borrowing stack")
        }

        return Finding(
            id: id, title: "Application code does not return connections to the pool",
            severity: drained || input.count(in: "db-refused") > 0 ? .error : .warning,
            confidence: confidence, evidence: evidence, explanation: explanation, actions: actions, toConfirm: toConfirm)
    }
}
