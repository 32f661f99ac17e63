#if canImport(Glibc)
import Glibc
#endif

/// Structured application logs: one JSON object per line, as Logstash's Logback encoder,
/// Elastic's ECS layouts, Spring Boot's structured logging and Log4j2's JSON layouts write
/// them (and as `kubectl logs` prints them). Each record is rewritten as the text event a
/// pattern layout would have printed — `time LEVEL [thread] logger - message`, then the stack
/// trace on its own lines — so framing, the catalog and the exception parser read it like any
/// other log.
///
/// One reader is reused line after line: keys and values go into flat byte buffers that keep
/// their capacity, so a record costs no allocation once the buffers have grown.
final class JSONLogRecord {
    /// Members of the last record parsed: top-level members, nested objects flattened with
    /// dots (`error.stack_trace`); string values unescaped, numbers and true/false as written,
    /// nulls left out. An array of strings is its lines joined (a trace rendered as an array);
    /// an array of frame objects (`{"class", "method", "file", "line"}`) is its `\tat …`
    /// lines; other arrays are left out. Ranges index `keys` and `values`.
    private struct Member {
        var keyStart: Int, keyEnd: Int, valueStart: Int, valueEnd: Int
    }
    private var members: [Member] = []
    private var keys: [UInt8] = []
    private var values: [UInt8] = []
    /// A frame line being built from an object inside an array.
    private var scratch: [UInt8] = []
    /// The record has a top-level object named like a throwable (`thrown`, `exception`…):
    /// only then are throwable objects looked for.
    private var throwableObject = false

    static let timeKeys = list("@timestamp", "timestamp", "time", "date", "datetime", "ts", "timeMillis", "instant.epochSecond")
    static let levelKeys = list("level", "log.level", "severity", "levelname", "loglevel")
    static let threadKeys = list("thread_name", "process.thread.name", "thread", "threadName")
    static let loggerKeys = list("logger_name", "log.logger", "loggerName", "logger")
    static let messageKeys = list("message", "msg", "short_message", "full_message")
    static let traceKeys = list("stack_trace", "error.stack_trace", "exception", "stacktrace", "stackTrace",
                                "exception.stacktrace", "exception.stack_trace", "error.stack", "throwable")
    /// Throwables written as objects: Log4j2's JsonLayout `thrown`, Quarkus's `exception`.
    static let throwableObjects = list("thrown", "exception", "error", "throwable")
    static let fullMessage = list("full_message")
    static let nanoOfSecond = list("instant.nanoOfSecond")
    static let epochSecond = list("instant.epochSecond")
    // parts of a throwable object, after its prefix and a dot
    static let throwableName = list("name", "exceptionType", "className", "class", "type")
    static let throwableMessage = list("message", "localizedMessage")
    static let throwableFrames = list("extendedStackTrace", "stackTrace", "frames", "stack_trace")
    static let throwableCause = list("cause", "causedBy.exception", "causedBy")
    // parts of a frame object
    static let frameClass = list("class", "className", "declaringClass")
    static let frameMethod = list("method", "methodName")
    static let frameFile = list("file", "fileName")
    static let frameLine = list("line", "lineNumber")

    private static func list(_ k: String...) -> [[UInt8]] { k.map { Array($0.utf8) } }

    /// Parses `line` as one JSON object; false (and no members) when it is not one.
    func parse(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        members.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        throwableObject = false
        var p = Parser(b: line, record: self)
        // a UTF-8 byte order mark on the first line
        if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { p.i = 3 }
        p.skipSpace()
        guard p.i < line.count, line[p.i] == UInt8(ascii: "{"), p.object(prefixEnd: -1, depth: 0) else {
            members.removeAll(keepingCapacity: true)
            return false
        }
        p.skipSpace()
        if p.i != line.count { members.removeAll(keepingCapacity: true); return false }
        return true
    }

    /// Whether `line` is a JSON log record: an object with a message and a time or a level
    /// (what decides that a file, or a container's payloads, are a JSON log).
    func isLogEvent(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let c = line.first, c == UInt8(ascii: "{") || c == 0xEF, parse(line) else { return false }
        return find(Self.messageKeys) != nil && (find(Self.timeKeys) != nil || find(Self.levelKeys) != nil)
    }

    /// The event text of `line` (`\n`-separated lines, no trailing newline) into `out`
    /// (replacing its contents); false when the line is not a JSON record with a message.
    func text(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard parse(line), let message = find(Self.messageKeys) else { return false }
        func word(_ r: Range<Int>) {
            if !out.isEmpty { out.append(0x20) }
            out += values[r]
        }
        if let t = find(Self.timeKeys) {
            if !appendEpochTime(t, into: &out) { out += values[t] }
        }
        if let l = find(Self.levelKeys) { appendLevel(l, into: &out) }
        if let th = find(Self.threadKeys) {
            if !out.isEmpty { out.append(0x20) }
            out.append(UInt8(ascii: "["))
            out += values[th]
            out.append(UInt8(ascii: "]"))
        }
        if let lg = find(Self.loggerKeys) { word(lg) }
        if !out.isEmpty { out += [0x20, UInt8(ascii: "-"), 0x20] }
        out += values[message]
        let mark = out.count
        out.append(0x0A)
        if let trace = find(Self.traceKeys) {
            if values[trace] != values[message] { out += values[trace] }
        } else if !(throwableObject && Self.throwableObjects.contains(where: { appendThrowable(prefix: $0, into: &out, depth: 0) })),
                  let full = find(Self.fullMessage), values[full] != values[message] {
            // GELF: the short message, then the full one (often the message and the trace)
            var s = full.lowerBound
            if values[full].starts(with: values[message]) { s += message.count }
            while s < full.upperBound, values[s] == 0x0A || values[s] == 0x0D { s += 1 }
            out += values[s..<full.upperBound]
        }
        if out.count == mark + 1 { out.removeLast() }
        while out.last == 0x0A || out.last == 0x0D { out.removeLast() }
        // no empty line between the message and the trace
        if out.count > mark, mark > 0 {
            var k = mark
            while k > 0, out[k - 1] == 0x0A || out[k - 1] == 0x0D { k -= 1 }
            if k < mark { out.removeSubrange(k..<mark) }
        }
        return true
    }

    // MARK: lookups (no allocation)

    /// The value of the first candidate key present.
    private func find(_ candidates: [[UInt8]]) -> Range<Int>? {
        find(prefix: [], candidates)
    }

    /// The value of `prefix` + `.` + the first candidate present (the candidate alone when
    /// `prefix` is empty).
    private func find(prefix: [UInt8], _ candidates: [[UInt8]]) -> Range<Int>? {
        let p = prefix.isEmpty ? 0 : prefix.count + 1
        return keys.withUnsafeBufferPointer { kb -> Range<Int>? in
            members.withUnsafeBufferPointer { mb -> Range<Int>? in
                for c in candidates {
                    for m in mb where m.keyEnd - m.keyStart == p + c.count {
                        let k = kb.baseAddress! + m.keyStart
                        if p > 0 && (memcmp(k, prefix, p - 1) != 0 || k[p - 1] != UInt8(ascii: ".")) { continue }
                        if memcmp(k + p, c, c.count) == 0 { return m.valueStart..<m.valueEnd }
                    }
                }
                return nil
            }
        }
    }

    /// A throwable written as an object under `prefix`: its class and message, its frames,
    /// then its cause as `Caused by:`. False when there is none.
    private func appendThrowable(prefix: [UInt8], into out: inout [UInt8], depth: Int) -> Bool {
        guard depth < 16, let name = find(prefix: prefix, Self.throwableName) else { return false }
        out += values[name]
        if let m = find(prefix: prefix, Self.throwableMessage), !m.isEmpty {
            out += [UInt8(ascii: ":"), 0x20]
            out += values[m]
        }
        if let f = find(prefix: prefix, Self.throwableFrames), !f.isEmpty {
            out.append(0x0A)
            out += values[f]
        }
        for c in Self.throwableCause {
            let causePrefix = prefix + [UInt8(ascii: ".")] + c
            guard find(prefix: causePrefix, Self.throwableName) != nil else { continue }
            out += Array("\nCaused by: ".utf8)
            _ = appendThrowable(prefix: causePrefix, into: &out, depth: depth + 1)
            break
        }
        return true
    }

    /// Upper-cased; a syslog severity number (GELF) as the level word it stands for.
    private func appendLevel(_ r: Range<Int>, into out: inout [UInt8]) {
        if !out.isEmpty { out.append(0x20) }
        if r.count == 1, values[r.lowerBound] &- 0x30 < 8 {
            let names = ["ERROR", "ERROR", "ERROR", "ERROR", "WARN", "INFO", "INFO", "DEBUG"]
            out += names[Int(values[r.lowerBound] - 0x30)].utf8
            return
        }
        for c in values[r] { out.append(c &- 0x61 < 26 ? c - 32 : c) }
    }

    /// An epoch number (seconds, milliseconds, micro- or nanoseconds, with a fraction or an
    /// exponent, or Log4j2's `instant` seconds and nanoseconds) written as ISO-8601 UTC; false
    /// when the time is text (then written as it is).
    private func appendEpochTime(_ r: Range<Int>, into out: inout [UInt8]) -> Bool {
        guard let c = values[r].first, c &- 0x30 < 10 else { return false }
        var v: Double
        if values[r].allSatisfy({ $0 &- 0x30 < 10 }), r.count <= 18 {
            v = Double(values[r].reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) })
        } else {
            // a date and time is not a number
            guard !values[r].contains(UInt8(ascii: ":")), let d = Double(String(decoding: values[r], as: UTF8.self)) else { return false }
            v = d
        }
        if find(Self.epochSecond) == r, let n = find(Self.nanoOfSecond), values[n].allSatisfy({ $0 &- 0x30 < 10 }) {
            v += Double(values[n].reduce(0) { $0 * 10 + Int($1 - 0x30) }) / 1e9
        }
        guard v.isFinite, v < 1e24 else { return false }
        // seconds (until the year 5138), milliseconds, microseconds or nanoseconds
        let ms = v < 1e11 ? Int64((v * 1000).rounded(.down)) : v < 1e14 ? Int64(v) : v < 1e17 ? Int64(v / 1e3) : Int64(v / 1e6)
        if !out.isEmpty { out.append(0x20) }
        Self.appendISO(ms, into: &out)
        return true
    }

    static func iso(_ ms: Int64) -> String {
        var b: [UInt8] = []
        appendISO(ms, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    static func appendISO(_ ms: Int64, into out: inout [UInt8]) {
        let secs = Int(ms.floorDiv(1000))
        let milli = Int(ms - Int64(secs) * 1000)
        let days = secs.floorDiv(86_400)
        let sod = secs - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func digits(_ x: Int, _ n: Int) {
            var p = 1
            for _ in 1..<n { p *= 10 }
            var v = x
            if v >= p * 10 { out += String(v / (p * 10)).utf8; v %= p * 10 }
            while p > 0 { out.append(UInt8(0x30 + v / p % 10)); p /= 10 }
        }
        digits(y, 4); out.append(UInt8(ascii: "-")); digits(m, 2); out.append(UInt8(ascii: "-")); digits(d, 2)
        out.append(UInt8(ascii: "T")); digits(sod / 3600, 2); out.append(UInt8(ascii: ":")); digits(sod / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(sod % 60, 2); out.append(UInt8(ascii: ".")); digits(milli, 3)
        out.append(UInt8(ascii: "Z"))
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

    // MARK: parsing

    /// A small strict JSON reader over one line, writing into the record's buffers.
    private struct Parser {
        let b: UnsafeBufferPointer<UInt8>
        let record: JSONLogRecord
        var i = 0

        init(b: UnsafeBufferPointer<UInt8>, record: JSONLogRecord) {
            self.b = b
            self.record = record
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
        }

        /// An object at `i`; its keys are flattened under `keys[prefixStart..<prefixEnd]`
        /// (`prefixEnd` -1: top level).
        mutating func object(prefixStart: Int = 0, prefixEnd: Int, depth: Int) -> Bool {
            guard depth < 64, i < b.count, b[i] == UInt8(ascii: "{") else { return false }
            i += 1
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return true }
            while true {
                skipSpace()
                // the member's key: the prefix, a dot, the name
                let keyStart = record.keys.count
                if prefixEnd >= 0 {
                    // byte by byte: a slice of the buffer being appended to would copy it
                    for x in prefixStart..<prefixEnd { record.keys.append(record.keys[x]) }
                    record.keys.append(UInt8(ascii: "."))
                }
                guard string(into: &record.keys) else { return false }
                let keyEnd = record.keys.count
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                guard i < b.count else { return false }
                let valueStart = record.values.count
                var keep = true
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard string(into: &record.values) else { return false }
                case UInt8(ascii: "{"):
                    if prefixEnd < 0, !record.throwableObject {
                        let name = record.keys[keyStart..<keyEnd]
                        record.throwableObject = JSONLogRecord.throwableObjects.contains { name.elementsEqual($0) }
                    }
                    guard object(prefixStart: keyStart, prefixEnd: keyEnd, depth: depth + 1) else { return false }
                    keep = false
                case UInt8(ascii: "["):
                    guard let usable = array(depth: depth + 1) else { return false }
                    keep = usable
                default:
                    let s = i
                    while i < b.count, !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") || b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                    guard i > s else { return false }
                    keep = !(i - s == 4 && b[s] == UInt8(ascii: "n") && b[s + 1] == UInt8(ascii: "u"))   // null
                    if keep { record.values.append(contentsOf: UnsafeBufferPointer(rebasing: b[s..<i])) }
                }
                if keep {
                    record.members.append(Member(keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, valueEnd: record.values.count))
                }
                skipSpace()
                guard i < b.count else { return false }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        /// An array at `i`, its lines appended to `values`: nil when malformed; false when it
        /// is neither strings nor frames (then nothing is kept).
        mutating func array(depth: Int) -> Bool? {
            guard depth < 64 else { return nil }
            i += 1   // [
            let start = record.values.count
            var lines = 0
            var usable = true
            while true {
                skipSpace()
                guard i < b.count else { return nil }
                switch b[i] {
                case UInt8(ascii: "]"):
                    i += 1
                    if !usable || lines == 0 { record.values.removeSubrange(start...) }
                    return usable && lines > 0
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "\""):
                    if lines > 0 { record.values.append(0x0A) }
                    guard string(into: &record.values) else { return nil }
                    lines += 1
                case UInt8(ascii: "{"):
                    // parsed like a member object, read as a frame, then taken back out
                    let m = record.members.count, k = record.keys.count, v = record.values.count
                    guard object(prefixEnd: -1, depth: depth + 1) else { return nil }
                    let frame = record.frameLine(membersFrom: m)
                    record.members.removeSubrange(m...)
                    record.keys.removeSubrange(k...)
                    record.values.removeSubrange(v...)
                    if frame {
                        if lines > 0 { record.values.append(0x0A) }
                        record.values += record.scratch
                        lines += 1
                    } else {
                        usable = false
                    }
                case UInt8(ascii: "["):
                    let v = record.values.count
                    guard array(depth: depth + 1) != nil else { return nil }
                    record.values.removeSubrange(v...)
                    usable = false
                default:
                    let s = i
                    while i < b.count, !(b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "]") || b[i] == 0x20) { i += 1 }
                    guard i > s else { return nil }
                    usable = false
                }
            }
        }

        /// A string at `i` (which must be a quote), unescaped onto `out`.
        mutating func string(into out: inout [UInt8]) -> Bool {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return false }
            guard let r = JSONString.unescape(b, from: i + 1, into: &out), r.closed else { return false }
            i = r.end
            return true
        }
    }

    /// `{"class": "a.B", "method": "m", "file": "B.java", "line": 12}` (Log4j2, Quarkus and the
    /// like), the members from `first` on → `\tat a.B.m(B.java:12)` in `scratch`; false when
    /// the object is not a frame.
    private func frameLine(membersFrom first: Int) -> Bool {
        func get(_ names: [[UInt8]]) -> ArraySlice<UInt8>? {
            for n in names {
                for m in members[first...] where keys[m.keyStart..<m.keyEnd].elementsEqual(n) {
                    return values[m.valueStart..<m.valueEnd]
                }
            }
            return nil
        }
        guard let cls = get(Self.frameClass), let method = get(Self.frameMethod) else { return false }
        scratch.removeAll(keepingCapacity: true)
        scratch += "\tat ".utf8
        scratch += cls
        scratch.append(UInt8(ascii: "."))
        scratch += method
        scratch.append(UInt8(ascii: "("))
        let line = get(Self.frameLine).flatMap { $0.first.map { $0 &- 0x30 < 10 } == true ? $0 : nil }
        if let file = get(Self.frameFile) {
            scratch += file
            if let line { scratch.append(UInt8(ascii: ":")); scratch += line }
        } else if let line {
            // Quarkus gives no file: the simple class name stands in for it
            scratch += cls.split(separator: UInt8(ascii: ".")).last ?? cls
            scratch += ".java:".utf8
            scratch += line
        } else {
            scratch += "Unknown Source".utf8
        }
        scratch.append(UInt8(ascii: ")"))
        return true
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
            // the run up to the next quote or backslash in one append
            var j = i
            while j < b.count, b[j] != UInt8(ascii: "\""), b[j] != UInt8(ascii: "\\") { j += 1 }
            if j > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j])) }
            i = j
            guard i < b.count else { break }
            if b[i] == UInt8(ascii: "\"") { return (i + 1, true) }
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
                out += UTF8.encode(Unicode.Scalar(cp) ?? "\u{FFFD}")!
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
