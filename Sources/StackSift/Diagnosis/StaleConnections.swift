/// `stale-connections`: the pool hands out (or fails to validate) connections that the
/// database or a firewall has already closed — `Failed to validate connection … consider using
/// a shorter maxLifetime`, `No operations allowed after connection closed`, MySQL's
/// `wait_timeout` message, Druid discarding long-idle connections.
///
/// The same messages appear as side effects of other incidents: leaked pools going idle
/// (seed 002, where maxLifetime was the first wrong guess) and connections closed by
/// abandoned removal (seed 004). When one of those findings explains them, this rule stays
/// silent instead of sending the reader down the wrong path.
public enum StaleConnections {
    public static let id = "stale-connections"
    public static let rule = DiagnosisRule(
        id: id, checks: "validation failures and use of closed connections, when no other finding explains them",
        evaluate: evaluate)

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let stale = input.stats(in: "connection-stale") + [input.stat("jdbc.connection-closed")].compactMap { $0 }
        let count = stale.reduce(0) { $0 + $1.count }
        guard count >= Threshold.incidentEvents else { return nil }
        guard PoolPerRequest.evaluate(input) == nil, AbandonedRemovalActive.evaluate(input) == nil else { return nil }

        let evidence = stale.map {
            Evidence.pattern($0, "stale or closed connections", fields: ["lastPacketMs", "idleMillis", "poolNumber"])
        }
        let hinted = input.textCount("hikari.validation-failed", "maxLifetimeHint", [". Possibly consider using a shorter maxLifetime value."])
        let serverSaid = input.stat("mysql.wait-timeout-exceeded")?.count ?? 0

        var explanation = "Connections sat idle until the database or something in between (firewall, NAT, proxy) closed them, and the pool handed them out or validated them afterwards: \(plural(count, "event"))."
        if serverSaid > 0 {
            explanation += " MySQL said so itself \(plural(serverSaid, "time")): the idle time exceeded its wait_timeout."
        }
        if hinted > 0 {
            explanation += " HikariCP suggested a shorter maxLifetime \(plural(hinted, "time"))."
        }
        explanation += " Requests that got such a connection failed or retried; the pool itself is not short of connections."

        let actions = [
            Action("Keep the pool's connection lifetime below the shortest idle timeout on the path: HikariCP `maxLifetime` a few minutes under MySQL `wait_timeout` and any firewall idle timeout; Druid `keepAlive` with `minEvictableIdleTimeMillis`; DBCP `testWhileIdle` with `timeBetweenEvictionRunsMillis`.",
                   references: ["https://github.com/brettwooldridge/HikariCP#frequently-used"]),
            Action("Compare the database's `wait_timeout` (MySQL) / `idle_session_timeout` (PostgreSQL) with the pool settings, and ask whether a firewall drops idle connections."),
        ]
        let confidence = serverSaid > 0
            ? Confidence(.high, "the database reported the idle timeout itself")
            : Confidence(.medium, "closed connections were used, but the logs do not say who closed them (server timeout, firewall, or the application)")

        return Finding(
            id: id, title: "Stale connections: the pool hands out connections the database has closed",
            severity: .warning, confidence: confidence, evidence: evidence, explanation: explanation, actions: actions,
            toConfirm: serverSaid > 0 ? [] : ["The database's idle timeout (`SHOW VARIABLES LIKE 'wait_timeout'`) against the pool's maxLifetime / eviction settings."])
    }
}
