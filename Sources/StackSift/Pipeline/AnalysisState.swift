/// Min, max and the latest value of a numeric field (the value at the latest time; on a tie the
/// larger value), so that merging is commutative.
public struct FieldStat: Sendable, Codable, Equatable {
    public var min: Int64
    public var max: Int64
    public var last: Int64
    public var lastTime: Int64
    public var count: Int

    public init(_ v: Int64, at t: Int64) {
        min = v; max = v; last = v; lastTime = t; count = 1
    }

    public mutating func add(_ v: Int64, at t: Int64) {
        if v < min { min = v }
        if v > max { max = v }
        if t > lastTime || (t == lastTime && v > last) { last = v; lastTime = t }
        count += 1
    }

    public mutating func merge(_ o: FieldStat) {
        min = Swift.min(min, o.min)
        max = Swift.max(max, o.max)
        if o.lastTime > lastTime || (o.lastTime == lastTime && o.last > last) { last = o.last; lastTime = o.lastTime }
        count += o.count
    }
}

/// Distinct values of a text field (e.g. pool names), bounded.
public struct TextFieldStat: Sendable, Codable, Equatable {
    public var values: [String: Int] = [:]
    public var overflow = 0
    public static let cap = 512

    public mutating func add(_ v: String, count: Int = 1) {
        // one hash of `v` when it is known (a second lookup showed in profiles of full runs)
        if let i = values.index(forKey: v) {
            values.values[i] += count
        } else if values.count < Self.cap {
            values[v] = count
        } else {
            overflow += count
        }
    }

    public mutating func merge(_ o: TextFieldStat) {
        for (k, v) in o.values.sorted(by: { $0.key < $1.key }) { add(k, count: v) }
        overflow += o.overflow
    }
}

/// What one catalog pattern matched over the run.
public struct PatternStat: Sendable, Codable, Equatable {
    public var id: String
    public var count = 0
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    public var fields: [String: FieldStat] = [:]
    public var textFields: [String: TextFieldStat] = [:]
    /// Matches per input (path as given): which hosts or files saw the pattern, for findings.
    public var sources: [String: Int] = [:]
    /// Matches per minute (epoch ms / 60 000).
    public var perMinute: [Int64: Int] = [:]
    /// Numeric fields per minute: the series the timeline buckets (`createErrorCount`, `active`…).
    public var fieldsPerMinute: [String: [Int64: FieldStat]] = [:]

    public init(id: String) { self.id = id }

    public mutating func merge(_ o: PatternStat) {
        count += o.count
        firstSeen = minOpt(firstSeen, o.firstSeen)
        lastSeen = maxOpt(lastSeen, o.lastSeen)
        for (k, v) in o.fields {
            if fields[k] == nil { fields[k] = v } else { fields[k]!.merge(v) }
        }
        for (k, v) in o.textFields {
            if textFields[k] == nil { textFields[k] = v } else { textFields[k]!.merge(v) }
        }
        for (k, v) in o.sources { sources[k, default: 0] += v }
        for (k, v) in o.perMinute { perMinute[k, default: 0] += v }
        for (name, series) in o.fieldsPerMinute {
            for (m, f) in series {
                if fieldsPerMinute[name]?[m] == nil { fieldsPerMinute[name, default: [:]][m] = f } else { fieldsPerMinute[name]![m]!.merge(f) }
            }
        }
    }
}

/// Which event is "first": earliest time, then input order, then position in the input.
public struct EventOrder: Sendable, Codable, Comparable, Hashable {
    public var time: Int64
    public var source: Int
    public var ordinal: Int
    public static func < (a: EventOrder, b: EventOrder) -> Bool {
        (a.time, a.source, a.ordinal) < (b.time, b.source, b.ordinal)
    }
}

/// One cluster: every event with the same signature id.
public struct SignatureStat: Sendable, Codable, Equatable {
    public var key: SignatureKey
    public var count = 0
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    public var patterns: Set<String> = []
    public var sources: [String: Int] = [:]
    public var exemplar: String = ""
    public var exemplarTruncated = false
    public var exemplarOrder: EventOrder?
    /// Events per minute (minute = epoch ms / 60 000): the raw series the timeline buckets.
    public var perMinute: [Int64: Int] = [:]
    /// The exemplar's bytes while a job of an input is analysed: most jobs' exemplars lose to an
    /// earlier job's, so the text is only made when the job's state is merged and wins.
    var pendingExemplar: [UInt8]?

    enum CodingKeys: String, CodingKey {
        case key, count, firstSeen, lastSeen, patterns, sources, exemplar, exemplarTruncated, exemplarOrder, perMinute
    }

    public init(key: SignatureKey) { self.key = key }

    /// With the pending exemplar bytes turned into text.
    func materialized() -> SignatureStat {
        guard let p = pendingExemplar else { return self }
        var s = self
        s.exemplar = String(decoding: p, as: UTF8.self)
        s.pendingExemplar = nil
        return s
    }

    public mutating func merge(_ o: SignatureStat) {
        count += o.count
        firstSeen = minOpt(firstSeen, o.firstSeen)
        lastSeen = maxOpt(lastSeen, o.lastSeen)
        patterns.formUnion(o.patterns)
        for (k, v) in o.sources { sources[k, default: 0] += v }
        // The exemplar is the earliest event. Orders of separate runs can tie (same time, input
        // index and ordinal): then the smaller exemplar wins, so that merging stays commutative.
        // The key travels with the exemplar: its outer class and `why` describe that event.
        if let oo = o.exemplarOrder, exemplarOrder == nil || oo < exemplarOrder!
            || (oo == exemplarOrder! && Self.tieRank(o) < Self.tieRank(self)) {
            key = o.key
            exemplar = o.pendingExemplar.map { String(decoding: $0, as: UTF8.self) } ?? o.exemplar
            pendingExemplar = nil
            exemplarTruncated = o.exemplarTruncated
            exemplarOrder = oo
        }
        for (k, v) in o.perMinute { perMinute[k, default: 0] += v }
    }

    private static func tieRank(_ s: SignatureStat) -> (String, String, String) {
        (s.exemplar, s.key.exception ?? "", s.key.why.joined(separator: "\n"))
    }
}

/// Everything the analysis learned, mergeable: analysing A and B together equals merging the
/// analyses of A and of B (merge is associative and commutative).
public struct AnalysisState: Sendable, Codable, Equatable {
    public var patterns: [String: PatternStat] = [:]
    public var signatures: [String: SignatureStat] = [:]
    /// Events that would have opened a signature past the cap, and how many distinct ones.
    public var overflowEvents = 0
    public var overflowSignatures = OverflowSketch()
    public var limitHits = 0

    public static let defaultMaxSignatures = 5_000
    public static let exemplarCap = 8 * 1024

    public init() {}

    public mutating func merge(_ o: AnalysisState, maxSignatures: Int = AnalysisState.defaultMaxSignatures) {
        for (k, v) in o.patterns {
            if patterns[k] == nil { patterns[k] = v } else { patterns[k]!.merge(v) }
        }
        // Deterministic whatever the merge order: existing ids merge, new ids enter in id order
        // while there is room.
        for k in o.signatures.keys.sorted() {
            let v = o.signatures[k]!
            if signatures[k] != nil {
                signatures[k]!.merge(v)
            } else if signatures.count < maxSignatures {
                signatures[k] = v.materialized()
            } else {
                overflowEvents += v.count
                overflowSignatures.insert(k)
            }
        }
        overflowEvents += o.overflowEvents
        for id in o.overflowSignatures.ids { overflowSignatures.insert(id) }
        limitHits += o.limitHits
    }
}

/// The minute of an epoch-millisecond time (floor division).
@inline(__always) public func minuteOf(_ t: Int64) -> Int64 { t >= 0 ? t / 60_000 : (t - 59_999) / 60_000 }

@inline(__always) func minOpt(_ a: Int64?, _ b: Int64?) -> Int64? {
    guard let a else { return b }
    guard let b else { return a }
    return Swift.min(a, b)
}

@inline(__always) func maxOpt(_ a: Int64?, _ b: Int64?) -> Int64? {
    guard let a else { return b }
    guard let b else { return a }
    return Swift.max(a, b)
}

/// The ids of signatures past the cap: only the smallest `size` are kept (a bottom-k sketch).
/// Ids are uniform hashes, so the k-th smallest estimates how many distinct ids there were;
/// memory stays flat whatever a log holds, and merging (inserting the other's ids) stays
/// associative and commutative. Encoded as the plain array of ids.
public struct OverflowSketch: Sendable, Codable, Equatable {
    public static let size = 4096
    public private(set) var ids: Set<String> = []
    /// The largest id kept, once the sketch is full: most ids are larger and cost one comparison.
    private var largest: String?

    public init() {}

    public init(from decoder: Decoder) throws {
        for id in try decoder.singleValueContainer().decode([String].self) { insert(id) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(ids.sorted())
    }

    public static func == (a: OverflowSketch, b: OverflowSketch) -> Bool { a.ids == b.ids }

    public var count: Int { ids.count }

    public mutating func insert(_ id: String) {
        if ids.count < Self.size {
            ids.insert(id)
            if ids.count == Self.size { largest = ids.max() }
            return
        }
        guard let top = largest, id < top, !ids.contains(id) else { return }
        ids.remove(top)
        ids.insert(id)
        largest = ids.max()
    }

    /// Exact below the sketch size, else estimated from the k-th smallest id: (k − 1) over its
    /// position in the id space, within a few percent at k = 4096.
    public var distinct: (count: Int, exact: Bool) {
        let k = ids.count
        guard k >= Self.size, let top = largest, let v = Self.idFraction(top), v > 0 else { return (k, true) }
        return (max(k, Int((Double(k - 1) / v).rounded())), false)
    }

    /// An id's hash as a fraction of its space (`v3:` followed by hex digits), nil when not one.
    static func idFraction(_ id: String) -> Double? {
        guard let colon = id.firstIndex(of: ":") else { return nil }
        let hex = id[id.index(after: colon)...]
        guard !hex.isEmpty, hex.count <= 16, let v = UInt64(hex, radix: 16) else { return nil }
        return Double(v) / Double(sign: .plus, exponent: 4 * hex.count, significand: 1)
    }
}
