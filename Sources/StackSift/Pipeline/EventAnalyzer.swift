/// Per-worker analysis of events: literal prefilter → PCRE2 patterns → exception chain →
/// signature. Owns its match scratch and reusable buffers; never shared between threads.
public final class EventAnalyzer {
    public let catalog: PatternCatalog
    let signer: Signer
    let prefilter: LiteralPrefilter
    /// Finds the hint literals no pattern uses (`pureHints`), kept out of `prefilter`: they are
    /// its shortest literals, and `Exception` & co. sit in ordinary INFO lines, so indexing
    /// them would both shorten every skip and add verifications. They only matter for a
    /// multi-line event without frame lines (searched whole here) and, for the escaped-trace
    /// literal, a one-line event (searched with memchr: a backslash is rare).
    let hintPrefilter: LiteralPrefilter
    private let hasPureHints: Bool
    /// The escaped-trace literal when no pattern uses it (nil: `prefilter` finds it); raw, so
    /// the per-event search retains nothing.
    private let escapedNeedle: UnsafeMutablePointer<UInt8>?
    private let escapedLength: Int
    let scratch: MatchScratch
    /// Settable inside the module: `tail` resumes from a checkpoint's state.
    public internal(set) var state = AnalysisState()
    private let hits: LiteralHits
    /// Pattern indices to try for the current event (deduplicated with `patternHits`).
    private let patternHits: LiteralHits
    /// literal index → range in `literalPatternFlat` (CSR of `literalPatterns`)
    private let literalPatternStart: [Int32]
    private let literalPatternFlat: [Int32]
    private let hintFlags: [Bool]
    private let escapedTraceLiteral: Int32
    private let scopes: [PatternScope]
    private let maxSignatures: Int
    /// Called for every pattern match with the event and the fields pulled out (`patterns test`).
    public var probe: ((String, EventView, [(String, String)]) -> Void)?
    /// The signature the last `analyze` call counted the event under (nil: none, or past the
    /// cap). `tail` raises its alerts from it.
    public private(set) var lastSignature: String?
    private var probeEvent: EventView?
    /// Parsed chains and their signatures by trace text: the same fault logs the same trace
    /// again and again, and parsing + signing costs far more than hashing.
    private var chainCache: [UInt64: (ExceptionChain?, SignatureKey?)] = [:]
    static let chainCacheLimit = 4096
    /// Keep exemplars as bytes (`SignatureStat.pendingExemplar`) for the job merge to turn
    /// into text; off for callers that read `state` directly.
    var deferExemplars = false

    deinit { escapedNeedle?.deallocate() }

    public init(catalog: PatternCatalog, signer: Signer, maxSignatures: Int = AnalysisState.defaultMaxSignatures) {
        self.catalog = catalog
        self.signer = signer
        self.maxSignatures = maxSignatures
        var literals: [String] = []
        var index: [String: Int] = [:]
        var lp: [[Int]] = []
        func lit(_ s: String) -> Int {
            if let i = index[s] { return i }
            index[s] = literals.count
            literals.append(s)
            lp.append([])
            return literals.count - 1
        }
        var unfiltered: [Int] = []
        for (pi, p) in catalog.patterns.enumerated() {
            if p.spec.literals.isEmpty { unfiltered.append(pi) }
            for l in p.spec.literals { lp[lit(l)].append(pi) }
        }
        var hints: Set<Int> = []
        // Literals added from here on are used by no pattern (the catalog's come first).
        let catalogLiterals = literals.count
        // Frame lines are detected directly (and skipped by the scan); these find a throwable
        // header without frames. None is shorter than the catalog's shortest literal, so they do
        // not shorten the prefilter's skip distance (an `…Error: msg` header without frames is
        // the price: it is rare).
        for h in ["Exception", "Throwable", "Caused by"] { hints.insert(lit(h)) }
        // a trace escaped onto one line (`…Exception: x\n\tat com.foo…` written literally)
        let escaped = lit("\\n\\tat ")
        hints.insert(escaped)
        // patterns without a literal run on every event: attach them to an always-present literal
        if !unfiltered.isEmpty {
            let always = lit("")
            lp[always] = unfiltered
        }
        let pure = hints.filter { $0 >= catalogLiterals }
        hasPureHints = !pure.isEmpty
        prefilter = LiteralPrefilter(literals: literals, excluding: pure)
        // The hints hold no `\n`, so searching a whole event equals searching each of its lines.
        hintPrefilter = LiteralPrefilter(literals: literals, excluding: Set(0..<literals.count).subtracting(pure))
        let needle = Array(literals[escaped].utf8)
        escapedLength = needle.count
        if pure.contains(escaped) {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: needle.count)
            p.initialize(from: needle, count: needle.count)
            escapedNeedle = p
        } else {
            escapedNeedle = nil
        }
        scratch = MatchScratch(maxCaptureCount: catalog.maxCaptureCount)
        let hits = LiteralHits(count: literals.count)
        let patternHits = LiteralHits(count: catalog.patterns.count)
        self.hits = hits
        self.patternHits = patternHits
        var starts: [Int32] = []
        var flat: [Int32] = []
        for l in lp {
            starts.append(Int32(flat.count))
            flat += l.map(Int32.init)
        }
        starts.append(Int32(flat.count))
        literalPatternStart = starts
        literalPatternFlat = flat
        hintFlags = (0..<literals.count).map { hints.contains($0) }
        escapedTraceLiteral = Int32(escaped)
        scopes = catalog.patterns.map(\.spec.scope)
    }

    /// A second analyzer with the same catalog, signer and cap (for another worker thread).
    convenience init(like other: EventAnalyzer) {
        self.init(catalog: other.catalog, signer: other.signer, maxSignatures: other.maxSignatures)
    }

    /// A frame line (`\tat …` or `   at …`): skipped by the prefilter, since no pattern keys on
    /// frames and they are most of a trace's bytes.
    @inline(__always)
    static func isFrameLine(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = l.count
        while i < n, l[i] == 0x09 || l[i] == 0x20 { i += 1 }
        return i > 0 && i + 3 <= n && l[i] == UInt8(ascii: "a") && l[i + 1] == UInt8(ascii: "t") && l[i + 2] == 0x20
    }

    /// Whether `needle` occurs in `hay`: memchr for its first byte (a backslash for the escaped
    /// trace, rare in log text), then a compare.
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafePointer<UInt8>, _ k: Int) -> Bool {
        let n = hay.count
        guard k > 0, n >= k, let base = hay.baseAddress else { return k == 0 }
        let last = n - k
        var i = 0
        while i <= last {
            guard let f = memchr(base + i, Int32(needle[0]), last - i + 1) else { return false }
            let at = base.distance(to: f.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle, k) == 0 { return true }
            i = at + 1
        }
        return false
    }

    public func analyze(_ e: EventView, source: String, sourceIndex: Int, ordinal: Int) {
        if lastSignature != nil { lastSignature = nil }
        hits.reset()
        prefilter.markAlwaysPresent(hits)
        var sawFrame = false
        // Line 0 is scanned whole: a timestamp can follow text a pattern needs
        // (`DBCP object created 2023-10-10 16:01:02 by …`).
        prefilter.scanIndexed(e.firstLine, hits)
        let lineCount = e.lineStarts.count
        if lineCount > 1 {
            for li in 1..<lineCount {
                let l = e.line(li)
                if Self.isFrameLine(l) { sawFrame = true; continue }
                prefilter.scanIndexed(l, hits)
            }
            // With a frame line the event is hinted anyway; without, every line was scanned.
            if !sawFrame && hasPureHints { hintPrefilter.scanIndexed(e.bytes, hits) }
        } else if let needle = escapedNeedle, Self.contains(e.firstLine, needle, escapedLength) {
            // of the hints only this one counts in a one-line event (see below)
            hits.mark(escapedTraceLiteral)
        }
        patternHits.reset()
        var hinted = sawFrame
        var wantsChain = false
        for h in 0..<hits.count {
            let li = Int(hits.list[h])
            if hintFlags[li] { hinted = true }
            for k in Int(literalPatternStart[li])..<Int(literalPatternStart[li + 1]) {
                let pi = literalPatternFlat[k]
                patternHits.mark(pi)
                if scopes[Int(pi)] == .exception { wantsChain = true }
            }
        }
        if hinted && lineCount <= 1 && !sawFrame && !hits.isMarked(escapedTraceLiteral) {
            // a one-line record naming an exception is a mention, not a throwable
            hinted = false
        }
        if patternHits.count == 0 && !hinted { return }

        var chain: ExceptionChain?
        var text: String?
        var cachedKey: SignatureKey?
        var cacheSlot: UInt64?
        if hinted || wantsChain {
            let h = Self.traceHash(e)
            if let hit = chainCache[h] {
                chain = hit.0
                cachedKey = hit.1
            } else {
                let t = e.text
                text = t
                chain = ExceptionParser.parse(t)
                cacheSlot = h
            }
        }

        let time = e.time
        probeEvent = probe == nil ? nil : e
        var matched: [String] = []
        var incident = false
        // catalog order, so the recorded pattern list does not depend on where literals occur
        for pi32 in patternHits.sorted() {
            let pi = Int(pi32)
            let p = catalog.patterns[pi]
            var hit = false
            switch p.spec.scope {
            case .line:
                hit = matchAndRecord(p, e.firstLine, time, source)
            case .event:
                hit = matchAndRecord(p, e.bytes, time, source)
            case .exception:
                guard let chain else { break }
                for t in chain.throwables {
                    var s = t.className
                    if !t.message.isEmpty { s += ": " + t.message }
                    hit = s.withUTF8 { matchAndRecord(p, $0, time, source) }
                    if hit { break }
                }
            }
            if hit {
                matched.append(p.spec.id)
                if p.spec.category != "wrapper" && p.spec.category != "other" { incident = true }
            }
        }

        let key: SignatureKey
        if let chain {
            if let cachedKey {
                key = cachedKey
            } else {
                key = signer.sign(chain: chain, logMessage: Self.message(of: e))
                if let cacheSlot, !key.frames.isEmpty { remember(cacheSlot, chain, key) }
            }
        } else if incident {
            key = signer.signMessage(Self.message(of: e))
        } else {
            if let cacheSlot { remember(cacheSlot, nil, nil) }
            return
        }
        record(key, e, text: text, patterns: matched, source: source, sourceIndex: sourceIndex, ordinal: ordinal)
    }

    private func remember(_ h: UInt64, _ chain: ExceptionChain?, _ key: SignatureKey?) {
        if chainCache.count >= Self.chainCacheLimit { chainCache.removeAll(keepingCapacity: true) }
        chainCache[h] = (chain.map(Self.slim), key)
    }

    /// What a cache hit still needs of a chain: each throwable's class and message (for the
    /// exception-scope patterns); the signature is cached beside it. Frames were most of the
    /// cache's memory (tens of MB per worker for a few thousand distinct traces).
    static func slim(_ chain: ExceptionChain) -> ExceptionChain {
        var c = chain
        c.openStack = nil
        for i in c.throwables.indices {
            c.throwables[i].frames = []
            c.throwables[i].suppressed = []
        }
        return c
    }

    /// Cache key of an event's trace: XXH3 of every line after the first, exactly, and of the
    /// first line's message with digits ignored (request ids and counters there would defeat the
    /// cache; the signature only uses that message when the chain has no frames, and such
    /// signatures are not cached).
    static func traceHash(_ e: EventView) -> UInt64 {
        let b = e.bytes
        var rest: UInt64 = 0
        if e.lineStarts.count > 1 {
            let from = Int(e.lineStarts[1])
            rest = xxh3(UnsafeBufferPointer(rebasing: b[from...]))
        }
        let first = e.firstLine
        let start = min(e.headerEnd, first.count)
        let msg = UnsafeBufferPointer(rebasing: first[start...])
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in UnsafeBufferPointer(rebasing: msg[messageStart(msg)...]) where c &- 0x30 >= 10 {
            h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01b3
        }
        return rest ^ (h &* 0x9E37_79B9_7F4A_7C15)
    }

    private func matchAndRecord(_ p: CompiledPattern, _ subject: UnsafeBufferPointer<UInt8>, _ time: Int64?, _ source: String) -> Bool {
        switch scratch.match(p.regex, subject) {
        case .matched:
            // mutate in place: a copy out of the dictionary would copy every nested table
            if state.patterns[p.spec.id] == nil { state.patterns[p.spec.id] = PatternStat(id: p.spec.id) }
            Self.update(&state.patterns[p.spec.id]!, p, scratch, subject, time, source)
            if let probe, let ev = probeEvent {
                var fields: [(String, String)] = []
                for (g, name) in p.fields {
                    if let r = scratch.group(g) { fields.append((name, String(decoding: UnsafeBufferPointer(rebasing: subject[r]), as: UTF8.self))) }
                }
                probe(p.spec.id, ev, fields)
            }
            return true
        case .limitHit:
            state.limitHits += 1
            return false
        case .noMatch, .error:
            return false
        }
    }

    private static func update(_ stat: inout PatternStat, _ p: CompiledPattern, _ scratch: MatchScratch,
                               _ subject: UnsafeBufferPointer<UInt8>, _ time: Int64?, _ source: String) {
        stat.count += 1
        stat.sources[source, default: 0] += 1
        if let time {
            stat.firstSeen = minOpt(stat.firstSeen, time)
            stat.lastSeen = maxOpt(stat.lastSeen, time)
            stat.perMinute[minuteOf(time), default: 0] += 1
        }
        for (g, name) in p.fields {
            guard let r = scratch.group(g) else { continue }
            let bytes = UnsafeBufferPointer(rebasing: subject[r])
            if let v = integer(bytes) {
                if stat.fields[name] == nil { stat.fields[name] = FieldStat(v, at: time ?? 0) } else { stat.fields[name]!.add(v, at: time ?? 0) }
                if let time {
                    let m = minuteOf(time)
                    if stat.fieldsPerMinute[name]?[m] == nil { stat.fieldsPerMinute[name, default: [:]][m] = FieldStat(v, at: time) } else { stat.fieldsPerMinute[name]![m]!.add(v, at: time) }
                }
            } else {
                stat.textFields[name, default: TextFieldStat()].add(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Digits, optionally with `,` thousands separators (`1,001`) and a leading minus. A code
    /// with a leading zero (SQLState `08004`) stays text.
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !b.isEmpty, b.count <= 24 else { return nil }
        if b.count > 1 && b[0] == UInt8(ascii: "0") { return nil }
        var v: Int64 = 0
        var digits = 0
        var neg = false
        for (i, c) in b.enumerated() {
            if c == UInt8(ascii: "-") && i == 0 { neg = true; continue }
            if c == UInt8(ascii: ",") && digits > 0 { continue }
            guard c &- 0x30 < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c &- 0x30))
            if o1 || o2 { return nil }
            v = a
            digits += 1
        }
        guard digits > 0, b.last != UInt8(ascii: ",") else { return nil }
        return neg ? -v : v
    }

    private func record(_ key: SignatureKey, _ e: EventView, text: String?, patterns: [String], source: String, sourceIndex: Int, ordinal: Int) {
        // One lookup and in-place updates through the index: reading a stat back out of the
        // dictionary would copy (retain) every table it holds.
        var i = state.signatures.index(forKey: key.id)
        if i == nil {
            if state.signatures.count >= maxSignatures {
                state.overflowEvents += 1
                if state.overflowSignatures.count < 100_000 { state.overflowSignatures.insert(key.id) }
                return
            }
            state.signatures[key.id] = SignatureStat(key: key)
            i = state.signatures.index(forKey: key.id)
        }
        let order = EventOrder(time: e.time ?? Int64.max, source: sourceIndex, ordinal: ordinal)
        Self.update(&state.signatures.values[i!], key, e, text: text, patterns: patterns, source: source, order: order,
                    deferExemplar: deferExemplars)
        lastSignature = key.id
    }

    private static func update(_ s: inout SignatureStat, _ key: SignatureKey, _ e: EventView, text: String?, patterns: [String], source: String,
                               order: EventOrder, deferExemplar: Bool) {
        s.count += 1
        if let t = e.time {
            s.firstSeen = minOpt(s.firstSeen, t)
            s.lastSeen = maxOpt(s.lastSeen, t)
            s.perMinute[minuteOf(t), default: 0] += 1
        }
        s.patterns.formUnion(patterns)
        s.sources[source, default: 0] += 1
        if s.exemplarOrder == nil || order < s.exemplarOrder! {
            s.exemplarOrder = order
            let cap = AnalysisState.exemplarCap
            if e.bytes.count > cap {
                // cut on a UTF-8 boundary
                var end = cap
                while end > 0 && e.bytes[end] & 0xC0 == 0x80 { end -= 1 }
                if deferExemplar {
                    s.pendingExemplar = Array(UnsafeBufferPointer(rebasing: e.bytes[0..<end]))
                } else {
                    s.exemplar = String(decoding: UnsafeBufferPointer(rebasing: e.bytes[0..<end]), as: UTF8.self)
                }
                s.exemplarTruncated = true
            } else {
                if let text {
                    s.exemplar = text
                    s.pendingExemplar = nil
                } else if deferExemplar {
                    s.pendingExemplar = Array(e.bytes)
                } else {
                    s.exemplar = e.text
                }
                s.exemplarTruncated = false
            }
        }
        // The key's outer class and `why` describe the exemplar event (they vary between events of
        // one signature, e.g. JDK module prefixes), so they do not depend on input or merge order.
        if s.exemplarOrder == order { s.key = key }
    }

    /// The message part of an event's first line: what follows the timestamp, level, thread and
    /// logger (`… [main] ERROR c.a.Foo - message`, `… ERROR [main] c.a.Foo: message`).
    public static func message(of e: EventView) -> String {
        let line = e.firstLine
        let start = min(e.headerEnd, line.count)
        let rest = UnsafeBufferPointer(rebasing: line[start...])
        return String(decoding: UnsafeBufferPointer(rebasing: rest[messageStart(rest)...]), as: UTF8.self)
    }

    static func messageStart(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = b.count
        let window = min(n, 240)
        // Logback "logger - " or Log4j / Spring Boot "logger: " after a "]" of the prefix,
        // whichever comes first: the message itself may hold " - " (`HikariPool-1 - Starting...`).
        var lastBracket = -1
        var i = 0
        while i < window {
            let c = b[i]
            if c == UInt8(ascii: "]") {
                lastBracket = i
            } else if c == 0x20 && i + 3 <= window && b[i + 1] == UInt8(ascii: "-") && b[i + 2] == 0x20 {
                return i + 3
            } else if c == UInt8(ascii: ":") && i + 1 < n && b[i + 1] == 0x20 && lastBracket >= 0 {
                return i + 2
            }
            i += 1
        }
        if lastBracket >= 0 {
            // Tomcat: "] org.apache.Foo.bar message": skip one dotted token
            var j = lastBracket + 1
            while j < n, b[j] == 0x20 { j += 1 }
            var k = j
            var dots = 0
            while k < n, b[k] != 0x20 { if b[k] == UInt8(ascii: ".") { dots += 1 }; k += 1 }
            if dots >= 2, k < n { return k + 1 }
            return j
        }
        var j = 0
        while j < n, b[j] == 0x20 { j += 1 }
        return j
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
