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
        var regexLimitHits: Int
        var exemplarBytes: Int
    }

    var schema = JSONReport.schema
    var tool: [String: String]
    var timezone: String
    var stage: String
    var analysisSeconds: Double
    var complete: Bool
    var inputs: Inputs
    var timeSpan: Span
    var patterns: [PatternOut]
    var signatures: [SignatureOut]
    var limits: Limits

    public init(_ r: AnalysisResult, catalog: PatternCatalog, options: AnalysisOptions, skipped: [SkipNote] = [], includeTiming: Bool = true) {
        let tf = TimeFormat(options.timeZone)
        func t(_ v: Int64?) -> String? { v.map(tf.iso) }
        tool = ["name": "stacksift", "version": StackSiftVersion.string]
        timezone = options.timeZone.identifier
        stage = r.stage.rawValue
        analysisSeconds = includeTiming ? (r.elapsedSeconds * 1000).rounded() / 1000 : 0
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
        let specs = Dictionary(catalog.patterns.map { ($0.spec.id, $0.spec) }, uniquingKeysWith: { a, _ in a })
        patterns = r.state.patterns.values.sorted { ($0.count, $1.id) > ($1.count, $0.id) }.map { p in
            let spec = specs[p.id]
            return PatternOut(id: p.id, title: spec?.title ?? "", severity: spec?.severity.rawValue ?? "", category: spec?.category ?? "",
                              count: p.count, firstSeen: t(p.firstSeen), lastSeen: t(p.lastSeen),
                              fields: p.fields.mapValues { FieldOut(min: $0.min, max: $0.max, last: $0.last) },
                              values: p.textFields.mapValues(\.values))
        }
        signatures = r.state.signatures.values.sorted { ($0.count, $1.key.id) > ($1.count, $0.key.id) }.map { s in
            SignatureOut(id: s.key.id, kind: s.key.kind, exception: s.key.exception, rootCause: s.key.rootCause, message: s.key.message,
                         frames: s.key.frames, why: s.key.why, count: s.count, firstSeen: t(s.firstSeen), lastSeen: t(s.lastSeen),
                         patterns: s.patterns.sorted(), sources: s.sources, exemplar: s.exemplar, exemplarTruncated: s.exemplarTruncated)
        }
        limits = Limits(maxSignatures: options.maxSignatures, overflowEvents: r.state.overflowEvents,
                        overflowSignatures: r.state.overflowSignatures.count, regexLimitHits: r.state.limitHits,
                        exemplarBytes: AnalysisState.exemplarCap)
    }

    public func render() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? enc.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

public enum StackSiftVersion {
    public static let string = "0.1.0"
}
