import Foundation

/// One signature over time: events per bucket, when it began, peaked and ended.
public struct SignatureSeries: Sendable, Codable, Equatable {
    public var id: String
    /// Events per bucket (only events with a timestamp are counted).
    public var counts: [Int]
    public var first: Int64?
    public var last: Int64?
    /// The bucket with the most events (the earliest on a tie); nil without timed events.
    public var peakBucket: Int?
    public var peakCount: Int
    /// Matched a pattern of an incident category (`IncidentClass.window`).
    public var incident: Bool
    /// Matched a pattern of a trouble category (`IncidentClass.trouble`).
    public var trouble: Bool
}

/// A numeric field's min, max and latest value within one bucket.
public struct FieldPoint: Sendable, Codable, Equatable {
    public var bucket: Int
    public var min: Int64
    public var max: Int64
    public var last: Int64
}

/// A numeric field pulled out by one pattern (`druid.get-connection-timeout` `active`,
/// `hikari.pool-start` `poolNumber`) as a series over the buckets that have values.
public struct FieldSeries: Sendable, Codable, Equatable {
    public var pattern: String
    public var field: String
    public var points: [FieldPoint]
}

/// From the first incident event to the last, and how quiet the logs were around it.
public struct IncidentWindow: Sendable, Codable, Equatable {
    public var start: Int64
    public var end: Int64
    /// Events of incident signatures inside the window.
    public var events: Int
    /// Analysed time before the first incident event and after the last (ms).
    public var quietBefore: Int64
    public var quietAfter: Int64
    /// The bucket with the most incident events, and how many.
    public var peakBucket: Int
    public var peakCount: Int
}

/// Signatures and numeric fields bucketed over the analysed span, the incident window and
/// the order in which trouble first appeared. A pure function of the analysis state.
public struct Timeline: Sendable, Codable, Equatable {
    public var width: BucketWidth
    /// The width asked for with `--bucket`, when it would have made too many buckets and was
    /// widened to `width`.
    public var requestedWidth: BucketWidth?
    /// Start of the first bucket (aligned to the width in the report's time zone).
    public var start: Int64
    public var bucketCount: Int
    /// The analysed span: first and last timed event (narrowed by `--since`/`--until`).
    public var spanStart: Int64?
    public var spanEnd: Int64?
    /// Every signature, most events first.
    public var signatures: [SignatureSeries]
    public var fields: [FieldSeries]
    /// Incident events (each event once) per bucket.
    public var incidentCounts: [Int]
    public var window: IncidentWindow?
    /// Trouble signatures (`IncidentClass.trouble`) by first appearance across all inputs.
    public var firstAppearance: [String]

    /// More buckets than this and a requested width is widened: beyond it no chart or
    /// sparkline is readable, and the report would grow with the span.
    public static let maxBuckets = 1500

    public func bucketStart(_ i: Int) -> Int64 { start + Int64(i) * width.millis }

    public func series(_ id: String) -> SignatureSeries? { signatures.first { $0.id == id } }

    /// Buckets `state` over `span` (nil: the state's own first and last times). `categories`
    /// maps pattern ids to catalog categories.
    public static func build(state: AnalysisState, categories: [String: String], span: (Int64, Int64)?,
                             width requested: BucketWidth? = nil, timeZone: TimeZone) -> Timeline {
        let sigFirst = state.signatures.values.compactMap(\.firstSeen).min()
        let sigLast = state.signatures.values.compactMap(\.lastSeen).max()
        let lo = minOpt(span?.0, sigFirst)
        let hi = maxOpt(span?.1, sigLast)
        let spanStart = span?.0 ?? lo
        let spanEnd = span?.1 ?? hi

        var width = requested ?? BucketWidth.automatic(span: max(0, (hi ?? 0) - (lo ?? 0)))
        var widened: BucketWidth?
        var start: Int64 = 0
        var count = 0
        if let lo, let hi {
            func layout(_ w: BucketWidth) -> (Int64, Int) {
                let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(lo / 1000)))) * 1000
                let s = floorDiv(lo + offset, w.millis) * w.millis - offset
                return (s, Int((hi - s) / w.millis) + 1)
            }
            (start, count) = layout(width)
            if count > maxBuckets {
                widened = requested
                width = BucketWidth.atLeast((hi - lo) / Int64(maxBuckets) + 1)
                (start, count) = layout(width)
            }
        }

        func bucket(ofMinute m: Int64) -> Int? {
            guard count > 0 else { return nil }
            let i = floorDiv(m * 60_000 - start, width.millis)
            return i >= 0 && i < Int64(count) ? Int(i) : nil
        }

        var series: [SignatureSeries] = []
        var incidentCounts = [Int](repeating: 0, count: count)
        for s in state.signatures.values {
            var counts = [Int](repeating: 0, count: count)
            for (m, n) in s.perMinute { if let b = bucket(ofMinute: m) { counts[b] += n } }
            var peak: Int?
            for (i, n) in counts.enumerated() where n > 0 && (peak == nil || n > counts[peak!]) { peak = i }
            let incident = IncidentClass.any(s.patterns, in: IncidentClass.window, categories: categories)
            if incident { for i in counts.indices { incidentCounts[i] += counts[i] } }
            series.append(SignatureSeries(
                id: s.key.id, counts: counts, first: s.firstSeen, last: s.lastSeen, peakBucket: peak,
                peakCount: peak.map { counts[$0] } ?? 0, incident: incident,
                trouble: IncidentClass.any(s.patterns, in: IncidentClass.trouble, categories: categories)))
        }
        let totals = Dictionary(uniqueKeysWithValues: state.signatures.values.map { ($0.key.id, $0.count) })
        series.sort { (totals[$0.id]!, $1.id) > (totals[$1.id]!, $0.id) }

        var fields: [FieldSeries] = []
        for p in state.patterns.values {
            for (name, perMinute) in p.fieldsPerMinute {
                var byBucket: [Int: FieldStat] = [:]
                for (m, f) in perMinute {
                    guard let b = bucket(ofMinute: m) else { continue }
                    if byBucket[b] == nil { byBucket[b] = f } else { byBucket[b]!.merge(f) }
                }
                guard !byBucket.isEmpty else { continue }
                let points = byBucket.keys.sorted().map { b in
                    FieldPoint(bucket: b, min: byBucket[b]!.min, max: byBucket[b]!.max, last: byBucket[b]!.last)
                }
                fields.append(FieldSeries(pattern: p.id, field: name, points: points))
            }
        }
        fields.sort { ($0.pattern, $0.field) < ($1.pattern, $1.field) }

        var window: IncidentWindow?
        let incidentPatterns = state.patterns.values.filter { categories[$0.id].map(IncidentClass.window.contains) ?? false }
        if let ws = incidentPatterns.compactMap(\.firstSeen).min(), let we = incidentPatterns.compactMap(\.lastSeen).max() {
            var peak = 0
            for (i, n) in incidentCounts.enumerated() where n > incidentCounts[peak] { peak = i }
            window = IncidentWindow(
                start: ws, end: we, events: incidentCounts.reduce(0, +),
                quietBefore: max(0, ws - (spanStart ?? ws)), quietAfter: max(0, (spanEnd ?? we) - we),
                peakBucket: peak, peakCount: incidentCounts.isEmpty ? 0 : incidentCounts[peak])
        }

        let first = series.filter { $0.trouble && $0.first != nil }
            .sorted { ($0.first!, $0.id) < ($1.first!, $1.id) }
            .map(\.id)

        return Timeline(width: width, requestedWidth: widened, start: start, bucketCount: count,
                        spanStart: spanStart, spanEnd: spanEnd, signatures: series, fields: fields,
                        incidentCounts: incidentCounts, window: window, firstAppearance: first)
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
