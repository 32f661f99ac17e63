import ArgumentParser
import Dispatch
import Foundation
import StackSift

#if canImport(Glibc)
import Glibc
#endif

enum AlertFormat: String, ExpressibleByArgument, CaseIterable {
    case text, ndjson
}

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow live logs across rotation: alerts as incidents happen, a report kept up to date.",
        discussion: """
        A PATH that is a file is followed by name, like `tail -F`: reopened when the name points \
        to a new file (rename + create, delete + create, a symlink retargeted), truncation \
        (copytruncate) detected, waited for while missing. A PATH that is a directory has its \
        current and future files followed; compressed files in it are rotated history, read once \
        (or not at all with --no-history). Files are read from their start the first time; with \
        --state, a restart resumes where the last run stopped, and the report keeps covering \
        everything since the first start.

        Alerts go to stdout, one per line (--format ndjson: one JSON object per line): a \
        signature seen for the first time, an incident signature bursting (per 10 s at least 5× \
        its trailing 5-minute average and at least 10) or resuming after 5 quiet minutes, a \
        diagnosis finding becoming true. Notes (files appearing, truncated, replaced) go to \
        stderr. SIGINT or SIGTERM completes pending events, writes state and report, exits 0 \
        (73 when the state or report could not be written: refused at the start, or the last \
        write failed); a second one a second or more later exits at once (130), writing nothing more.

        Examples:
          stacksift tail /var/log/app/ --state /var/lib/stacksift/app.state --report /srv/www/incident.md
          stacksift tail app.log --format ndjson | jq .
        """
    )

    @Argument(help: ArgumentHelp("Files (followed by name) or directories (their files).", valueName: "PATH"))
    var paths: [String]

    @Option(name: .customLong("state"), help: ArgumentHelp("Checkpoint file: where each file was read to, and the analysis so far. Resumed from on restart.", valueName: "FILE"))
    var state: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Keep a report of everything seen in FILE (JSON when it ends in .json, else Markdown), rewritten atomically.", valueName: "FILE"))
    var report: String?

    @Option(name: .customLong("every"), help: ArgumentHelp("Rewrite the report every SECONDS (and at exit).", valueName: "SECONDS"))
    var every = 30.0

    @Option(help: "Alert output: text (one readable line each) or ndjson (one JSON object each).")
    var format: AlertFormat = .text

    @Flag(name: .customLong("poll"), help: "Poll instead of using inotify (network file systems).")
    var poll = false

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between looks when polling.", valueName: "SECONDS"))
    var pollInterval = 0.25

    @Flag(name: .customLong("no-history"), help: "Ignore compressed (rotated) files in followed directories.")
    var noHistory = false

    @Option(name: .customLong("idle-flush"), help: ArgumentHelp("Complete a file's pending multi-line event after SECONDS without new data.", valueName: "SECONDS"))
    var idleFlush = 2.0

    @Option(name: .customLong("rotate-wait"), help: ArgumentHelp("Keep reading a file rotated away until it has not grown for SECONDS.", valueName: "SECONDS"))
    var rotateWait = 5.0

    @Option(name: .customLong("checkpoint-every"), help: ArgumentHelp("Seconds between checkpoint writes (when something changed).", visibility: .hidden))
    var checkpointEvery = 2.0

    @OptionGroup var flags: AnalysisFlags

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one PATH (a file or a directory)") }
        if paths.contains("-") { throw ValidationError("tail follows files and directories; standard input cannot be followed (use analyze -)") }
        for (name, v) in [("--every", every), ("--poll-interval", pollInterval), ("--idle-flush", idleFlush), ("--checkpoint-every", checkpointEvery)] where !(v > 0) {
            throw ValidationError("\(name) must be a positive number of seconds")
        }
        if !(rotateWait >= 0) { throw ValidationError("--rotate-wait must not be negative") }
        if let state, state == report { throw ValidationError("--state and --report must be different files") }
    }

    func run() throws {
        let catalog = try flags.catalog()
        let options = flags.options()
        var config = FollowConfiguration(paths: paths)
        config.statePath = state
        config.reportPath = report
        config.reportInterval = every
        config.polling = poll
        config.pollInterval = pollInterval
        config.readHistory = !noHistory
        config.idleFlush = idleFlush
        config.rotateWait = rotateWait
        config.checkpointInterval = checkpointEvery

        let out = AlertPrinter(format: format, timeZone: options.timeZone)
        var hooks = FollowHooks()
        hooks.alert = { out.print($0) }
        hooks.note = { n in
            let at = n.path.map { "\($0): " } ?? ""
            writeAll(STDERR_FILENO, "stacksift: \(n.level == .warning ? "warning: " : "")\(at)\(n.message)\n")
        }
        let json = report?.lowercased().hasSuffix(".json") ?? false
        let reportOptions = ReportOptions(options)
        hooks.renderReport = { result in
            let r = Report(result: result, catalog: catalog, options: reportOptions)
            return json ? JSONReport(r).render() : MarkdownReport(r).render()
        }
        hooks.diagnose = { result in Diagnosis.run(DiagnosisInput(result, catalog: catalog)) }

        // A state or report with nowhere to go is refused now, not found out at the first write
        // while following (the run would go on with nothing saved).
        for (what, path) in [("state", state), ("report", report)] {
            guard let path else { continue }
            do {
                try AtomicFile.probe(path)
            } catch {
                writeAll(STDERR_FILENO, "stacksift: cannot write the \(what) file \(path): \(error.message)\n")
                throw ExitCode(73)
            }
        }

        let follower = Follower(configuration: config, options: options, catalog: catalog, hooks: hooks)
        // Signals are turned into a stop request handled by the loop (never work inside a
        // signal handler); a second signal, a second or more after the first, exits at once.
        signal(SIGPIPE, SIG_IGN)
        let impatience = SignalPatience()
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: impatience.queue)
            s.setEventHandler {
                if impatience.exitNow() {
                    AtomicFile.abandon()
                    _exit(130)
                }
                follower.stop()
            }
            s.resume()
            return s
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            try follower.run()
        } catch {
            writeAll(STDERR_FILENO, "stacksift: \(error.description)\n")
            throw ExitCode(2)
        }
        if !follower.unwritten.isEmpty {
            // the warnings said why; the status says the run ended without them
            writeAll(STDERR_FILENO, "stacksift: stopped without writing \(follower.unwritten.sorted().joined(separator: ", "))\n")
            throw ExitCode(73)
        }
    }
}

/// Tells a second stop request from a repeat of the first. One stop is often delivered twice:
/// `timeout` signals the child and then its whole process group, a supervisor may signal the
/// process and its group. Only a signal that comes a second or more after the first (a user
/// who presses Ctrl-C again) means "exit now, unfinished".
private final class SignalPatience: @unchecked Sendable {
    /// One serial queue for every signal source, so the handlers never run at once.
    let queue = DispatchQueue(label: "stacksift.signals")
    // SAFETY: only touched on `queue`.
    private var first: UInt64?
    func exitNow() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        guard let first else {
            self.first = now
            return false
        }
        return now - first >= 1_000_000_000
    }
}

/// Prints alerts to stdout: one readable line each, or one JSON object each.
private struct AlertPrinter: Sendable {
    let format: AlertFormat
    let timeZone: TimeZone

    func print(_ a: Alert) {
        switch format {
        case .ndjson:
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? enc.encode(a) else { return }
            writeAll(STDOUT_FILENO, String(decoding: data, as: UTF8.self) + "\n")
        case .text:
            writeAll(STDOUT_FILENO, Self.line(a, TimeFormat(timeZone)) + "\n")
        }
    }

    /// `2023-10-10 16:30:38  ERROR  new signature v1:3f2a…  ×1  HikariPool-1 - Connection is not available…`
    static func line(_ a: Alert, _ tf: TimeFormat) -> String {
        let what: String
        switch a.kind {
        case .newSignature: what = "new signature \(a.signature ?? "")"
        case .burst: what = "burst of \(a.signature ?? "") (\(a.count) in 10 s, baseline \(String(format: "%.1f", a.baseline ?? 0)))"
        case .resumed: what = "resumed \(a.signature ?? "")"
        case .finding: what = "finding \(a.finding ?? ""): \(a.title)"
        }
        let count = a.kind == .burst ? "" : "  ×\(a.count)"
        let detail = a.kind == .finding ? a.exemplar : (a.exemplar.isEmpty ? a.title : a.exemplar)
        let sev = a.severity.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
        return "\(tf.short(a.time))  \(sev) \(what)\(count)  \(String(detail.prefix(240)))"
    }
}

/// Writes all of `s` to `fd`, ignoring a closed pipe: the follower keeps running (and writing
/// its report) when nobody reads the alerts any more.
private func writeAll(_ fd: Int32, _ s: String) {
    var bytes = Array(s.utf8)
    var done = 0
    while done < bytes.count {
        // SAFETY: the range written stays inside `bytes`.
        let n = bytes.withUnsafeMutableBytes { b in write(fd, b.baseAddress! + done, b.count - done) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        done += n
    }
}
