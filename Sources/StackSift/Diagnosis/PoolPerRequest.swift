/// `pool-per-request`: the application keeps building new connection pools (a pool per task,
/// request or tenant) and does not close the old ones (seeds 000 and 002).
///
/// Signals: pool starts (`HikariPool-N - Starting...`, `{dataSource-N} inited`, `Initializing
/// c3p0 pool`) spread over the run with few shutdowns, pool numbers climbing far past any
/// configuration, and a thread dump with housekeeper / create threads of many pools.
public enum PoolPerRequest {
    public static let id = "pool-per-request"
    public static let rule = DiagnosisRule(
        id: id, checks: "pool starts and pool numbers climbing far past the configured pools, without shutdowns",
        evaluate: evaluate)

    /// What the logs say about pool creation, summed over pool libraries.
    public struct PoolCounts: Sendable, Equatable {
        /// Pools started (HikariCP starts, Druid inits, c3p0 inits).
        public var total = 0
        /// Pools shut down or closed.
        public var closed = 0
        /// Distinct pools with threads in a thread dump.
        public var inThreadDump = 0
        /// The highest `HikariPool-N` number seen anywhere.
        public var maxPoolNumber: Int64?
        /// Distinct minutes in which pools were started.
        public var creationMinutes = 0
        public var first: Int64?
        public var last: Int64?
        /// Pool lifecycle lines per input (a HikariCP pool logs two).
        public var sources: [String: Int] = [:]
    }

    static let hikariStarting = ["Starting...", "is starting."]
    static let hikariStarted = ["Start completed.", "Started."]
    static let hikariClosing = ["Shutdown initiated...", "Close initiated...", "is closing down.", "is shutting down.", "is being shutdown."]
    static let hikariClosed = ["Shutdown completed.", "Closed."]

    public static func poolsCreated(_ input: DiagnosisInput) -> PoolCounts {
        var c = PoolCounts()
        // A pool logs "Starting..." and "Start completed."; one failing to start logs only the
        // first, and some layouts keep only one of the two, so the larger count is the pools.
        let hikari = max(input.textCount("hikari.pool-start", "stage", hikariStarting),
                         input.textCount("hikari.pool-start", "stage", hikariStarted))
        let druid = input.stat("druid.datasource-inited")?.count ?? 0
        let c3p0 = input.stat("c3p0.pool-init")?.count ?? 0
        c.total = hikari + druid + c3p0
        c.closed = max(input.textCount("hikari.pool-shutdown", "stage", hikariClosing),
                       input.textCount("hikari.pool-shutdown", "stage", hikariClosed))
            + input.textCount("druid.datasource-closed", "stage", ["closed"])
        c.inThreadDump = input.distinct("threads.hikari-pool-thread", "pool")
            + input.textCount("threads.druid-pool-thread", "role", ["Destroy"])
            + input.distinct("threads.c3p0-helper-thread", "identityToken")
        c.maxPoolNumber = input.state.patterns.values.compactMap { $0.fields["poolNumber"]?.max }.max()
        let starts = ["hikari.pool-start", "druid.datasource-inited", "c3p0.pool-init"].compactMap(input.stat)
        c.creationMinutes = Set(starts.flatMap { $0.perMinute.keys }).count
        (c.first, c.last) = input.span(starts)
        c.sources = input.sources(starts)
        return c
    }

    public static func evaluate(_ input: DiagnosisInput) -> Finding? {
        let c = poolsCreated(input)
        let alive = c.total - c.closed
        let keepsCreating = alive >= Threshold.pools && c.creationMinutes >= Threshold.creationMinutes
        let dumpShowsMany = c.inThreadDump >= Threshold.pools
        guard keepsCreating || dumpShowsMany else { return nil }

        var evidence: [Evidence] = []
        var values = ["pools started": "\(c.total)", "pools shut down": "\(c.closed)"]
        if let n = c.maxPoolNumber { values["highest pool number"] = "\(n)" }
        var rate = ""
        if let first = c.first, let last = c.last, last - first >= 3_600_000 {
            let perHour = Double(c.total) * 3_600_000 / Double(last - first)
            rate = perHour >= 10 ? "\(Int(perHour.rounded()))" : "\((perHour * 10).rounded() / 10)"
            values["pools started per hour"] = rate
        }
        // No per-input breakdown here: inputs count lifecycle lines, and a pool logs two of
        // them; the lifecycle patterns below carry their lines per input.
        evidence.append(Evidence(label: "pools created", count: c.total, first: c.first, last: c.last, values: values))
        for id in ["hikari.pool-start", "hikari.pool-shutdown", "druid.datasource-inited", "druid.datasource-closed", "c3p0.pool-init"] {
            if let s = input.stat(id) { evidence.append(.pattern(s, "pool lifecycle lines", fields: ["poolNumber", "dataSourceId"])) }
        }
        // Thread-dump patterns only (`threads.*`); the MySQL driver's cleanup thread is one per JVM.
        for s in input.stats(in: "pool-thread") where s.id.hasPrefix("threads.") && s.id != "threads.mysql-abandoned-cleanup" {
            evidence.append(.pattern(s, "pool threads in a thread dump", extra: ["pools with threads": "\(c.inThreadDump)"]))
        }
        let failedStarts = input.stats(in: "pool-create-error")
        evidence += failedStarts.map { Evidence.pattern($0, "pools that could not open connections", fields: ["poolNumber"]) }
        let refused = input.count(in: "db-refused")
        let timeouts = input.count(in: "pool-timeout")
        if timeouts > 0 {
            evidence += input.stats(in: "pool-timeout").map {
                Evidence.pattern($0, "pool timeouts (a consequence)", fields: ["active", "total", "maxActive", "waiting", "poolNumber"])
            }
        }

        var explanation: String
        if keepsCreating {
            explanation = "The application keeps creating connection pools and does not close them: \(plural(c.total, "pool")) started"
            if let n = c.maxPoolNumber, n > 1 { explanation += " (pool numbers up to \(n))" }
            if let first = c.first, let last = c.last, last > first { explanation += " over \(durationText(last - first))" }
            if !rate.isEmpty { explanation += ", about \(rate) an hour" }
            explanation += c.closed == 0 ? ", and none was shut down. " : ", and only \(c.closed) shut down. "
        } else {
            explanation = "A thread dump shows \(c.inThreadDump) pools alive in one JVM, far more than any configuration declares. "
        }
        if c.sources.count > 1 {
            let per = c.sources.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) in \($0.key)" }
            explanation += "Pool start lines per input: \(listText(per)). "
        }
        if keepsCreating && dumpShowsMany {
            explanation += "A thread dump confirms \(c.inThreadDump) pools alive at once. "
        }
        explanation += "Every pool keeps its own connections (minimumIdle / initialSize) and its housekeeper thread until close() is called, even after the code has lost its reference, so the database sees the sum of all pools ever created. "
        explanation += "Typical causes: a new DataSource built for each task or request instead of a shared one, or a cache of data sources whose key misses (e.g. keyed by host:port while several accounts share a host) and replaces entries without closing the old pool."
        let hinted = input.textCount("hikari.validation-failed", "maxLifetimeHint", [". Possibly consider using a shorter maxLifetime value."])
        if hinted > 0 {
            explanation += " The \(plural(hinted, "\"consider using a shorter maxLifetime value\" warning")) come from idle connections in forgotten pools going stale; changing maxLifetime will not stop the pools from piling up."
        }

        var actions = [
            Action("Find where pools are built at run time: search the code for `new HikariDataSource`, `new DruidDataSource`, `new BasicDataSource`, `DataSourceBuilder…build()` outside start-up configuration, and build each pool once."),
            Action("Close a pool when it is replaced or evicted from a cache (`HikariDataSource.close()`, `DruidDataSource.close()`), after its active connections drain; key a data-source cache by everything that identifies the pool (host, port, database, user, password).",
                   references: ["https://github.com/brettwooldridge/HikariCP/issues/859"]),
            Action("Watch the number of pools while fixing: `jstack <pid> | grep -c 'housekeeper\"'` (HikariCP) or the `Druid-ConnectionPool-Destroy` threads (Druid)."),
        ]
        if refused > 0 {
            actions.append(Action("Restart the application to release the leaked pools' connections once the fix is deployed; until then the database stays full."))
        }
        var toConfirm: [String] = []
        if c.inThreadDump == 0 {
            toConfirm.append("A thread dump (`jstack <pid>`) counting `HikariPool-N housekeeper` / `Druid-ConnectionPool-Destroy-*` threads: how many pools are alive now.")
        }
        if refused == 0 {
            toConfirm.append("The database's session count by client host: each live pool holds at least its minimum idle connections.")
        }

        let confidence: Confidence
        if keepsCreating && c.total >= 2 * Threshold.pools && c.closed * 4 < c.total {
            confidence = Confidence(.high, "\(plural(c.total, "pool start")) in \(c.creationMinutes) different minutes against \(plural(c.closed, "shutdown"))")
        } else if keepsCreating {
            confidence = Confidence(.medium, "\(alive) more pools started than shut down, a number a configuration could still explain")
        } else {
            confidence = Confidence(.medium, "one thread dump shows \(c.inThreadDump) pools, but no pool start was logged, so when and how fast they were created is unknown")
        }
        let severity: Severity = refused > 0 ? .critical : (timeouts >= Threshold.incidentEvents || !failedStarts.isEmpty ? .error : .warning)

        return Finding(
            id: id, title: "A new connection pool per task or request: pools are created and never closed",
            severity: severity, confidence: confidence, evidence: evidence, explanation: explanation,
            actions: actions, toConfirm: toConfirm)
    }
}
