import Dispatch

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
    /// literal, a one-line event (searched with memchr when the framer saw a backslash in it).
    let hintPrefilter: LiteralPrefilter
    private let hasPureHints: Bool
    /// The escaped-trace literal when no pattern uses it (nil: `prefilter` finds it); raw, so
    /// the per-event search retains nothing.
    private let escapedNeedle: UnsafeMutablePointer<UInt8>?
    private let escapedLength: Int
    let scratch: MatchScratch
    /// What the analysis learned. Read, it folds the tallies below into an `AnalysisState`
    /// (O(patterns + signatures)); set inside the module, e.g. when `tail` resumes from a
    /// checkpoint, it replaces them.
    public internal(set) var state: AnalysisState {
        get { materialize() }
        set { load(newValue) }
    }
    /// Counters and patterns of other catalogs (passed through from a loaded state); its
    /// `patterns` and `signatures` hold only what the tallies do not.
    private var rest = AnalysisState()
    /// Per catalog pattern, its stat while events stream (nil: no match yet).
    private var patternTallies: [PatternTally?]
    /// Field slots per pattern: each named group's slot, and the distinct names by slot.
    private let fieldSlots: [[(group: Int, slot: Int)]]
    private let fieldNames: [[String]]
    private let patternIndex: [String: Int]
    /// Signatures by slot, and the slot of each id.
    private var signatureTallies: [SignatureTally] = []
    private var signatureSlot: [String: Int] = [:]
    /// Bumped whenever the slots are replaced, so cached slot numbers of older ones go stale.
    private var generation = 0
    /// The input the pending per-source counts belong to, and the tallies holding some.
    private var currentSource = ""
    private var pendingPatterns: [Int] = []
    private var pendingSignatures: [Int] = []
    /// Catalog indices of the patterns that matched the current event (reused).
    private var matched: [Int32] = []
    private let hits: LiteralHits
    /// Pattern indices to try for the current event (deduplicated with `patternHits`).
    private let patternHits: LiteralHits
    /// literal index → range in `literalPatternFlat` (CSR of `literalPatterns`)
    private let literalPatternStart: [Int32]
    private let literalPatternFlat: [Int32]
    private let hintFlags: [Bool]
    private let escapedTraceLiteral: Int32
    private let scopes: [PatternScope]
    /// Per catalog pattern: its compiled code (kept alive by `catalog`) and whether a match
    /// makes the event an incident. Read per candidate instead of copying the pattern: a copy
    /// retains its strings, shared with the other threads' analyzers, and those atomic counts
    /// bounced between cores.
    private let codes: UnsafeMutablePointer<OpaquePointer>
    private let incidentFlags: [Bool]
    private let maxSignatures: Int
    /// Called for every pattern match with the event and the fields pulled out (`patterns test`).
    public var probe: ((String, EventView, [(String, String)]) -> Void)?
    /// When set, every regex run is timed into it (`patterns profile`); nil in a normal run.
    public var costs: PatternCosts?
    /// The signature the last `analyze` call counted the event under (nil: none, or past the
    /// cap). `tail` raises its alerts from it.
    public var lastSignature: String? { lastSlot >= 0 ? signatureTallies[lastSlot].stat.key.id : nil }
    /// Its slot (-1: none). A slot, not the id: assigning the id string per event retained it.
    private var lastSlot = -1
    private var probeEvent: EventView?
    /// Parsed traces by `traceHash`: this analyzer's (with the signature slot each maps to),
    /// and the run's, shared with the analyzers of the other threads.
    private var chainCache: [UInt64: CachedTrace] = [:]
    let traces: TraceCache
    /// Parsed frame lines, for the traces this analyzer parses.
    private let frameCache = FrameCache()
    /// Message signatures by template (`messageKey`).
    private var messageKeys: [String: SignatureKey] = [:]
    static let chainCacheLimit = 4096
    /// Keep exemplars as bytes (`SignatureStat.pendingExemplar`) for the job merge to turn
    /// into text; off for callers that read `state` directly.
    var deferExemplars = false

    deinit {
        escapedNeedle?.deallocate()
        codes.deallocate()
    }

    /// `traces`: parsed traces shared with other analyzers of the run (nil: a cache of its own).
    public init(catalog: PatternCatalog, signer: Signer, maxSignatures: Int = AnalysisState.defaultMaxSignatures, traces: TraceCache? = nil) {
        self.traces = traces ?? TraceCache()
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
        codes = .allocate(capacity: max(1, catalog.patterns.count))
        for (i, p) in catalog.patterns.enumerated() { (codes + i).initialize(to: p.regex.code) }
        incidentFlags = catalog.patterns.map(\.spec.marksIncident)
        patternTallies = Array(repeating: nil, count: catalog.patterns.count)
        var slots: [[(group: Int, slot: Int)]] = []
        var names: [[String]] = []
        var byID: [String: Int] = [:]
        for (pi, p) in catalog.patterns.enumerated() {
            var distinct: [String] = []
            var s: [(group: Int, slot: Int)] = []
            for (g, name) in p.fields {
                if let i = distinct.firstIndex(of: name) {
                    s.append((g, i))
                } else {
                    s.append((g, distinct.count))
                    distinct.append(name)
                }
            }
            slots.append(s)
            names.append(distinct)
            byID[p.spec.id] = pi
        }
        fieldSlots = slots
        fieldNames = names
        patternIndex = byID
        matched.reserveCapacity(catalog.patterns.count)
    }

    /// How the catalog's literals are looked for: the window's length, the farthest a step
    /// moves, and the literals as short as the window (`patterns profile`).
    var literalWindow: (length: Int, maxStep: Int, setters: [String]) {
        (prefilter.windowLength, prefilter.maxStep, prefilter.windowSetters.map { String(decoding: prefilter.literals[$0], as: UTF8.self) })
    }

    /// A second analyzer with the same catalog, signer, cap and trace cache (for another worker
    /// thread).
    convenience init(like other: EventAnalyzer) {
        self.init(catalog: other.catalog, signer: other.signer, maxSignatures: other.maxSignatures, traces: other.traces)
    }

    /// A frame line (`\tat …` or `   at …`): skipped by the prefilter, since no pattern keys on
    /// frames and they are most of a trace's bytes.
    @inline(__always)
    static func isFrameLine(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = l.count
        while i < n, l[i] == 0x09 || l[i] == 0x20 { i += 1 }
        guard i + 3 <= n && l[i] == UInt8(ascii: "a") && l[i + 1] == UInt8(ascii: "t") && l[i + 2] == 0x20 else { return false }
        return i > 0 || isUnindentedFrame(l)
    }

    /// A frame that lost its indentation (`at com.acme.Dao.load(Dao.java:57)`): `at `, a
    /// name with no space up to `(`, and `)` at the end, so a message line that starts with
    /// "at " ("at least 5 connections…") is still read as text.
    static func isUnindentedFrame(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = l.count
        guard n > 6, l[n - 1] == UInt8(ascii: ")") else { return false }
        var i = 3
        while i < n, l[i] != UInt8(ascii: "(") {
            if l[i] == 0x20 || l[i] == 0x09 { return false }
            i += 1
        }
        return i > 3 && i < n
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
        lastSlot = -1
        let scanStart = costs == nil ? 0 : DispatchTime.now().uptimeNanoseconds
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
        } else if let needle = escapedNeedle, e.mayHoldBackslash, Self.contains(e.firstLine, needle, escapedLength) {
            // of the hints only this one counts in a one-line event (see below)
            hits.mark(escapedTraceLiteral)
        }
        if let costs { costs.scanNanoseconds &+= DispatchTime.now().uptimeNanoseconds - scanStart }
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
        if let costs, patternHits.count > 0 { costs.eventsWithCandidates += 1 }

        var trace: CachedTrace?
        var text: String?
        if hinted || wantsChain {
            let h = Self.traceHash(e)
            if let hit = chainCache[h] {
                trace = hit
            } else {
                let info: TraceInfo
                if let shared = traces.get(h) {
                    info = shared
                } else {
                    let t = e.text
                    text = t
                    let chain = ExceptionParser.parse(t, frames: frameCache)
                    info = TraceInfo(chain: chain, key: chain.map { signer.sign(chain: $0, logMessage: Self.message(of: e)) })
                    if info.reusable { traces.put(h, info) }
                }
                let made = CachedTrace(info)
                if info.reusable { remember(h, made) }
                trace = made
            }
        }

        if source != currentSource { switchSource(source) }
        let time = e.time
        probeEvent = probe == nil ? nil : e
        matched.removeAll(keepingCapacity: true)
        var incident = false
        // catalog order, so the recorded pattern list does not depend on where literals occur
        for pi32 in patternHits.sorted() {
            let pi = Int(pi32)
            var hit = false
            switch scopes[pi] {
            case .line:
                hit = matchAndRecord(pi, e.firstLine, time)
            case .event:
                hit = matchAndRecord(pi, e.bytes, time)
            case .exception:
                guard let trace, trace.hasChain else { break }
                for subject in trace.info.subjects {
                    hit = subject.withUnsafeBufferPointer { matchAndRecord(pi, $0, time) }
                    if hit { break }
                }
            }
            if hit {
                matched.append(pi32)
                if incidentFlags[pi] { incident = true }
            }
        }

        if let trace, trace.hasChain {
            record(trace, nil, e, text: text, sourceIndex: sourceIndex, ordinal: ordinal)
        } else if incident {
            record(nil, messageKey(e), e, text: text, sourceIndex: sourceIndex, ordinal: ordinal)
        }
    }

    /// The message signature of incident event `e`. Keys by template are kept (a few thousand
    /// at most): building one (key text, id, notes) cost as much as templating the message.
    private func messageKey(_ e: EventView) -> SignatureKey {
        let template = Signer.messageTemplate(Self.message(of: e))
        if let k = messageKeys[template] { return k }
        let k = signer.signMessage(template: template)
        if messageKeys.count >= Self.chainCacheLimit { messageKeys.removeAll(keepingCapacity: true) }
        messageKeys[template] = k
        return k
    }

    private func remember(_ h: UInt64, _ trace: CachedTrace) {
        if chainCache.count >= Self.chainCacheLimit { chainCache.removeAll(keepingCapacity: true) }
        chainCache[h] = trace
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

    private func matchAndRecord(_ pi: Int, _ subject: UnsafeBufferPointer<UInt8>, _ time: Int64?) -> Bool {
        let outcome: MatchScratch.Outcome
        if let costs {
            let start = DispatchTime.now().uptimeNanoseconds
            outcome = scratch.match(code: codes[pi], subject)
            costs.record(pi, nanoseconds: DispatchTime.now().uptimeNanoseconds &- start, bytes: subject.count, outcome: outcome)
        } else {
            outcome = scratch.match(code: codes[pi], subject)
        }
        switch outcome {
        case .matched:
            tallyPattern(pi, subject, time)
            if let probe, let ev = probeEvent {
                let p = catalog.patterns[pi]
                var fields: [(String, String)] = []
                for (g, name) in p.fields {
                    if let r = scratch.group(g) { fields.append((name, String(decoding: UnsafeBufferPointer(rebasing: subject[r]), as: UTF8.self))) }
                }
                probe(p.spec.id, ev, fields)
            }
            return true
        case .limitHit:
            rest.limitHits += 1
            return false
        case .noMatch, .error:
            return false
        }
    }

    /// Counts a match of pattern `pi` and the fields its groups pulled out of `subject`.
    private func tallyPattern(_ pi: Int, _ subject: UnsafeBufferPointer<UInt8>, _ time: Int64?) {
        if patternTallies[pi] == nil {
            patternTallies[pi] = PatternTally(id: catalog.patterns[pi].spec.id, fields: fieldNames[pi].count)
        }
        // mutated in place through the optional: a copy would copy every table it holds
        if patternTallies[pi]!.pending.source == 0 { pendingPatterns.append(pi) }
        let minute = time.map(minuteOf)
        patternTallies[pi]!.count(at: time, minute: minute)
        for (g, slot) in fieldSlots[pi] {
            guard let r = scratch.group(g) else { continue }
            let bytes = UnsafeBufferPointer(rebasing: subject[r])
            if let v = Self.integer(bytes) {
                patternTallies[pi]!.add(v, slot: slot, at: time, minute: minute)
            } else {
                patternTallies[pi]!.addText(String(decoding: bytes, as: UTF8.self), slot: slot)
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

    /// Counts the event under the signature of `trace` (which remembers the slot, so a repeated
    /// trace finds it without hashing the id), or else under `messageKey`. The key is read only
    /// when needed: copying it retains its strings, which the trace shares with other threads.
    private func record(_ trace: CachedTrace?, _ messageKey: SignatureKey?, _ e: EventView, text: String?, sourceIndex: Int, ordinal: Int) {
        @inline(__always) func key() -> SignatureKey { messageKey ?? trace!.info.key! }
        var slot: Int
        if let trace, trace.generation == generation, trace.slot >= 0 {
            slot = trace.slot
        } else if let s = signatureSlot[key().id] {
            slot = s
        } else {
            let key = key()
            if signatureTallies.count >= maxSignatures {
                rest.overflowEvents += 1
                rest.overflowSignatures.insert(key.id)
                return
            }
            slot = signatureTallies.count
            signatureTallies.append(SignatureTally(key: key))
            signatureSlot[key.id] = slot
        }
        if let trace {
            trace.slot = slot
            trace.generation = generation
        }
        let order = EventOrder(time: e.time ?? Int64.max, source: sourceIndex, ordinal: ordinal)
        if signatureTallies[slot].pending.source == 0 { pendingSignatures.append(slot) }
        for pi in matched where !signatureTallies[slot].patternIndices.contains(pi) {
            signatureTallies[slot].patternIndices.append(pi)
            signatureTallies[slot].stat.patterns.insert(catalog.patterns[Int(pi)].spec.id)
        }
        signatureTallies[slot].count(e, key: key(), text: text, order: order, deferExemplar: deferExemplars)
        lastSlot = slot
    }

    // MARK: - Tallies ↔ state

    /// Puts the per-source counts pending for the previous input into its stats.
    private func switchSource(_ source: String) {
        flushSources()
        currentSource = source
    }

    private func flushSources() {
        for pi in pendingPatterns { patternTallies[pi]!.flushSource(currentSource) }
        for slot in pendingSignatures { signatureTallies[slot].flushSource(currentSource) }
        pendingPatterns.removeAll(keepingCapacity: true)
        pendingSignatures.removeAll(keepingCapacity: true)
    }

    private func materialize() -> AnalysisState {
        flushSources()
        var out = rest
        for pi in patternTallies.indices where patternTallies[pi] != nil {
            patternTallies[pi]!.flushMinute()
            let stat = patternTallies[pi]!.stat(names: fieldNames[pi])
            if out.patterns[stat.id] == nil { out.patterns[stat.id] = stat } else { out.patterns[stat.id]!.merge(stat) }
        }
        for slot in signatureTallies.indices {
            signatureTallies[slot].flushMinute()
            out.signatures[signatureTallies[slot].stat.key.id] = signatureTallies[slot].stat
        }
        return out
    }

    private func load(_ s: AnalysisState) {
        rest = s
        rest.patterns = [:]
        rest.signatures = [:]
        pendingPatterns.removeAll(keepingCapacity: true)
        pendingSignatures.removeAll(keepingCapacity: true)
        for pi in patternTallies.indices { patternTallies[pi] = nil }
        for (id, stat) in s.patterns {
            if let pi = patternIndex[id] {
                patternTallies[pi] = PatternTally(stat, names: fieldNames[pi])
            } else {
                rest.patterns[id] = stat
            }
        }
        signatureTallies.removeAll(keepingCapacity: true)
        signatureSlot.removeAll(keepingCapacity: true)
        lastSlot = -1
        for id in s.signatures.keys.sorted() {
            var t = SignatureTally(stat: s.signatures[id]!)
            t.patternIndices = t.stat.patterns.compactMap { patternIndex[$0].map(Int32.init) }
            signatureSlot[id] = signatureTallies.count
            signatureTallies.append(t)
        }
        generation &+= 1
    }

    /// The stat of signature `id` as `state` would show it, without folding every tally
    /// (`tail` reads the one an event counted under).
    public func signature(_ id: String) -> SignatureStat? {
        guard let slot = signatureSlot[id] else { return nil }
        signatureTallies[slot].flushMinute()
        var s = signatureTallies[slot].stat
        // the pending count stays pending: flushing here would re-list the slot on every event
        let pending = signatureTallies[slot].pending.source
        if pending > 0 { s.sources[currentSource, default: 0] += pending }
        return s
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
