/// `leak-below-pool`: callers time out waiting for a connection while the pool's own count of
/// connections in use (`active`) is far below its limit, and the database refuses new
/// connections because it is full (seed 001).
///
/// The two facts contradict each other unless physical connections exist that the pool no
/// longer counts: the pool dropped them from its books without closing them (Druid's `shrink()`
/// before 1.2.18), or whole pools were built and thrown away. The application "leaks" below the
/// pool, so the pool's own numbers say nothing is wrong.
///
/// The Druid fix is dated by release: seed 001 traced the lost connections to `shrink()`'s
/// array copy, fixed in 1.2.18; further `shrink()` / keep-alive losses were reported against
/// 1.2.15–1.2.19 and the maintainers point to 1.2.20 (alibaba/druid#5176, #5220).
public enum LeakBelowPool {
    public static let id = "leak-below-pool"
    public static let rule = DiagnosisRule(
        id: id, checks: "pool timeouts with active far below maxActive while the database refuses connections",
        evaluate: evaluate)

    /// The first Druid release without a known `shrink()` connection loss.
    static let druidShrinkFixed = [1, 2, 20]
    static let druidReferences = ["https://github.com/alibaba/druid/issues/5176", "https://github.com/alibaba/druid/issues/5220"]

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let timeouts = input.stats(in: "pool-timeout")
        let timeoutCount = timeouts.reduce(0) { $0 + $1.count }
        guard timeoutCount >= Threshold.incidentEvents,
              let occupancy = PoolOccupancy.of(input), occupancy.level == .farBelow else { return nil }
        let refused = input.stats(in: "db-refused")
        let refusedCount = refused.reduce(0) { $0 + $1.count }
        guard refusedCount > 0 else { return nil }

        var evidence = timeouts.map {
            Evidence.pattern($0, "pool timeouts", fields: ["active", "maxActive", "total", "idle", "waiting", "creating", "createErrorCount"])
        }
        evidence += refused.map { Evidence.pattern($0, "database refused connections") }
        let inUse = occupancy.active == 0 ? "0 of \(occupancy.limit)" : "at most \(occupancy.active) of \(occupancy.limit)"
        var explanation = "Callers timed out waiting for a connection \(plural(timeoutCount, "time")) while the pool reported \(inUse) connections in use (\(occupancy.limitName)), and at the same time the database refused new connections \(plural(refusedCount, "time")) because it was full. "
        explanation += "A pool that holds almost nothing cannot fill a database by itself: physical connections exist that the pool no longer counts. They were dropped from its books without being closed, or belong to pools that were created and abandoned. "

        // Druid's own books: created = active + pooling + destroyed + discarded when every
        // physical connection it let go of went through close().
        if let stat = input.stat("druid.stat"), let created = stat.fields["createCount"] {
            let names = ["activeCount", "poolingCount", "destroyCount", "discardCount"]
            let parts = names.compactMap { stat.fields[$0] }
            var values = ["createCount": "\(created.last)"]
            for n in names { if let f = stat.fields[n] { values[n] = "\(f.last)" } }
            evidence.append(.pattern(stat, "Druid's own books (latest stat line)", extra: values))
            // The latest values are one stat line's only when they share its time; otherwise
            // they come from different lines (or hosts) and no sum of them means anything.
            if parts.count == names.count && parts.allSatisfy({ $0.lastTime == created.lastTime }) {
                let sum = parts.reduce(0) { $0 + $1.last }
                explanation += sum == created.last
                    ? "Druid's books balance (createCount \(created.last) = active + pooling + destroyed + discarded): the pool believes it closed every connection it let go of, so the lost connections were dropped without reaching the database. "
                    : "Druid's books do not balance (createCount \(created.last), active + pooling + destroyed + discarded = \(sum)): connections left the pool without being accounted for. "
            }
        }

        let library = occupancy.pattern.split(separator: ".").first.map(String.init) ?? ""
        var actions: [Action] = []
        var suspects: [String] = []
        if library == "druid" {
            let versions = input.jarVersions("druid")
            if let oldest = versions.first, oldest.lexicographicallyPrecedes(druidShrinkFixed) {
                suspects.append("Druid \(versions.map(versionText).joined(separator: ", ")) (from the jar names in the traces) predates 1.2.20; before it `shrink()` could drop pooled connections from its array without closing them")
                actions.append(Action(
                    "Upgrade Druid to 1.2.20 or later: older `DruidDataSource.shrink()` removed evicted and keep-alive connections with an array copy that could lose a neighbouring connection, which then stayed open on the database with nothing left to close it (the main fix came in 1.2.18, more in 1.2.20).",
                    references: druidReferences))
            } else if versions.isEmpty {
                suspects.append("a Druid release before 1.2.20, whose `shrink()` could lose connections without closing them (the logs do not show the version)")
                actions.append(Action(
                    "Check the Druid version (`druid-*.jar` on the class path): before 1.2.20, `shrink()` could lose connections without closing them. Upgrade if older.",
                    references: druidReferences))
            }
        }
        let created = PoolPerRequest.poolsCreated(input)
        if created.total == 0 {
            suspects.append("pools created and dropped without close() (no pool start was logged, so this cannot be ruled out)")
        } else if created.total <= created.sources.count {
            suspects.append("less likely, pools created and dropped without close() (only \(plural(created.total, "pool start")) logged, one per input)")
        } else {
            suspects.append("pools created and dropped without close() (\(plural(created.total, "pool start")) logged)")
        }
        explanation += "Suspects: " + suspects.enumerated().map { "(\($0.offset + 1)) \($0.element)" }.joined(separator: "; ") + "."

        actions.append(Action(
            "On an application host, count the connections to the database port (`ss -tan dst :5432` / `:3306`) and compare with maxActive: many more sockets than the pool's limit are the leaked connections; their local ports can be matched against the database's session list."))
        actions.append(Action(
            "Count the pools alive in the JVM (a thread dump's `Druid-ConnectionPool-Destroy-*` / `HikariPool-N housekeeper` threads): more than the configured data sources means pools are being created and abandoned."))
        actions.append(Action(
            "Until fixed, restarting the application releases the lost connections; raising the database limit only delays the next outage."))

        let strong = refusedCount >= Threshold.incidentEvents && occupancy.active * 10 <= occupancy.limit
        let confidence = strong
            ? Confidence(.high, "the pool's own numbers (\(inUse) in use in every timeout) and \(plural(refusedCount, "database refusal")) can only both be true if connections live outside the pool's books")
            : Confidence(.medium, "active was below half of \(occupancy.limitName) and the database refused connections, but \(refusedCount < Threshold.incidentEvents ? "only \(plural(refusedCount, "refusal")) were logged" : "active came close enough to the limit that a slow pool is not ruled out")")

        return Finding(
            id: id, title: "Connections leak below the pool: the pool holds almost none, yet the database is full",
            severity: .critical, confidence: confidence, evidence: evidence, explanation: explanation, actions: actions,
            toConfirm: [
                "The database's sessions from this application's hosts and user (far more than maxActive × instances confirms connections leaked below the pool).",
            ])
    }
}
