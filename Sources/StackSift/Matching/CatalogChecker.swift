/// `stacksift patterns check`: every problem a catalog author should fix, with file, line and id.
public enum CatalogChecker {
    public struct Report: Sendable {
        public var patterns = 0
        public var examples = 0
        public var problems: [CatalogProblem] = []
    }

    public static func check(files: [String]) -> Report {
        var report = Report()
        var problems: [CatalogProblem] = []
        // Duplicate ids across the given files are a problem here (when loading, a later file
        // deliberately overrides an earlier one).
        var firstDefinition: [String: String] = [:]
        let (catalog, loadProblems) = PatternCatalog.loadReporting(files: files)
        problems += loadProblems
        for file in files {
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
        var opts = options
        opts.stage = .full
        for (i, s) in sources.enumerated() {
            currentSource = s.path
            let r = FileProcessor(options: opts, analyzer: analyzer, sourceIndex: i).process(s, pipelined: false)
            if let e = r.error { result.errors.append(e) }
        }
        return result
    }
}
