/// The prefix a platform puts before every line a program writes, when its logs are read back
/// through it: a date on each line, then where the line came from.
///
/// | shape | example |
/// |---|---|
/// | bare | `2023-10-10T08:00:01.123456789Z ` (`kubectl logs --timestamps`) |
/// | stream | `2023-10-10T16:00:01.12+0800 [APP/PROC/WEB/0] OUT ` (Cloud Foundry) |
/// | tag | `2023-10-10T08:00:01.123456+00:00 app[web.1]: ` (Heroku) |
/// | host and tag | `2023-10-10T16:00:01.123+08:00 web-1 java[1234]: ` (rsyslog, `journalctl -o short-iso`) |
/// | host and tag | `Oct 10 16:00:01 web-1 java[1234]: ` (syslog, `journalctl`) |
///
/// Such a prefix splits a stack trace into one record per line (each of its lines is dated) and
/// hides the program's own header. The unwrapper strips it (see `ContainerUnwrapper`); this type
/// recognises the shapes and finds where the program's text starts.
struct LinePrefix: Equatable, Sendable {
    enum Stamp: Equatable, Sendable {
        /// RFC 3339 with a `T` and a zone.
        case iso
        /// RFC 3164: `Mmm dd HH:MM:SS[.ffffff]`, no year, no zone.
        case syslog
    }

    enum Tail: Equatable, Sendable {
        case bare, stream, tag, hostTag
    }

    let stamp: Stamp
    let tail: Tail

    /// Where the stamp ends and where the program's text starts in a line with this prefix.
    struct Split {
        var stampEnd: Int
        var payload: Int
    }

    /// The split of a line with this prefix, or nil when it has another shape.
    func split(_ p: UnsafePointer<UInt8>, _ n: Int) -> Split? {
        guard let end = stamp == .iso ? Self.isoStamp(p, n) : Self.syslogStamp(p, n), end < n, p[end] == 0x20 else { return nil }
        let rest = end + 1
        let payload: Int?
        switch tail {
        case .bare: payload = rest
        case .stream: payload = Self.stream(p, n, rest)
        case .tag: payload = Self.tag(p, n, rest, pidRequired: true)
        case .hostTag: payload = Self.hostTag(p, n, rest, pidRequired: stamp == .iso)
        }
        guard let payload else { return nil }
        return Split(stampEnd: end, payload: payload)
    }

    /// The prefix of `line` and whether the line shows it is one: a syslog stamp, or an RFC
    /// 3339 stamp followed by a platform's tag (`[APP/PROC/WEB/0] OUT`, `app[web.1]:`,
    /// `host java[1234]:`) prove it; after a bare stamp, only text that is itself a record
    /// header with a timestamp or a stack line does (an ordinary log's own ISO timestamps are
    /// not a prefix). `payloadProves` is asked about the text after a bare stamp.
    static func detect(_ line: UnsafeBufferPointer<UInt8>, payloadProves: (UnsafeBufferPointer<UInt8>) -> Bool) -> LinePrefix? {
        guard let p = line.baseAddress, line.count >= 16 else { return nil }
        let n = line.count
        if p[0] &- 0x30 < 10 {
            for tail in [Tail.stream, .tag, .hostTag] {
                let shape = LinePrefix(stamp: .iso, tail: tail)
                if shape.split(p, n) != nil { return shape }
            }
            let bare = LinePrefix(stamp: .iso, tail: .bare)
            if let s = bare.split(p, n), payloadProves(UnsafeBufferPointer(rebasing: line[s.payload...])) { return bare }
            return nil
        }
        let syslog = LinePrefix(stamp: .syslog, tail: .hostTag)
        return syslog.split(p, n) != nil ? syslog : nil
    }

    // MARK: sources

    /// `[pod/NAME/CONTAINER] ` at the start of a line (`kubectl logs --prefix`, which several
    /// pods' lines interleave under with `-l`): the payload's start.
    static func kubectl(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n >= 9, p[0] == UInt8(ascii: "["), p[1] == UInt8(ascii: "p"), p[2] == UInt8(ascii: "o"),
              p[3] == UInt8(ascii: "d"), p[4] == UInt8(ascii: "/") else { return nil }
        let limit = min(n, 320)
        var j = 5, slashes = 0
        while j < limit {
            let c = p[j]
            if c == UInt8(ascii: "/") {
                // pod and container names are never empty
                guard p[j - 1] != UInt8(ascii: "/") else { return nil }
                slashes += 1
            } else if c == UInt8(ascii: "]") {
                break
            } else if !(c &- 0x61 < 26 || digit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
                return nil
            }
            j += 1
        }
        guard slashes == 1, j < limit, p[j - 1] != UInt8(ascii: "/") else { return nil }
        if j + 1 == n { return n }
        return p[j + 1] == 0x20 ? j + 2 : nil
    }

    // MARK: stamps

    @inline(__always)
    private static func digit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    @inline(__always)
    private static func digits(_ p: UnsafePointer<UInt8>, _ i: Int, _ k: Int) -> Bool {
        for j in i..<(i + k) where !digit(p[j]) { return false }
        return true
    }

    /// `HH:MM:SS` at `i`.
    private static func clock(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Bool {
        i + 8 <= n && digits(p, i, 2) && p[i + 2] == UInt8(ascii: ":") && digits(p, i + 3, 2)
            && p[i + 5] == UInt8(ascii: ":") && digits(p, i + 6, 2)
    }

    /// Past `[.,]digits` at `i`, or `i`.
    private static func fraction(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        guard i + 1 < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ","), digit(p[i + 1]) else { return i }
        var j = i + 1
        while j < n, digit(p[j]) { j += 1 }
        return j
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM|±HHMM)` at 0: its end.
    static func isoStamp(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n >= 20, digits(p, 0, 4), p[4] == UInt8(ascii: "-"), digits(p, 5, 2), p[7] == UInt8(ascii: "-"),
              digits(p, 8, 2), p[10] == UInt8(ascii: "T"), clock(p, n, 11)
        else { return nil }
        let j = fraction(p, n, 19)
        guard j < n else { return nil }
        if p[j] == UInt8(ascii: "Z") { return j + 1 }
        guard p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-"), j + 5 <= n, digits(p, j + 1, 2) else { return nil }
        if p[j + 3] == UInt8(ascii: ":") { return j + 6 <= n && digits(p, j + 4, 2) ? j + 6 : nil }
        return digits(p, j + 3, 2) ? j + 5 : nil
    }

    /// `Mmm dd HH:MM:SS[.f]` (day space-padded or not) at 0: its end.
    static func syslogStamp(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n >= 15, TimestampParser.monthIndex(p, 0) != nil, p[3] == 0x20 else { return nil }
        let d0 = p[4], d1 = p[5]
        guard d0 == 0x20 || digit(d0), digit(d1), p[6] == 0x20, clock(p, n, 7) else { return nil }
        return fraction(p, n, 15)
    }

    /// The parts of a syslog stamp: month, day, hour, minute, second, fraction digits.
    static func syslogParts(_ p: UnsafePointer<UInt8>, _ end: Int) -> (month: Int, day: Int, clock: UnsafeBufferPointer<UInt8>) {
        let month = TimestampParser.monthIndex(p, 0) ?? 1
        let day = (p[4] == 0x20 ? 0 : Int(p[4] &- 0x30) * 10) + Int(p[5] &- 0x30)
        return (month, day, UnsafeBufferPointer(start: p + 7, count: end - 7))
    }

    // MARK: tails

    @inline(__always)
    private static func nameByte(_ c: UInt8) -> Bool {
        c &- 0x61 < 26 || c &- 0x41 < 26 || digit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || c == UInt8(ascii: "@")
    }

    /// The `]` closing a non-empty, space-free `[…]` that opens at `open`, before `limit`.
    @inline(__always)
    private static func bracketClose(_ p: UnsafePointer<UInt8>, _ open: Int, _ limit: Int) -> Int? {
        var j = open + 1
        while j < limit, p[j] != UInt8(ascii: "]"), p[j] != 0x20 { j += 1 }
        return j > open + 1 && j < limit && p[j] == UInt8(ascii: "]") ? j : nil
    }

    /// `[APP/PROC/WEB/0] OUT ` or `ERR ` at `i`: the payload's start.
    private static func stream(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int? {
        guard i < n, p[i] == UInt8(ascii: "["), let j = bracketClose(p, i, min(n, i + 66)),
              j + 5 <= n, p[j + 1] == 0x20 else { return nil }
        let s = j + 2
        guard (p[s] == UInt8(ascii: "O") && p[s + 1] == UInt8(ascii: "U") && p[s + 2] == UInt8(ascii: "T"))
                || (p[s] == UInt8(ascii: "E") && p[s + 1] == UInt8(ascii: "R") && p[s + 2] == UInt8(ascii: "R"))
        else { return nil }
        if s + 3 == n { return n }
        return p[s + 3] == 0x20 ? s + 4 : nil
    }

    /// `name[id]: ` (or `name: ` when the id may be missing) at `i`: the payload's start.
    private static func tag(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, pidRequired: Bool) -> Int? {
        var j = i
        let limit = min(n, i + 64)
        while j < limit, nameByte(p[j]) { j += 1 }
        guard j > i, j < limit else { return nil }
        if p[j] == UInt8(ascii: "[") {
            guard let close = bracketClose(p, j, limit) else { return nil }
            j = close + 1
        } else if pidRequired {
            return nil
        }
        guard j < n, p[j] == UInt8(ascii: ":") else { return nil }
        if j + 1 == n { return n }
        return p[j + 1] == 0x20 ? j + 2 : nil
    }

    /// `host tag[pid]: ` at `i`: the payload's start. A level word is not a host (`… ERROR
    /// c.a.Foo: msg` is a program's own header).
    private static func hostTag(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, pidRequired: Bool) -> Int? {
        var j = i
        let limit = min(n, i + 64)
        while j < limit, nameByte(p[j]) { j += 1 }
        guard j > i, j < limit, p[j] == 0x20 else { return nil }
        if EventAssembler.levelFirst(p + i, j + 1 - i) { return nil }
        return tag(p, n, j + 1, pidRequired: pidRequired)
    }
}
