import Foundation

/// The per-event bookkeeping of `EventAnalyzer`, kept cheap: stats live in arrays indexed by
/// pattern and signature slot rather than in dictionaries keyed by strings, a numeric field is
/// found by its slot rather than its name, and the two tables touched by nearly every event (per
/// input and per minute) are counted in a pending counter that is folded in when the input or
/// the minute changes. `EventAnalyzer.state` turns them back into an `AnalysisState`.

/// The counts of one stat not yet in its tables: events from the analyzer's current input (for
/// `sources`) and events of the latest minute (for `perMinute`).
struct PendingCounts {
    private(set) var source = 0
    private(set) var minute: Int64?
    private(set) var minuteCount = 0

    /// Counts one event of minute `m` (nil: untimed). Returns the minute bucket it completes
    /// (the pending one, when `m` is another minute): the caller folds that in.
    @inline(__always)
    mutating func count(minute m: Int64?) -> (minute: Int64, count: Int)? {
        source += 1
        guard let m else { return nil }
        var done: (minute: Int64, count: Int)?
        if let cur = minute, cur != m {
            done = (cur, minuteCount)
            minuteCount = 0
        }
        minute = m
        minuteCount += 1
        return done
    }

    /// The pending minute bucket, now handed over.
    mutating func takeMinute() -> (minute: Int64, count: Int)? {
        guard let m = minute else { return nil }
        defer { minute = nil; minuteCount = 0 }
        return (m, minuteCount)
    }

    /// The pending count of the current input, now handed over.
    mutating func takeSource() -> Int {
        defer { source = 0 }
        return source
    }
}

/// A catalog pattern's stat while events stream.
struct PatternTally {
    /// Count, first/last seen, and the tables already folded in.
    var stat: PatternStat
    private(set) var pending = PendingCounts()
    /// Field values of `pending.minute`, by slot, not yet in `fieldsPerMinute`.
    private var minuteFields: [FieldStat?]
    /// By field slot (`EventAnalyzer.fieldSlots`).
    private var fields: [FieldStat?]
    private var fieldsPerMinute: [[Int64: FieldStat]]
    private var text: [TextFieldStat?]

    init(id: String, fields n: Int) {
        stat = PatternStat(id: id)
        minuteFields = Array(repeating: nil, count: n)
        fields = Array(repeating: nil, count: n)
        fieldsPerMinute = Array(repeating: [:], count: n)
        text = Array(repeating: nil, count: n)
    }

    /// A loaded stat: the fields named in `names` move into their slots.
    init(_ s: PatternStat, names: [String]) {
        self.init(id: s.id, fields: names.count)
        stat = s
        for (i, name) in names.enumerated() {
            fields[i] = stat.fields.removeValue(forKey: name)
            fieldsPerMinute[i] = stat.fieldsPerMinute.removeValue(forKey: name) ?? [:]
            text[i] = stat.textFields.removeValue(forKey: name)
        }
    }

    /// One match at `time` (`minute` = its minute). Call before the match's fields.
    @inline(__always)
    mutating func count(at time: Int64?, minute m: Int64?) {
        stat.count += 1
        if let time {
            stat.firstSeen = minOpt(stat.firstSeen, time)
            stat.lastSeen = maxOpt(stat.lastSeen, time)
        }
        if let done = pending.count(minute: m) { fold(done) }
    }

    @inline(__always)
    mutating func add(_ v: Int64, slot: Int, at time: Int64?, minute m: Int64?) {
        if fields[slot] == nil { fields[slot] = FieldStat(v, at: time ?? 0) } else { fields[slot]!.add(v, at: time ?? 0) }
        guard let time, m != nil else { return }
        if minuteFields[slot] == nil { minuteFields[slot] = FieldStat(v, at: time) } else { minuteFields[slot]!.add(v, at: time) }
    }

    mutating func addText(_ v: String, slot: Int) {
        if text[slot] == nil { text[slot] = TextFieldStat() }
        text[slot]!.add(v)
    }

    mutating func flushMinute() {
        if let done = pending.takeMinute() { fold(done) }
    }

    /// Puts a completed minute bucket (count and field values) into the tables.
    private mutating func fold(_ b: (minute: Int64, count: Int)) {
        stat.perMinute[b.minute, default: 0] += b.count
        for i in minuteFields.indices {
            guard let f = minuteFields[i] else { continue }
            if fieldsPerMinute[i][b.minute] == nil { fieldsPerMinute[i][b.minute] = f } else { fieldsPerMinute[i][b.minute]!.merge(f) }
            minuteFields[i] = nil
        }
    }

    mutating func flushSource(_ source: String) {
        let n = pending.takeSource()
        if n > 0 { stat.sources[source, default: 0] += n }
    }

    /// The stat with the slots under their names (after `flushMinute` and `flushSource`).
    func stat(names: [String]) -> PatternStat {
        var s = stat
        for (i, name) in names.enumerated() {
            if let f = fields[i] {
                if s.fields[name] == nil { s.fields[name] = f } else { s.fields[name]!.merge(f) }
            }
            for (m, f) in fieldsPerMinute[i] {
                if s.fieldsPerMinute[name]?[m] == nil { s.fieldsPerMinute[name, default: [:]][m] = f } else { s.fieldsPerMinute[name]![m]!.merge(f) }
            }
            if let t = text[i] {
                if s.textFields[name] == nil { s.textFields[name] = t } else { s.textFields[name]!.merge(t) }
            }
        }
        return s
    }
}

/// A signature's stat while events stream.
struct SignatureTally {
    var stat: SignatureStat
    private(set) var pending = PendingCounts()
    /// Catalog indices of the patterns already in `stat.patterns`.
    var patternIndices: [Int32] = []

    init(key: SignatureKey) { stat = SignatureStat(key: key) }
    init(stat: SignatureStat) { self.stat = stat }

    /// `key` is read only when the event becomes the exemplar.
    mutating func count(_ e: EventView, key: @autoclosure () -> SignatureKey, text: String?, order: EventOrder, deferExemplar: Bool) {
        stat.count += 1
        if let t = e.time {
            stat.firstSeen = minOpt(stat.firstSeen, t)
            stat.lastSeen = maxOpt(stat.lastSeen, t)
        }
        if let done = pending.count(minute: e.time.map(minuteOf)) { stat.perMinute[done.minute, default: 0] += done.count }
        if stat.exemplarOrder == nil || order < stat.exemplarOrder! {
            stat.exemplarOrder = order
            let cap = AnalysisState.exemplarCap
            if e.bytes.count > cap {
                // cut on a UTF-8 boundary
                var end = cap
                while end > 0 && e.bytes[end] & 0xC0 == 0x80 { end -= 1 }
                if deferExemplar {
                    stat.pendingExemplar = Array(UnsafeBufferPointer(rebasing: e.bytes[0..<end]))
                } else {
                    stat.exemplar = String(decoding: UnsafeBufferPointer(rebasing: e.bytes[0..<end]), as: UTF8.self)
                }
                stat.exemplarTruncated = true
            } else {
                if let text {
                    stat.exemplar = text
                    stat.pendingExemplar = nil
                } else if deferExemplar {
                    stat.pendingExemplar = Array(e.bytes)
                } else {
                    stat.exemplar = e.text
                }
                stat.exemplarTruncated = false
            }
            // The key's outer class and `why` describe the exemplar event (they vary between
            // events of one signature, e.g. JDK module prefixes), so they do not depend on input
            // or merge order.
            stat.key = key()
        }
    }

    mutating func flushMinute() {
        if let done = pending.takeMinute() { stat.perMinute[done.minute, default: 0] += done.count }
    }

    mutating func flushSource(_ source: String) {
        let n = pending.takeSource()
        if n > 0 { stat.sources[source, default: 0] += n }
    }
}

/// What an event's trace yields, by `EventAnalyzer.traceHash`: the same fault logs the same
/// trace again and again, and parsing + signing costs far more than hashing. Immutable, so the
/// analyzers of all threads share it.
final class TraceInfo: Sendable {
    let hasChain: Bool
    /// `Class: message` of each throwable, outermost first: what exception-scope patterns match.
    let subjects: [[UInt8]]
    /// The chain's signature (nil without a chain).
    let key: SignatureKey?
    /// Whether it holds for every event with the same trace hash, so it may be cached: not
    /// when the key has no frames, since such a key took the event's own log message (whose
    /// digits the hash ignores).
    var reusable: Bool { key?.frames.isEmpty != true }

    init(chain: ExceptionChain?, key: SignatureKey?) {
        hasChain = chain != nil
        self.key = key
        subjects = chain?.throwables.map { t in
            var s = Array(t.className.utf8)
            if !t.message.isEmpty {
                s.append(contentsOf: ": ".utf8)
                s.append(contentsOf: t.message.utf8)
            }
            return s
        } ?? []
    }
}

/// A trace as one analyzer knows it: plus the slot its signature has in that analyzer's tallies.
final class CachedTrace {
    let info: TraceInfo
    /// `info.hasChain`, copied: reading it through `info` retained the shared object.
    let hasChain: Bool
    /// The signature's slot in the analyzer's tallies of `generation` (-1: not known).
    var slot = -1
    var generation = 0
    init(_ info: TraceInfo) {
        self.info = info
        hasChain = info.hasChain
    }
}

/// Parsed traces shared by the analyzers of one run: each thread would otherwise parse and sign
/// every distinct trace again (a worker's first look at a file's traces is mostly misses).
/// Looked up only when an analyzer's own cache misses, so the lock is rarely taken.
public final class TraceCache: @unchecked Sendable {
    // SAFETY: `map` is only touched with `lock` held; the values are immutable.
    private let lock = NSLock()
    private var map: [UInt64: TraceInfo] = [:]
    static let limit = 16_384

    public init() {}

    func get(_ h: UInt64) -> TraceInfo? {
        lock.lock()
        defer { lock.unlock() }
        return map[h]
    }

    func put(_ h: UInt64, _ t: TraceInfo) {
        lock.lock()
        defer { lock.unlock() }
        if map.count >= Self.limit { map.removeAll(keepingCapacity: true) }
        map[h] = t
    }
}
