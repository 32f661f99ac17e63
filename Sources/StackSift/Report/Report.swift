import Foundation

/// How a report is rendered. Nothing here changes what was analysed.
public struct ReportOptions: Sendable {
    /// Zone for the times a report shows (and for aligning day and hour buckets).
    public var timeZone: TimeZone = .current
    /// Timeline bucket width; nil chooses one (`BucketWidth.automatic`).
    public var bucket: BucketWidth?
    /// Mask secrets in log text (`Redactor`); off with `--no-redact`.
    public var redact = true
    /// Show how long the analysis took. Off by default so the same input gives the same bytes.
    public var includeTiming = false
    /// ANSI colours in the text summary.
    public var color = false
    /// The analysis window (`--since`/`--until`), epoch ms: narrows the analysed span.
    public var since: Int64?
    public var until: Int64?
    /// Echoed in the report's notes about limits.
    public var maxLineLength = LineFramer.defaultMaxLineLength
    public var maxSignatures = AnalysisState.defaultMaxSignatures
    /// Files not read (from discovery), listed under Inputs.
    public var skipped: [SkipNote] = []

    public init() {}

    /// The report options that follow from how the analysis ran.
    public init(_ analysis: AnalysisOptions) {
        timeZone = analysis.timeZone
        since = analysis.since
        until = analysis.until
        maxLineLength = analysis.maxLineLength
        maxSignatures = analysis.maxSignatures
    }
}

/// Everything a renderer needs: the analysis result, the catalog it was matched with, the
/// findings and the timeline. Renderers (`MarkdownReport`, `JSONReport`, `TextReport`) are
/// pure functions of this value.
public struct Report: Sendable {
    public let result: AnalysisResult
    public let catalog: PatternCatalog
    public let options: ReportOptions
    public let findings: [Finding]
    public let timeline: Timeline

    public init(result: AnalysisResult, catalog: PatternCatalog, options: ReportOptions, findings: [Finding], timeline: Timeline) {
        self.result = result
        self.catalog = catalog
        self.options = options
        self.findings = findings
        self.timeline = timeline
    }

    /// Diagnoses and buckets `result`. A run that stopped before matching (`--stage`) has no
    /// findings.
    public init(result: AnalysisResult, catalog: PatternCatalog, options: ReportOptions) {
        let categories = catalog.categoryByID
        let findings = result.stage == .full ? Diagnosis.run(DiagnosisInput(state: result.state, categories: categories)) : []
        let timeline = Timeline.build(state: result.state, categories: categories, span: Self.span(result, options),
                                      width: options.bucket, timeZone: options.timeZone)
        self.init(result: result, catalog: catalog, options: options, findings: findings, timeline: timeline)
    }

    /// The analysed span: the inputs' first and last timestamps, narrowed to `--since`/`--until`.
    static func span(_ r: AnalysisResult, _ o: ReportOptions) -> (Int64, Int64)? {
        guard var lo = r.firstTime, var hi = r.lastTime else { return nil }
        if let since = o.since { lo = max(lo, since) }
        if let until = o.until { hi = min(hi, until - 1) }
        return lo <= hi ? (lo, hi) : nil
    }

    /// Findings at or above `severity` (for `--fail-on`).
    public func findings(atOrAbove severity: Severity) -> [Finding] {
        findings.filter { $0.severity >= severity }
    }

    var specs: [String: PatternSpec] {
        Dictionary(catalog.patterns.map { ($0.spec.id, $0.spec) }, uniquingKeysWith: { _, b in b })
    }

    /// Signatures most events first (ties by id), the order every renderer lists them in.
    var signaturesByCount: [SignatureStat] {
        result.state.signatures.values.sorted { ($0.count, $1.key.id) > ($1.count, $0.key.id) }
    }
}
