import ArgumentParser
import Foundation
import StackSift

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, json, text
}

extension Severity: ExpressibleByArgument {}

/// How the report is rendered and when the run counts as failed; shared by every command that
/// prints a report (`analyze`, `merge`).
struct ReportFlags: ParsableArguments {
    @Option(help: "Report format.")
    var format: OutputFormat = .markdown

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to FILE instead of stdout.", valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("bucket"), help: ArgumentHelp(
        "Timeline bucket width: 1m, 5m, 1h, 1d… (whole minutes; the analysis keeps per-minute counts). Default: a natural width giving at most 60 buckets.",
        valueName: "WIDTH"))
    var bucket: String?

    @Flag(name: .customLong("no-redact"), help: "Show passwords, tokens, Authorization headers and keys found in log text (masked by default).")
    var noRedact = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit 1 when a finding of this severity or worse exists: info, warning, error, critical.", valueName: "SEVERITY"))
    var failOn: Severity?

    @Flag(name: .customLong("timing"), help: "Include how long the analysis took (the report then differs between runs).")
    var timing = false

    func validate() throws {
        if let bucket {
            do { _ = try BucketWidth.parse(bucket) } catch { throw ValidationError("--bucket: \(error.description)") }
        }
    }

    func options(_ analysis: AnalysisOptions, skipped: [SkipNote] = []) -> ReportOptions {
        var o = ReportOptions(analysis)
        o.bucket = bucket.flatMap { try? BucketWidth.parse($0) }
        o.redact = !noRedact
        o.includeTiming = timing
        o.skipped = skipped
        return o
    }

    /// Renders `report` as `format` to `output` (stdout when nil), prints the input errors to
    /// stderr when asked, then decides the exit status: 1 for a finding at or above
    /// `--fail-on`, else 2 when an input was not read completely.
    func emit(_ report: Report, printErrors: Bool = true) throws {
        var report = report
        if format == .text && Self.colorWanted(output: output) {
            var o = report.options
            o.color = true
            report = Report(result: report.result, catalog: report.catalog, options: o, findings: report.findings, timeline: report.timeline)
        }
        let bytes: Data
        switch format {
        case .json: bytes = JSONReport(report).renderData()
        case .markdown: bytes = Data(MarkdownReport(report).render().utf8)
        case .text: bytes = Data(TextReport(report).render().utf8)
        }
        if let output {
            try writeOutput(bytes, to: output)
        } else {
            FileHandle.standardOutput.write(bytes)
        }
        for e in report.result.errors where printErrors { FileHandle.standardError.write(Data(e.diagnostic.utf8)) }
        if let failOn, !report.findings(atOrAbove: failOn).isEmpty { throw ExitCode(1) }
        if !report.result.complete { throw ExitCode(2) }
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    static func colorWanted(output: String?) -> Bool {
        if output != nil { return false }
        if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
        return isatty(STDOUT_FILENO) == 1
    }
}

/// `--since` / `--until`: analyse only events in [since, until).
struct TimeRangeFlags: ParsableArguments {
    @Option(name: .customLong("since"), help: ArgumentHelp(
        "Analyse only events at or after TIME: 2023-10-10, 2023-10-10 16:00, 2023-10-10T16:00:00+08:00 (no zone: --timezone).",
        valueName: "TIME"))
    var since: String?

    @Option(name: .customLong("until"), help: ArgumentHelp("Analyse only events before TIME (same forms as --since).", valueName: "TIME"))
    var until: String?

    func validate() throws {
        // The zone only shifts the instant; the syntax is checked here, the instant in `apply`.
        let utc = TimeZone(identifier: "UTC")!
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, parseTimeArgument(value, zone: utc) == nil {
                throw ValidationError("\(flag) '\(value)' is not a time like 2023-10-10, 2023-10-10 16:00 or 2023-10-10T16:00:00Z")
            }
        }
        if let s = since.flatMap({ parseTimeArgument($0, zone: utc) }), let u = until.flatMap({ parseTimeArgument($0, zone: utc) }), s >= u {
            throw ValidationError("--since must be before --until")
        }
    }

    func apply(to options: inout AnalysisOptions) {
        options.since = since.flatMap { parseTimeArgument($0, zone: options.timeZone) }
        options.until = until.flatMap { parseTimeArgument($0, zone: options.timeZone) }
    }
}

/// Writes a report or state file atomically; when it cannot, says why in the system's words
/// and exits 73 (EX_CANTCREAT): no output, unlike 2, which means the report was written.
func writeOutput(_ bytes: Data, to path: String, what: String = "") throws {
    do {
        try AtomicFile.write(bytes, to: path)
    } catch {
        FileHandle.standardError.write(Data("stacksift: cannot write \(what)\(path): \(error.message)\n".utf8))
        throw ExitCode(73)
    }
}
