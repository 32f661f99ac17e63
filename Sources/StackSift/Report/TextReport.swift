import Foundation

/// A short terminal summary: the incident window, each finding on a line with its severity
/// (coloured when `ReportOptions.color`), the leak sites, and what was read. The Markdown report
/// has the rest.
public struct TextReport {
    let report: Report
    let tf: TimeFormat

    public init(_ report: Report) {
        self.report = report
        tf = TimeFormat(report.options.timeZone)
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", yellow = "33", cyan = "36", boldRed = "1;31"
    }

    func paint(_ s: String, _ style: Style) -> String {
        report.options.color ? "\u{1B}[\(style.rawValue)m\(s)\u{1B}[0m" : s
    }

    func severityStyle(_ s: Severity) -> Style {
        switch s {
        case .critical: return .boldRed
        case .error: return .red
        case .warning: return .yellow
        case .info: return .dim
        }
    }

    public func render() -> String {
        let r = report.result
        let t = report.timeline
        var out = ""
        if let w = t.window {
            out += paint("Connection-pool incident", .bold) + " \(tf.range(w.start, w.end)) \(tf.zoneName) (\(durationText(w.end - w.start)))\n"
            out += "  \(plural(w.events, "incident event")): " + MarkdownReport.incidentCounts(report).joined(separator: ", ")
            if w.peakCount > 0 { out += "; peak \(w.peakCount) in the \(t.width) from \(tf.short(t.bucketStart(w.peakBucket), seconds: false))" }
            out += "\n"
        } else {
            out += paint("No connection-pool incident events", .bold) + " (no pool timeout, database refusal, leak or abandoned trace)\n"
        }
        out += "\n"
        if report.findings.isEmpty {
            out += "  No findings.\n"
        }
        let width = report.findings.map(\.id.count).max() ?? 0
        for f in report.findings {
            let sev = f.severity.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
            out += "  " + paint(sev, severityStyle(f.severity)) + "  " + paint(f.id.padding(toLength: width, withPad: " ", startingAt: 0), .cyan)
            out += "  " + f.title + paint(" (\(f.confidence.level.rawValue) confidence)", .dim) + "\n"
            // Evidence pointing at an open-stack signature is a leak site.
            let sites = f.evidence.compactMap { e -> (String, Int)? in
                guard let id = e.signature, let s = r.state.signatures[id], s.key.rootCause == "open-stack",
                      let frame = s.key.frames.first else { return nil }
                return (frame, e.count ?? s.count)
            }
            if !sites.isEmpty {
                let list = sites.prefix(5).enumerated().map { i, site in "\(i + 1). \(site.0) (\(site.1))" }
                out += "  " + String(repeating: " ", count: 10 + width) + "leak sites: " + list.joined(separator: ", ") + "\n"
            }
        }
        out += "\n" + paint("Read \(r.filesRead) input\(r.filesRead == 1 ? "" : "s"), \(r.lines) lines, \(r.events) events", .dim)
        if !r.errors.isEmpty { out += paint("; \(r.errors.count) could not be read completely", .yellow) }
        out += paint(". Full report: --format markdown.", .dim) + "\n"
        return out
    }
}
