import Foundation

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm; no Foundation).
@inline(__always)
func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// Resolves wall-clock times without a zone in one time zone, per record, so a log that
/// crosses a DST change keeps correct instants. Offsets are cached per civil hour.
public final class ZoneResolver: @unchecked Sendable {
    public let timeZone: TimeZone
    private let fixedOffset: Int?
    private var cacheHour = Int.min
    private var cacheOffset = 0

    public init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        // A zone without transitions needs no lookups at all.
        if timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: 0)) == nil {
            fixedOffset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: 0))
        } else {
            fixedOffset = nil
        }
    }

    /// Offset (seconds east of UTC) in force at the wall-clock time `localSeconds` (seconds since
    /// 1970 as if the wall clock were UTC). In a DST gap or overlap, the earlier offset wins.
    public func offset(forLocal localSeconds: Int) -> Int {
        if let fixedOffset { return fixedOffset }
        let hour = localSeconds >= 0 ? localSeconds / 3600 : (localSeconds - 3599) / 3600
        if hour == cacheHour { return cacheOffset }
        func at(_ s: Int) -> Int { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(s))) }
        // The offsets a day before and a day after bracket any change near this wall time. An
        // offset fits when the instant it gives has that offset: both fit in an overlap, neither
        // in a gap; either way the one in force before the change wins (as Foundation does).
        let before = at(localSeconds - 86_400)
        let after = at(localSeconds + 86_400)
        let off = at(localSeconds - before) == before || at(localSeconds - after) != after ? before : after
        cacheHour = hour
        cacheOffset = off
        return off
    }
}

/// What a header line told us.
public struct HeaderInfo: Sendable, Equatable {
    /// Milliseconds since the Unix epoch (UTC), when the header carried a timestamp.
    public var time: Int64?
    /// Byte offset in the line just past the timestamp (0 when none).
    public var timeEnd: Int
    public init(time: Int64?, timeEnd: Int) {
        self.time = time
        self.timeEnd = timeEnd
    }
}

/// Finds the timestamp of a log record's first line by its layout, not by a fixed column:
/// Logback/Log4j (`2023-10-10 16:30:38.123`, `,123`), ISO-8601 (`2023-10-10T16:30:38.123+08:00`,
/// `Z`), slashes (`2023/10/10 16:30:38`), bracketed (`[2023-10-10 16:30:38]`), Tomcat
/// (`10-Oct-2023 16:30:38.123`), optionally after a short prefix (level, host, syslog tag).
public final class TimestampParser: @unchecked Sendable {
    public let zone: ZoneResolver
    /// The last civil date parsed and its day number: consecutive records share their date.
    private var lastDateKey = -1
    private var lastDays = 0
    /// How far into a line a timestamp may start.
    // SAFETY: configured before use, then only read.
    public var maxPrefix = 48
    /// The date-and-time bytes (to the second) of the last ISO-like and the last Tomcat
    /// timestamp, and their local seconds: records come many per second, so a timestamp whose
    /// first 19 (20) bytes are the same skips straight to its fraction and zone.
    private var isoHead = SecondHead()
    private var tomcatHead = SecondHead()

    struct SecondHead {
        var a: UInt64 = 0
        var b: UInt64 = 0
        var c: UInt32 = 0
        var local = 0
        var valid = false

        /// Bytes `i..<i+16` and `count - 16` (3 or 4) more.
        @inline(__always)
        static func key(_ p: UnsafePointer<UInt8>, _ i: Int, _ count: Int) -> (UInt64, UInt64, UInt32) {
            let raw = UnsafeRawPointer(p + i)
            var c: UInt32 = 0
            for k in 16..<count { c |= UInt32(p[i + k]) << (8 * UInt32(k - 16)) }
            return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self), c)
        }

        @inline(__always)
        func matches(_ k: (UInt64, UInt64, UInt32)) -> Bool { valid && k.0 == a && k.1 == b && k.2 == c }
    }

    public init(zone: ZoneResolver) {
        self.zone = zone
    }

    /// Parses a timestamp that starts exactly at `i`. Returns (epoch ms, end offset).
    @inline(__always)
    func parse(at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        if n - i < 10 { return nil }
        let c0 = p[i]
        guard c0 &- 0x30 < 10 else { return nil }
        if p[i + 2] == UInt8(ascii: "-"), let r = parseTomcat(at: i, p, n) { return r }
        return parseISOish(at: i, p, n)
    }

    @inline(__always)
    private func two(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        let a = p[i] &- 0x30, b = p[i + 1] &- 0x30
        if a < 10 && b < 10 { return Int(a) * 10 + Int(b) }
        return nil
    }

    private func parseISOish(at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        // YYYY-MM-DD[ T]HH:MM:SS
        guard n - i >= 19 else { return nil }
        let key = SecondHead.key(p, i, 19)
        if isoHead.matches(key) { return clockTail(local: isoHead.local, at: i + 19, p, n) }
        guard let y1 = two(p, i), let y2 = two(p, i + 2) else { return nil }
        let sep = p[i + 4]
        guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/"), p[i + 7] == sep,
              let mo = two(p, i + 5), let d = two(p, i + 8)
        else { return nil }
        let t = p[i + 10]
        guard t == UInt8(ascii: " ") || t == UInt8(ascii: "T"),
              let local = clockHead(year: y1 * 100 + y2, month: mo, day: d, at: i + 11, p, n)
        else { return nil }
        isoHead = SecondHead(a: key.0, b: key.1, c: key.2, local: local, valid: true)
        return clockTail(local: local, at: i + 19, p, n)
    }

    /// `Jan`…`Dec` → 1…12, case-sensitive as Tomcat and syslog print them.
    @inline(__always)
    static func monthIndex(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int? {
        let key = UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
        switch key {
        case 0x4A_61_6E: return 1   // Jan
        case 0x46_65_62: return 2   // Feb
        case 0x4D_61_72: return 3   // Mar
        case 0x41_70_72: return 4   // Apr
        case 0x4D_61_79: return 5   // May
        case 0x4A_75_6E: return 6   // Jun
        case 0x4A_75_6C: return 7   // Jul
        case 0x41_75_67: return 8   // Aug
        case 0x53_65_70: return 9   // Sep
        case 0x4F_63_74: return 10  // Oct
        case 0x4E_6F_76: return 11  // Nov
        case 0x44_65_63: return 12  // Dec
        default: return nil
        }
    }

    /// A month as a Chinese or Japanese locale prints it: `十月`, `十一月` (JDK 8) or `10月`
    /// (JDK 9+, CLDR) at `i`. Returns the month and the offset past it.
    static func cjkMonth(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (Int, Int)? {
        var j = i
        var digits = 0, number = 0
        while j < n, digits < 2, p[j] &- 0x30 < 10 { number = number * 10 + Int(p[j] &- 0x30); digits += 1; j += 1 }
        if digits == 0 {
            // numerals 一…十 (3 bytes each): one, or 十 and one more (十一, 十二)
            guard let first = cjkNumeral(p, j, n) else { return nil }
            number = first
            j += 3
            if first == 10, let second = cjkNumeral(p, j, n) {
                number = 10 + second
                j += 3
            }
        }
        guard number >= 1, number <= 12, j + 3 <= n, p[j] == 0xE6, p[j + 1] == 0x9C, p[j + 2] == 0x88 else { return nil }   // 月
        return (number, j + 3)
    }

    private static let cjkNumerals: [[UInt8]] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].map { Array($0.utf8) }

    /// The value (1…10) of the numeral 一…十 at `j`, if one is there.
    @inline(__always)
    static func cjkNumeral(_ p: UnsafePointer<UInt8>, _ j: Int, _ n: Int) -> Int? {
        guard j + 3 <= n else { return nil }
        for (v, c) in cjkNumerals.enumerated() where c[0] == p[j] && c[1] == p[j + 1] && c[2] == p[j + 2] { return v + 1 }
        return nil
    }

    /// `10-十月-2023 16:30:38.123`, `10-10月-2023 …`: Tomcat's OneLineFormatter in a Chinese
    /// or Japanese locale.
    private func parseTomcatCJK(at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        guard let d = two(p, i), let (mo, j) = Self.cjkMonth(p, i + 3, n), j + 14 <= n, p[j] == UInt8(ascii: "-"),
              let y1 = two(p, j + 1), let y2 = two(p, j + 3), p[j + 5] == UInt8(ascii: " "),
              let local = clockHead(year: y1 * 100 + y2, month: mo, day: d, at: j + 6, p, n)
        else { return nil }
        return clockTail(local: local, at: j + 14, p, n)
    }

    private func parseTomcat(at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        // DD-Mon-YYYY HH:MM:SS
        if p[i + 3] >= 0x80 || (p[i + 3] &- 0x30 < 10 && p[i + 4] >= 0x80) || p[i + 5] >= 0x80 { return parseTomcatCJK(at: i, p, n) }
        guard n - i >= 20 else { return nil }
        let key = SecondHead.key(p, i, 20)
        if tomcatHead.matches(key) { return clockTail(local: tomcatHead.local, at: i + 20, p, n) }
        guard let d = two(p, i), p[i + 6] == UInt8(ascii: "-"),
              let mo = Self.monthIndex(p, i + 3),
              let y1 = two(p, i + 7), let y2 = two(p, i + 9), p[i + 11] == UInt8(ascii: " "),
              let local = clockHead(year: y1 * 100 + y2, month: mo, day: d, at: i + 12, p, n)
        else { return nil }
        tomcatHead = SecondHead(a: key.0, b: key.1, c: key.2, local: local, valid: true)
        return clockTail(local: local, at: i + 20, p, n)
    }

    /// HH:MM:SS at `j0` → local seconds (the wall clock read as UTC).
    @inline(__always)
    private func clockHead(year: Int, month: Int, day: Int, at j0: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let j = j0
        guard n - j >= 8, let hh = two(p, j), p[j + 2] == UInt8(ascii: ":"), let mm = two(p, j + 3),
              p[j + 5] == UInt8(ascii: ":"), let ss = two(p, j + 6),
              month >= 1, month <= 12, day >= 1, day <= 31, hh < 24, mm < 60, ss < 61
        else { return nil }
        let dateKey = year << 9 | month << 5 | day
        if dateKey != lastDateKey {
            lastDateKey = dateKey
            lastDays = daysFromCivil(year, month, day)
        }
        return lastDays * 86_400 + hh * 3600 + mm * 60 + ss
    }

    /// [.,fraction][zone] after the seconds at `j0` → (epoch ms, end offset).
    @inline(__always)
    private func clockTail(local: Int, at j0: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        var j = j0
        var millis = 0
        if j < n, p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: ","), j + 1 < n, p[j + 1] &- 0x30 < 10 {
            j += 1
            var digits = 0
            while j < n, p[j] &- 0x30 < 10 {
                if digits < 3 { millis = millis * 10 + Int(p[j] &- 0x30) }
                digits += 1
                j += 1
            }
            while digits < 3 { millis *= 10; digits += 1 }
        }
        // zone: Z, ±HH:MM, ±HHMM, ±HH, optionally after one space
        var k = j
        if k < n, p[k] == UInt8(ascii: " "), k + 1 < n, p[k + 1] == UInt8(ascii: "+") || p[k + 1] == UInt8(ascii: "-") { k += 1 }
        if k < n, p[k] == UInt8(ascii: "Z") {
            return (Int64(local) * 1000 + Int64(millis), k + 1)
        }
        if k < n, p[k] == UInt8(ascii: "+") || p[k] == UInt8(ascii: "-"), k + 3 <= n, let oh = two(p, k + 1) {
            var e = k + 3
            var om = 0
            if e + 3 <= n, p[e] == UInt8(ascii: ":"), let m2 = two(p, e + 1) {
                om = m2
                e += 3
            } else if e + 2 <= n, let m2 = two(p, e) {
                om = m2
                e += 2
            }
            if oh <= 14 && om < 60 {
                let sign = p[k] == UInt8(ascii: "-") ? -1 : 1
                let off = sign * (oh * 3600 + om * 60)
                return (Int64(local - off) * 1000 + Int64(millis), e)
            }
        }
        let off = zone.offset(forLocal: local)
        return (Int64(local - off) * 1000 + Int64(millis), j)
    }

    /// Finds a timestamp at the start of the line or after a short prefix that holds no tab and
    /// does not start with whitespace (continuation lines do).
    public func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        if n < 10 { return nil }
        let c = p[0]
        if c &- 0x30 < 10 { return parse(at: 0, p, n) ?? scan(from: 1, p, n) }
        if c == UInt8(ascii: "[") { return parse(at: 1, p, n) ?? scan(from: 2, p, n) }
        if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { return nil }
        return scan(from: 1, p, n)
    }

    private func scan(from start: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int)? {
        let limit = min(n - 10, maxPrefix)
        var i = start
        while i <= limit {
            let c = p[i]
            if c == UInt8(ascii: "\t") { return nil }
            // a timestamp starts after a separator, never inside a word or number
            if c &- 0x30 < 10 {
                let prev = p[i - 1]
                if prev == UInt8(ascii: " ") || prev == UInt8(ascii: "[") || prev == UInt8(ascii: "|") || prev == UInt8(ascii: ":") || prev == UInt8(ascii: "=") {
                    if let r = parse(at: i, p, n) { return r }
                }
                // skip the rest of this number
                while i <= limit, p[i] &- 0x30 < 10 { i += 1 }
                continue
            }
            i += 1
        }
        return nil
    }
}
