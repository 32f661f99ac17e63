/// `db-connection-limit`: the database itself refused new connections because it was full
/// (MySQL `Too many connections`, PostgreSQL `remaining connection slots are reserved`, Oracle
/// `ORA-00020`, PgBouncer `no more connections allowed`, per-user limits).
///
/// This is a symptom with a certain cause on the server side (its limit was reached) and an
/// unknown holder: the finding says which inputs saw it and since when, and leaves the "who"
/// to the cause findings and to the database's session list.
public enum DBConnectionLimit {
    public static let id = "db-connection-limit"
    public static let rule = DiagnosisRule(
        id: id, checks: "the database refused connections because its connection limit was reached",
        evaluate: evaluate)

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let refused = input.stats(in: "db-refused")
        let total = refused.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        let sources = input.sources(refused)
        let (first, last) = input.span(refused)

        var evidence = refused.map { s in
            Evidence.pattern(s, "database refused connections", fields: ["processes", "limit"])
        }
        // The pool's side of the same refusals: creation attempts failing (Druid's state 53300,
        // Hikari failing to start a pool, DBCP's connection factory).
        for s in input.stats(in: "pool-create-error") {
            evidence.append(.pattern(s, "pool could not open connections", fields: ["errorCode", "poolNumber"]))
        }

        let databases = Set(refused.map { $0.id.split(separator: ".").first.map(String.init) ?? $0.id })
        var actions: [Action] = []
        if databases.contains("mysql") {
            actions.append(Action(
                "MySQL: find who holds the sessions — `SELECT host, user, command, count(*) FROM information_schema.processlist GROUP BY 1, 2, 3 ORDER BY 4 DESC` (many `Sleep` sessions from one host: that host leaks connections or pools).",
                references: ["https://dev.mysql.com/doc/refman/8.0/en/too-many-connections.html"]))
        }
        if databases.contains("postgres") || databases.contains("pgbouncer") {
            actions.append(Action(
                "PostgreSQL: `SELECT client_addr, usename, state, count(*) FROM pg_stat_activity GROUP BY 1, 2, 3 ORDER BY 4 DESC` — idle sessions piling up from one application mean it leaks connections.",
                references: ["https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW"]))
        }
        if databases.contains("oracle") {
            actions.append(Action(
                "Oracle: `SELECT machine, program, status, count(*) FROM v$session GROUP BY machine, program, status ORDER BY 4 DESC`.",
                references: ["https://docs.oracle.com/error-help/db/ora-00020/"]))
        }
        actions.append(Action(
            "Compare the sessions this application holds with the sum of its pool limits (maxActive / maximumPoolSize × instances): more sessions than that means connections leak below the pool or pools are created and never closed."))
        actions.append(Action(
            "Raise the database's connection limit only after the holder is found: a higher limit only postpones a leak."))

        let enough = total >= Threshold.incidentEvents
        let confidence = enough
            ? Confidence(.high, "the database's own error text, \(plural(total, "time")) in \(plural(sources.count, "input"))")
            : Confidence(.medium, "the database's own error text, but only \(plural(total, "time")): it may have been a momentary spike")

        let where_ = sources.count == 1 ? "one input" : "\(sources.count) inputs"
        var explanation = "The database refused new connections \(plural(total, "time")) (seen in \(where_)) because it had reached its connection limit. "
        if let first, let last, last > first {
            explanation += "The refusals span \(durationText(last - first)). "
        }
        explanation += "While the server is full every client of that database fails to connect, not only this application. "
        explanation += "The refusal says the server was full, not who filled it: the other findings name the likely holder."

        return Finding(
            id: id, title: "The database refused connections: its connection limit was reached",
            severity: enough ? .critical : .error, confidence: confidence, evidence: evidence,
            explanation: explanation, actions: actions,
            toConfirm: ["The database's session list while it was full (who held the connections): logs show the refusal, not the holder."])
    }
}
