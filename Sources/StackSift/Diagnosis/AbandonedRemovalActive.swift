/// `abandoned-removal-active`: the pool's abandoned-connection removal reclaims connections
/// that are still running SQL (seed 004).
///
/// With DBCP `removeAbandoned` (Druid, Tomcat alike) a connection borrowed longer than the
/// timeout is closed by the pool and logged with the stack that borrowed it. When that code was
/// in fact busy — its own socket timed out, the link broke mid-query, the query was logged as
/// slow — the "leak" is a slow query: the server keeps executing it after the pool has given up
/// the connection and opened a replacement, so the database holds more sessions than the pool
/// allows. The evidence that ties the two together is the leak site itself: the same method
/// appears in the abandoned trace and in the broken-connection stack.
public enum AbandonedRemovalActive {
    public static let id = "abandoned-removal-active"
    public static let rule = DiagnosisRule(
        id: id, checks: "connections reclaimed as abandoned by code that was still running SQL (socket timeouts, link failures, slow SQL at the same site)",
        evaluate: evaluate)

    /// Categories whose events show a connection busy on the database when it failed.
    static let busyCategories: Set<String> = ["connection-broken", "slow-query"]

    /// Reclaimed leak sites whose own code also hit broken connections or slow SQL: site frame →
    /// number of such events in signatures with that frame.
    public static func inUseSites(_ input: DiagnosisInput) -> [String: Int] {
        let sites = input.leakSites.filter(input.reclaimed)
        guard !sites.isEmpty else { return [:] }
        let busyPatterns = Set(input.categories.filter { busyCategories.contains($0.value) }.keys)
        var busy: [String: Int] = [:]
        for s in input.signatures(matching: busyPatterns) where s.key.rootCause != "open-stack" {
            for site in sites where s.key.frames.contains(site.frame) { busy[site.frame, default: 0] += s.count }
        }
        return busy
    }

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let busy = inUseSites(input)
        guard !busy.isEmpty else { return nil }
        let reclaimed = input.leakSites.filter(input.reclaimed)
        let busySites = reclaimed.filter { busy[$0.frame] != nil }
        let covered = busySites.reduce(0) { $0 + $1.count }
        let total = reclaimed.reduce(0) { $0 + $1.count }

        var evidence: [Evidence] = busySites.map { site in
            Evidence(label: "reclaimed while running SQL: \(site.frame)", signature: site.signatures.first, count: site.count,
                     first: site.first, last: site.last, sources: site.sources,
                     values: ["abandoned traces": "\(site.count)", "broken or slow at the same site": "\(busy[site.frame]!)"])
        }
        for s in input.stats(in: "abandoned") {
            evidence.append(.pattern(s, "abandoned-connection traces"))
        }
        let broken = input.stats(in: "connection-broken") + input.stats(in: "slow-query")
        for s in broken {
            evidence.append(.pattern(s, "broken or slow connections", fields: ["lastPacketMs", "millis"]))
        }
        let refused = input.stats(in: "db-refused")
        let refusedCount = refused.reduce(0) { $0 + $1.count }
        evidence += refused.map { Evidence.pattern($0, "database refused connections") }

        let names = busySites.map { "\(shortFrame($0.frame)) (\($0.count))" }
        var explanation = "The pool reclaimed connections as abandoned while the code that held them was still running SQL: \(plural(covered, "abandoned trace")) name \(listText(names)), and the same methods hit socket read timeouts, communication link failures or slow queries. "
        if total > covered {
            explanation += "(\(total - covered) other abandoned traces come from sites without such failures.) "
        }
        if let link = input.stat("mysql.communications-link-failure")?.fields["lastPacketMs"] {
            explanation += "The driver had last heard from the server \(link.min == link.max ? "\(link.min)" : "\(link.min)–\(link.max)") ms before the failures: the socket timeout firing on queries still in progress. "
        }
        explanation += "With removeAbandoned the pool closes a connection held longer than removeAbandonedTimeout and opens a replacement, but the server keeps executing the statement, so the database ends up with more sessions than the pool's limit"
        explanation += refusedCount > 0 ? " — here until it refused new connections (\(plural(refusedCount, "refusal")))." : "."
        if let closed = input.stat("jdbc.connection-closed") {
            explanation += " The \(plural(closed.count, "\"No operations allowed after connection closed\" error")) are the same callers finding their connection closed under them."
        }

        let actions = [
            Action("Raise removeAbandonedTimeout (DBCP; Druid removeAbandonedTimeoutMillis, Tomcat removeAbandonedTimeout) well above the slowest legitimate query, or turn removeAbandoned off and keep only the logging (logAbandoned, DBCP 2 abandonedUsageTracking).",
                   references: ["https://commons.apache.org/proper/commons-dbcp/configuration.html"]),
            Action("Make the slow SQL at \(listText(busySites.prefix(3).map { shortFrame($0.frame) })) end on the server when the client gives up: a statement timeout (`Statement.setQueryTimeout`, MySQL `max_execution_time`) rather than only the socket timeout, then fix the query (indexes, smaller batches)."),
            Action("Kill the orphaned statements on the database (MySQL `SHOW PROCESSLIST`, then `KILL <id>` for long `Query` sessions from this host): restarting the application does not stop them."),
            Action("If mysql-connector-java is older than 5.1.45, upgrade it: older drivers were reported to let statements outlive abandoned-connection removal this way."),
        ]
        let confidence = covered * 2 >= total
            ? Confidence(.high, "the methods named by \(covered) of \(plural(total, "abandoned trace")) also failed with broken or slow connections")
            : Confidence(.medium, "only \(covered) of \(plural(total, "abandoned trace")) come from methods that also failed with broken or slow connections")

        return Finding(
            id: id, title: "Abandoned-connection removal kills connections that are still running SQL",
            severity: refusedCount > 0 ? .critical : .error, confidence: confidence, evidence: evidence,
            explanation: explanation, actions: actions,
            toConfirm: [
                "The pool's removeAbandoned and removeAbandonedTimeout settings and the driver's socketTimeout (removeAbandonedTimeout shorter than the slow queries confirms it).",
                "The database's session list during the incident: sessions in `Query` state from this host, running longer than removeAbandonedTimeout.",
            ])
    }
}
