import Foundation

/// Container log wrappers, unwrapped before framing: Docker's json-file lines
/// (`{"log":"…\n","stream":"stdout","time":"…"}`, long lines split into records without `\n`)
/// and CRI (`2023-10-10T16:30:38.123456789Z stdout F msg`, `P` for a partial line); and
/// structured application logs, one JSON object per line (`json`, see `JSONLogRecord`), turned
/// into the text event a pattern layout would have printed; and a platform's date and tag
/// before every line (`prefixed`, see `LinePrefix`), taken off so that a trace stays one event;
/// and the source before every line of several programs' interleaved output (`kubectl logs
/// --prefix`, `docker compose logs`), taken off and reported with each line, so that each
/// source's lines make its own events.
public struct ContainerUnwrapper {
    /// `prefixed`: a platform's date and tag on every line (`LinePrefix`). `kubectl`:
    /// `[pod/NAME/CONTAINER] ` on every line; `compose`: `NAME  | ` on every line.
    public enum Mode: String, Sendable, Codable { case none, docker, cri, json, prefixed, kubectl, compose }
    public private(set) var mode: Mode {
        didSet { sources.namesInputs = Self.namesInputs(mode) }
    }
    private var pending: [UInt8] = []
    /// A line is being joined, possibly still empty (Docker's `{"log":"\n"}` is a blank line).
    /// Read by followers: a checkpoint must not fall inside a joined line.
    private(set) var hasPending = false
    private var decided = false
    /// Inside Docker or CRI records: whether the payloads are JSON log records (decided by the
    /// first non-empty one).
    private var payloadIsJSON: Bool?
    /// Non-empty lines seen before the mode was decided, and payload lines before
    /// `payloadIsJSON` was.
    private var undecidedLines = 0
    private var undecidedPayloads = 0
    /// The JSON record reader and the text it writes, reused line after line.
    private var json: JSONLogRecord?
    private var jsonText: [UInt8] = []
    private let maxLineLength: Int
    /// Lines with a platform's prefix: its shape, once a line has shown it.
    private var prefix: LinePrefix?
    /// Whether the program's own text has shown record headers (then it, not the platform's
    /// date, says where a record starts).
    private var programHeaders = false
    private var headerParser: TimestampParser?
    private var prefixed: [UInt8] = []
    /// Year and month a syslog stamp (which has no year) is read against: a stamp in a later
    /// month than this is from the year before.
    private let reference: (year: Int, month: Int)
    /// The sources met so far (see `feed(_:sourced:)`). A reference: the caller reads their
    /// names while this unwrapper is busy feeding it lines.
    public let sources = SourceTable()
    /// Behind a source prefix: a platform date on each payload too (`kubectl logs --prefix
    /// --timestamps`), once a payload has shown one; payloads looked at for it so far.
    private var innerPrefix: LinePrefix?
    private var innerLooked = 0

    /// `reference`: when the input was last written (seconds since the epoch; now when nil),
    /// for the year of syslog stamps.
    public init(mode: Mode? = nil, maxLineLength: Int = LineFramer.defaultMaxLineLength, reference: Int64? = nil) {
        self.mode = mode ?? .none
        sources.namesInputs = Self.namesInputs(self.mode)
        decided = mode != nil
        self.maxLineLength = maxLineLength
        let seconds = reference ?? Int64(Date().timeIntervalSince1970)
        let (y, m, _) = JSONLogRecord.civilFromDays(Int((seconds - (seconds < 0 ? 86_399 : 0)) / 86_400))
        self.reference = (y, m)
    }

    /// Decides the mode from the first non-empty line of a file.
    static func detect(_ line: UnsafeBufferPointer<UInt8>) -> Mode {
        let n = line.count
        if n >= 9, line[0] == UInt8(ascii: "{") || line[0] == 0xEF {
            if startsWithJSONKeyLog(line) { return .docker }
            if JSONLogRecord().isLogEvent(line) { return .json }
        }
        if n >= 32, isCRI(line) != nil { return .cri }
        return .none
    }

    /// Non-empty lines that may come before a JSON log's first record (a startup banner
    /// printed as text) without the file being taken for text.
    static let jsonLookahead = 64

    /// The decision on the `ordinal`-th non-empty line of a file (from 0): Docker and CRI
    /// are recognised on the first line only, a JSON log or a platform's line prefix on any of
    /// the first `jsonLookahead`; nil while it is still open.
    static func decide(_ line: UnsafeBufferPointer<UInt8>, ordinal: Int) -> Mode? {
        if ordinal == 0 {
            let m = detect(line)
            if m != .none { return m }
        } else if JSONLogRecord().isLogEvent(line) {
            return .json
        }
        // interleaved output is prefixed from its first line (or the one after `docker compose
        // up`'s "Attaching to …"); a prefixed line further into a log is the log's own text
        if ordinal < 2, let m = sourcePrefix(line) { return m }
        if detectPrefix(line, nil) != nil { return .prefixed }
        return ordinal + 1 >= jsonLookahead ? Mode.none : nil
    }

    /// Whether the sources of `mode` are the producers of an interleaved stream (pods,
    /// services), named as the input's sources in a report; a syslog or platform tag names the
    /// process of a file's one program.
    static func namesInputs(_ mode: Mode) -> Bool { mode == .kubectl || mode == .compose }

    /// `kubectl` when `line` opens with `[pod/NAME/CONTAINER] `; `compose` when it opens with
    /// `NAME  | ` followed by a dated header, a level or a stack line (`| ` alone is too common
    /// in text).
    static func sourcePrefix(_ line: UnsafeBufferPointer<UInt8>) -> Mode? {
        guard let p = line.baseAddress, line.count >= 9 else { return nil }
        let n = line.count
        if LinePrefix.kubectl(p, n) != nil { return .kubectl }
        if let k = EventAssembler.composePrefix(p, n) {
            var i = k
            while i < n, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
            if startsDated(UnsafeBufferPointer(rebasing: line[k...]), utcParser()) || EventAssembler.levelFirst(p + k, n - k)
                || EventAssembler.traceLine(p + i, n - i) { return .compose }
        }
        return nil
    }

    /// The platform prefix `line` shows (see `LinePrefix.detect`): after a bare date, the text
    /// must be a dated record header or a stack line.
    static func detectPrefix(_ line: UnsafeBufferPointer<UInt8>, _ parser: TimestampParser?) -> LinePrefix? {
        LinePrefix.detect(line) { payload in
            // a stack line, however indented (padding alone proves nothing: Spring Boot's
            // `%5p` puts two spaces after its own ISO timestamp)
            if let p = payload.baseAddress {
                var i = 0
                while i < payload.count, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
                if EventAssembler.traceLine(p + i, payload.count - i) { return true }
            }
            return startsDated(payload, parser ?? utcParser())
        }
    }

    /// A parser for telling whether text holds a timestamp (the instant it gives is not used).
    private static func utcParser() -> TimestampParser {
        TimestampParser(zone: ZoneResolver(TimeZone(identifier: "UTC")!))
    }

    /// Whether a text opens with a timestamp (`2023-10-10 16:00:01 …`, `[2023-10-10 …] …`): a
    /// program's own dated header. A date further in is message text.
    static func startsDated(_ l: UnsafeBufferPointer<UInt8>, _ parser: TimestampParser) -> Bool {
        guard let p = l.baseAddress, l.count >= 11 else { return false }
        let at = p[0] == UInt8(ascii: "[") ? 1 : 0
        return p[at] &- 0x30 < 10 && parser.parse(at: at, p, l.count) != nil
    }

    /// A line that continues the record before it whatever the layout: indented, or a stack
    /// line (`Caused by: …`, `... 12 more`, `at …`).
    static func continuesRecord(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = l.baseAddress, l.count > 0 else { return false }
        return p[0] == 0x20 || p[0] == 0x09 || EventAssembler.traceLine(p, l.count)
    }

    private static func startsWithJSONKeyLog(_ l: UnsafeBufferPointer<UInt8>) -> Bool {
        let key = Array("\"log\":".utf8)
        var i = 1
        while i < l.count, l[i] == UInt8(ascii: " ") { i += 1 }
        guard i + key.count <= l.count else { return false }
        for k in 0..<key.count where l[i + k] != key[k] { return false }
        return true
    }

    /// Returns (isPartial, payloadStart) when the line has the CRI shape.
    private static func isCRI(_ l: UnsafeBufferPointer<UInt8>) -> (Bool, Int)? {
        // RFC3339Nano timestamp, space, stream, space, P|F, space
        guard l.count > 20, l[4] == UInt8(ascii: "-"), l[10] == UInt8(ascii: "T") else { return nil }
        var i = 11
        while i < l.count, l[i] != UInt8(ascii: " ") { i += 1 }
        i += 1
        let streamStart = i
        while i < l.count, l[i] != UInt8(ascii: " ") { i += 1 }
        let stream = i - streamStart
        guard stream == 6, i + 2 < l.count + 1 else { return nil }
        i += 1
        guard i < l.count else { return nil }
        let tag = l[i]
        guard tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F") else { return nil }
        let payload = i + 1 < l.count ? i + 2 : l.count
        return (tag == UInt8(ascii: "P"), min(payload, l.count))
    }

    /// True once the input is known to be unwrapped text: lines pass through untouched.
    public var passthrough: Bool { decided && mode == .none }

    /// Unwraps one physical line into zero or more logical lines.
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, _ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        feed(line, sourced: { l, _ in out(l) })
    }

    /// `feed`, with the source of each logical line: the number of the pod, service or process
    /// its prefix names (from 1, in order of appearance, at most `SourceTable.maxSources`), so
    /// that a caller can assemble each source's events apart. A line that names none is from
    /// the source of the line before (0 before any, and in logs of one source).
    public mutating func feed(_ line: UnsafeBufferPointer<UInt8>, sourced emit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        func out(_ l: UnsafeBufferPointer<UInt8>) { emit(l, 0) }
        if !decided {
            if line.isEmpty { out(line); return }
            guard let m = Self.decide(line, ordinal: undecidedLines) else {
                // text before a JSON log's first record, or the first lines of a text log
                undecidedLines += 1
                out(line)
                return
            }
            mode = m
            decided = true
        }
        switch mode {
        case .none:
            out(line)
        case .cri:
            guard let (partial, start) = Self.isCRI(line) else {
                flushPending(out)
                out(line)
                return
            }
            let payload = UnsafeBufferPointer(rebasing: line[start...])
            if partial {
                appendPending(payload)
            } else if !hasPending {
                emitPayload(payload, out)
            } else {
                appendPending(payload)
                flushPending(out)
            }
        case .docker:
            guard let (text, ends) = Self.dockerLog(line) else {
                flushPending(out)
                out(line)
                return
            }
            text.withUnsafeBufferPointer { appendPending($0) }
            if ends { flushPending(out) }
        case .json:
            // a line that is not a JSON log record (a banner, a plain line) passes as it is
            if !emitRecord(line, out) { out(line) }
        case .prefixed:
            if prefix == nil { prefix = Self.detectPrefix(line, parser()) }
            emitPrefixed(line, prefix, source: sources.last, emit)
        case .kubectl, .compose:
            emitSourced(line, emit)
        }
    }

    private mutating func parser() -> TimestampParser {
        if let headerParser { return headerParser }
        let p = Self.utcParser()
        headerParser = p
        return p
    }

    /// One line of interleaved sources: the source prefix comes off and names the line's
    /// source; a line without it passes as it is, from the source of the line before.
    private mutating func emitSourced(_ line: UnsafeBufferPointer<UInt8>, _ emit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        guard let p = line.baseAddress else { emit(line, sources.last); return }
        let n = line.count
        let start: Int, keyLength: Int
        if mode == .kubectl {
            guard let k = LinePrefix.kubectl(p, n) else { emit(line, sources.last); return }
            start = k
            keyLength = k == n ? n : k - 1
        } else {
            guard let k = EventAssembler.composePrefix(p, n) else { emit(line, sources.last); return }
            start = k
            var e = 0
            while p[e] != 0x20 { e += 1 }
            keyLength = e
        }
        let source = sources.id(p, keyLength)
        let payload = UnsafeBufferPointer(rebasing: line[start...])
        if innerPrefix == nil, innerLooked < Self.jsonLookahead, !payload.isEmpty {
            innerLooked += 1
            innerPrefix = Self.detectPrefix(payload, parser())
        }
        if innerPrefix != nil {
            emitPrefixed(payload, innerPrefix, source: source, emit)
        } else {
            emit(payload, source)
        }
    }

    /// One line of a log whose every line carries a platform's prefix. The program's text
    /// (payload) goes on as it is when it opens with its own timestamp, and a continuation line
    /// (a frame, `Caused by: …`; any line, once the program has shown headers of its own)
    /// continues the record, as the program wrote it. Other lines (a header without a date,
    /// the bare messages of a program that writes no headers) are dated by the platform: the
    /// prefix's date, then the text (a syslog stamp written as `YYYY-MM-DD HH:MM:SS`). A line
    /// without the prefix passes as it is.
    /// The platform's tag (`web-1 java[1234]:`, `app[web.1]:`) names the line's source;
    /// after a bare date, and on a line without the prefix (a trace's lines that syslog
    /// forwarded as one message), the line is from `source`.
    private mutating func emitPrefixed(_ line: UnsafeBufferPointer<UInt8>, _ shape: LinePrefix?, source outer: Int,
                                       _ emit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        let parser = parser()
        guard let shape, let base = line.baseAddress, let s = shape.split(base, line.count) else {
            emit(line, outer)
            return
        }
        var tagLength = s.payload - s.stampEnd - 1
        while tagLength > 0, base[s.stampEnd + tagLength] == 0x20 { tagLength -= 1 }
        let source = tagLength > 0 ? sources.id(base + s.stampEnd + 1, tagLength) : outer
        func out(_ l: UnsafeBufferPointer<UInt8>) { emit(l, source) }
        let payload = UnsafeBufferPointer(rebasing: line[s.payload...])
        if payload.isEmpty { out(payload); return }
        if Self.startsDated(payload, parser) {
            programHeaders = true
            out(payload)
            return
        }
        if EventAssembler.classify(payload, parser) != nil {
            // a header without a date of its own (`ERROR [main] …`): dated by the platform
            programHeaders = true
        } else if programHeaders || Self.continuesRecord(payload) {
            out(payload)
            return
        }
        prefixed.removeAll(keepingCapacity: true)
        if shape.stamp == .iso {
            prefixed.append(contentsOf: UnsafeBufferPointer(start: base, count: s.stampEnd))
        } else {
            appendSyslogDate(base, s.stampEnd)
        }
        prefixed.append(0x20)
        prefixed.append(contentsOf: payload)
        prefixed.withUnsafeBufferPointer { out($0) }
    }

    /// A syslog stamp as `YYYY-MM-DD HH:MM:SS[.f]`, in the reference's year, or the year
    /// before for a later month.
    private mutating func appendSyslogDate(_ p: UnsafePointer<UInt8>, _ end: Int) {
        let (month, day, clock) = LinePrefix.syslogParts(p, end)
        let year = month > reference.month ? reference.year - 1 : reference.year
        func two(_ v: Int) { prefixed.append(UInt8(0x30 + v / 10)); prefixed.append(UInt8(0x30 + v % 10)) }
        two(year / 100)
        two(year % 100)
        prefixed.append(UInt8(ascii: "-"))
        two(month)
        prefixed.append(UInt8(ascii: "-"))
        two(day)
        prefixed.append(0x20)
        prefixed.append(contentsOf: clock)
    }

    public mutating func finish(_ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        flushPending(out)
    }

    private mutating func appendPending(_ b: UnsafeBufferPointer<UInt8>) {
        hasPending = true
        let room = maxLineLength - pending.count
        if room > 0 { pending.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<min(b.count, room)])) }
    }

    private mutating func flushPending(_ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard hasPending else { return }
        hasPending = false
        // a payload may itself hold several lines
        Self.splitLines(pending) { line in emitPayload(line, out) }
        pending.removeAll(keepingCapacity: true)
    }

    /// One line of a Docker or CRI payload. Around a JSON log (what a Kubernetes node keeps)
    /// both layers are unwrapped.
    private mutating func emitPayload(_ line: UnsafeBufferPointer<UInt8>, _ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        if payloadIsJSON != false {
            if payloadIsJSON == nil, !line.isEmpty {
                // as for a file: a banner may come before the first record
                if reader().isLogEvent(line) {
                    payloadIsJSON = true
                } else {
                    undecidedPayloads += 1
                    if undecidedPayloads >= Self.jsonLookahead { payloadIsJSON = false }
                }
            }
            if payloadIsJSON == true, emitRecord(line, out) { return }
        }
        out(line)
    }

    private mutating func reader() -> JSONLogRecord {
        if let json { return json }
        let r = JSONLogRecord()
        json = r
        return r
    }

    /// A JSON log record's event text, line by line; false when `line` is not a record.
    private mutating func emitRecord(_ line: UnsafeBufferPointer<UInt8>, _ out: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        guard reader().text(line, into: &jsonText) else { return false }
        Self.splitLines(jsonText, out)
        return true
    }

    private static func splitLines(_ text: [UInt8], _ out: (UnsafeBufferPointer<UInt8>) -> Void) {
        text.withUnsafeBufferPointer { buf in
            var start = 0
            for i in 0..<buf.count where buf[i] == 0x0A {
                out(UnsafeBufferPointer(rebasing: buf[start..<i]))
                start = i + 1
            }
            out(UnsafeBufferPointer(rebasing: buf[start...]))
        }
    }

    /// The unescaped `log` value and whether it ended with a newline.
    static func dockerLog(_ l: UnsafeBufferPointer<UInt8>) -> ([UInt8], Bool)? {
        let key = Array("\"log\":".utf8)
        var i = 0
        // find "log": key
        search: while i + key.count < l.count {
            for k in 0..<key.count where l[i + k] != key[k] {
                i += 1
                continue search
            }
            break
        }
        guard i + key.count < l.count else { return nil }
        i += key.count
        while i < l.count, l[i] == UInt8(ascii: " ") { i += 1 }
        guard i < l.count, l[i] == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(l.count)
        guard JSONString.unescape(l, from: i + 1, into: &out) != nil else { return nil }
        var ends = false
        while let last = out.last, last == 0x0A || last == 0x0D {
            if last == 0x0A { ends = true }
            out.removeLast()
        }
        return (out, ends)
    }
}

/// The sources an input's line prefixes name (a pod and container, a service, a host and
/// process), numbered from 1 in order of appearance; 0 is a line before any.
public final class SourceTable {
    /// Sources beyond this many share source 0 (their lines are assembled together again).
    static let maxSources = 4096
    private var ids: [[UInt8]: Int] = [:]
    private var keys: [[UInt8]] = []
    private var lastKey: [UInt8] = []
    /// The source of the last line that named one.
    private(set) var last = 0
    /// Whether the sources are the input's producers (see `ContainerUnwrapper.namesInputs`):
    /// kept here, where a caller can read it while the unwrapper feeds it lines.
    public internal(set) var namesInputs = false

    /// The number of the source named by `count` bytes at `p`.
    func id(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        // runs of lines from one source are the common case
        if count == lastKey.count, lastKey.withUnsafeBufferPointer({ count == 0 || memcmp($0.baseAddress!, p, count) == 0 }) {
            return last
        }
        // a few sources (the pods of one deployment): found without making a key
        if keys.count <= 16 {
            for (i, k) in keys.enumerated() where k.count == count
                && k.withUnsafeBufferPointer({ count == 0 || memcmp($0.baseAddress!, p, count) == 0 }) {
                lastKey = k
                last = i + 1
                return last
            }
        }
        let key = Array(UnsafeBufferPointer(start: p, count: count))
        let id: Int
        if let known = ids[key] {
            id = known
        } else if keys.count < Self.maxSources {
            keys.append(key)
            id = keys.count
            ids[key] = id
        } else {
            id = 0
        }
        lastKey = key
        last = id
        return id
    }

    /// Source `id` as its prefix names it, without brackets or colon (`pod/orders-1/app`,
    /// `orders-1`, `web-1 java[1234]`); nil for 0.
    public func name(_ id: Int) -> String? {
        guard id > 0, id <= keys.count else { return nil }
        var k = keys[id - 1][...]
        if k.first == UInt8(ascii: "["), k.last == UInt8(ascii: "]") { k = k.dropFirst().dropLast() }
        if k.last == UInt8(ascii: ":") { k = k.dropLast() }
        return String(decoding: k, as: UTF8.self)
    }
}
