import Foundation

/// ISO-8601 with milliseconds and offset in the report's time zone
/// (`2023-10-10T16:30:13.070Z`, `2023-10-11T00:30:13.070+08:00`). No DateFormatter.
public struct TimeFormat: Sendable {
    public let timeZone: TimeZone
    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    public func iso(_ ms: Int64) -> String {
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - secs * 1000)
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(secs)))
        let local = Int(secs) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let sod = local - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var b: [UInt8] = []
        b.reserveCapacity(29)
        func put(_ v: Int, _ width: Int) {
            // zero-padded to `width` (wider numbers in full); a short String is not allocated
            let digits = String(v).utf8
            if digits.count < width { b += repeatElement(UInt8(ascii: "0"), count: width - digits.count) }
            b += digits
        }
        if y < 0 { b.append(UInt8(ascii: "-")) }
        put(abs(y), 4)
        b.append(UInt8(ascii: "-")); put(m, 2)
        b.append(UInt8(ascii: "-")); put(d, 2)
        b.append(UInt8(ascii: "T")); put(sod / 3600, 2)
        b.append(UInt8(ascii: ":")); put(sod % 3600 / 60, 2)
        b.append(UInt8(ascii: ":")); put(sod % 60, 2)
        b.append(UInt8(ascii: ".")); put(millis, 3)
        if offset == 0 {
            b.append(UInt8(ascii: "Z"))
        } else {
            let a = abs(offset)
            b.append(UInt8(ascii: offset < 0 ? "-" : "+"))
            put(a / 3600, 2)
            b.append(UInt8(ascii: ":")); put(a % 3600 / 60, 2)
        }
        let s = String(decoding: b, as: UTF8.self)
        return s
    }

    /// The zone's name for people: `UTC` rather than Foundation's `GMT` for the zero offset.
    public var zoneName: String {
        let id = timeZone.identifier
        return (id == "GMT" || id == "UTC" || id == "Etc/UTC") ? "UTC" : id
    }

    /// `2023-10-10 16:30:38 → 16:44:37`: the end without its date when it is the same day.
    public func range(_ a: Int64, _ b: Int64) -> String {
        let x = short(a), y = short(b)
        return x.prefix(10) == y.prefix(10) ? "\(x) → \(y.dropFirst(11))" : "\(x) → \(y)"
    }

    /// `2023-10-10 16:30` — for tables read by people.
    public func short(_ ms: Int64, seconds: Bool = true) -> String {
        let full = iso(ms)
        let date = full.prefix(10)
        let time = full.dropFirst(11).prefix(seconds ? 8 : 5)
        return "\(date) \(time)"
    }
}

/// Inverse of `daysFromCivil`.
func civil(fromDays z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}

/// Parses `--timezone`: an IANA name (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`).
public func parseTimeZone(_ s: String) -> TimeZone? {
    if s.uppercased() == "UTC" || s == "Z" { return TimeZone(identifier: "UTC") }
    if let first = s.first, first == "+" || first == "-" {
        let digits = s.dropFirst().replacingOccurrences(of: ":", with: "")
        guard digits.count == 2 || digits.count == 4, let v = Int(digits) else { return nil }
        let h = digits.count == 2 ? v : v / 100, m = digits.count == 2 ? 0 : v % 100
        guard h <= 14, m < 60 else { return nil }
        return TimeZone(secondsFromGMT: (first == "-" ? -1 : 1) * (h * 3600 + m * 60))
    }
    return TimeZone(identifier: s)
}
