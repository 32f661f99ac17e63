import ArgumentParser
import Foundation
import StackSift

@main
struct StackSiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stacksift",
        abstract: "Turn Java application logs into a connection-pool incident report.",
        discussion: """
        stacksift reads logs (plain, gzip, LZ4 frame or zstd — detected from content; text or \
        JSON lines, also inside Docker/CRI records or behind the date and tag kubectl \
        --timestamps, syslog, journald, Cloud Foundry or Heroku put on every line), joins multi-line Java events, recognises pool and database incidents with a PCRE2 pattern \
        catalog, groups exceptions by stack signature and reports what failed, since when, how \
        often, from which code, and why.

        Examples:
          stacksift analyze /var/log/app/                 # a directory of rotated logs
          stacksift analyze app.log.2.gz app.log.1 app.log --format json
          kubectl logs pod/x | stacksift analyze -        # standard input
          stacksift analyze logs/ --format text --fail-on error  # CI, cron
          stacksift tail /var/log/app --report incident.md     # follow live logs
          stacksift analyze /var/log/app --save-state web1.state # per host, then
          stacksift merge web1.state web2.state > report.md
          stacksift patterns check my-patterns.yaml
          stacksift patterns profile --patterns my-patterns.yaml logs/   # what each regex costs

        Exit status: 0 every input read completely; 1 a finding at or above --fail-on; \
        2 report produced but an input was unreadable, corrupt or truncated; 64 bad usage; \
        73 the report or state could not be written.
        """,
        version: StackSiftVersion.string,
        subcommands: [Analyze.self, Merge.self, Tail.self, Patterns.self],
        defaultSubcommand: nil
    )
}

/// Options every analysing command shares.
struct AnalysisFlags: ParsableArguments {
    @Option(name: .customLong("timezone"), help: ArgumentHelp("Zone for timestamps that carry none: an IANA name (Asia/Shanghai), UTC, or +08:00.", valueName: "ZONE"))
    var timezone: String?

    @Option(name: .customLong("patterns"), help: ArgumentHelp("Extra pattern catalog (file or directory); repeatable. A pattern with a built-in id replaces it. Checked as `patterns check` does (examples included) before any log is read.", valueName: "PATH"))
    var patterns: [String] = []

    @Flag(name: .customLong("no-builtin-patterns"), help: "Use only the catalogs given with --patterns.")
    var noBuiltinPatterns = false

    @Option(name: .customLong("app-package"), help: ArgumentHelp("Package prefix of your application's code (com.acme); repeatable. When given, only these packages are application code; otherwise every package outside the built-in framework list is.", valueName: "PREFIX"))
    var appPackages: [String] = []

    @Option(name: .customLong("max-line-length"), help: ArgumentHelp("Longer lines are cut (and counted).", valueName: "BYTES"))
    var maxLineLength = LineFramer.defaultMaxLineLength

    @Option(name: .customLong("max-event-lines"), help: ArgumentHelp("Lines kept per event; the rest are counted, not kept.", valueName: "N"))
    var maxEventLines = 10_000

    @Option(name: .customLong("max-signatures"), help: ArgumentHelp("Distinct signatures kept; further ones are counted in an overflow bucket.", valueName: "N"))
    var maxSignatures = AnalysisState.defaultMaxSignatures

    func validate() throws {
        if let tz = timezone, parseTimeZone(tz) == nil {
            throw ValidationError("unknown time zone '\(tz)' (use an IANA name like Europe/Berlin, UTC, or an offset like +08:00)")
        }
        if maxLineLength < 64 { throw ValidationError("--max-line-length must be at least 64") }
        if maxEventLines < 1 { throw ValidationError("--max-event-lines must be at least 1") }
        if maxSignatures < 1 { throw ValidationError("--max-signatures must be at least 1") }
    }

    func options() -> AnalysisOptions {
        var o = AnalysisOptions()
        o.timeZone = timezone.flatMap(parseTimeZone) ?? .current
        o.maxLineLength = maxLineLength
        o.limits.maxLinesPerEvent = maxEventLines
        o.appPackages = appPackages
        o.maxSignatures = maxSignatures
        return o
    }

    /// Loads the catalog or exits 64 with every problem on stderr, before any log is read.
    func catalog() throws -> PatternCatalog {
        let catalog: PatternCatalog
        do {
            catalog = try PatternCatalog.standard(userPaths: patterns, includeBuiltin: !noBuiltinPatterns)
        } catch {
            FileHandle.standardError.write(Data("stacksift: the pattern catalog is broken:\n\(error.description)\n".utf8))
            throw ExitCode(64)
        }
        // A user's catalog is held to what `patterns check` holds it to (its examples match and
        // don't), before any log is read; an id defined again in a later file is an override.
        if !patterns.isEmpty {
            let files = (try? patterns.flatMap { try PatternCatalog.files(at: $0) }) ?? []
            let problems = CatalogChecker.check(files: files, crossFileDuplicates: false).problems
            if !problems.isEmpty {
                FileHandle.standardError.write(Data("stacksift: the pattern catalog is broken:\n\(problems.map(\.description).joined(separator: "\n"))\n".utf8))
                throw ExitCode(64)
            }
        }
        return catalog
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse log files, directories or standard input and print an incident report.",
        discussion: """
        PATH is a file, a directory (walked recursively; hidden files skipped, binary files \
        skipped with a note) or - for standard input. Compressed files are recognised by \
        content, whatever their name; rotated sets are read oldest first.
        """
    )

    @Argument(help: ArgumentHelp("Files, directories, or - for stdin.", valueName: "PATH"))
    var paths: [String]

    @Option(help: ArgumentHelp("Run the pipeline only up to a stage (for benchmarks): decode, frame, full.", visibility: .hidden))
    var stage: Stage = .full

    @Option(help: ArgumentHelp("Worker threads (default: one per core).", visibility: .hidden))
    var threads = 0

    @Option(help: ArgumentHelp("Bytes per segment an input is cut into for the workers (for benchmarks).", visibility: .hidden))
    var segmentSize = AnalysisOptions().segmentSize

    @Option(name: .customLong("save-state"), help: ArgumentHelp("Also write the analysis state to FILE, for `stacksift merge`.", valueName: "FILE"))
    var saveState: String?

    @OptionGroup var flags: AnalysisFlags
    @OptionGroup var range: TimeRangeFlags
    @OptionGroup var report: ReportFlags

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one PATH (a file, a directory, or - for stdin)") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be given only once") }
    }

    func run() throws {
        let catalog = try flags.catalog()
        var options = flags.options()
        options.stage = stage
        options.workers = threads
        options.segmentSize = max(64, segmentSize)
        range.apply(to: &options)
        let (sources, discoveryErrors) = Discovery.expand(paths)
        let progressLine = ProgressLine.startIfTerminal(inputs: sources.count, options: &options)
        let result = Analysis(options: options, catalog: catalog).run(sources, discoveryErrors: discoveryErrors)
        progressLine?.stop()
        if let saveState {
            try writeOutput(try SavedAnalysis(result).encoded(), to: saveState, what: "state ")
        }
        try report.emit(Report(result: result, catalog: catalog, options: report.options(options)))
    }
}

extension Stage: ExpressibleByArgument {}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine analysis states from several hosts or shards into one report.",
        discussion: """
        Each STATE is a file written by `stacksift analyze --save-state`. Merging is associative \
        and commutative: analysing A and B together gives the same report as merging the \
        states of A and of B. Run stacksift where the logs are, merge centrally:

          for h in web1 web2; do ssh $h stacksift analyze /var/log/app --save-state /tmp/s.json --format json >/dev/null; scp $h:/tmp/s.json $h.state; done
          stacksift merge web1.state web2.state > report.md

        A state that cannot be used (missing, not JSON, damaged, or written by a stacksift with \
        another signature algorithm) is named on stderr and in the report's input errors; the \
        others are merged and the exit status is 2, as for a damaged log.
        """
    )

    @Argument(help: ArgumentHelp("State files from `analyze --save-state`.", valueName: "STATE"))
    var states: [String]

    @Option(name: .customLong("save-state"), help: ArgumentHelp("Also write the merged state to FILE.", valueName: "FILE"))
    var saveState: String?

    @OptionGroup var flags: AnalysisFlags
    @OptionGroup var report: ReportFlags

    func validate() throws {
        if states.isEmpty { throw ValidationError("give at least one STATE file") }
    }

    func run() throws {
        let catalog = try flags.catalog()
        let options = flags.options()
        var merged: SavedAnalysis?
        var unread: [InputError] = []
        for path in states {
            // A state that cannot be used is named and the others still merge: the report is
            // partial (exit 2), as with a damaged log in `analyze`.
            do throws(StateError) {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw StateError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read the state file" : "no such file")
                }
                let s = try SavedAnalysis.decode(data, path: path)
                if merged == nil { merged = s } else { merged!.merge(s, maxSignatures: options.maxSignatures) }
            } catch {
                unread.append(error.inputError)
                FileHandle.standardError.write(Data(error.inputError.diagnostic.utf8))
            }
        }
        var all = merged ?? SavedAnalysis(files: [], errors: [], state: AnalysisState())
        all.errors += unread
        let result = all.result()
        if let saveState {
            try writeOutput(try all.encoded(), to: saveState, what: "state ")
        }
        try report.emit(Report(result: result, catalog: catalog, options: report.options(options)), printErrors: false)
    }
}

struct Patterns: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, check, try and profile the pattern catalog.",
        subcommands: [List.self, Check.self, Test.self, Profile.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A table of the catalog's patterns: id, severity, scope, title.")
        @OptionGroup var flags: AnalysisFlags

        func run() throws {
            let catalog = try flags.catalog()
            let w = max(2, catalog.patterns.map(\.spec.id.count).max() ?? 2)
            var out = "ID".padding(toLength: w, withPad: " ", startingAt: 0) + "  SEVERITY  SCOPE      TITLE\n"
            for p in catalog.patterns.sorted(by: { $0.spec.id < $1.spec.id }) {
                out += p.spec.id.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
                out += p.spec.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                out += p.spec.scope.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + "  " + p.spec.title + "\n"
            }
            out += "\(catalog.patterns.count) patterns\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate catalogs: YAML, required keys, unique ids, regexes compile, examples match and don't.",
            discussion: "Without FILE, checks the built-in catalog. Exit 0 only when everything holds."
        )
        @Argument(help: ArgumentHelp("Catalog files or directories (default: the built-in catalog).", valueName: "FILE"))
        var files: [String] = []

        func run() throws {
            var paths: [String] = []
            do {
                if files.isEmpty {
                    guard let dir = PatternCatalog.builtinDirectory() else {
                        FileHandle.standardError.write(Data("stacksift: the built-in pattern catalog was not found\n".utf8))
                        throw ExitCode(1)
                    }
                    paths = try PatternCatalog.files(at: dir)
                } else {
                    for f in files { paths += try PatternCatalog.files(at: f) }
                }
            } catch let e as CatalogErrors {
                FileHandle.standardError.write(Data((e.description + "\n").utf8))
                throw ExitCode(1)
            }
            let report = CatalogChecker.check(files: paths)
            for p in report.problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
            let summary = "\(report.patterns) patterns in \(paths.count) file(s), \(report.examples) examples checked, \(report.problems.count) problem(s)\n"
            FileHandle.standardOutput.write(Data(summary.utf8))
            if !report.problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the events one pattern matches in some logs, with the fields it pulled out.")
        @Argument(help: "Pattern id.") var id: String
        @Argument(help: ArgumentHelp("Files, directories, or -.", valueName: "PATH")) var paths: [String]
        @Option(help: "Show at most N events.") var limit = 20
        @OptionGroup var flags: AnalysisFlags

        func run() throws {
            let catalog = try flags.catalog()
            guard let pattern = catalog.patterns.first(where: { $0.spec.id == id }) else {
                FileHandle.standardError.write(Data("stacksift: no pattern with id '\(id)' (see `stacksift patterns list`)\n".utf8))
                throw ExitCode(64)
            }
            let (sources, errors) = Discovery.expand(paths)
            let hits = PatternProbe(pattern: pattern, options: flags.options(), limit: limit).run(sources)
            let tf = TimeFormat(flags.options().timeZone)
            var out = ""
            for h in hits.events {
                out += "── \(h.source) · \(h.time.map { tf.iso($0) } ?? "no time")\n"
                out += h.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(12).map { "   " + $0 }.joined(separator: "\n") + "\n"
                if !h.fields.isEmpty { out += "   fields: " + h.fields.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "\n" }
            }
            out += "\(hits.total) event(s) matched \(id)\(hits.total > hits.events.count ? " (showing \(hits.events.count))" : "")\n"
            FileHandle.standardOutput.write(Data(out.utf8))
            for e in errors + hits.errors { FileHandle.standardError.write(Data(e.diagnostic.utf8)) }
            if !(errors + hits.errors).isEmpty { throw ExitCode(2) }
        }
    }

    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what each pattern's regex costs on some logs: runs, matches, time.",
            discussion: """
            Reads the logs on one thread with the catalog (built-in plus --patterns) and times \
            every regex run. A regex runs only on events holding one of its literals, so a \
            costly pattern either runs too often (a literal that is too common: RUNS far above \
            MATCHES) or scans too much (an event-scope regex over long events: high µs/RUN). \
            The search for the literals runs on every event; its time is shown last, with the \
            window it looks through: the shortest literal's length, which bounds how far each \
            step moves (short literals slow every run). \
            Times vary between runs and machines; compare patterns within one run.

            Example:
              stacksift patterns profile --patterns my-patterns.yaml /var/log/app --top 10
            """)
        @Argument(help: ArgumentHelp("Files, directories, or -.", valueName: "PATH")) var paths: [String]
        @Option(help: "Show the N costliest patterns (0: all).") var top = 0
        @OptionGroup var flags: AnalysisFlags

        func run() throws {
            let catalog = try flags.catalog()
            let (sources, errors) = Discovery.expand(paths)
            let r = PatternProfiler(catalog: catalog, options: flags.options()).run(sources)
            FileHandle.standardOutput.write(Data(Self.table(r, top: top).utf8))
            for e in errors + r.errors { FileHandle.standardError.write(Data(e.diagnostic.utf8)) }
            if !(errors + r.errors).isEmpty { throw ExitCode(2) }
        }

        static func table(_ r: PatternProfiler.Result, top: Int) -> String {
            let ran = r.costs.filter { $0.runs > 0 }
            let shown = top > 0 ? Array(ran.prefix(top)) : ran
            let total = max(1, r.regexNanoseconds)
            let w = max(7, shown.map(\.id.count).max() ?? 7)
            func col(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
            func f(_ v: Double, _ d: Int) -> String { String(format: "%.\(d)f", v) }
            var out = "PATTERN".padding(toLength: w, withPad: " ", startingAt: 0) + "  SCOPE     " + col("RUNS", 9) + col("MATCHES", 9)
                + col("TIME ms", 10) + col("µs/RUN", 9) + col("KB/RUN", 8) + col("SHARE", 7) + "\n"
            for c in shown {
                let ms = Double(c.nanoseconds) / 1e6
                out += c.id.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + c.scope.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                out += col("\(c.runs)", 9) + col("\(c.matches)", 9) + col(f(ms, 1), 10)
                out += col(f(Double(c.nanoseconds) / 1e3 / Double(c.runs), 2), 9) + col(f(Double(c.subjectBytes) / 1024 / Double(c.runs), 1), 8)
                out += col("\(Int((Double(c.nanoseconds) * 100 / Double(total)).rounded()))%", 7)
                var notes: [String] = []
                if c.unfiltered { notes.append("no literal: runs on every event") }
                if c.limitHits > 0 { notes.append("\(c.limitHits) run(s) hit the match limit") }
                out += notes.isEmpty ? "\n" : "  (" + notes.joined(separator: "; ") + ")\n"
            }
            if shown.count < ran.count { out += "… \(ran.count - shown.count) more pattern(s) ran (--top 0 shows all)\n" }
            let never = r.costs.count - ran.count
            let pct = r.events > 0 ? Double(r.eventsWithCandidates) * 100 / Double(r.events) : 0
            out += "\(r.costs.count) patterns, \(ran.count) ran, \(never) never ran (no literal found). "
            out += "\(r.eventsWithCandidates) of \(r.events) events (\(f(pct, 1))%) reached a regex. "
            out += "Regex time \(f(Double(r.regexNanoseconds) / 1e6, 1)) ms of \(f(r.seconds, 2)) s for \(f(Double(r.bytes) / 1e6, 1)) MB on one thread.\n"
            if r.window > 0 {
                let names = r.shortestLiterals.prefix(4).map { "`\($0)`" }.joined(separator: ", ") + (r.shortestLiterals.count > 4 ? ", …" : "")
                out += "Literal scan \(f(Double(r.scanNanoseconds) / 1e6, 1)) ms: every event is searched for the literals through a window of "
                out += "\(r.window) bytes, the length of the shortest (\(names)), so a step moves at most \(r.maxStep) bytes.\n"
            }
            return out
        }
    }
}
