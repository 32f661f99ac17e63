import Foundation
import Yams

public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, error, critical
    public var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// What a pattern's regex is matched against.
public enum PatternScope: String, Sendable, Codable {
    /// The event's first line.
    case line
    /// The whole event text, lines joined by `\n`.
    case event
    /// Each throwable of the parsed chain as `fully.qualified.Class: message`.
    case exception
}

/// One entry of `patterns/*.yaml`, as written.
public struct PatternSpec: Sendable, Codable, Equatable {
    public var id: String
    public var title: String
    public var severity: Severity
    public var category: String
    /// A match makes its event an incident (and, without a trace, a message signature of its
    /// own): every category but `wrapper` (it wraps another pattern's cause) and `other`.
    public var marksIncident: Bool { category != "wrapper" && category != "other" }
    public var scope: PatternScope
    /// Any one of these must occur in the event's message lines for the regex to run.
    public var literals: [String]
    public var regex: String
    public var explain: String
    public var references: [String]
    public var matchExamples: [String]
    public var nomatchExamples: [String]
    /// Where it was defined (file path and line), for messages.
    public var file: String
    public var line: Int
}

/// A catalog problem, written for the person who edits the YAML: which file, which line, which
/// pattern, and for regex errors the offset in the pattern.
public struct CatalogProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var patternID: String?
    public var message: String

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let patternID { s += ": pattern '\(patternID)'" }
        return s + ": " + message
    }
}

/// A pattern ready to match: its spec and compiled regex.
public struct CompiledPattern: Sendable {
    public let spec: PatternSpec
    public let regex: Regex
    /// Named groups: (group number, field name).
    public var fields: [(Int, String)] { regex.groupNames }
}

/// The loaded pattern catalog: built-in files plus the user's, a user's id replacing a built-in one.
public struct PatternCatalog: Sendable {
    public private(set) var patterns: [CompiledPattern]
    public var maxCaptureCount: Int { patterns.map(\.regex.captureCount).max() ?? 0 }

    public init(patterns: [CompiledPattern]) { self.patterns = patterns }

    public static let categories: Set<String> = [
        "pool-timeout", "db-refused", "leak", "abandoned", "pool-lifecycle", "pool-stat", "pool-thread",
        "connection-broken", "connection-stale", "pool-create-error", "pool-deadlock", "slow-query", "wrapper", "other",
    ]

    /// Loads catalogs in order; a later file's pattern with an existing id replaces the earlier
    /// one. Throws every problem found (not just the first).
    public static func load(files: [String]) throws(CatalogErrors) -> PatternCatalog {
        let (catalog, problems) = loadReporting(files: files)
        if !problems.isEmpty { throw CatalogErrors(problems: problems) }
        return catalog
    }

    /// Loads what can be loaded and returns it with every problem found.
    public static func loadReporting(files: [String]) -> (PatternCatalog, [CatalogProblem]) {
        var problems: [CatalogProblem] = []
        var byID: [String: Int] = [:]
        var list: [CompiledPattern] = []
        for file in files {
            let specs: [PatternSpec]
            do {
                specs = try parseFile(file)
            } catch {
                problems.append(contentsOf: error.problems)
                continue
            }
            var seenHere: Set<String> = []
            for spec in specs {
                if !seenHere.insert(spec.id).inserted {
                    problems.append(CatalogProblem(file: file, line: spec.line, patternID: spec.id, message: "duplicate id in the same file"))
                    continue
                }
                let regex: Regex
                do {
                    regex = try Regex(spec.regex)
                } catch {
                    problems.append(CatalogProblem(file: file, line: spec.line, patternID: spec.id,
                                                   message: "regex does not compile: \(error.message) at offset \(error.offset) of the pattern"))
                    continue
                }
                let compiled = CompiledPattern(spec: spec, regex: regex)
                if let at = byID[spec.id] {
                    list[at] = compiled
                } else {
                    byID[spec.id] = list.count
                    list.append(compiled)
                }
            }
        }
        return (PatternCatalog(patterns: list), problems)
    }

    /// The `*.yaml`/`*.yml` files of a directory, sorted; a file path as is.
    public static func files(at path: String) throws(CatalogErrors) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CatalogErrors(problems: [CatalogProblem(file: path, line: nil, patternID: nil, message: "no such file or directory")])
        }
        if !isDir.boolValue { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted().map { (path as NSString).appendingPathComponent($0) }
    }

    /// Where the built-in catalog lives: `$STACKSIFT_PATTERNS`, then `patterns/` or
    /// `share/stacksift/patterns/` next to the executable or above it (a SwiftPM build tree).
    public static func builtinDirectory(executablePath: String = CommandLine.arguments.first ?? "") -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["STACKSIFT_PATTERNS"], !env.isEmpty { return env }
        var candidates: [String] = []
        let exe = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("patterns").path)
            candidates.append(dir.appendingPathComponent("share/stacksift/patterns").path)
            dir = dir.deletingLastPathComponent()
        }
        // Source checkout (tests, `swift run`): the package root above this file.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("patterns").path
        candidates.append(source)
        for c in candidates {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: c, isDirectory: &isDir), isDir.boolValue,
               let names = try? fm.contentsOfDirectory(atPath: c), names.contains(where: { $0.hasSuffix(".yaml") }) {
                return c
            }
        }
        return nil
    }

    /// Loads the built-in catalog and then each user path (file or directory).
    public static func standard(userPaths: [String] = [], includeBuiltin: Bool = true) throws(CatalogErrors) -> PatternCatalog {
        var files: [String] = []
        if includeBuiltin {
            guard let dir = builtinDirectory() else {
                throw CatalogErrors(problems: [CatalogProblem(file: "patterns/", line: nil, patternID: nil,
                    message: "the built-in pattern catalog was not found next to the executable; set STACKSIFT_PATTERNS to its directory")])
            }
            files += try Self.files(at: dir)
        }
        for p in userPaths { files += try Self.files(at: p) }
        return try load(files: files)
    }

    // MARK: YAML

    static func parseFile(_ file: String) throws(CatalogErrors) -> [PatternSpec] {
        func problem(_ line: Int?, _ id: String?, _ msg: String) -> CatalogProblem {
            CatalogProblem(file: file, line: line, patternID: id, message: msg)
        }
        if let tooLarge = CatalogFileGuard.sizeProblem(file) { throw CatalogErrors(problems: [problem(nil, nil, tooLarge)]) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CatalogErrors(problems: [problem(nil, nil, "cannot read the file")])
        }
        if let bad = CatalogFileGuard.contentProblem(data) { throw CatalogErrors(problems: [problem(bad.line, nil, bad.message)]) }
        let text = String(decoding: data, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw CatalogErrors(problems: [Self.yamlProblem(file, error, data)])
        } catch {
            throw CatalogErrors(problems: [problem(nil, nil, "YAML error: \(error)")])
        }
        guard let root, let top = root.mapping else {
            throw CatalogErrors(problems: [problem(1, nil, "the top level must be a mapping with a `patterns:` list")])
        }
        var problems: [CatalogProblem] = []
        if let v = top["version"] {
            if v.int == nil || v.int! != 1 { problems.append(problem(v.mark.map { $0.line }, nil, "unsupported catalog version `\(v.string ?? "?")` (this stacksift reads version 1)")) }
        }
        for key in top.keys.compactMap(\.string) where key != "version" && key != "patterns" {
            problems.append(problem(top[key]?.mark?.line, nil, "unknown top-level key `\(key)`"))
        }
        guard let list = top["patterns"]?.sequence else {
            problems.append(problem(1, nil, "missing `patterns:` list"))
            throw CatalogErrors(problems: problems)
        }
        let known: Set<String> = ["id", "title", "severity", "category", "scope", "literal", "literals", "regex", "explain", "references", "examples"]
        var specs: [PatternSpec] = []
        for item in list {
            let line = item.mark?.line
            guard let m = item.mapping else {
                problems.append(problem(line, nil, "each pattern must be a mapping"))
                continue
            }
            let id = m["id"]?.string
            func req(_ key: String) -> String? {
                guard let v = m[key]?.string, !v.isEmpty else {
                    problems.append(problem(line, id, "missing required key `\(key)`"))
                    return nil
                }
                return v
            }
            for key in m.keys.compactMap(\.string) where !known.contains(key) {
                problems.append(problem(m[key]?.mark?.line ?? line, id, "unknown key `\(key)`"))
            }
            guard let pid = req("id") else { continue }
            let idOK = pid.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" } && pid.contains(".")
            if !idOK { problems.append(problem(line, pid, "id must be dotted lowercase (family.name)")) }
            let title = req("title")
            let sevText = req("severity")
            let severity = sevText.flatMap(Severity.init(rawValue:))
            if sevText != nil && severity == nil { problems.append(problem(line, pid, "severity must be one of info, warning, error, critical")) }
            let category = m["category"]?.string ?? "other"
            if !categories.contains(category) { problems.append(problem(line, pid, "unknown category `\(category)` (one of \(categories.sorted().joined(separator: ", ")))")) }
            let scopeText = m["scope"]?.string ?? "event"
            let scope = PatternScope(rawValue: scopeText)
            if scope == nil { problems.append(problem(line, pid, "scope must be line, event or exception")) }
            guard let regex = req("regex") else { continue }
            var literals: [String] = []
            if let l = m["literal"]?.string { literals = [l] }
            if let ls = m["literals"]?.sequence { literals += ls.compactMap(\.string) }
            literals = literals.filter { !$0.isEmpty }
            if literals.isEmpty { literals = LiteralExtractor.required(regex).map { [$0] } ?? [] }
            let explain = req("explain") ?? ""
            let refs = m["references"]?.sequence?.compactMap(\.string) ?? []
            var matchEx: [String] = []
            var nomatchEx: [String] = []
            if let ex = m["examples"]?.mapping {
                matchEx = ex["match"]?.sequence?.compactMap(\.string) ?? []
                nomatchEx = ex["nomatch"]?.sequence?.compactMap(\.string) ?? []
            }
            if matchEx.isEmpty { problems.append(problem(line, pid, "needs at least one `examples.match` entry")) }
            guard let title, let severity, let scope else { continue }
            specs.append(PatternSpec(id: pid, title: title, severity: severity, category: category, scope: scope,
                                     literals: literals, regex: regex, explain: explain, references: refs,
                                     matchExamples: matchEx, nomatchExamples: nomatchEx, file: file, line: line ?? 0))
        }
        if !problems.isEmpty { throw CatalogErrors(problems: problems) }
        return specs
    }

    /// Yams' error in a line of its own: its description quotes the whole offending line.
    static func yamlProblem(_ file: String, _ error: YamlError, _ data: Data) -> CatalogProblem {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return CatalogProblem(file: file, line: mark.line, patternID: nil, message: "YAML error: \(problem) (column \(mark.column))")
        case let .reader(problem, offset, _, _):
            let line = offset.map { CatalogFileGuard.line(of: $0, in: data) }
            return CatalogProblem(file: file, line: line, patternID: nil, message: "YAML error: \(problem)" + (offset.map { " (byte offset \($0))" } ?? ""))
        default:
            return CatalogProblem(file: file, line: nil, patternID: nil, message: "YAML error: \(error)")
        }
    }
}

/// Every problem found while loading catalogs.
public struct CatalogErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [CatalogProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Derives a literal that every match of a regex must contain, for patterns that declare none:
/// the longest run of plain characters at the top level of a pattern without top-level
/// alternation. Conservative: nil when unsure.
enum LiteralExtractor {
    static func required(_ regex: String) -> String? {
        let chars = Array(regex)
        var depth = 0
        var best = ""
        var current = ""
        var i = 0
        var inClass = false
        func close() {
            if current.count > best.count { best = current }
            current = ""
        }
        while i < chars.count {
            let c = chars[i]
            if inClass {
                if c == "\\" { i += 2; continue }
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            switch c {
            case "\\":
                guard i + 1 < chars.count else { return nil }
                let e = chars[i + 1]
                if depth == 0, "\\.-[](){}*+?^$|/ :,'\"=#@!".contains(e) {
                    current.append(e)
                } else {
                    close()
                }
                i += 2
                continue
            case "[":
                close(); inClass = true
            case "(":
                close(); depth += 1
            case ")":
                close(); depth -= 1
            case "|":
                if depth == 0 { return nil }
                close()
            case "*", "?", "{":
                // the preceding character is optional or repeated: drop it from the run
                if !current.isEmpty { current.removeLast() }
                close()
            case "+", ".", "^", "$":
                close()
            default:
                if depth == 0 { current.append(c) } else { close() }
            }
            i += 1
        }
        close()
        return best.count >= 3 ? best : nil
    }
}
