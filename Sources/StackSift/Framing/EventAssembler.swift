/// Facts about one assembled event.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// A line of the event was cut at the maximum line length.
    public static let cutLine = EventFlags(rawValue: 1)
    /// The event reached the line or byte limit; later lines were counted but not kept.
    public static let tooLong = EventFlags(rawValue: 2)
    /// The event has no timestamp of its own (level-only header, header-less trace, orphan lines).
    public static let untimed = EventFlags(rawValue: 4)
}

/// A complete event, lent to the consumer for the duration of one call: its bytes live in the
/// assembler's reused buffer, so nothing is allocated per event.
public struct EventView {
    /// The event's lines joined by `\n` (no trailing newline).
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Byte offset of each line's start within `bytes`.
    public let lineStarts: UnsafeBufferPointer<Int32>
    /// Milliseconds since the epoch (UTC); for an untimed event, the time of the previous timed
    /// event of the same input (nil when there was none).
    public let time: Int64?
    /// Lines that belonged to the event (including any not kept past the limit).
    public let lineCount: Int
    public let flags: EventFlags
    /// Byte offset in line 0 just past the timestamp.
    public let headerEnd: Int
    /// False when the framer saw no backslash in any of the event's lines.
    let mayHoldBackslash: Bool

    public var firstLine: UnsafeBufferPointer<UInt8> {
        let end = lineStarts.count > 1 ? Int(lineStarts[1]) - 1 : bytes.count
        return UnsafeBufferPointer(rebasing: bytes[0..<end])
    }

    public func line(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(lineStarts[i])
        let end = i + 1 < lineStarts.count ? Int(lineStarts[i + 1]) - 1 : bytes.count
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Lines → events. A header line (a timestamp found by its layout, or a level keyword at the
/// start) opens an event; everything else — `\tat …`, `Caused by:`, `Suppressed:`, `... N more`,
/// MyBatis `###` blocks, wrapped message lines, blank lines — joins the current one. Some
/// traces have no header of their own but must stand alone (DBCP abandoned traces printed to
/// stdout, `Exception in thread`, thread-dump stanzas): they open an event too.
public final class EventAssembler {
    public struct Limits: Sendable {
        public var maxLinesPerEvent = 10_000
        public var maxEventBytes = 8 << 20
        public init() {}
    }

    public let limits: Limits
    public let parser: TimestampParser
    public private(set) var events = 0
    public private(set) var tooLongEvents = 0
    public private(set) var firstTime: Int64?
    public private(set) var lastTime: Int64?

    /// Two buffers: the open event is assembled in one while the event just completed is lent
    /// out from the other, so handing an event over never copies it.
    // Raw storage, not wrapper objects: this is touched for every line.
    private var buf: UnsafeMutablePointer<UInt8>
    private var bufCount = 0
    private var bufCapacity = 64 * 1024
    private var starts: UnsafeMutablePointer<Int32>
    private var startsCount = 0
    private var startsCapacity = 1024
    private var spareBuf: UnsafeMutablePointer<UInt8>
    private var spareBufCapacity = 64 * 1024
    private var spareStarts: UnsafeMutablePointer<Int32>
    private var spareStartsCapacity = 1024
    private var open = false
    private var time: Int64?
    private var flags: EventFlags = []
    /// Whether a line of the open event may hold a backslash (see `EventView`).
    private var backslash = false
    private var lineCount = 0
    private var headerEnd = 0
    /// The time untimed events inherit. Settable inside the module so that a follower resuming
    /// from a checkpoint dates an untimed first event as the uninterrupted run would have.
    var previousTime: Int64?
    /// The open event may lie in the caller's chunk rather than in `buf` (lines pushed with
    /// `inPlace`, back to back): `directStart..<directEnd`, copied into `buf` only if it
    /// outlives the chunk (`detach`) or a line does not follow in place.
    private var direct = false
    private var directStart = UnsafePointer<UInt8>(bitPattern: 1)!
    private var directEnd = UnsafePointer<UInt8>(bitPattern: 1)!

    /// The event completed by the last `push` that returned true.
    public private(set) var completed: EventView?

    public init(parser: TimestampParser, limits: Limits = Limits()) {
        self.parser = parser
        self.limits = limits
        buf = .allocate(capacity: bufCapacity)
        spareBuf = .allocate(capacity: spareBufCapacity)
        starts = .allocate(capacity: startsCapacity)
        spareStarts = .allocate(capacity: spareStartsCapacity)
    }

    /// Back to the state of a new assembler (buffers kept).
    func reset() {
        open = false
        events = 0
        tooLongEvents = 0
        firstTime = nil
        lastTime = nil
        previousTime = nil
        completed = nil
        direct = false
    }

    deinit {
        buf.deallocate()
        spareBuf.deallocate()
        starts.deallocate()
        spareStarts.deallocate()
    }

    /// Classifies a line as the start of a new event, with its time when it has one.
    @inline(__always)
    public func header(_ line: UnsafeBufferPointer<UInt8>) -> HeaderInfo? {
        Self.classify(line, parser)
    }

    /// `header`, with the parser given.
    @inline(__always)
    static func classify(_ line: UnsafeBufferPointer<UInt8>, _ parser: TimestampParser) -> HeaderInfo? {
        let n = line.count
        guard n > 0, let p = line.baseAddress else { return nil }
        let c = p[0]
        // The commonest continuation lines are rejected on their first byte.
        if c == 0x09 { return nil }
        if c == 0x20 { return paddedLevel(p, n, parser) }
        if let (t, end) = parser.find(p, n) { return HeaderInfo(time: t, timeEnd: end) }
        if c == UInt8(ascii: "C") || c == UInt8(ascii: "a") || c == UInt8(ascii: ".") || c == UInt8(ascii: "#") { return nil }
        return untimedHeader(p, n, parser)
    }

    /// Log4j's `%5p` pads the four-letter levels to five: ` INFO [main] …`, ` WARN …`. Only that
    /// one space and those two words: any other line that starts with a space continues.
    @inline(never)
    static func paddedLevel(_ p: UnsafePointer<UInt8>, _ n: Int, _ parser: TimestampParser) -> HeaderInfo? {
        guard n > 6, p[1] == UInt8(ascii: "I") || p[1] == UInt8(ascii: "W"), p[5] == 0x20,
              hasPrefix(p + 1, n - 1, infoWord) || hasPrefix(p + 1, n - 1, warnWord)
        else { return nil }
        if let (t, end) = parser.find(p + 6, n - 6) { return HeaderInfo(time: t, timeEnd: end + 6) }
        return HeaderInfo(time: nil, timeEnd: 0)
    }

    private static let infoWord = Array("INFO".utf8)
    private static let warnWord = Array("WARN".utf8)

    /// The headers without a date (a few lines in most logs): kept out of line so that the
    /// per-line path above stays small.
    @inline(never)
    static func untimedHeader(_ p: UnsafePointer<UInt8>, _ n: Int, _ parser: TimestampParser) -> HeaderInfo? {
        if let h = headerlessStarter(p, n, parser) { return h }
        if levelFirst(p, n) { return HeaderInfo(time: nil, timeEnd: 0) }
        let c = p[0]
        if c &- 0x30 < 10 || c == UInt8(ascii: "[") {
            if let end = clockFirst(p, n) { return HeaderInfo(time: nil, timeEnd: end) }
        } else if let k = composePrefix(p, n), levelFirst(p + k, n - k) {
            return HeaderInfo(time: nil, timeEnd: 0)
        }
        return nil
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// A time of day without a date opening a record: `14:00:30.182 [main] INFO …` (Logback's
    /// default console layout), `14:30:58 WARNING [x] (thread) …`, `[18:48:48] [Server
    /// thread/WARN]: …`, `[18:48:48 INFO]: …`. What follows the time must look like the rest of a
    /// header (`[`, `(` or a level), and a line whose text after the header is a stack line
    /// (`…]: \tat …`, `…]: Caused by: …`) continues the open event: those layouts put the same
    /// prefix on every line of a trace. Returns the offset just past the time.
    static func clockFirst(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let bracket = p[0] == UInt8(ascii: "[")
        let i = bracket ? 1 : 0
        guard n - i >= 11,
              isDigit(p[i]), isDigit(p[i + 1]), p[i + 2] == UInt8(ascii: ":"),
              isDigit(p[i + 3]), isDigit(p[i + 4]), p[i + 5] == UInt8(ascii: ":"),
              isDigit(p[i + 6]), isDigit(p[i + 7])
        else { return nil }
        let hh = Int(p[i] &- 0x30) * 10 + Int(p[i + 1] &- 0x30)
        let mm = Int(p[i + 3] &- 0x30) * 10 + Int(p[i + 4] &- 0x30)
        let ss = Int(p[i + 6] &- 0x30) * 10 + Int(p[i + 7] &- 0x30)
        guard hh < 24, mm < 60, ss < 61 else { return nil }
        var j = i + 8
        if j + 1 < n, p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: ","), isDigit(p[j + 1]) {
            j += 1
            while j < n, isDigit(p[j]) { j += 1 }
        }
        let timeEnd = j
        if bracket {
            if j < n, p[j] == UInt8(ascii: "]") {
                j += 1
            } else if j + 1 < n, p[j] == UInt8(ascii: " "), levelFirst(p + j + 1, n - j - 1) {
                return bodyContinuesTrace(p, n, from: j + 1) ? nil : timeEnd
            } else {
                return nil
            }
        }
        guard j < n, p[j] == UInt8(ascii: " ") else { return nil }
        while j < n, p[j] == UInt8(ascii: " ") { j += 1 }
        guard j < n, p[j] == UInt8(ascii: "[") || p[j] == UInt8(ascii: "(") || levelFirst(p + j, n - j) else { return nil }
        return bodyContinuesTrace(p, n, from: j) ? nil : timeEnd
    }

    private static let atWord = Array("at ".utf8)
    private static let causedBy = Array("Caused by: ".utf8)
    private static let suppressedWord = Array("Suppressed: ".utf8)
    private static let ellipsis = Array("... ".utf8)

    /// Whether the text after a record header (within its first 160 bytes), right after a tab or
    /// after a `: `, `- ` or `| ` separator, is a stack line: a frame, a cause, a suppressed
    /// throwable or a `... N more`.
    static func bodyContinuesTrace(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int) -> Bool {
        let limit = min(n - 1, from + 160)
        var k = from
        while k < limit {
            let c = p[k]
            let sep = c == 0x09 || ((c == UInt8(ascii: ":") || c == UInt8(ascii: "-") || c == UInt8(ascii: "|")) && (p[k + 1] == 0x20 || p[k + 1] == 0x09))
            k += 1
            guard sep else { continue }
            var j = k
            while j < n, p[j] == 0x20 || p[j] == 0x09 { j += 1 }
            if traceLine(p + j, n - j) { return true }
        }
        return false
    }

    /// `at pkg.Class.method(`, `Caused by: `, `Suppressed: `, `... 12 more`.
    static func traceLine(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if hasPrefix(p, n, atWord) {
            var j = 3, dots = 0
            let limit = min(n, 400)
            while j < limit {
                let c = p[j]
                if c == UInt8(ascii: "(") { return dots > 0 }
                if c == UInt8(ascii: ".") {
                    dots += 1
                } else if !(c &- 0x61 < 26 || c &- 0x41 < 26 || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
                            || c == UInt8(ascii: "/") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "-")) {
                    return false
                }
                j += 1
            }
            return false
        }
        if hasPrefix(p, n, causedBy) || hasPrefix(p, n, suppressedWord) { return true }
        return hasPrefix(p, n, ellipsis) && n > 4 && isDigit(p[4])
    }

    /// The prefix docker-compose puts before each line of a service (`app_1  | `): its length,
    /// or nil.
    static func composePrefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let limit = min(n, 64)
        var i = 0
        while i < limit {
            let c = p[i]
            if c &- 0x61 < 26 || c &- 0x41 < 26 || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") {
                i += 1
                continue
            }
            break
        }
        guard i > 0, i < limit, p[i] == 0x20 else { return nil }
        while i < limit, p[i] == 0x20 { i += 1 }
        guard i + 1 < limit, p[i] == UInt8(ascii: "|"), p[i + 1] == 0x20 else { return nil }
        return i + 2
    }

    private static let starters: [[UInt8]] = [
        "DBCP object created ", "Pooled object created ",
        "org.apache.commons.dbcp.AbandonedTrace$AbandonedObjectException: ",
        "Exception in thread \"", "Full thread dump ",
    ].map { Array($0.utf8) }

    private static let daemonWord = Array("daemon".utf8)
    private static let prioWord = Array("prio=".utf8)

    static func hasPrefix(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: [UInt8]) -> Bool {
        guard n >= s.count else { return false }
        for i in 0..<s.count where p[i] != s[i] { return false }
        return true
    }

    static func headerlessStarter(_ p: UnsafePointer<UInt8>, _ n: Int, _ parser: TimestampParser) -> HeaderInfo? {
        let c = p[0]
        if c == UInt8(ascii: "\"") {
            // jstack thread stanza: "name" #12 daemon prio=5 os_prio=0 tid=0x… nid=0x… waiting on condition
            let window = min(n, 200)
            var i = 1
            while i < window, p[i] != UInt8(ascii: "\"") { i += 1 }
            guard i + 2 < window, p[i + 1] == UInt8(ascii: " ") else { return nil }
            let next = p[i + 2]
            if next == UInt8(ascii: "#") || hasPrefix(p + i + 2, n - i - 2, daemonWord) || hasPrefix(p + i + 2, n - i - 2, prioWord) {
                return HeaderInfo(time: nil, timeEnd: 0)
            }
            return nil
        }
        guard c == UInt8(ascii: "D") || c == UInt8(ascii: "P") || c == UInt8(ascii: "o") || c == UInt8(ascii: "E") || c == UInt8(ascii: "F") else { return nil }
        for s in starters where hasPrefix(p, n, s) {
            // dated by the time the text names ("DBCP object created 2023-10-10 16:01:02 by …")
            var i = s.count
            let limit = min(n - 10, 160)
            while i <= limit {
                if p[i] &- 0x30 < 10, p[i - 1] == UInt8(ascii: " "), let (t, _) = parser.parse(at: i, p, n) {
                    return HeaderInfo(time: t, timeEnd: 0)
                }
                i += 1
            }
            return HeaderInfo(time: nil, timeEnd: 0)
        }
        return nil
    }

    private static let levels: [[UInt8]] = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE", "FATAL", "SEVERE", "WARNING", "NOTICE"].map { Array($0.utf8) }

    /// `ERROR …`, `[WARN] …`, `INFO: …` — a level keyword opening the line, then a separator.
    static func levelFirst(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Bool {
        var p = p0
        var n = n0
        if n > 0, p[0] == UInt8(ascii: "[") { p += 1; n -= 1 }
        guard n >= 4, p[0] &- 0x41 < 26 else { return false }
        for lv in levels where hasPrefix(p, n, lv) {
            if n == lv.count { return true }
            let s = p[lv.count]
            // no early `return false`: "WARNING" must still be tried after "WARN" did not fit
            if s == UInt8(ascii: " ") || s == UInt8(ascii: ":") || s == UInt8(ascii: "]") || s == UInt8(ascii: "\t") || s == UInt8(ascii: "|") { return true }
        }
        return false
    }

    /// Adds one line; when it opens a new event, the previous one is handed to `emit` first.
    @inline(__always)
    public func feed(_ line: UnsafeBufferPointer<UInt8>, cut: Bool, _ emit: (EventView) -> Void) {
        if push(line, cut: cut), let e = completed { emit(e) }
    }

    /// Adds one line. Returns true when this line completed the previous event, which is then
    /// available as `completed` until the next call that returns true.
    @inline(__always)
    public func push(_ line: UnsafeBufferPointer<UInt8>, cut: Bool) -> Bool {
        push(line, cut: cut, inPlace: false)
    }

    /// `push` for a line that stays valid, followed by its LF in memory, until `detach()`:
    /// an event of such lines is lent out from the caller's memory, not copied.
    /// `mayHoldBackslash`: false when the caller knows the line holds no backslash.
    @inline(__always)
    public func push(_ line: UnsafeBufferPointer<UInt8>, cut: Bool, inPlace: Bool, mayHoldBackslash: Bool = true) -> Bool {
        var done = false
        if let h = header(line) {
            if open { complete(); done = true }
            begin(line, h, inPlace: inPlace)
        } else if !open {
            // Lines before any header (a file that starts mid-trace): an event of their own.
            begin(line, nil, inPlace: inPlace)
        } else {
            append(line, inPlace: inPlace)
        }
        if cut { flags.insert(.cutLine) }
        if mayHoldBackslash { backslash = true }
        return done
    }

    /// The lines pushed in place are about to go away: the open event moves into `buf`.
    public func detach() {
        if direct { materialize() }
    }

    private func materialize() {
        direct = false
        let n = directEnd - directStart
        if n > bufCapacity { growBuf(n) }
        if n > 0 { buf.update(from: directStart, count: n) }
        bufCount = n
    }

    public func finish(_ emit: (EventView) -> Void) {
        if finish(), let e = completed { emit(e) }
    }

    /// End of input: completes the open event, if any (then available as `completed`).
    public func finish() -> Bool {
        guard open else { return false }
        complete()
        return true
    }

    @inline(__always)
    private func begin(_ line: UnsafeBufferPointer<UInt8>, _ h: HeaderInfo?, inPlace: Bool) {
        open = true
        bufCount = 0
        startsCount = 0
        direct = false
        flags = []
        backslash = false
        lineCount = 0
        if let t = h?.time {
            time = t
            previousTime = t
            if firstTime == nil || t < firstTime! { firstTime = t }
            if lastTime == nil || t > lastTime! { lastTime = t }
        } else {
            time = previousTime
            flags.insert(.untimed)
        }
        headerEnd = h?.timeEnd ?? 0
        if inPlace, let b = line.baseAddress, line.count + 1 <= limits.maxEventBytes, limits.maxLinesPerEvent >= 1 {
            lineCount = 1
            direct = true
            directStart = b
            directEnd = b + line.count
            starts[0] = 0
            startsCount = 1
            return
        }
        append(line, inPlace: false)
    }

    @inline(__always)
    private func append(_ line: UnsafeBufferPointer<UInt8>, inPlace: Bool) {
        lineCount += 1
        let n = line.count
        if direct {
            // in place while the line follows the last one's LF and the limits allow
            if inPlace, let b = line.baseAddress, b == directEnd + 1, lineCount <= limits.maxLinesPerEvent,
               (directEnd - directStart) + n + 1 <= limits.maxEventBytes {
                if startsCount == startsCapacity { growStarts() }
                starts[startsCount] = Int32(b - directStart)
                startsCount += 1
                directEnd = b + n
                return
            }
            materialize()
        }
        // once over the limit, keep nothing more: the kept lines stay the event's first lines
        if flags.contains(.tooLong) || lineCount > limits.maxLinesPerEvent || bufCount + n + 1 > limits.maxEventBytes {
            flags.insert(.tooLong)
            return
        }
        if bufCount + n + 1 > bufCapacity { growBuf(bufCount + n + 1) }
        if startsCount == startsCapacity { growStarts() }
        if startsCount > 0 {
            buf[bufCount] = 0x0A
            bufCount += 1
        }
        starts[startsCount] = Int32(bufCount)
        startsCount += 1
        if n > 0 { (buf + bufCount).update(from: line.baseAddress!, count: n) }
        bufCount += n
    }

    private func complete() {
        open = false
        events += 1
        if flags.contains(.tooLong) { tooLongEvents += 1 }
        let bytes = direct ? UnsafeBufferPointer(start: directStart, count: directEnd - directStart)
            : UnsafeBufferPointer(start: UnsafePointer(buf), count: bufCount)
        direct = false
        completed = EventView(bytes: bytes,
                              lineStarts: UnsafeBufferPointer(start: starts, count: startsCount),
                              time: time, lineCount: lineCount, flags: flags, headerEnd: headerEnd,
                              mayHoldBackslash: backslash)
        swap(&buf, &spareBuf)
        swap(&bufCapacity, &spareBufCapacity)
        swap(&starts, &spareStarts)
        swap(&startsCapacity, &spareStartsCapacity)
    }

    private func growBuf(_ need: Int) {
        var c = bufCapacity * 2
        while c < need { c *= 2 }
        let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        nb.update(from: buf, count: bufCount)
        buf.deallocate()
        buf = nb
        bufCapacity = c
    }

    private func growStarts() {
        let c = startsCapacity * 2
        let nb = UnsafeMutablePointer<Int32>.allocate(capacity: c)
        nb.update(from: starts, count: startsCount)
        starts.deallocate()
        starts = nb
        startsCapacity = c
    }
}
