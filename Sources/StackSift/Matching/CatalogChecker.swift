import Dispatch

/// `stacksift patterns check`: every problem a catalog author should fix, with file, line and id.
public enum CatalogChecker {
    public struct Report: Sendable {
        public var patterns = 0
        public var examples = 0
        public var problems: [CatalogProblem] = []
    }

    /// `crossFileDuplicates`: whether an id defined again in a later file is a problem (as
    /// `patterns check` reports it) or the override loading makes of it (as `analyze` uses it).
    public static func check(files: [String], crossFileDuplicates: Bool = true) -> Report {
        var report = Report()
        var problems: [CatalogProblem] = []
        var firstDefinition: [String: String] = [:]
        let (catalog, loadProblems) = PatternCatalog.loadReporting(files: files)
        problems += loadProblems
        for file in files where crossFileDuplicates {
            let (one, _) = PatternCatalog.loadReporting(files: [file])
            for p in one.patterns {
                if let other = firstDefinition[p.spec.id], other != file {
                    problems.append(CatalogProblem(file: file, line: p.spec.line, patternID: p.spec.id, message: "duplicate id (also defined in \(other))"))
                } else {
                    firstDefinition[p.spec.id] = file
                }
            }
        }
        let scratch = MatchScratch(maxCaptureCount: catalog.maxCaptureCount)
        for p in catalog.patterns {
            report.patterns += 1
            func problem(_ m: String) {
                problems.append(CatalogProblem(file: p.spec.file, line: p.spec.line, patternID: p.spec.id, message: m))
            }
            if p.spec.literals.isEmpty {
                problem("no `literal:` declared and none could be derived from the regex: it would run on every event (declare one)")
            }
            for ex in p.spec.matchExamples {
                report.examples += 1
                let outcome = ex.utf8CString.withUnsafeBufferPointer { b in
                    b.withMemoryRebound(to: UInt8.self) { scratch.match(p.regex, UnsafeBufferPointer(rebasing: $0.dropLast())) }
                }
                if outcome != .matched { problem("examples.match does not match: \(ex.prefix(120))") }
                if !p.spec.literals.isEmpty && !p.spec.literals.contains(where: { ex.contains($0) }) {
                    problem("examples.match holds none of the literals \(p.spec.literals) — the prefilter would skip it: \(ex.prefix(120))")
                }
            }
            for ex in p.spec.nomatchExamples {
                report.examples += 1
                let outcome = ex.utf8CString.withUnsafeBufferPointer { b in
                    b.withMemoryRebound(to: UInt8.self) { scratch.match(p.regex, UnsafeBufferPointer(rebasing: $0.dropLast())) }
                }
                if outcome == .matched { problem("examples.nomatch matches: \(ex.prefix(120))") }
            }
        }
        report.problems = problems
        return report
    }
}

/// `stacksift patterns test`: the events one pattern matches, with their fields.
public struct PatternProbe {
    public struct Hit: Sendable {
        public var source: String
        public var time: Int64?
        public var text: String
        public var fields: [(String, String)]
    }

    public struct Result: Sendable {
        public var events: [Hit] = []
        public var total = 0
        public var errors: [InputError] = []
    }

    let pattern: CompiledPattern
    let options: AnalysisOptions
    let limit: Int

    public init(pattern: CompiledPattern, options: AnalysisOptions, limit: Int) {
        self.pattern = pattern
        self.options = options
        self.limit = limit
    }

    public func run(_ sources: [InputSource]) -> Result {
        var result = Result()
        let analyzer = EventAnalyzer(catalog: PatternCatalog(patterns: [pattern]), signer: Signer(appPackages: options.appPackages))
        var currentSource = ""
        analyzer.probe = { _, e, fields in
            result.total += 1
            if result.events.count < limit {
                result.events.append(Hit(source: currentSource, time: e.time, text: e.text, fields: fields))
            }
        }
        let files = readSerially(sources, options: options, analyzer: analyzer) { currentSource = $0.path }
        result.errors = files.compactMap(\.error)
        return result
    }
}

/// Reads `sources` one after another on the calling thread through `analyzer` (full stage,
/// no worker threads): what the catalog tools run instead of an `Analysis`. `before` is told
/// each input as its reading starts.
func readSerially(_ sources: [InputSource], options: AnalysisOptions, analyzer: EventAnalyzer,
                  before: (InputSource) -> Void = { _ in }) -> [FileReport] {
    var opts = options
    opts.stage = .full
    return sources.enumerated().map { i, s in
        before(s)
        return FileProcessor(options: opts, analyzer: analyzer, sourceIndex: i).process(s, pipelined: false)
    }
}

/// Regex runs counted and timed per catalog pattern (by catalog index), filled by an
/// `EventAnalyzer` whose `costs` is set. One analyzer, one thread.
public final class PatternCosts {
    public internal(set) var runs: [Int]
    public internal(set) var matches: [Int]
    public internal(set) var limitHits: [Int]
    public internal(set) var nanoseconds: [UInt64]
    public internal(set) var subjectBytes: [Int]
    /// Events that reached at least one regex (a literal of some pattern was found).
    public internal(set) var eventsWithCandidates = 0
    /// Time spent looking for the catalog's literals in events.
    public internal(set) var scanNanoseconds: UInt64 = 0

    public init(patterns n: Int) {
        runs = Array(repeating: 0, count: n)
        matches = runs
        limitHits = runs
        subjectBytes = runs
        nanoseconds = Array(repeating: 0, count: n)
    }

    func record(_ pi: Int, nanoseconds ns: UInt64, bytes: Int, outcome: MatchScratch.Outcome) {
        runs[pi] += 1
        nanoseconds[pi] &+= ns
        subjectBytes[pi] += bytes
        if outcome == .matched { matches[pi] += 1 }
        if outcome == .limitHit { limitHits[pi] += 1 }
    }
}

/// What each pattern of a catalog costs on some logs (`stacksift patterns profile`): how often
/// its literals let its regex run, how often the regex matched, and the time PCRE2 took. The
/// logs are read on one thread, so the times add up to the regex work of a run.
public struct PatternProfiler {
    public struct Cost: Sendable {
        public var id: String
        public var scope: PatternScope
        /// The pattern has no literal: its regex runs on every event.
        public var unfiltered: Bool
        public var runs: Int
        public var matches: Int
        public var limitHits: Int
        public var nanoseconds: UInt64
        /// Bytes of all subjects the regex ran on (line, event text or exception messages).
        public var subjectBytes: Int
    }

    public struct Result: Sendable {
        /// Every pattern of the catalog, the costliest first (then by id).
        public var costs: [Cost] = []
        public var events = 0
        public var bytes: Int64 = 0
        public var eventsWithCandidates = 0
        public var seconds = 0.0
        /// Time spent looking for literals (every event is searched, whatever its patterns).
        public var scanNanoseconds: UInt64 = 0
        /// Bytes of the window literals are looked for through (the shortest literal's length;
        /// 0 when there is nothing to look for), the farthest a scan step moves, and the
        /// literals that set the window.
        public var window = 0
        public var maxStep = 0
        public var shortestLiterals: [String] = []
        public var errors: [InputError] = []
        public var regexNanoseconds: UInt64 { costs.reduce(0) { $0 + $1.nanoseconds } }
    }

    let catalog: PatternCatalog
    let options: AnalysisOptions

    public init(catalog: PatternCatalog, options: AnalysisOptions) {
        self.catalog = catalog
        self.options = options
    }

    public func run(_ sources: [InputSource]) -> Result {
        var result = Result()
        let analyzer = EventAnalyzer(catalog: catalog, signer: Signer(appPackages: options.appPackages), maxSignatures: options.maxSignatures)
        let costs = PatternCosts(patterns: catalog.patterns.count)
        analyzer.costs = costs
        let start = DispatchTime.now().uptimeNanoseconds
        let files = readSerially(sources, options: options, analyzer: analyzer)
        result.events = files.reduce(0) { $0 + $1.events }
        result.bytes = files.reduce(0) { $0 + $1.bytes }
        result.errors = files.compactMap(\.error)
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        result.eventsWithCandidates = costs.eventsWithCandidates
        result.scanNanoseconds = costs.scanNanoseconds
        let window = analyzer.literalWindow
        result.window = window.length
        result.maxStep = window.maxStep
        result.shortestLiterals = window.setters
        result.costs = catalog.patterns.enumerated().map { pi, p in
            Cost(id: p.spec.id, scope: p.spec.scope, unfiltered: p.spec.literals.isEmpty, runs: costs.runs[pi], matches: costs.matches[pi],
                 limitHits: costs.limitHits[pi], nanoseconds: costs.nanoseconds[pi], subjectBytes: costs.subjectBytes[pi])
        }.sorted { ($0.nanoseconds, $1.id) > ($1.nanoseconds, $0.id) }
        return result
    }
}
