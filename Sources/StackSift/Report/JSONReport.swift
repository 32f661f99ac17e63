import Foundation

/// The machine-readable report. Versioned: fields are added, never renamed or removed, within
/// one `schema` version.
public struct JSONReport: Encodable {
    public static let schema = "stacksift.report/1"

    struct Inputs: Encodable {
        var files: Int
        var bytes: Int64
        var compressedBytes: Int64
        var lines: Int
        var events: Int
        var truncatedLines: Int
        var invalidUTF8Lines: Int
        var nulLines: Int
        var tooLongEvents: Int
        var errors: [InputError]
        var skipped: [SkipNote]
        var perFile: [PerFile]
    }

    struct PerFile: Encodable {
        var path: String
        var format: String
        var container: String?
        var compressedBytes: Int64
        var bytes: Int64
        var lines: Int
        var events: Int
        var truncatedLines: Int
        var invalidUTF8Lines: Int
        var nulLines: Int
        var tooLongEvents: Int
        var first: String?
        var last: String?
        var status: String
        var error: InputError?
    }

    struct Span: Encodable {
        var first: String?
        var last: String?
    }

    struct FieldOut: Encodable {
        var min: Int64
        var max: Int64
        var last: Int64
    }

    struct PatternOut: Encodable {
        var id: String
        var title: String
        var severity: String
        var category: String
        var count: Int
        var firstSeen: String?
        var lastSeen: String?
        var fields: [String: FieldOut]
        var values: [String: [String: Int]]
    }

    struct SignatureOut: Encodable {
        var id: String
        var kind: String
        var exception: String?
        var rootCause: String?
        var message: String
        var frames: [String]
        var why: [String]
        var count: Int
        var firstSeen: String?
        var lastSeen: String?
        var patterns: [String]
        var sources: [String: Int]
        var exemplar: String
        var exemplarTruncated: Bool
    }

    struct Limits: Encodable {
        var maxSignatures: Int
        var overflowEvents: Int
        var overflowSignatures: Int
        /// Present (true) when `overflowSignatures` is estimated (past 4,096 distinct ids).
        var overflowSignaturesEstimated: Bool?
        var regexLimitHits: Int
        var exemplarBytes: Int
        /// Signatures whose exemplar was cut at `exemplarBytes`.
        var exemplarsTruncated: Int
    }

    struct EvidenceOut: Encodable {
        var label: String
        var signature: String?
        var pattern: String?
        var count: Int?
        var first: String?
        var last: String?
        var sources: [String: Int]?
        var values: [String: String]?
    }

    struct FindingOut: Encodable {
        var id: String
        var title: String
        var severity: String
        var confidence: Confidence
        var evidence: [EvidenceOut]
        var explanation: String
        var actions: [Action]
        var toConfirm: [String]
    }

    struct WindowOut: Encodable {
        var start: String
        var end: String
        var durationSeconds: Int64
        var events: Int
        var quietBeforeSeconds: Int64
        var quietAfterSeconds: Int64
        var peakBucket: String?
        var peakEvents: Int
    }

    struct BucketOut: Encodable {
        var start: String
        var incidentEvents: Int
        /// Signature id → events in this bucket; signatures without events are left out.
        var signatures: [String: Int]
    }

    struct SeriesOut: Encodable {
        var id: String
        var first: String?
        var last: String?
        var peakBucket: String?
        var peakEvents: Int
        var incident: Bool
        var trouble: Bool
    }

    struct PointOut: Encodable {
        var start: String
        var min: Int64
        var max: Int64
        var last: Int64
    }

    struct FieldSeriesOut: Encodable {
        var pattern: String
        var field: String
        var points: [PointOut]
    }

    struct TimelineOut: Encodable {
        var bucket: String
        var bucketSeconds: Int64
        var requestedBucket: String?
        var start: String?
        var bucketCount: Int
        var span: Span
        var buckets: [BucketOut]
        var signatures: [SeriesOut]
        var fields: [FieldSeriesOut]
        var firstAppearance: [String]
    }

    var schema = JSONReport.schema
    var tool: [String: String]
    var timezone: String
    var stage: String
    /// Only with `includeTiming`: a wall-clock time would make equal inputs give unequal reports.
    var analysisSeconds: Double?
    var complete: Bool
    var inputs: Inputs
    var timeSpan: Span
    var window: WindowOut?
    var findings: [FindingOut]
    var timeline: TimelineOut
    var patterns: [PatternOut]
    var signatures: [SignatureOut]
    var limits: Limits

    public init(_ report: Report) {
        let r = report.result
        let options = report.options
        let skipped = options.skipped
        let redact = Redactor(enabled: options.redact)
        let tf = TimeFormat(options.timeZone)
        func t(_ v: Int64?) -> String? { v.map(tf.iso) }
        tool = ["name": "stacksift", "version": StackSiftVersion.string]
        timezone = options.timeZone.identifier
        stage = r.stage.rawValue
        analysisSeconds = options.includeTiming ? (r.elapsedSeconds * 1000).rounded() / 1000 : nil
        complete = r.complete
        let read = r.files.filter { $0.status != .skipped && $0.status != .unreadable }
        let skippedNotes = skipped + r.files.filter { $0.status == .skipped }.map { SkipNote(path: $0.path, reason: $0.note ?? "skipped") }
        inputs = Inputs(
            files: read.count, bytes: r.bytes, compressedBytes: read.reduce(0) { $0 + $1.compressedBytes },
            lines: r.lines, events: r.events,
            truncatedLines: r.files.reduce(0) { $0 + $1.truncatedLines },
            invalidUTF8Lines: r.files.reduce(0) { $0 + $1.invalidUTF8Lines },
            nulLines: r.files.reduce(0) { $0 + $1.nulLines },
            tooLongEvents: r.files.reduce(0) { $0 + $1.tooLongEvents },
            errors: r.errors, skipped: skippedNotes,
            perFile: r.files.filter { $0.status != .skipped }.map { f in
                PerFile(path: f.path, format: f.format, container: f.container, compressedBytes: f.compressedBytes, bytes: f.bytes,
                        lines: f.lines, events: f.events, truncatedLines: f.truncatedLines, invalidUTF8Lines: f.invalidUTF8Lines,
                        nulLines: f.nulLines, tooLongEvents: f.tooLongEvents, first: t(f.firstTime), last: t(f.lastTime),
                        status: f.status.rawValue, error: f.error)
            })
        timeSpan = Span(first: t(r.firstTime), last: t(r.lastTime))
        let specs = report.specs
        patterns = r.state.patterns.values.sorted { ($0.count, $1.id) > ($1.count, $0.id) }.map { p in
            let spec = specs[p.id]
            // Text values are log text (a URL field can carry a password): redacted, and values
            // that become equal once masked are counted together.
            let values = p.textFields.mapValues { f in
                f.values.reduce(into: [String: Int]()) { $0[redact($1.key), default: 0] += $1.value }
            }
            return PatternOut(id: p.id, title: spec?.title ?? "", severity: spec?.severity.rawValue ?? "", category: spec?.category ?? "",
                              count: p.count, firstSeen: t(p.firstSeen), lastSeen: t(p.lastSeen),
                              fields: p.fields.mapValues { FieldOut(min: $0.min, max: $0.max, last: $0.last) },
                              values: values)
        }
        // Redacting the exemplars is most of building a large report: on both cores (a redactor
        // and a time format per thread).
        let sigs = report.signaturesByCount
        let redactOn = options.redact, zone = options.timeZone
        signatures = parallelChunks(sigs.count) { range in
            let redact = Redactor(enabled: redactOn)
            let tf = TimeFormat(zone)
            func t(_ v: Int64?) -> String? { v.map(tf.iso) }
            return sigs[range].map { s in
                SignatureOut(id: s.key.id, kind: s.key.kind, exception: s.key.exception, rootCause: s.key.rootCause, message: redact(s.key.message),
                             frames: s.key.frames, why: s.key.why.map(redact.redact), count: s.count, firstSeen: t(s.firstSeen), lastSeen: t(s.lastSeen),
                             patterns: s.patterns.sorted(), sources: s.sources, exemplar: redact(s.exemplar), exemplarTruncated: s.exemplarTruncated)
            }
        }.flatMap { $0 }
        limits = Limits(maxSignatures: options.maxSignatures, overflowEvents: r.state.overflowEvents,
                        overflowSignatures: r.state.overflowSignatures.distinct.count,
                        overflowSignaturesEstimated: r.state.overflowSignatures.distinct.exact ? nil : true, regexLimitHits: r.state.limitHits,
                        exemplarBytes: AnalysisState.exemplarCap,
                        exemplarsTruncated: r.state.signatures.values.filter(\.exemplarTruncated).count)

        findings = report.findings.map { f in
            FindingOut(id: f.id, title: f.title, severity: f.severity.rawValue, confidence: f.confidence,
                       evidence: f.evidence.map { e in
                           EvidenceOut(label: e.label, signature: e.signature, pattern: e.pattern, count: e.count,
                                       first: t(e.first), last: t(e.last), sources: e.sources, values: e.values?.mapValues(redact.redact))
                       },
                       explanation: redact(f.explanation), actions: f.actions, toConfirm: f.toConfirm)
        }
        let tl = report.timeline
        window = tl.window.map { w in
            WindowOut(start: tf.iso(w.start), end: tf.iso(w.end), durationSeconds: (w.end - w.start) / 1000, events: w.events,
                      quietBeforeSeconds: w.quietBefore / 1000, quietAfterSeconds: w.quietAfter / 1000,
                      peakBucket: tl.bucketCount > 0 ? tf.iso(tl.bucketStart(w.peakBucket)) : nil, peakEvents: w.peakCount)
        }
        var buckets = (0..<tl.bucketCount).map { i in
            BucketOut(start: tf.iso(tl.bucketStart(i)), incidentEvents: tl.incidentCounts[i], signatures: [:])
        }
        for series in tl.signatures {
            for (i, n) in series.counts.enumerated() where n > 0 { buckets[i].signatures[series.id] = n }
        }
        timeline = TimelineOut(
            bucket: tl.width.flag, bucketSeconds: tl.width.millis / 1000, requestedBucket: tl.requestedWidth?.flag,
            start: tl.bucketCount > 0 ? tf.iso(tl.start) : nil, bucketCount: tl.bucketCount,
            span: Span(first: t(tl.spanStart), last: t(tl.spanEnd)), buckets: buckets,
            signatures: tl.signatures.map { s in
                SeriesOut(id: s.id, first: t(s.first), last: t(s.last), peakBucket: s.peakBucket.map { tf.iso(tl.bucketStart($0)) },
                          peakEvents: s.peakCount, incident: s.incident, trouble: s.trouble)
            },
            fields: tl.fields.map { f in
                FieldSeriesOut(pattern: f.pattern, field: f.field, points: f.points.map {
                    PointOut(start: tf.iso(tl.bucketStart($0.bucket)), min: $0.min, max: $0.max, last: $0.last)
                })
            },
            firstAppearance: tl.firstAppearance)
    }

    public func render() -> String {
        String(decoding: renderData(), as: UTF8.self)
    }

    static func encoder() -> JSONEncoder {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return enc
    }

    /// Where the top level's empty `signatures` array sits in the pretty-printed report (keys
    /// one level deep are indented by two spaces; deeper ones, like the timeline's, by more).
    static let emptySignatures = Data("\n  \"signatures\" : [\n\n  ]".utf8)

    /// The report as UTF-8 JSON with a final newline. The signatures — exemplars above all,
    /// most of a large report — are encoded on both cores, one by one, indented to their depth
    /// and spliced into the rest: the same bytes as encoding the whole report at once (a raw
    /// newline in pretty-printed JSON is always layout; newlines in strings are escaped).
    public func renderData() -> Data {
        let enc = Self.encoder()
        var out: Data
        var rest = self
        rest.signatures = []
        if signatures.count >= 32, let top = try? enc.encode(rest), let at = top.range(of: Self.emptySignatures),
           top[at.upperBound...].range(of: Self.emptySignatures) == nil {
            let sigs = signatures
            let parts: [Data?] = parallelChunks(sigs.count) { range in
                let enc = Self.encoder()
                var d = Data()
                for i in range {
                    guard let one = try? enc.encode(sigs[i]) else { return nil }
                    d.append(contentsOf: i == 0 ? "\n    ".utf8 : ",\n    ".utf8)
                    Self.appendIndented(one, by: "    ", to: &d)
                }
                return d
            }
            if parts.allSatisfy({ $0 != nil }) {
                out = Data(top[..<at.lowerBound])
                out.append(contentsOf: "\n  \"signatures\" : [".utf8)
                for p in parts { out.append(p!) }
                out.append(contentsOf: "\n  ]".utf8)
                out.append(top[at.upperBound...])
                out.append(UInt8(ascii: "\n"))
                return out
            }
        }
        out = (try? enc.encode(self)) ?? Data("{}".utf8)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// Appends `json` with `indent` after each of its newlines, except where the line is empty
    /// (the inside of an empty array or object is printed as a bare blank line).
    static func appendIndented(_ json: Data, by indent: String, to out: inout Data) {
        json.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
            var from = 0
            for i in 0..<b.count where b[i] == 0x0A {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[from...i]))
                if i + 1 < b.count && b[i + 1] != 0x0A { out.append(contentsOf: indent.utf8) }
                from = i + 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[from...]))
        }
    }
}

public enum StackSiftVersion {
    public static let string = "0.1.0"
}
