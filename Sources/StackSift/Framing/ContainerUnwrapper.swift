/// Container log wrappers, unwrapped before framing: Docker's json-file lines
/// (`{"log":"…\n","stream":"stdout","time":"…"}`, long lines split into records without `\n`)
/// and CRI (`2023-10-10T16:30:38.123456789Z stdout F msg`, `P` for a partial line); and
/// structured application logs, one JSON object per line (`json`, see `JSONLogRecord`), turned
/// into the text event a pattern layout would have printed.
public struct ContainerUnwrapper {
    public enum Mode: String, Sendable, Codable { case none, docker, cri, json }
    public private(set) var mode: Mode
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

    public init(mode: Mode? = nil, maxLineLength: Int = LineFramer.defaultMaxLineLength) {
        self.mode = mode ?? .none
        decided = mode != nil
        self.maxLineLength = maxLineLength
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
    /// are recognised on the first line only, a JSON log on any of the first `jsonLookahead`;
    /// nil while it is still open.
    static func decide(_ line: UnsafeBufferPointer<UInt8>, ordinal: Int) -> Mode? {
        if ordinal == 0 {
            let m = detect(line)
            if m != .none { return m }
        } else if JSONLogRecord().isLogEvent(line) {
            return .json
        }
        return ordinal + 1 >= jsonLookahead ? Mode.none : nil
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
        }
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
