import Foundation

/// Parses a point in time given on the command line (`--since`, `--until`):
/// `2023-10-10`, `2023-10-10 16:00`, `2023-10-10 16:00:30`, `2023-10-10T16:00:30.250`, each
/// optionally followed by `Z` or an offset (`+08:00`, `+0800`). Without a zone the time is
/// read in `zone` (the report's `--timezone`), as log timestamps without one are.
/// Returns epoch milliseconds, or nil when the text is none of these.
public func parseTimeArgument(_ text: String, zone: TimeZone) -> Int64? {
    let b = Array(text.trimmingCharacters(in: .whitespaces).utf8)
    var i = 0
    func number(_ digits: Int) -> Int? {
        guard i + digits <= b.count else { return nil }
        var v = 0
        for k in i..<(i + digits) {
            guard b[k] &- 0x30 < 10 else { return nil }
            v = v * 10 + Int(b[k] &- 0x30)
        }
        i += digits
        return v
    }
    func eat(_ c: Character) -> Bool {
        guard i < b.count, b[i] == c.asciiValue! else { return false }
        i += 1
        return true
    }
    guard let y = number(4), eat("-"), let mo = number(2), eat("-"), let d = number(2),
          (1...12).contains(mo), (1...31).contains(d) else { return nil }
    var h = 0, mi = 0, s = 0, ms = 0
    if i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "T") {
        i += 1
        guard let hh = number(2), eat(":"), let mm = number(2), hh < 24, mm < 60 else { return nil }
        h = hh; mi = mm
        if eat(":") {
            guard let ss = number(2), ss < 61 else { return nil }
            s = ss
            if eat(".") || eat(",") {
                var scale = 100
                while i < b.count, b[i] &- 0x30 < 10 {
                    ms += Int(b[i] &- 0x30) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
    }
    let localSeconds = daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s
    let offset: Int
    if i == b.count {
        offset = ZoneResolver(zone).offset(forLocal: localSeconds)
    } else if eat("Z") || eat("z") {
        offset = 0
    } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let oh = number(2) else { return nil }
        _ = eat(":")
        let om = number(2) ?? 0
        guard oh <= 14, om < 60 else { return nil }
        offset = sign * (oh * 3600 + om * 60)
    } else {
        return nil
    }
    guard i == b.count else { return nil }
    return Int64(localSeconds - offset) * 1000 + Int64(ms)
}
