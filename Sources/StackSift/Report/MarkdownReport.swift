import Foundation

/// The Markdown report: a pure function of the analysis result.
public struct MarkdownReport {
    let result: AnalysisResult
    let catalog: PatternCatalog
    let options: AnalysisOptions
    let skipped: [SkipNote]
    let tf: TimeFormat

    public init(_ result: AnalysisResult, catalog: PatternCatalog, options: AnalysisOptions, skipped: [SkipNote] = []) {
        self.result = result
        self.catalog = catalog
        self.options = options
        self.skipped = skipped
        tf = TimeFormat(options.timeZone)
    }

    public func render() -> String {
        var out = "# stacksift report\n\n"
        out += summary() + "\n"
        out += patternsSection()
        out += signaturesSection()
        out += inputsSection()
        return out
    }

    func summary() -> String {
        let r = result
        var s = "Read \(r.filesRead) input\(r.filesRead == 1 ? "" : "s") (\(MarkdownText.bytes(r.bytes)) decompressed): "
        s += "\(r.lines) lines, \(r.events) events"
        if let f = r.firstTime, let l = r.lastTime { s += ", from \(tf.short(f)) to \(tf.short(l))" }
        s += ".\n"
        if !r.errors.isEmpty {
            s += "\n**The run was partial:** \(r.errors.count) input\(r.errors.count == 1 ? "" : "s") could not be read completely (see Inputs).\n"
        }
        return s
    }

    func patternsSection() -> String {
        guard result.stage == .full else { return "" }
        var out = "## Incident patterns\n\n"
        let stats = result.state.patterns.values.sorted { ($0.count, $1.id) > ($1.count, $0.id) }
        if stats.isEmpty { return out + "No catalog pattern matched.\n\n" }
        let specs = Dictionary(catalog.patterns.map { ($0.spec.id, $0.spec) }, uniquingKeysWith: { a, _ in a })
        out += "| pattern | severity | events | first | last | fields |\n|---|---|---:|---|---|---|\n"
        for p in stats {
            let sev = specs[p.id]?.severity.rawValue ?? ""
            let fields = p.fields.keys.sorted().map { k in
                let f = p.fields[k]!
                return f.min == f.max ? "\(k)=\(f.min)" : "\(k)=\(f.min)…\(f.max)"
            }.joined(separator: ", ")
            out += "| `\(p.id)` | \(sev) | \(p.count) | \(p.firstSeen.map { tf.short($0) } ?? "—") | \(p.lastSeen.map { tf.short($0) } ?? "—") | \(MarkdownText.inline(fields, max: 200)) |\n"
        }
        return out + "\n"
    }

    func signaturesSection() -> String {
        guard result.stage == .full else { return "" }
        var out = "## Signatures\n\n"
        let sigs = result.state.signatures.values.sorted { ($0.count, $1.key.id) > ($1.count, $0.key.id) }
        if sigs.isEmpty { return out + "No exception or incident events.\n\n" }
        out += "| id | kind | root cause | message | events | first | last |\n|---|---|---|---|---:|---|---|\n"
        for s in sigs.prefix(50) {
            let root = s.key.rootCause.map { MarkdownText.inline(simple($0)) } ?? "—"
            out += "| `\(s.key.id)` | \(s.key.kind) | \(root) | \(MarkdownText.inline(s.key.message, max: 80)) | \(s.count) | \(s.firstSeen.map { tf.short($0) } ?? "—") | \(s.lastSeen.map { tf.short($0) } ?? "—") |\n"
        }
        if sigs.count > 50 { out += "\n\(sigs.count - 50) more signatures in the JSON report.\n" }
        return out + "\n"
    }

    func inputsSection() -> String {
        let r = result
        var out = "## Inputs\n\n"
        out += "| file | format | bytes | lines | events | first | last | status |\n|---|---|---:|---:|---:|---|---|---|\n"
        for f in r.files where f.status != .skipped {
            let fmt = f.container.map { "\(f.format) (\($0))" } ?? f.format
            out += "| \(MarkdownText.inline(f.path, max: 120)) | \(fmt) | \(f.bytes) | \(f.lines) | \(f.events) | \(f.firstTime.map { tf.short($0) } ?? "—") | \(f.lastTime.map { tf.short($0) } ?? "—") | \(f.status.rawValue) |\n"
        }
        out += "| **total** | | \(r.bytes) | \(r.lines) | \(r.events) | \(r.firstTime.map { tf.short($0) } ?? "—") | \(r.lastTime.map { tf.short($0) } ?? "—") | |\n\n"
        let tooLong = r.files.reduce(0) { $0 + $1.truncatedLines }
        let bad = r.files.reduce(0) { $0 + $1.invalidUTF8Lines }
        let nul = r.files.reduce(0) { $0 + $1.nulLines }
        let bigEvents = r.files.reduce(0) { $0 + $1.tooLongEvents }
        if tooLong + bad + nul + bigEvents > 0 {
            out += "Tolerated: \(tooLong) line(s) cut at \(options.maxLineLength) bytes, \(bad) with invalid UTF-8, \(nul) with NUL bytes, \(bigEvents) event(s) past the per-event limit.\n\n"
        }
        if !r.errors.isEmpty {
            out += "### Errors\n\n"
            for e in r.errors {
                out += "- \(MarkdownText.inline(e.path, max: 200)): \(MarkdownText.inline(e.message, max: 300))\(e.offset.map { " (byte offset \($0))" } ?? "")\n"
            }
            out += "\n"
        }
        let skips = skipped + r.files.filter { $0.status == .skipped }.map { SkipNote(path: $0.path, reason: $0.note ?? "skipped") }
        if !skips.isEmpty {
            out += "### Skipped\n\n"
            for s in skips { out += "- \(MarkdownText.inline(s.path, max: 200)): \(MarkdownText.inline(s.reason))\n" }
            out += "\n"
        }
        out += "Time zone for timestamps without one: \(options.timeZone.identifier).\n"
        return out
    }

    func simple(_ cls: String) -> String {
        cls.split(separator: ".").last.map(String.init) ?? cls
    }
}
