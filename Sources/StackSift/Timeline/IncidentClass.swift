/// Which catalog categories make an event part of an incident, and which are background.
public enum IncidentClass {
    /// An event matching a pattern of one of these categories is an incident event: the
    /// incident window runs from the first such event to the last.
    public static let window: Set<String> = [
        "pool-timeout", "db-refused", "leak", "abandoned", "pool-create-error", "pool-deadlock",
    ]

    /// Trouble worth a line on the timeline: the incident categories plus broken, stale and slow
    /// connections, which often come first (seed 004's read timeouts precede the refusals).
    public static let trouble: Set<String> = window.union(["connection-broken", "connection-stale", "slow-query"])

    /// True when any of `patterns` (ids) has a category in `set`.
    public static func any(_ patterns: Set<String>, in set: Set<String>, categories: [String: String]) -> Bool {
        patterns.contains { categories[$0].map(set.contains) ?? false }
    }
}
