import Foundation

/// The Markdown incident report: summary, findings, timeline, signatures, their details and the
/// inputs. A pure function of the `Report`: the same input gives the same bytes (no clock, no
/// dictionary order). Readable as plain text in a terminal; on GitHub and GitLab the timeline
/// renders as a Mermaid chart. Log text goes through `Redactor` and `MarkdownText`, so it can
/// neither leak a password nor break the document.
public struct MarkdownReport {
    let report: Report
    let tf: TimeFormat
    let redactor: Redactor

    /// Signatures given a details section.
    static let detailedSignatures = 20
    /// Signatures in the table and on the timeline's chart.
    static let tableSignatures = 50
    static let chartSeries = 5
    /// Exemplar lines shown, and frames kept under each exception header besides the key frames.
    static let exemplarLines = 40
    static let framesPerHeader = 3
    static let exemplarLineBytes = 400

    public init(_ report: Report) {
        self.report = report
        tf = TimeFormat(report.options.timeZone)
        redactor = Redactor(enabled: report.options.redact)
    }

    public func render() -> String {
        var out = title() + "\n\n" + summary() + "\n"
        if report.result.stage == .full {
            out += findingsSection()
            out += timelineSection()
            out += signaturesSection()
            out += detailsSection()
        }
        out += inputsSection()
        return out
    }

    // MARK: - title and summary

    func title() -> String {
        if let top = report.findings.first { return "# Connection-pool incident: " + MarkdownText.prose(top.title) }
        return "# stacksift report: no connection-pool incident found"
    }

    /// What happened, when it began, how bad at its peak, and the top finding.
    func summary() -> String {
        let r = report.result
        let t = report.timeline
        var s = ""
        if let w = t.window {
            let (from, to) = (tf.short(w.start), tf.short(w.end))
            s += "From **\(from)** to **\(to.prefix(10) == from.prefix(10) ? String(to.dropFirst(11)) : to)** (\(durationText(w.end - w.start))) the logs show "
            s += "\(plural(w.events, "incident event")): " + Self.incidentCounts(report).joined(separator: ", ") + "."
            if w.peakCount > 0 {
                s += " At its peak: \(plural(w.peakCount, "incident event")) in the \(t.width) from \(tf.short(t.bucketStart(w.peakBucket), seconds: false))."
            }
        } else if r.stage == .full {
            s += "No pool timeout, database refusal, leak or abandoned-connection trace was logged."
        }
        if let top = report.findings.first {
            s += " Top finding: **\(MarkdownText.prose(top.title))** (`\(top.id)`, \(top.severity.rawValue), \(top.confidence.level.rawValue) confidence)"
            s += report.findings.count > 1 ? "; \(report.findings.count - 1) more below." : "."
        } else if let w = t.window {
            s += " That is too little for a finding (\(plural(w.events, "event")); a pool incident needs at least \(Threshold.incidentEvents) timeouts or clear leak evidence)."
        }
        s += (s.isEmpty ? "" : "\n\n") + "Read \(r.filesRead) input\(r.filesRead == 1 ? "" : "s") (\(MarkdownText.bytes(r.bytes)) decompressed): \(r.lines) lines, \(r.events) events"
        if let a = t.spanStart, let b = t.spanEnd { s += ", analysed from \(tf.short(a)) to \(tf.short(b))" }
        s += ". Times are \(tf.zoneName)."
        if report.options.includeTiming { s += String(format: " Analysis took %.3f s.", r.elapsedSeconds) }
        s += "\n"
        if !r.errors.isEmpty {
            s += "\n**The run was partial:** \(r.errors.count) input\(r.errors.count == 1 ? "" : "s") could not be read completely (see Inputs).\n"
        }
        return s
    }

    /// `database refusals 38`, `pool timeouts 21`, … for the incident categories that occurred.
    /// One event can be in two categories (a pool timeout caused by a refusal), so these do not
    /// add up to the number of incident events.
    static func incidentCounts(_ report: Report) -> [String] {
        let names: [(String, String)] = [
            ("pool-timeout", "pool timeouts"),
            ("db-refused", "database refusals"),
            ("pool-create-error", "failed connection attempts"),
            ("leak", "leak reports"),
            ("abandoned", "abandoned-connection traces"),
            ("pool-deadlock", "pool deadlock reports"),
        ]
        let categories = report.catalog.categoryByID
        var out: [String] = []
        for (category, name) in names {
            let n = report.result.state.patterns.values.filter { categories[$0.id] == category }.reduce(0) { $0 + $1.count }
            if n > 0 { out.append("\(name) \(n)") }
        }
        return out
    }

    // MARK: - findings

    func findingsSection() -> String {
        var out = "## Findings\n\n"
        if report.findings.isEmpty { return out + "None: no rule found enough evidence.\n\n" }
        for (i, f) in report.findings.enumerated() {
            out += "### \(i + 1). \(MarkdownText.prose(f.title))\n\n"
            out += "`\(f.id)` · severity **\(f.severity.rawValue)** · confidence **\(f.confidence.level.rawValue)**: \(MarkdownText.prose(f.confidence.why))\n\n"
            out += MarkdownText.prose(redactor(f.explanation)) + "\n\n"
            if !f.evidence.isEmpty {
                out += "| evidence | pattern / signature | events | first | last | inputs | values |\n|---|---|---:|---|---|---|---|\n"
                for e in f.evidence {
                    let ref = e.pattern.map { MarkdownText.cellCode($0) } ?? e.signature.map { MarkdownText.cellCode($0) } ?? "—"
                    out += "| \(MarkdownText.inline(e.label, max: 200)) | \(ref) | \(e.count.map(String.init) ?? "—") | \(time(e.first)) | \(time(e.last)) | \(sourcesCell(e.sources)) | \(valuesCell(e.values)) |\n"
                }
                out += "\n"
            }
            if !f.actions.isEmpty {
                out += "What to do:\n\n"
                for (k, a) in f.actions.enumerated() {
                    out += "\(k + 1). \(MarkdownText.prose(a.text))"
                    if !a.references.isEmpty {
                        // References are the rules' own constants, not log text.
                        out += " (" + a.references.map { "<\($0)>" }.joined(separator: ", ") + ")"
                    }
                    out += "\n"
                }
                out += "\n"
            }
            if !f.toConfirm.isEmpty {
                out += "To confirm:\n\n" + f.toConfirm.map { "- " + MarkdownText.prose($0) + "\n" }.joined() + "\n"
            }
        }
        return out
    }

    func sourcesCell(_ sources: [String: Int]?) -> String {
        guard let sources, !sources.isEmpty else { return "—" }
        let sorted = sources.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var parts = sorted.prefix(3).map { "\(MarkdownText.inline($0.key, max: 120)) (\($0.value))" }
        if sorted.count > 3 { parts.append("\(sorted.count - 3) more") }
        return parts.joined(separator: "<br>")
    }

    func valuesCell(_ values: [String: String]?) -> String {
        guard let values, !values.isEmpty else { return "—" }
        return values.keys.sorted().map { "\(MarkdownText.inline($0)) = \(MarkdownText.inline(redactor(values[$0]!), max: 200))" }
            .joined(separator: "<br>")
    }

    func time(_ t: Int64?) -> String { t.map { tf.short($0) } ?? "—" }

    // MARK: - timeline

    func timelineSection() -> String {
        let t = report.timeline
        var out = "## Timeline\n\n"
        guard t.bucketCount > 0 else { return out + "No event carried a timestamp.\n\n" }
        if let w = t.window {
            out += "Incident window: **\(tf.range(w.start, w.end))** (\(durationText(w.end - w.start))), \(plural(w.events, "incident event"))"
            out += "; quiet for \(durationText(w.quietBefore)) before and \(durationText(w.quietAfter)) after.\n"
        } else {
            out += "No incident window: no pool timeout, database refusal, leak or abandoned trace.\n"
        }
        out += "Buckets of \(t.width) from \(tf.short(t.start, seconds: false)) (\(plural(t.bucketCount, "bucket")))"
        if let asked = t.requestedWidth { out += "; \(asked) was asked for but would need more than \(Timeline.maxBuckets) buckets" }
        out += ".\n\n"

        let trouble = t.signatures.filter(\.trouble)
        let charted = Array(trouble.prefix(Self.chartSeries))
        if !charted.isEmpty {
            out += mermaid(charted)
            out += "Lines, in order: " + charted.enumerated().map { "\($0.offset + 1) `\($0.element.id)`" }.joined(separator: ", ") + ".\n\n"
        }

        if !t.firstAppearance.isEmpty {
            out += "### First appearance\n\n"
            out += "| # | signature | what | first | peak | last | events | per \(t.width) |\n|---:|---|---|---|---|---|---:|---|\n"
            let sigs = report.result.state.signatures
            for (i, id) in t.firstAppearance.enumerated() {
                guard let s = sigs[id], let series = t.series(id) else { continue }
                let peak = series.peakBucket.map { "\(tf.short(t.bucketStart($0), seconds: false)) (\(series.peakCount))" } ?? "—"
                out += "| \(i + 1) | \(MarkdownText.cellCode(id)) | \(MarkdownText.inline(what(s), max: 90)) | \(time(s.firstSeen)) | \(peak) | \(time(s.lastSeen)) | \(s.count) | `\(sparkline(series.counts, width: 60))` |\n"
            }
            out += "\n"
        }

        let shown = t.fields.filter { Self.chartedFields.contains($0.field) }
        if !shown.isEmpty {
            out += "### Numbers the pool reported\n\n"
            out += "| pattern | field | min | max | last | max per \(t.width) |\n|---|---|---:|---:|---:|---|\n"
            for f in shown {
                let lo = f.points.map(\.min).min()!, hi = f.points.map(\.max).max()!
                let last = f.points.last!.last
                out += "| \(MarkdownText.cellCode(f.pattern)) | \(MarkdownText.inline(f.field)) | \(lo) | \(hi) | \(last) | `\(fieldSparkline(f, buckets: t.bucketCount))` |\n"
            }
            out += "\n"
        }
        return out
    }

    /// Fields worth a line in the Markdown (the JSON has all): the pool's occupancy and books,
    /// its error counters and pool numbers.
    static let chartedFields: Set<String> = [
        "active", "maxActive", "total", "idle", "waiting", "busy", "size", "createErrorCount", "poolNumber",
        "activeCount", "poolingCount", "createCount", "destroyCount", "discardCount", "waitThreadCount", "activeConnections",
    ]

    /// The per-bucket maxima of a field, `▂` for the smallest value to `█` for the largest, `·`
    /// where the field was not reported. Wide timelines keep each cell's largest value.
    func fieldSparkline(_ f: FieldSeries, buckets: Int) -> String {
        var values = [Int64?](repeating: nil, count: buckets)
        for p in f.points where p.bucket < buckets { values[p.bucket] = p.max }
        let per = max(1, (buckets + 59) / 60)
        let cells = stride(from: 0, to: buckets, by: per).map { i in values[i..<min(buckets, i + per)].compactMap { $0 }.max() }
        let present = cells.compactMap { $0 }
        guard let lo = present.min(), let hi = present.max() else { return "" }
        let levels: [Character] = ["▂", "▃", "▄", "▅", "▆", "▇", "█"]
        return String(cells.map { v -> Character in
            guard let v else { return "·" }
            return hi == lo ? levels[0] : levels[Int((v - lo) * Int64(levels.count - 1) / (hi - lo))]
        })
    }

    /// Points on the chart's x axis at most; finer timelines are summed into wider points.
    static let chartPoints = 120

    func mermaid(_ series: [SignatureSeries]) -> String {
        let t = report.timeline
        let per = max(1, (t.bucketCount + Self.chartPoints - 1) / Self.chartPoints)
        let points = stride(from: 0, to: t.bucketCount, by: per).map { $0 }
        let multiDay = tf.short(t.bucketStart(0)).prefix(10) != tf.short(t.bucketStart(t.bucketCount - 1)).prefix(10)
        let labels = points.map { i -> String in
            let s = tf.short(t.bucketStart(i), seconds: false)   // 2023-10-10 16:30
            if t.width >= .day { return String(s.prefix(10)) }
            return multiDay ? String(s.dropFirst(5)) : String(s.suffix(5))
        }
        let lines = series.map { s in points.map { i in s.counts[i..<min(t.bucketCount, i + per)].reduce(0, +) } }
        let top = lines.flatMap { $0 }.max() ?? 0
        let step = per == 1 ? "\(t.width)" : "\(BucketWidth(millis: t.width.millis * Int64(per)))"
        var out = "```mermaid\nxychart-beta\n"
        out += "    title \"Events per \(step), top \(plural(series.count, "signature"))\"\n"
        out += "    x-axis [" + labels.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
        out += "    y-axis \"events\" 0 --> \(max(1, top))\n"
        for l in lines { out += "    line [" + l.map(String.init).joined(separator: ", ") + "]\n" }
        return out + "```\n\n"
    }

    /// A short name for a signature: the root cause's simple name and the message template,
    /// or the leak site for open-stack traces.
    func what(_ s: SignatureStat) -> String {
        if s.key.rootCause == "open-stack" { return "leak site " + (s.key.frames.first.map(shortFrame) ?? "?") }
        let msg = redactor(s.key.message)
        if let root = s.key.rootCause { return simple(root) + (msg.isEmpty ? "" : ": " + msg) }
        // An empty template (thread-dump entries): say what matched instead.
        return msg.isEmpty ? s.patterns.sorted().joined(separator: ", ") : msg
    }

    // MARK: - signatures

    func signaturesSection() -> String {
        var out = "## Signatures\n\n"
        let sigs = report.signaturesByCount
        if sigs.isEmpty { return out + "No exception or incident events.\n\n" + patternsTable() }
        let t = report.timeline
        out += "| id | kind | root cause | template | events | first | last | inputs | per \(t.width) |\n|---|---|---|---|---:|---|---|---:|---|\n"
        for s in sigs.prefix(Self.tableSignatures) {
            let root = s.key.rootCause.map { MarkdownText.inline(simple($0)) } ?? "—"
            let spark = t.series(s.key.id).map { "`\(sparkline($0.counts, width: 60))`" } ?? "—"
            out += "| \(MarkdownText.cellCode(s.key.id)) | \(s.key.kind) | \(root) | \(MarkdownText.inline(redactor(s.key.message), max: 80)) | \(s.count) | \(time(s.firstSeen)) | \(time(s.lastSeen)) | \(s.sources.count) | \(spark) |\n"
        }
        if sigs.count > Self.tableSignatures { out += "\n\(sigs.count - Self.tableSignatures) more signatures in the JSON report.\n" }
        let st = report.result.state
        if st.overflowEvents > 0 {
            let (n, exact) = st.overflowSignatures.distinct
            out += "\n\(plural(st.overflowEvents, "event")) of \(exact ? "" : "about ")\(plural(n, "further signature")) were not kept (more than \(report.options.maxSignatures) distinct signatures).\n"
        }
        return out + "\n" + patternsTable()
    }

    func patternsTable() -> String {
        var out = "### Catalog patterns\n\n"
        let stats = report.result.state.patterns.values.sorted { ($0.count, $1.id) > ($1.count, $0.id) }
        if stats.isEmpty { return out + "No catalog pattern matched.\n\n" }
        let specs = report.specs
        out += "| pattern | category | severity | events | first | last | fields |\n|---|---|---|---:|---|---|---|\n"
        for p in stats {
            let spec = specs[p.id]
            let fields = p.fields.keys.sorted().map { k in
                let f = p.fields[k]!
                return f.min == f.max ? "\(k)=\(f.min)" : "\(k)=\(f.min)…\(f.max)"
            }.joined(separator: ", ")
            out += "| \(MarkdownText.cellCode(p.id)) | \(spec?.category ?? "—") | \(spec?.severity.rawValue ?? "—") | \(p.count) | \(time(p.firstSeen)) | \(time(p.lastSeen)) | \(MarkdownText.inline(fields, max: 200)) |\n"
        }
        return out + "\n"
    }

    // MARK: - details

    func detailsSection() -> String {
        let sigs = report.signaturesByCount
        guard !sigs.isEmpty else { return "" }
        // The most frequent signatures, and every one a finding points at.
        let referenced = Set(report.findings.flatMap { $0.evidence.compactMap(\.signature) })
        let chosen = sigs.enumerated().filter { $0.offset < Self.detailedSignatures || referenced.contains($0.element.key.id) }.map(\.element)
        var out = "## Signature details\n\n"
        for s in chosen {
            out += "### \(MarkdownText.code(s.key.id)) \(MarkdownText.inline(what(s), max: 120))\n\n"
            out += "\(plural(s.count, "event")), \(time(s.firstSeen)) → \(time(s.lastSeen))"
            if !s.patterns.isEmpty { out += "; patterns " + s.patterns.sorted().map { MarkdownText.code($0) }.joined(separator: ", ") }
            out += ".\n\n"
            var chain = (ExceptionParser.parse(s.exemplar)?.throwables ?? []).map(\.className)
            // A long exemplar is cut at `exemplarCap` bytes, sometimes before the root cause.
            if let root = s.key.rootCause, root != "open-stack", chain.last != root { chain += ["…", root] }
            chain = chain.map(simple)
            if chain.count > 1 {
                out += "- Exception chain: " + chain.map { MarkdownText.code($0) }.joined(separator: " → ") + "\n"
            } else if let e = s.key.exception {
                out += "- Exception: \(MarkdownText.code(e))\n"
            }
            if !s.key.frames.isEmpty {
                out += "- Key frames: " + s.key.frames.map { MarkdownText.code($0) }.joined(separator: " ← ") + "\n"
            }
            if !s.sources.isEmpty {
                let sorted = s.sources.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                out += "- Inputs: " + sorted.map { "\(MarkdownText.inline($0.key, max: 120)) (\($0.value))" }.joined(separator: ", ") + "\n"
            }
            out += "- Why these events are one signature:\n"
            for w in s.key.why { out += "  - " + MarkdownText.inline(redactor(w), max: 400) + "\n" }
            out += "\n" + exemplar(s)
        }
        return out
    }

    /// The first event of the signature, redacted and fenced, trimmed to what a reader needs:
    /// every message, `Caused by:` and header line, the first frames under each, and the frames
    /// the signature was keyed on; runs of other frames become one `...` line.
    func exemplar(_ s: SignatureStat) -> String {
        let keyFrames = s.key.frames.map { $0 + "(" }
        var out: [String] = []
        var sinceHeader = 0
        var skipped = 0
        var lines = 0
        for l in s.exemplar.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += 1
            if out.count >= Self.exemplarLines { continue }
            let t = l.drop { $0 == " " || $0 == "\t" }
            if t.hasPrefix("at ") {
                sinceHeader += 1
                if sinceHeader > Self.framesPerHeader && !keyFrames.contains(where: { t.contains($0) }) {
                    skipped += 1
                    continue
                }
            } else {
                sinceHeader = t.hasPrefix("...") ? sinceHeader : 0
            }
            if skipped > 0 { out.append("\t... \(plural(skipped, "frame")) not shown"); skipped = 0 }
            out.append(cut(l, Self.exemplarLineBytes))
        }
        if skipped > 0 { out.append("\t... \(plural(skipped, "frame")) not shown") }
        if out.count >= Self.exemplarLines && lines > out.count { out.append("… the event has \(lines) lines") }
        if s.exemplarTruncated { out.append("… (event cut at \(AnalysisState.exemplarCap) bytes)") }
        return "First event:\n\n" + MarkdownText.fenced(redactor(out.joined(separator: "\n"))) + "\n"
    }

    /// `l` cut to at most `bytes` UTF-8 bytes on a character boundary, marked when cut.
    func cut(_ l: Substring, _ bytes: Int) -> String {
        guard l.utf8.count > bytes else { return String(l) }
        var out = ""
        var n = 0
        for ch in l {
            n += ch.utf8.count
            if n > bytes { break }
            out.append(ch)
        }
        return out + " …"
    }

    // MARK: - inputs

    func inputsSection() -> String {
        let r = report.result
        let o = report.options
        var out = "## Inputs\n\n"
        out += "| file | format | bytes | lines | events | first | last | status |\n|---|---|---:|---:|---:|---|---|---|\n"
        for f in r.files where f.status != .skipped {
            let fmt = f.container.map { "\(f.format) (\($0))" } ?? f.format
            out += "| \(MarkdownText.inline(f.path, max: 120)) | \(MarkdownText.inline(fmt)) | \(f.bytes) | \(f.lines) | \(f.events) | \(time(f.firstTime)) | \(time(f.lastTime)) | \(f.status.rawValue) |\n"
        }
        out += "| **total** | | \(r.bytes) | \(r.lines) | \(r.events) | \(time(r.firstTime)) | \(time(r.lastTime)) | |\n\n"
        if o.since != nil || o.until != nil {
            out += "Analysed only events from \(o.since.map { tf.short($0) } ?? "the start") until \(o.until.map { tf.short($0) } ?? "the end") (--since/--until); all lines were read and counted.\n\n"
        }
        let tooLong = r.files.reduce(0) { $0 + $1.truncatedLines }
        let bad = r.files.reduce(0) { $0 + $1.invalidUTF8Lines }
        let nul = r.files.reduce(0) { $0 + $1.nulLines }
        let bigEvents = r.files.reduce(0) { $0 + $1.tooLongEvents }
        if tooLong + bad + nul + bigEvents > 0 {
            out += "Tolerated: \(tooLong) line(s) cut at \(o.maxLineLength) bytes, \(bad) with invalid UTF-8, \(nul) with NUL bytes, \(bigEvents) event(s) past the per-event limit.\n\n"
        }
        if !r.errors.isEmpty {
            out += "### Errors\n\n"
            for e in r.errors {
                out += "- \(MarkdownText.inline(e.path, max: 200)): \(MarkdownText.inline(e.message, max: 300))\(e.offset.map { " (byte offset \($0))" } ?? "")\n"
            }
            out += "\n"
        }
        let skips = o.skipped + r.files.filter { $0.status == .skipped }.map { SkipNote(path: $0.path, reason: $0.note ?? "skipped") }
        if !skips.isEmpty {
            out += "### Skipped\n\n"
            for s in skips { out += "- \(MarkdownText.inline(s.path, max: 200)): \(MarkdownText.inline(s.reason))\n" }
            out += "\n"
        }
        out += "Time zone for timestamps without one: \(o.timeZone.identifier).\n"
        return out
    }

    func simple(_ cls: String) -> String {
        cls.split(separator: ".").last.map(String.init) ?? cls
    }
}
