/// Structured application logs: one JSON object per line, as Logstash's Logback encoder,
/// Elastic's ECS layouts, Spring Boot's structured logging and Log4j2's JSON layouts write
/// them (and as `kubectl logs` prints them). Each record is rewritten as the text event a
/// pattern layout would have printed — `time LEVEL [thread] logger - message`, then the stack
/// trace on its own lines — so framing, the catalog and the exception parser read it like any
/// other log.
struct JSONLogRecord {
    /// Top-level members, nested objects flattened with dots (`error.stack_trace`): string
    /// values unescaped, numbers and true/false as written, nulls left out. An array of strings
    /// is its lines joined (a trace rendered as an array); an array of frame objects
    /// (`{"class", "method", "file", "line"}`) is its `\tat …` lines; other arrays are skipped.
    private(set) var members: [(key: [UInt8], value: [UInt8])] = []

    static let timeKeys = keys("@timestamp", "timestamp", "time", "date", "datetime", "ts", "timeMillis", "instant.epochSecond")
    static let levelKeys = keys("level", "log.level", "severity", "levelname", "loglevel")
    static let threadKeys = keys("thread_name", "process.thread.name", "thread", "threadName")
    static let loggerKeys = keys("logger_name", "log.logger", "loggerName", "logger")
    static let messageKeys = keys("message", "msg", "short_message", "full_message")
    static let traceKeys = keys("stack_trace", "error.stack_trace", "exception", "stacktrace", "stackTrace",
                                "exception.stacktrace", "exception.stack_trace", "error.stack", "throwable")
    /// Throwables written as objects: Log4j2's JsonLayout `thrown`, Quarkus's `exception`.
    static let throwableObjects = keys("thrown", "exception", "error", "throwable")

    private static func keys(_ k: String...) -> [[UInt8]] { k.map { Array($0.utf8) } }

    func value(_ candidates: [[UInt8]]) -> [UInt8]? {
        for c in candidates {
            if let m = members.first(where: { $0.key == c }) { return m.value }
        }
        return nil
    }

    /// A line that is one JSON object, or nil.
    init?(_ line: UnsafeBufferPointer<UInt8>) {
        var p = Parser(b: line)
        // a UTF-8 byte order mark on the first line
        if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { p.i = 3 }
        p.skipSpace()
        guard p.i < line.count, line[p.i] == UInt8(ascii: "{") else { return nil }
        guard p.object(prefix: [], into: &members, depth: 0) else { return nil }
        p.skipSpace()
        guard p.i == line.count else { return nil }
    }

    var hasMessage: Bool { value(Self.messageKeys) != nil }

    /// Whether the record looks like a log event (what decides that a file is a JSON log): a
    /// message and a time or a level.
    var isLogEvent: Bool {
        hasMessage && (value(Self.timeKeys) != nil || value(Self.levelKeys) != nil)
    }

    /// The event as text lines (`\n`-separated, no trailing newline).
    func text() -> [UInt8] {
        var out: [UInt8] = []
        func word(_ v: [UInt8]) {
            if !out.isEmpty { out.append(0x20) }
            out += v
        }
        if let t = time() { word(t) }
        if let l = value(Self.levelKeys) { word(Self.levelName(l)) }
        if let th = value(Self.threadKeys) { word([UInt8(ascii: "[")] + th + [UInt8(ascii: "]")]) }
        if let lg = value(Self.loggerKeys) { word(lg) }
        let message = value(Self.messageKeys) ?? []
        if !out.isEmpty { out += Array(" - ".utf8) }
        out += message
        var trace = value(Self.traceKeys)
        if trace == nil {
            for k in Self.throwableObjects {
                if let t = throwable(k, depth: 0) { trace = t; break }
            }
        }
        if trace == nil, var full = value(Self.keys("full_message")), full != message {
            // GELF: the short message, then the full one (often the message and the trace)
            if full.starts(with: message) { full.removeFirst(message.count) }
            while full.first == 0x0A || full.first == 0x0D { full.removeFirst() }
            trace = full
        }
        if let trace, !trace.isEmpty, trace != message {
            while out.last == 0x0A || out.last == 0x0D { out.removeLast() }
            out.append(0x0A)
            out += trace
        }
        while out.last == 0x0A || out.last == 0x0D { out.removeLast() }
        return out
    }

    /// A throwable written as an object under `prefix`: its class and message, its frames,
    /// then its cause as `Caused by:`.
    private func throwable(_ prefix: [UInt8], depth: Int) -> [UInt8]? {
        guard depth < 16 else { return nil }
        func at(_ names: String...) -> [UInt8]? {
            value(names.map { prefix + [UInt8(ascii: ".")] + Array($0.utf8) })
        }
        guard let name = at("name", "exceptionType", "className", "class", "type") else { return nil }
        var out = name
        if let m = at("message", "localizedMessage"), !m.isEmpty { out += Array(": ".utf8) + m }
        if let frames = at("extendedStackTrace", "stackTrace", "frames", "stack_trace"), !frames.isEmpty {
            out.append(0x0A)
            out += frames
        }
        for c in ["cause", "causedBy.exception", "causedBy"] {
            if let cause = throwable(prefix + [UInt8(ascii: ".")] + Array(c.utf8), depth: depth + 1) {
                out += Array("\nCaused by: ".utf8) + cause
                break
            }
        }
        return out
    }

    /// Upper-cased; a syslog severity number (GELF) as the level word it stands for.
    static func levelName(_ l: [UInt8]) -> [UInt8] {
        if l.count == 1, let d = l.first, d &- 0x30 < 8 {
            let names = ["ERROR", "ERROR", "ERROR", "ERROR", "WARN", "INFO", "INFO", "DEBUG"]
            return Array(names[Int(d - 0x30)].utf8)
        }
        return l.map { $0 &- 0x61 < 26 ? $0 - 32 : $0 }
    }

    /// The time as written when it is text, or an epoch number (seconds, milliseconds, or
    /// Log4j2's `instant` seconds and nanoseconds) written as ISO-8601 UTC.
    private func time() -> [UInt8]? {
        guard let t = value(Self.timeKeys), let c = t.first else { return nil }
        guard c &- 0x30 < 10 else { return t }
        var text = String(decoding: t, as: UTF8.self)
        if members.contains(where: { $0.key == Array("instant.epochSecond".utf8) }),
           let nanos = value(Self.keys("instant.nanoOfSecond")) {
            let n = String(decoding: nanos, as: UTF8.self)
            text += "." + String(repeating: "0", count: max(0, 9 - n.count)) + n
        }
        // a number (`1709604930.123`, `1.709604930123E9`); a date with dashes is not one
        guard let v = Double(text), v.isFinite, v < 1e24 else { return t }
        // seconds (until the year 5138), milliseconds, microseconds or nanoseconds
        let ms = v < 1e11 ? Int64((v * 1000).rounded(.down)) : v < 1e14 ? Int64(v) : v < 1e17 ? Int64(v / 1e3) : Int64(v / 1e6)
        return Array(Self.iso(ms).utf8)
    }

    static func iso(_ ms: Int64) -> String {
        let secs = Int(ms.floorDiv(1000))
        let milli = Int(ms - Int64(secs) * 1000)
        let days = secs.floorDiv(86_400)
        let sod = secs - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func two(_ x: Int) -> String { x < 10 ? "0\(x)" : "\(x)" }
        let frac = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return "\(y)-\(two(m))-\(two(d))T\(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60)).\(frac)Z"
    }

    /// Days since 1970-01-01 → civil date (proleptic Gregorian), the inverse of `daysFromCivil`.
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// A small strict JSON reader over one line: objects are flattened, arrays read as lines
    /// (see `members`).
    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
        }

        mutating func object(prefix: [UInt8], into members: inout [(key: [UInt8], value: [UInt8])], depth: Int) -> Bool {
            guard depth < 64, i < b.count, b[i] == UInt8(ascii: "{") else { return false }
            i += 1
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return true }
            while true {
                skipSpace()
                guard let k = string() else { return false }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                guard i < b.count else { return false }
                let key = prefix.isEmpty ? k : prefix + [UInt8(ascii: ".")] + k
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let v = string() else { return false }
                    members.append((key, v))
                case UInt8(ascii: "{"):
                    guard object(prefix: key, into: &members, depth: depth + 1) else { return false }
                case UInt8(ascii: "["):
                    guard let v = array(depth: depth + 1) else { return false }
                    if let v { members.append((key, v)) }
                default:
                    let s = i
                    while i < b.count, !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") || b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                    guard i > s else { return false }
                    let v = Array(b[s..<i])
                    if v != Self.null { members.append((key, v)) }
                }
                skipSpace()
                guard i < b.count else { return false }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        static let null = Array("null".utf8)

        /// An array at `i`: nil when malformed; `.some(nil)` when it is neither strings nor
        /// frames (skipped); else its lines.
        mutating func array(depth: Int) -> [UInt8]?? {
            guard depth < 64 else { return nil }
            i += 1   // [
            var lines: [[UInt8]] = []
            var usable = true
            while true {
                skipSpace()
                guard i < b.count else { return nil }
                switch b[i] {
                case UInt8(ascii: "]"):
                    i += 1
                    return .some(usable && !lines.isEmpty ? Array(lines.joined(separator: [0x0A])) : nil)
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "\""):
                    guard let v = string() else { return nil }
                    lines.append(v)
                case UInt8(ascii: "{"):
                    var fields: [(key: [UInt8], value: [UInt8])] = []
                    guard object(prefix: [], into: &fields, depth: depth + 1) else { return nil }
                    if let f = Self.frameLine(fields) { lines.append(f) } else { usable = false }
                case UInt8(ascii: "["):
                    guard array(depth: depth + 1) != nil else { return nil }
                    usable = false
                default:
                    let s = i
                    while i < b.count, !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "]") || b[i] == 0x20) { i += 1 }
                    guard i > s else { return nil }
                    usable = false
                }
            }
        }

        /// `{"class": "a.B", "method": "m", "file": "B.java", "line": 12}` (Log4j2, Quarkus and
        /// the like) → `\tat a.B.m(B.java:12)`; nil when the object is not a frame.
        static func frameLine(_ f: [(key: [UInt8], value: [UInt8])]) -> [UInt8]? {
            func get(_ names: String...) -> [UInt8]? {
                for n in names { if let m = f.first(where: { $0.key == Array(n.utf8) }) { return m.value } }
                return nil
            }
            guard let cls = get("class", "className", "declaringClass"), let method = get("method", "methodName") else { return nil }
            var out = Array("\tat ".utf8) + cls + [UInt8(ascii: ".")] + method + [UInt8(ascii: "(")]
            if let file = get("file", "fileName") {
                out += file
                if let line = get("line", "lineNumber"), line.first.map({ $0 &- 0x30 < 10 }) == true { out += [UInt8(ascii: ":")] + line }
            } else if let line = get("line", "lineNumber"), line.first.map({ $0 &- 0x30 < 10 }) == true {
                // Quarkus gives no file: the simple class name stands in for it
                let simple = cls.split(separator: UInt8(ascii: ".")).last.map(Array.init) ?? cls
                out += simple + Array(".java:".utf8) + line
            } else {
                out += Array("Unknown Source".utf8)
            }
            return out + [UInt8(ascii: ")")]
        }

        /// A string at `i` (which must be a quote), unescaped.
        mutating func string() -> [UInt8]? {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
            var out: [UInt8] = []
            guard let r = JSONString.unescape(b, from: i + 1, into: &out), r.closed else { return nil }
            i = r.end
            return out
        }
    }
}

/// JSON string contents → bytes.
enum JSONString {
    /// Unescapes from `start` (just past the opening quote) to the closing quote. Returns where
    /// reading stopped (past the quote) and whether the quote was found, or nil for a bad
    /// `\u` escape.
    static func unescape(_ b: UnsafeBufferPointer<UInt8>, from start: Int, into out: inout [UInt8]) -> (end: Int, closed: Bool)? {
        var i = start
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { return (i + 1, true) }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            guard i + 1 < b.count else { break }
            let e = b[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var cp = hex4(b, i) else { return nil }
                i += 4
                if cp >= 0xD800 && cp < 0xDC00, i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u"),
                   let lo = hex4(b, i + 2), lo >= 0xDC00 && lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                out += Array(String(Character(Unicode.Scalar(cp) ?? "\u{FFFD}")).utf8)
            default: out.append(e)
            }
        }
        return (b.count, false)
    }

    static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[at + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
}

private extension BinaryInteger {
    func floorDiv(_ d: Self) -> Self {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
