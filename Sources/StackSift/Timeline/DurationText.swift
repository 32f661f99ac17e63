/// A duration for people: `45 s`, `12 min`, `6 h 52 min`, `2 d 3 h`.
public func durationText(_ ms: Int64) -> String {
    let s = max(0, ms) / 1000
    if s < 60 { return "\(s) s" }
    let m = s / 60
    if m < 60 { return "\(m) min" }
    let h = m / 60
    if h < 48 { return m % 60 == 0 ? "\(h) h" : "\(h) h \(m % 60) min" }
    return h % 24 == 0 ? "\(h / 24) d" : "\(h / 24) d \(h % 24) h"
}
