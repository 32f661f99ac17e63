/// Per-worker analysis of events: literal prefilter → PCRE2 patterns → exception chain →
/// signature. Owns its match scratch and reusable buffers; never shared between threads.
public final class EventAnalyzer {
    public let catalog: PatternCatalog
    let signer: Signer
    let prefilter: LiteralPrefilter
    /// literal index → pattern indices needing it
    let literalPatterns: [[Int]]
    /// Literal indices that hint at a throwable in a multi-line event.
    let exceptionHints: Set<Int>
    let scratch: MatchScratch
    public private(set) var state = AnalysisState()
    private var found: [Bool]
    private var candidate: [Bool]
    private let maxSignatures: Int
    /// Called for every pattern match with the event and the fields pulled out (`patterns test`).
    public var probe: ((String, EventView, [(String, String)]) -> Void)?
    private var probeEvent: EventView?
    /// Parsed chains and their signatures by trace text: the same fault logs the same trace
    /// again and again, and parsing + signing costs far more than hashing.
    private var chainCache: [UInt64: (ExceptionChain?, SignatureKey?)] = [:]
    static let chainCacheLimit = 4096
    public private(set) var chainCacheHits = 0

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
        for h in ["Exception", "Error", "Throwable", "\tat ", "    at ", "Caused by"] { hints.insert(lit(h)) }
        // patterns without a literal run on every event: attach them to an always-present literal
        if !unfiltered.isEmpty {
            let always = lit("")
            lp[always] = unfiltered
        }
        prefilter = LiteralPrefilter(literals: literals)
        literalPatterns = lp
        exceptionHints = hints
        scratch = MatchScratch(maxCaptureCount: catalog.maxCaptureCount)
        found = [Bool](repeating: false, count: literals.count)
        candidate = [Bool](repeating: false, count: catalog.patterns.count)
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

    public func analyze(_ e: EventView, source: String, sourceIndex: Int, ordinal: Int) {
        for i in 0..<found.count { found[i] = false }
        var sawFrame = false
        if e.lineStarts.count <= 1 {
            prefilter.scan(e.bytes, into: &found)
        } else {
            for li in 0..<e.lineStarts.count {
                let l = e.line(li)
                if Self.isFrameLine(l) { sawFrame = true; continue }
                prefilter.scan(l, into: &found)
            }
        }
        var anyCandidate = false
        for i in 0..<candidate.count { candidate[i] = false }
        for (li, f) in found.enumerated() where f {
            for pi in literalPatterns[li] {
                candidate[pi] = true
                anyCandidate = true
            }
        }
        var hinted = sawFrame
        if !hinted && e.lineStarts.count > 1 {
            for h in exceptionHints where found[h] { hinted = true; break }
        }
        if !anyCandidate && !hinted { return }

        var chain: ExceptionChain?
        var text: String?
        var cachedKey: SignatureKey?
        var cacheSlot: UInt64?
        if hinted || catalog.patterns.indices.contains(where: { candidate[$0] && catalog.patterns[$0].spec.scope == .exception }) {
            let h = Self.traceHash(e)
            if let hit = chainCache[h] {
                chainCacheHits += 1
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
        for pi in catalog.patterns.indices where candidate[pi] {
            let p = catalog.patterns[pi]
            var hit = false
            switch p.spec.scope {
            case .line:
                hit = matchAndRecord(p, e.firstLine, time)
            case .event:
                hit = matchAndRecord(p, e.bytes, time)
            case .exception:
                guard let chain else { break }
                for t in chain.throwables {
                    var s = t.className
                    if !t.message.isEmpty { s += ": " + t.message }
                    hit = s.withUTF8 { matchAndRecord(p, $0, time) }
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
                if let cacheSlot { remember(cacheSlot, chain, key) }
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
        chainCache[h] = (chain, key)
    }

    /// FNV-1a over the event from the end of its timestamp, ignoring digits inside a frame's
    /// trailing `(File.java:123)` so a redeploy that shifts line numbers still hits. Everything
    /// else counts exactly: messages, class and method names.
    static func traceHash(_ e: EventView) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        let b = e.bytes
        for li in 0..<e.lineStarts.count {
            let l = e.line(li)
            var start = 0
            if li == 0 {
                // skip timestamp and the thread name (digits there vary, the trace does not)
                start = min(e.headerEnd, l.count)
                let m = messageStart(UnsafeBufferPointer(rebasing: l[start...]))
                start += m
            }
            var parenAt = l.count
            if isFrameLine(l) {
                var k = l.count - 1
                while k > start, l[k] != UInt8(ascii: "(") { k -= 1 }
                if k > start { parenAt = k }
            }
            var i = start
            while i < l.count {
                let c = l[i]
                if !(i > parenAt && c &- 0x30 < 10) {
                    h = (h ^ UInt64(c)) &* prime
                }
                i += 1
            }
            h = (h ^ 0x0A) &* prime
        }
        _ = b
        return h
    }

    private func matchAndRecord(_ p: CompiledPattern, _ subject: UnsafeBufferPointer<UInt8>, _ time: Int64?) -> Bool {
        switch scratch.match(p.regex, subject) {
        case .matched:
            var stat = state.patterns[p.spec.id] ?? PatternStat(id: p.spec.id)
            stat.count += 1
            if let time {
                stat.firstSeen = minOpt(stat.firstSeen, time)
                stat.lastSeen = maxOpt(stat.lastSeen, time)
                stat.perMinute[minuteOf(time), default: 0] += 1
            }
            for (g, name) in p.fields {
                guard let r = scratch.group(g) else { continue }
                let bytes = UnsafeBufferPointer(rebasing: subject[r])
                if let v = Self.integer(bytes) {
                    if stat.fields[name] == nil { stat.fields[name] = FieldStat(v, at: time ?? 0) } else { stat.fields[name]!.add(v, at: time ?? 0) }
                    if let time {
                        let m = minuteOf(time)
                        if stat.fieldsPerMinute[name]?[m] == nil { stat.fieldsPerMinute[name, default: [:]][m] = FieldStat(v, at: time) } else { stat.fieldsPerMinute[name]![m]!.add(v, at: time) }
                    }
                } else {
                    stat.textFields[name, default: TextFieldStat()].add(String(decoding: bytes, as: UTF8.self))
                }
            }
            state.patterns[p.spec.id] = stat
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
        if state.signatures[key.id] == nil && state.signatures.count >= maxSignatures {
            state.overflowEvents += 1
            if state.overflowSignatures.count < 100_000 { state.overflowSignatures.insert(key.id) }
            return
        }
        var s = state.signatures[key.id] ?? SignatureStat(key: key)
        s.count += 1
        if let t = e.time {
            s.firstSeen = minOpt(s.firstSeen, t)
            s.lastSeen = maxOpt(s.lastSeen, t)
            s.perMinute[minuteOf(t), default: 0] += 1
        }
        s.patterns.formUnion(patterns)
        s.sources[source, default: 0] += 1
        let order = EventOrder(time: e.time ?? Int64.max, source: sourceIndex, ordinal: ordinal)
        if s.exemplarOrder == nil || order < s.exemplarOrder! {
            s.exemplarOrder = order
            let cap = AnalysisState.exemplarCap
            if e.bytes.count > cap {
                // cut on a UTF-8 boundary
                var end = cap
                while end > 0 && e.bytes[end] & 0xC0 == 0x80 { end -= 1 }
                s.exemplar = String(decoding: UnsafeBufferPointer(rebasing: e.bytes[0..<end]), as: UTF8.self)
                s.exemplarTruncated = true
            } else {
                s.exemplar = text ?? e.text
                s.exemplarTruncated = false
            }
        }
        state.signatures[key.id] = s
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
        // Logback: " - "
        var i = 0
        while i + 3 <= window {
            if b[i] == 0x20 && b[i + 1] == UInt8(ascii: "-") && b[i + 2] == 0x20 { return i + 3 }
            i += 1
        }
        // Log4j: "logger: " after the last "]" of the prefix
        var lastBracket = -1
        i = 0
        while i < window {
            if b[i] == UInt8(ascii: "]") { lastBracket = i }
            if b[i] == UInt8(ascii: ":") && i + 1 < n && b[i + 1] == 0x20 && lastBracket >= 0 { return i + 2 }
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
