/// Masks the variable parts of a log or exception message so that messages printed by the same
/// code give the same template: `wait millis 5000, active 0` and `wait millis 60010, active 12`
/// both become `wait millis <NUM>, active <NUM>`.
///
/// One forward pass over the UTF-8 bytes, no regular expressions. Masks:
///
/// | mask | examples |
/// |---|---|
/// | `<NUM>` | `5000`, `1,001`, `3.14`, `5.1.49`, the `3` of `HikariPool-3` and `pool-1-thread-3` |
/// | `<DUR>` | `30000ms`, `5s`, `1m2s345ms`, `1.5 s`, `1,001 milliseconds`, `PT30S`, `P1DT2H` |
/// | `<HEX>` | `0x1f`, runs of ≥ 8 hex digits with a digit (`1a2b3c4d`), `@1a2b3c` → `@<HEX>` |
/// | `<UUID>` | `123e4567-e89b-12d3-a456-426614174000` |
/// | `<ID>` | letters and a run of 4+ digits in one word: `ORD20231010001`, `user12345`, `V20231010__init` |
/// | `<IP>` / `<HOSTPORT>` | `10.0.0.1`, `fe80::1`; `10.0.0.1:3306`, `db.acme.com:5432`, `localhost:3306` |
/// | `<URL>` | `http://…`, `jdbc:mysql://…`, `jdbc:oracle:thin:@…` (to the end of the word) |
/// | `<EMAIL>` | `ops@acme.com` |
/// | `<PATH>` | `/var/log/app.log`, `./x/y`, `~/x`, `C:\x\y`, `\\server\share` |
/// | `<DATE>` / `<TS>` | `2023-10-10`, `2023/10/10`; `2023-10-10T16:30:38.123+08:00`, `2023-10-10 16:30:38`, `16:30:38,123` |
/// | `<STR>` | quoted values: `'a.b'`, `"x"`, `` `col` ``, `"<local1>"`, `“张三”`, `「x」` |
///
/// Choices (each pinned by a test in `MessageTemplateTests`):
/// - Digits glued to letters or `_` are part of an identifier and kept: `utf8mb4`, `log4j`,
///   `x86_64`, `Base64`, `HY000`, `08S01` — unless four or more of them stand in a row, which
///   names have not and business ids have (`ORD20231010001` → `<ID>`). Digits after `-`, `.`,
///   `:`, `=`, `(`, … are values.
/// - Error codes are kept: an all-capitals prefix of 2–5 letters, a dash and digits
///   (`ORA-00020`, `TNS-12516`), and a number right after a code keyword (`errorCode 1040`,
///   `SQLState 08004`, `Error Code: 1040`, `state=53300`, `status 503`): the code tells faults apart.
/// - A quoted string is masked when it is a value (no space, or has a digit or one of
///   `/\@=<>{}[]()#:`, or is longer than 120 bytes); quoted prose such as
///   `"Too many connections"` or `'field list'` is kept, because it is the fault; so is the
///   quoted name of a key, constraint, column or index: two constraints violated are two
///   faults (table names stay masked: sharded tables would split one fault by month).
/// - A sign stays outside the mask (`-1` → `-<NUM>`); a sentinel like `-1` rarely shares a
///   print statement with positive values.
/// - Whitespace runs (including newlines) become one space; leading/trailing space is dropped.
public enum MessageTemplate {
    public static func template(_ message: String) -> String {
        var m = message
        return m.withUTF8 { buf in
            var t = Templater(b: buf)
            t.run()
            return String(decoding: t.out, as: UTF8.self)
        }
    }
}

private struct Templater {
    let b: UnsafeBufferPointer<UInt8>
    var out: [UInt8] = []

    init(b: UnsafeBufferPointer<UInt8>) {
        self.b = b
        out.reserveCapacity(b.count)
    }

    // MARK: - character classes

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 97 < 26 }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c &- 65 < 26 }
    @inline(__always) static func isHex(_ c: UInt8) -> Bool { c &- 48 < 10 || (c | 0x20) &- 97 < 6 }
    /// Identifier bytes: ASCII letters, digits, `_`. Non-ASCII bytes are not, so digits next to
    /// CJK text are still masked (`等待5000毫秒` → `等待<NUM>毫秒`).
    @inline(__always) static func isWord(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) || c == 95 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 32 || c &- 9 < 5 }
    @inline(__always) static func isQuote(_ c: UInt8) -> Bool { c == 34 || c == 39 || c == 96 }
    /// `([{<"'` at the start of a word.
    @inline(__always) static func isLeadPunct(_ c: UInt8) -> Bool {
        c == 40 || c == 91 || c == 123 || c == 60 || c == 34 || c == 39 || c == 96
    }
    /// `)]}>,;.:!?"'` at the end of a word.
    @inline(__always) static func isTrailPunct(_ c: UInt8) -> Bool {
        switch c {
        case 41, 93, 125, 62, 44, 59, 46, 58, 33, 63, 34, 39, 96: true
        default: false
        }
    }

    /// Words after which a number is a code, kept literally (compared lower-cased).
    static let codeKeywords: [[UInt8]] = [
        "errorcode", "error_code", "errcode", "code", "sqlstate", "sql_state", "state", "sqlcode",
        "errno", "vendorcode", "status",
    ].map { Array($0.utf8) }

    /// Units glued to a number (`30000ms`, `1m2s`).
    static let gluedUnits: [[UInt8]] = [
        "ms", "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes",
        "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "us", "ns", "millis", "milli",
        "milliseconds", "nanos", "nanoseconds", "micros", "microseconds",
    ].map { Array($0.utf8) }
    /// Units as the next word (`1.5 s`, `5000 ms`): no single letters other than `s`.
    static let wordUnits: [[UInt8]] = [
        "ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
        "hr", "hrs", "hour", "hours", "day", "days", "us", "ns", "millis", "milliseconds",
        "nanos", "nanoseconds", "micros", "microseconds",
    ].map { Array($0.utf8) }
    /// A `name.ext:123` with one of these extensions is a source location, not a host.
    static let fileExtensions: [[UInt8]] = [
        "java", "kt", "scala", "groovy", "xml", "sql", "class", "jsp", "properties", "yml",
        "yaml", "json", "js", "py", "go", "rb", "cs", "cpp", "c", "h", "txt", "log",
    ].map { Array($0.utf8) }

    // MARK: - main loop

    mutating func run() {
        let n = b.count
        var i = 0
        var needSpace = false
        var proseClose = -1
        var afterCodeKeyword = false
        while i < n {
            let c = b[i]
            if Self.isSpace(c) {
                if !out.isEmpty { needSpace = true }
                i += 1
                continue
            }
            if needSpace { out.append(32); needSpace = false }
            if i == proseClose {
                out.append(c)
                proseClose = -1
                i += 1
                afterCodeKeyword = false
                continue
            }
            if c == 0xE2 || c == 0xE3, let close = wideClose(i) {
                // full-width quotes (`用户“张三”`, `「iPhone 15」`): a value, masked
                emit("<STR>")
                i = close
                afterCodeKeyword = false
                continue
            }
            if Self.isQuote(c), i == 0 || !Self.isWord(b[i - 1]), let close = findClose(i) {
                if isProse(i + 1, close) || namesSchemaObject(before: i) {
                    out.append(c)
                    proseClose = close
                    i += 1
                } else {
                    emit("<STR>")
                    i = close + 1
                }
                afterCodeKeyword = false
                continue
            }
            var j = i + 1
            while j < n {
                let d = b[j]
                if Self.isSpace(d) || j == proseClose { break }
                if Self.isQuote(d), !Self.isWord(b[j - 1]), findClose(j) != nil { break }
                if d == 0xE2 || d == 0xE3, wideClose(j) != nil { break }
                j += 1
            }
            i = word(i, j, afterCodeKeyword: &afterCodeKeyword)
        }
    }

    /// Index of the quote closing the one at `open`, on the same line, within 4 KiB, not
    /// followed by an identifier byte (so the `'` of `doesn't` closes nothing); nil if none.
    func findClose(_ open: Int) -> Int? {
        let q = b[open]
        let limit = min(b.count, open + 4096)
        var k = open + 1
        while k < limit {
            let c = b[k]
            if c == 10 || c == 13 { return nil }
            if c == 92 { k += 2; continue }   // backslash escape
            if c == q, k + 1 == b.count || !Self.isWord(b[k + 1]) { return k }
            k += 1
        }
        return nil
    }

    private static let schemaWords: [[UInt8]] = ["key", "constraint", "column", "index"].map { Array($0.utf8) }

    /// Whether the word before the quote at `open` names a schema object (`for key
    /// 'uk_order_no'`, `constraint "orders_pkey"`, `column "total"`): its quoted name tells
    /// faults apart, as a value would not. Table names stay masked: sharded tables
    /// (`orders_202310`) would split one fault by month.
    func namesSchemaObject(before open: Int) -> Bool {
        var e = open
        while e > 0, b[e - 1] == 32 { e -= 1 }
        guard e < open else { return false }
        var s = e
        while s > 0, Self.isLetter(b[s - 1]) { s -= 1 }
        guard e - s >= 3, e - s <= 10 else { return false }
        return Self.schemaWords.contains { w in
            w.count == e - s && (0..<w.count).allSatisfy { b[s + $0] | 0x20 == w[$0] }
        }
    }

    /// Past the full-width quote closing the one at `open` (“…”, ‘…’, 「…」, 『…』) on the same
    /// line within 256 bytes; nil when `open` is not one.
    func wideClose(_ open: Int) -> Int? {
        guard open + 2 < b.count else { return nil }
        let a = b[open], m = b[open + 1], z = b[open + 2]
        let closing: (UInt8, UInt8, UInt8)
        switch (a, m, z) {
        case (0xE2, 0x80, 0x9C): closing = (0xE2, 0x80, 0x9D)   // “ ”
        case (0xE2, 0x80, 0x98): closing = (0xE2, 0x80, 0x99)   // ‘ ’
        case (0xE3, 0x80, 0x8C): closing = (0xE3, 0x80, 0x8D)   // 「 」
        case (0xE3, 0x80, 0x8E): closing = (0xE3, 0x80, 0x8F)   // 『 』
        default: return nil
        }
        var k = open + 3
        let limit = min(b.count - 2, open + 256)
        while k < limit {
            let c = b[k]
            if c == 10 || c == 13 { return nil }
            if c == closing.0, b[k + 1] == closing.1, b[k + 2] == closing.2 { return k + 3 }
            k += 1
        }
        return nil
    }

    /// Quoted prose (`"Too many connections"`) is kept; anything value-like is masked.
    func isProse(_ s: Int, _ e: Int) -> Bool {
        guard e - s <= 120 else { return false }
        var space = false
        for k in s..<e {
            let c = b[k]
            if c == 32 { space = true; continue }
            if Self.isDigit(c) { return false }
            switch c {
            case 47, 92, 64, 61, 60, 62, 123, 125, 91, 93, 40, 41, 35, 58: return false
            default: continue
            }
        }
        return space
    }

    // MARK: - words

    enum CoreKind { case number, date, other }

    /// Templates the word `[s, e)` (no whitespace inside); returns where scanning resumes
    /// (past `e` when a following unit word or time was absorbed).
    mutating func word(_ s0: Int, _ e: Int, afterCodeKeyword: inout Bool) -> Int {
        var s = s0
        while s < e, Self.isLeadPunct(b[s]) { out.append(b[s]); s += 1 }
        var te = e
        while te > s, Self.isTrailPunct(b[te - 1]) { te -= 1 }
        if s == te {
            for k in s..<e { out.append(b[k]) }
            afterCodeKeyword = false
            return e
        }
        let kind = core(s, te, keepNumber: afterCodeKeyword)
        afterCodeKeyword = isCodeKeyword(s, te)
        if te == e {
            if kind == .number, let u = unitWord(after: e) {
                out.removeLast(5)   // "<NUM>"
                emit("<DUR>")
                return u
            }
            if kind == .date, let t = timeWord(after: e) {
                out.removeLast(6)   // "<DATE>"
                emit("<TS>")
                return t
            }
        }
        for k in te..<e { out.append(b[k]) }
        return e
    }

    func isCodeKeyword(_ s: Int, _ e: Int) -> Bool {
        let len = e - s
        guard len >= 4, len <= 10 else { return false }
        let last = b[e - 1] | 0x20   // every keyword ends in e, o or s
        guard last == 101 || last == 111 || last == 115 else { return false }
        outer: for kw in Self.codeKeywords where kw.count == len {
            for k in 0..<len where b[s + k] | 0x20 != kw[k] && b[s + k] != kw[k] { continue outer }
            return true
        }
        return false
    }

    /// `1.5 s`: spaces then a unit word ending at a non-identifier byte.
    func unitWord(after e: Int) -> Int? {
        var k = e
        while k < b.count, b[k] == 32 || b[k] == 9 { k += 1 }
        guard k > e, k < b.count else { return nil }
        var u = k
        while u < b.count, Self.isLetter(b[u]) { u += 1 }
        guard u > k, u == b.count || !Self.isWord(b[u]) else { return nil }
        return matches(k, u, Self.wordUnits) ? u : nil
    }

    /// `2023-10-10 16:30:38.123`: one space then a time (with optional zone).
    func timeWord(after e: Int) -> Int? {
        guard e + 1 < b.count, b[e] == 32, let t = matchTime(e + 1, b.count) else { return nil }
        // A zone as its own word: `2023-10-10 16:30:38 +0800`, `… -05:00`.
        let n = b.count
        if t + 1 < n, b[t] == 32, b[t + 1] == 43 || b[t + 1] == 45, digits(t + 2, n, 2) {
            var z = t + 4
            if z < n, b[z] == 58 { z += 1 }
            if digits(z, n, 2), boundary(z + 2, n) { return z + 2 }
        }
        return t
    }

    func matches(_ s: Int, _ e: Int, _ list: [[UInt8]]) -> Bool {
        let len = e - s
        outer: for w in list where w.count == len {
            for k in 0..<len where b[s + k] | 0x20 != w[k] { continue outer }
            return true
        }
        return false
    }

    // MARK: - the core of a word

    mutating func core(_ s: Int, _ e: Int, keepNumber: Bool) -> CoreKind {
        if matchPath(s, e) != nil {
            emit("<PATH>")
            return .other
        }
        var hasAt = false, hasColon = false
        for k in s..<e {
            if b[k] == 64 { hasAt = true } else if b[k] == 58 { hasColon = true }
        }
        var k = s
        var lastRunStart = -1, lastRunEnd = -1   // last identifier run copied literally
        var single: CoreKind = .other
        var tokens = 0
        while k < e {
            let c = b[k]
            if Self.isWord(c) {
                tokens += 1
                if hasColon, Self.isLetter(c), let u = matchURL(k, e) {
                    emit("<URL>"); k = u; lastRunEnd = -1; continue
                }
                if hasAt, let m = matchEmail(k, e) {
                    emit("<EMAIL>"); k = m; lastRunEnd = -1; continue
                }
                if Self.isHex(c), let u = matchUUID(k, e) {
                    emit("<UUID>"); k = u; lastRunEnd = -1; continue
                }
                if Self.isDigit(c) {
                    if let (t, isTS) = matchDate(k, e) {
                        emit(isTS ? "<TS>" : "<DATE>")
                        if k == s, t == e, !isTS { single = .date }
                        k = t; lastRunEnd = -1; continue
                    }
                    if let t = matchTime(k, e) {
                        emit("<TS>"); k = t; lastRunEnd = -1; continue
                    }
                    if let ip = matchIPv4(k, e) {
                        if let p = matchPort(ip, e) {
                            emit("<HOSTPORT>"); k = p
                        } else {
                            emit("<IP>"); k = ip
                        }
                        lastRunEnd = -1; continue
                    }
                }
                if hasColon, Self.isHex(c), let v6 = matchIPv6(k, e) {
                    emit("<IP>"); k = v6; lastRunEnd = -1; continue
                }
                if hasColon, let hp = matchHostPort(k, e) {
                    emit("<HOSTPORT>"); k = hp; lastRunEnd = -1; continue
                }
                if c == 80, let d = matchISODuration(k, e) {   // `PT30S`, Java's Duration
                    emit("<DUR>"); k = d; lastRunEnd = -1; continue
                }
                var r = k
                while r < e, Self.isWord(b[r]) { r += 1 }
                if Self.isDigit(c) {
                    let prev: UInt8 = k > s ? b[k - 1] : 0
                    let keep: Bool
                    if k == s {
                        keep = keepNumber
                    } else if prev == 45 {   // `ORA-00020`
                        keep = lastRunEnd == k - 1 && isErrorPrefix(lastRunStart, lastRunEnd)
                    } else if prev == 61 || prev == 58 {   // `errorCode=1040`, `SQLState:08004`
                        keep = lastRunEnd == k - 1 && isCodeKeyword(lastRunStart, lastRunEnd)
                    } else {
                        keep = false
                    }
                    if keep {
                        copy(k, r); lastRunStart = k; lastRunEnd = r; k = r; continue
                    }
                    let (next, isNum) = number(k, r, e)
                    if isNum, k == s, next == e { single = .number }
                    if out.last == UInt8(ascii: ">") { lastRunEnd = -1 } else { lastRunStart = k; lastRunEnd = r }
                    k = next
                    continue
                }
                if r - k >= 8, allHex(k, r), hasDigit(k, r) {
                    emit("<HEX>"); lastRunEnd = -1
                } else if !(keepNumber && k == s), longestDigitRun(k, r) >= Self.idDigits {
                    emit("<ID>"); lastRunEnd = -1
                } else {
                    copy(k, r); lastRunStart = k; lastRunEnd = r
                }
                k = r
                continue
            }
            if c == 64, k + 1 < e, Self.isHex(b[k + 1]) {   // `Foo@1a2b3c`
                var r = k + 1
                while r < e, Self.isWord(b[r]) { r += 1 }
                if allHex(k + 1, r), hasDigit(k + 1, r) || r - k - 1 >= 6 {
                    out.append(64); emit("<HEX>"); k = r; lastRunEnd = -1; continue
                }
            }
            if c == 47, k > s, b[k - 1] == 61, matchPath(k, e) != nil {   // `file=/var/log/x`
                emit("<PATH>"); k = e; lastRunEnd = -1; continue
            }
            out.append(c)
            k += 1
        }
        return tokens == 1 ? single : .other
    }

    @inline(__always) mutating func emit(_ mask: StaticString) {
        mask.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    @inline(__always) mutating func copy(_ s: Int, _ e: Int) {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[s..<e]))
    }

    func allHex(_ s: Int, _ e: Int) -> Bool {
        for k in s..<e where !Self.isHex(b[k]) { return false }
        return true
    }

    func hasDigit(_ s: Int, _ e: Int) -> Bool {
        for k in s..<e where Self.isDigit(b[k]) { return true }
        return false
    }

    /// 2–5 capital letters: the `ORA` of `ORA-00020`.
    func isErrorPrefix(_ s: Int, _ e: Int) -> Bool {
        guard s >= 0, e - s >= 2, e - s <= 5 else { return false }
        for k in s..<e where !Self.isUpper(b[k]) { return false }
        return true
    }

    /// A digit run at `k` (identifier run ends at `r`, word core at `e`): number, duration,
    /// hex, or — `08S01`, `2nd`, `64bit` — an identifier kept as is. Returns the resume index
    /// and whether the result was a plain `<NUM>`.
    mutating func number(_ k: Int, _ r: Int, _ e: Int) -> (Int, Bool) {
        if b[k] == 48, k + 2 < r, b[k + 1] | 0x20 == 120, allHex(k + 2, r) {   // 0x1f
            emit("<HEX>")
            return (r, false)
        }
        var m = k
        while m < e, Self.isDigit(b[m]) { m += 1 }
        while m + 1 < e, b[m] == 46 || b[m] == 44, Self.isDigit(b[m + 1]) {   // 1,001  3.14  5.1.49
            m += 1
            while m < e, Self.isDigit(b[m]) { m += 1 }
        }
        if m < e, Self.isLetter(b[m]) || b[m] >= 0x80, let d = unitChain(m, e) {
            emit("<DUR>")
            return (d, false)
        }
        if m == e || !Self.isWord(b[m]) {
            emit("<NUM>")
            return (m, true)
        }
        if r - k >= 8, allHex(k, r) {
            emit("<HEX>")
            return (r, false)
        }
        if longestDigitRun(k, r) >= Self.idDigits {
            emit("<ID>")
            return (r, false)
        }
        copy(k, r)
        return (r, false)
    }

    /// Digits in a row that make an identifier a value (`ORD20231010001`, `user12345`,
    /// `2023Q4`): names of things have fewer (`utf8mb4`, `x86_64`, `SHA256`, `HY000`).
    static let idDigits = 4

    func longestDigitRun(_ s: Int, _ e: Int) -> Int {
        var best = 0, run = 0
        for k in s..<e {
            if Self.isDigit(b[k]) { run += 1; best = max(best, run) } else { run = 0 }
        }
        return best
    }

    /// Letters at `m` glued to a number: `ms`, or a chain `m2s345ms`. Returns the end.
    /// Microseconds may be written `µs` or `μs` (HikariCP prints `47s466ms577µs431ns`).
    func unitChain(_ m0: Int, _ e: Int) -> Int? {
        var m = m0
        while true {
            var u = m
            if let mu = microUnit(m, e) {
                u = mu
            } else {
                while u < e, Self.isLetter(b[u]) { u += 1 }
                guard u > m, matches(m, u, Self.gluedUnits) else { return nil }
            }
            if u == e || !Self.isWord(b[u]) { return u }
            guard Self.isDigit(b[u]) else { return nil }
            m = u
            while m < e, Self.isDigit(b[m]) { m += 1 }
            while m + 1 < e, b[m] == 46, Self.isDigit(b[m + 1]) {
                m += 1
                while m < e, Self.isDigit(b[m]) { m += 1 }
            }
            guard m < e, Self.isLetter(b[m]) || b[m] >= 0x80 else { return nil }
        }
    }

    /// `µs` (micro sign, U+00B5) or `μs` (Greek mu, U+03BC) at `m`, ending at a non-letter:
    /// its end, or nil.
    func microUnit(_ m: Int, _ e: Int) -> Int? {
        guard m + 3 <= e else { return nil }
        let a = b[m], c = b[m + 1]
        guard (a == 0xC2 && c == 0xB5) || (a == 0xCE && c == 0xBC), b[m + 2] | 0x20 == 0x73 else { return nil }
        guard m + 3 == e || !Self.isLetter(b[m + 3]) else { return nil }
        return m + 3
    }

    // MARK: - matchers (each returns the end index of a match starting at `k`, or nil)

    /// An ISO 8601 duration as Java's `Duration` and `Period` print it: `PT30S`, `PT0.5S`,
    /// `PT1H30M`, `P1D`, `P1DT2H`.
    func matchISODuration(_ k: Int, _ e: Int) -> Int? {
        // `Pool stats …` reaches here on every Hikari stats line: reject it before any work
        guard b[k] == 80, k + 1 < e, b[k + 1] == 84 || Self.isDigit(b[k + 1]),
              k == 0 || !Self.isWord(b[k - 1]) else { return nil }
        var i = k + 1
        var parts = 0
        func component(_ units: StaticString, fraction: Bool) -> Bool {
            var j = i
            while j < e, Self.isDigit(b[j]) { j += 1 }
            guard j > i else { return false }
            if fraction, j + 1 < e, b[j] == 46, Self.isDigit(b[j + 1]) {
                j += 1
                while j < e, Self.isDigit(b[j]) { j += 1 }
            }
            guard j < e, units.withUTF8Buffer({ $0.contains(b[j]) }) else { return false }
            i = j + 1
            parts += 1
            return true
        }
        while i < e, component("YMWD", fraction: false) {}
        if i < e, b[i] == 84 {   // T
            i += 1
            let before = parts
            while i < e, component("HMS", fraction: true) {}
            guard parts > before else { return nil }
        }
        guard parts > 0, boundary(i, e) else { return nil }
        return i
    }

    @inline(__always) func boundary(_ k: Int, _ e: Int) -> Bool { k == e || !Self.isWord(b[k]) }

    func digits(_ k: Int, _ e: Int, _ n: Int) -> Bool {
        guard k + n <= e else { return false }
        for i in k..<(k + n) where !Self.isDigit(b[i]) { return false }
        return true
    }

    /// `scheme://…` or `jdbc:…` to the end of the word.
    func matchURL(_ k: Int, _ e: Int) -> Int? {
        var i = k
        while i < e, i - k < 40, Self.isLetter(b[i]) || Self.isDigit(b[i]) || b[i] == 43 || b[i] == 45 || b[i] == 46 { i += 1 }
        guard i < e, b[i] == 58 else { return nil }
        if i - k == 4, b[k] | 0x20 == 106, b[k + 1] | 0x20 == 100, b[k + 2] | 0x20 == 98, b[k + 3] | 0x20 == 99 {
            return e   // jdbc:
        }
        // allow `a:b://` (scheme chains) — look for `://` soon after
        var j = i
        while j < e, j - k < 40, Self.isLetter(b[j]) || Self.isDigit(b[j]) || b[j] == 58 || b[j] == 43 || b[j] == 45 || b[j] == 46 {
            if b[j] == 58, j + 2 < e, b[j + 1] == 47, b[j + 2] == 47 { return e }
            j += 1
        }
        return nil
    }

    func matchEmail(_ k: Int, _ e: Int) -> Int? {
        var i = k
        while i < e, i - k < 64, Self.isWord(b[i]) || b[i] == 46 || b[i] == 45 || b[i] == 43 || b[i] == 37 { i += 1 }
        guard i > k, i < e, b[i] == 64 else { return nil }
        var j = i + 1
        var dots = 0, lastLabel = j
        while j < e, j - i < 255, Self.isLetter(b[j]) || Self.isDigit(b[j]) || b[j] == 45 || b[j] == 46 {
            if b[j] == 46 { dots += 1; lastLabel = j + 1 }
            j += 1
        }
        guard dots > 0, j - lastLabel >= 2 else { return nil }
        for x in lastLabel..<j where !Self.isLetter(b[x]) { return nil }
        return boundary(j, e) ? j : nil
    }

    func matchUUID(_ k: Int, _ e: Int) -> Int? {
        guard k + 36 <= e else { return nil }
        for i in 0..<36 {
            let c = b[k + i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != 45 { return nil }
            } else if !Self.isHex(c) { return nil }
        }
        return boundary(k + 36, e) ? k + 36 : nil
    }

    /// `2023-10-10`, `2023/10/10`, optionally `T16:30:38[.123][Z|+08:00]`. Returns (end, has time).
    func matchDate(_ k: Int, _ e: Int) -> (Int, Bool)? {
        guard digits(k, e, 4), k + 10 <= e else { return nil }
        let sep = b[k + 4]
        guard sep == 45 || sep == 47, digits(k + 5, e, 2), b[k + 7] == sep, digits(k + 8, e, 2) else { return nil }
        let d = k + 10
        if d < e, b[d] == 84 || b[d] == 95, let t = matchTime(d + 1, e) { return (t, true) }   // T or _
        return boundary(d, e) ? (d, false) : nil
    }

    /// `16:30:38`, `16:30:38.123`, `16:30:38,123456`, with optional zone `Z`, `+08:00`, `+0800`.
    func matchTime(_ k: Int, _ e: Int) -> Int? {
        guard digits(k, e, 2), k + 8 <= e, b[k + 2] == 58, digits(k + 3, e, 2), b[k + 5] == 58,
              digits(k + 6, e, 2) else { return nil }
        var i = k + 8
        if i + 1 < e, b[i] == 46 || b[i] == 44, Self.isDigit(b[i + 1]) {
            i += 1
            while i < e, Self.isDigit(b[i]) { i += 1 }
        }
        if i < e, b[i] == 90 { i += 1 }   // Z
        else if i < e, b[i] == 43 || b[i] == 45, digits(i + 1, e, 2) {
            var z = i + 3
            if z < e, b[z] == 58 { z += 1 }
            if digits(z, e, 2) { i = z + 2 } else if z == i + 3 { i = z }
        }
        return boundary(i, e) ? i : nil
    }

    func matchIPv4(_ k: Int, _ e: Int) -> Int? {
        var i = k
        for part in 0..<4 {
            let st = i
            while i < e, i - st < 3, Self.isDigit(b[i]) { i += 1 }
            guard i > st else { return nil }
            if part < 3 {
                guard i < e, b[i] == 46 else { return nil }
                i += 1
            }
        }
        guard i == e || (!Self.isWord(b[i]) && !(b[i] == 46 && i + 1 < e && Self.isDigit(b[i + 1]))) else { return nil }
        return i
    }

    /// `:3306` after a host.
    func matchPort(_ k: Int, _ e: Int) -> Int? {
        guard k + 1 < e, b[k] == 58 else { return nil }
        var i = k + 1
        while i < e, i - k <= 5, Self.isDigit(b[i]) { i += 1 }
        return i > k + 1 && boundary(i, e) ? i : nil
    }

    /// `fe80::1`, `2001:db8:0:0:0:0:2:1`, `::ffff:10.0.0.1` (needs `::` or 7 colons).
    func matchIPv6(_ k: Int, _ e: Int) -> Int? {
        var i = k, colons = 0, doubleColon = false, group = 0, hex = 0
        while i < e, i - k < 46 {
            let c = b[i]
            if c == 58 {
                if i + 1 < e, b[i + 1] == 58 { if doubleColon { return nil }; doubleColon = true; colons += 1; i += 1 }
                colons += 1; group = 0
            } else if Self.isHex(c) {
                group += 1; hex += 1
                if group > 4 { return nil }
            } else if c == 46, doubleColon || colons == 6, let v4 = matchIPv4(i - group, e) {
                i = v4; break
            } else { break }
            i += 1
        }
        guard hex > 0, colons >= 2, doubleColon || colons == 7, boundary(i, e) else { return nil }
        return i
    }

    /// `db.acme.com:5432`, `localhost:3306` (not `Foo.java:42`).
    func matchHostPort(_ k: Int, _ e: Int) -> Int? {
        guard Self.isLetter(b[k]) || Self.isDigit(b[k]) else { return nil }
        var i = k, dots = 0, lastDot = -1
        while i < e, i - k < 255, Self.isLetter(b[i]) || Self.isDigit(b[i]) || b[i] == 45 || b[i] == 46 || b[i] == 95 {
            if b[i] == 46 { dots += 1; lastDot = i }
            i += 1
        }
        guard i < e, b[i] == 58, b[i - 1] != 46 else { return nil }
        if dots == 0 {
            guard i - k == 9, matches(k, i, [Array("localhost".utf8)]) else { return nil }
        } else if matches(lastDot + 1, i, Self.fileExtensions) {
            return nil
        }
        return matchPort(i, e)
    }

    /// A whole-word path: `/a/b`, `./a`, `../a`, `~/a`, `C:\a`, `\\srv\share`.
    func matchPath(_ s: Int, _ e: Int) -> Int? {
        let c = b[s]
        if c == 47 {
            guard s + 1 < e, b[s + 1] != 47 else { return nil }
            if matchIPv4(s + 1, e) != nil { return nil }   // `/10.0.0.1:3306`
            for k in (s + 2)..<max(s + 2, e) where b[k] == 47 && b[k - 1] != 47 { return e }
            return nil
        }
        if c == 126 || c == 46 {   // ~/  ./  ../
            var k = s
            while k < e, b[k] == 46 || b[k] == 126 { k += 1 }
            return k < e && k - s <= 2 && (b[k] == 47 || b[k] == 92) && k + 1 < e ? e : nil
        }
        if Self.isLetter(c), s + 3 < e, b[s + 1] == 58, b[s + 2] == 92 { return e }   // C:\x
        if c == 92, s + 2 < e, b[s + 1] == 92, Self.isWord(b[s + 2]) { return e }   // \\srv
        return nil
    }
}
