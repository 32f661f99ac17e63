import Foundation

/// The width of a timeline bucket, in milliseconds.
///
/// The analysis keeps counts per minute (`SignatureStat.perMinute`, `PatternStat.perMinute`), not
/// per second: a per-second series of every signature would grow with the span of the logs, and
/// a pool incident is read in minutes anyway. So one minute is the finest width: the automatic
/// choice never goes below it, and `--bucket` refuses widths that are not whole minutes.
public struct BucketWidth: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let millis: Int64

    public init(millis: Int64) { self.millis = millis }

    public static let minute = BucketWidth(millis: 60_000)
    public static let hour = BucketWidth(millis: 3_600_000)
    public static let day = BucketWidth(millis: 86_400_000)

    /// Widths a reader recognises at a glance, finest first.
    public static let natural: [BucketWidth] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080]
        .map { BucketWidth(millis: Int64($0) * 60_000) }

    /// About this many buckets across the analysed span when the width is chosen automatically.
    public static let targetBuckets: Int64 = 60

    /// The smallest natural width that spans `span` milliseconds in at most `targetBuckets`
    /// buckets (the widest natural width for longer spans).
    public static func automatic(span: Int64) -> BucketWidth {
        for w in natural where (span + w.millis - 1) / w.millis <= targetBuckets { return w }
        return natural.last!
    }

    /// The smallest natural width of at least `millis`, or `millis` rounded up to a whole day
    /// when it is wider than every natural width.
    public static func atLeast(_ millis: Int64) -> BucketWidth {
        if let w = natural.first(where: { $0.millis >= millis }) { return w }
        return BucketWidth(millis: (millis + day.millis - 1) / day.millis * day.millis)
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case finerThanState(String)

        public var description: String {
            switch self {
            case .malformed(let s):
                return "bucket width '\(s)' is not a number followed by s, m, h or d (30s, 5m, 1h, 1d)"
            case .finerThanState(let s):
                return "bucket width '\(s)' is not a whole number of minutes: the analysis keeps counts per minute, so use 1m or more"
            }
        }
    }

    /// `30s`, `5m`, `1h`, `1d` (also `90m`, `2h`). Widths must be whole minutes (see the type's note).
    public static func parse(_ text: String) throws(ParseError) -> BucketWidth {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = s.last, let n = Int64(s.dropLast()), n > 0, n <= 366 * 24 * 3600 else {
            throw .malformed(text)
        }
        let seconds: Int64
        switch unit {
        case "s": seconds = n
        case "m": seconds = n * 60
        case "h": seconds = n * 3600
        case "d": seconds = n * 86_400
        default: throw .malformed(text)
        }
        guard seconds % 60 == 0 else { throw .finerThanState(text) }
        return BucketWidth(millis: seconds * 1000)
    }

    /// `1 min`, `15 min`, `2 h`, `1 d` — for headings and labels.
    public var description: String {
        let m = millis / 60_000
        if m % 1440 == 0 { return "\(m / 1440) d" }
        if m % 60 == 0 { return "\(m / 60) h" }
        return "\(m) min"
    }

    /// `1m`, `15m`, `2h`, `1d` — the form `--bucket` takes, for JSON.
    public var flag: String {
        let m = millis / 60_000
        if m % 1440 == 0 { return "\(m / 1440)d" }
        if m % 60 == 0 { return "\(m / 60)h" }
        return "\(m)m"
    }

    public static func < (a: BucketWidth, b: BucketWidth) -> Bool { a.millis < b.millis }
}
