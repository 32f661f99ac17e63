import Foundation
import XCTest
@testable import StackSift

/// The repository root, found from this file's path (Tests/StackSiftTests/CatalogTests.swift).
let catalogTestsRepoRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The built-in catalog files (`patterns/*.yaml`), sorted.
func builtinCatalogFiles() throws -> [String] {
    try PatternCatalog.files(at: catalogTestsRepoRoot + "/patterns")
}

/// The built-in catalog, loaded once. A broken catalog gives an empty one here (so the other
/// tests fail instead of the test process crashing); `testEveryShippedFileChecksWithoutProblems`
/// names the problems.
let builtinCatalogForTests: PatternCatalog = {
    (try? PatternCatalog.load(files: (try? builtinCatalogFiles()) ?? [])) ?? PatternCatalog(patterns: [])
}()

/// The pattern catalog as a product: the shipped YAML holds, and broken catalogs are refused with
/// the file, the pattern id and the position of the problem.
final class CatalogTests: XCTestCase {

    // MARK: - the shipped catalog

    static let requiredIDs = [
        "druid.get-connection-timeout", "druid.abandon-connection", "druid.create-connection-error", "druid.stat",
        "hikari.connection-timeout", "hikari.leak-detection", "hikari.pool-start", "hikari.pool-shutdown",
        "hikari.validation-failed", "hikari.housekeeper-clock-leap",
        "dbcp.pool-exhausted", "dbcp.abandoned-trace",
        "tomcat-jdbc.pool-exhausted", "tomcat-jdbc.abandoned",
        "c3p0.checkout-timeout", "c3p0.apparent-deadlock",
        "mysql.too-many-connections", "mysql.communications-link-failure",
        "postgres.too-many-connections", "oracle.too-many-connections",
        "jdbc.connection-closed", "jdbc.socket-read-timeout", "spring.cannot-get-connection",
    ]

    /// Fields the report and the diagnosis read, by pattern: each must be a named group.
    static let requiredFields: [String: [String]] = [
        "druid.get-connection-timeout": ["wait", "active", "maxActive", "creating", "createErrorCount", "runningSqlCount"],
        "hikari.connection-timeout": ["pool", "poolNumber", "timeout", "total", "active", "idle", "waiting"],
        "hikari.pool-start": ["pool", "poolNumber"],
        "hikari.pool-shutdown": ["pool", "poolNumber"],
        "hikari.leak-detection": ["pool", "poolNumber"],
        "tomcat-jdbc.pool-exhausted": ["size", "busy", "idle"],
        "mysql.communications-link-failure": ["lastPacketMs"],
    ]

    func testEveryShippedFileChecksWithoutProblems() throws {
        let files = try builtinCatalogFiles()
        XCTAssertGreaterThanOrEqual(files.count, 8, "patterns/ holds the family files: \(files)")
        let report = CatalogChecker.check(files: files)
        XCTAssertEqual(report.problems.map(\.description), [], "the shipped catalog must check clean")
        XCTAssertGreaterThanOrEqual(report.patterns, Self.requiredIDs.count)
        // every pattern carries at least one match and one nomatch example
        XCTAssertGreaterThanOrEqual(report.examples, 2 * report.patterns)

        let catalog = try PatternCatalog.load(files: files)
        let byID = Dictionary(uniqueKeysWithValues: catalog.patterns.map { ($0.spec.id, $0) })
        for id in Self.requiredIDs {
            XCTAssertNotNil(byID[id], "required pattern \(id) is missing")
        }
        for (id, fields) in Self.requiredFields {
            guard let p = byID[id] else { continue }
            let names = Set(p.fields.map(\.1))
            for f in fields {
                XCTAssertTrue(names.contains(f), "\(id) must capture `\(f)` as a named group (has \(names.sorted()))")
            }
        }
        for p in catalog.patterns {
            XCTAssertTrue(PatternCatalog.categories.contains(p.spec.category), "\(p.spec.id): category \(p.spec.category)")
            XCTAssertFalse(p.spec.literals.isEmpty, "\(p.spec.id) would run on every event")
            XCTAssertFalse(p.spec.matchExamples.isEmpty, p.spec.id)
            XCTAssertFalse(p.spec.nomatchExamples.isEmpty, "\(p.spec.id) has no nomatch example")
            XCTAssertTrue(p.spec.file.hasPrefix(catalogTestsRepoRoot + "/patterns/"), p.spec.file)
            XCTAssertGreaterThan(p.spec.line, 0, "\(p.spec.id) knows its line")
        }
        // ids are unique across the shipped files (a later file would silently replace one)
        let all = files.flatMap { (try? PatternCatalog.load(files: [$0]).patterns.map(\.spec.id)) ?? [] }
        XCTAssertEqual(all.count, Set(all).count, "duplicate ids across shipped files")
    }

    /// The numbers are pulled out of the examples the catalog itself ships, not just declared.
    func testRequiredFieldsCaptureFromTheDocumentedTexts() throws {
        let scratch = MatchScratch(maxCaptureCount: builtinCatalogForTests.maxCaptureCount)
        func fields(_ id: String, _ text: String) -> [String: String] {
            guard let p = builtinCatalogForTests.patterns.first(where: { $0.spec.id == id }) else {
                XCTFail("no pattern \(id)")
                return [:]
            }
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { b -> [String: String] in
                guard scratch.match(p.regex, b) == .matched else {
                    XCTFail("\(id) does not match: \(text)")
                    return [:]
                }
                var out: [String: String] = [:]
                for (g, name) in p.fields {
                    if let r = scratch.group(g) { out[name] = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
                }
                return out
            }
        }
        XCTAssertEqual(fields("druid.get-connection-timeout",
                              "com.alibaba.druid.pool.GetConnectionTimeoutException: wait millis 5000, active 0, maxActive 30, creating 0, createErrorCount 13047, runningSqlCount 2 : select 1").filter { $0.key != "runningSql" },
                       ["wait": "5000", "active": "0", "maxActive": "30", "creating": "0", "createErrorCount": "13047", "runningSqlCount": "2"])
        XCTAssertEqual(fields("hikari.connection-timeout",
                              "java.sql.SQLTransientConnectionException: HikariPool-12 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=34)"),
                       ["pool": "HikariPool-12", "poolNumber": "12", "timeout": "30000", "total": "10", "active": "10", "idle": "0", "waiting": "34"])
        XCTAssertEqual(fields("tomcat-jdbc.pool-exhausted",
                              "org.apache.tomcat.jdbc.pool.PoolExhaustedException: [http-nio-8080-exec-51] Timeout: Pool empty. Unable to fetch a connection in 30 seconds, none available[size:100; busy:98; idle:2; lastwait:30000]."),
                       ["thread": "http-nio-8080-exec-51", "seconds": "30", "size": "100", "busy": "98", "idle": "2", "lastwait": "30000"])
        XCTAssertEqual(fields("hikari.pool-start", "2023-10-10 16:30:38.123  INFO 19 --- [task-2031] com.zaxxer.hikari.HikariDataSource       : HikariPool-347 - Starting...")["poolNumber"], "347")
        XCTAssertEqual(fields("hikari.pool-shutdown", "2023-10-10 17:00:00.000  INFO 19 --- [main] com.zaxxer.hikari.HikariDataSource : HikariPool-9 - Shutdown completed.")["poolNumber"], "9")
        XCTAssertEqual(fields("mysql.communications-link-failure",
                              "com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure\n\nThe last packet successfully received from the server was 1,001 milliseconds ago.  The last packet sent successfully to the server was 1,002 milliseconds ago.")["lastPacketMs"], "1,001")
    }

    // MARK: - broken catalogs

    /// A catalog file holding `body` after the usual header; returns its path.
    private func catalogFile(_ dir: TempDir, _ name: String, _ body: String) throws -> String {
        try dir.write(name, Array(("version: 1\npatterns:\n" + body).utf8))
    }

    /// One well-formed pattern entry (starts on its own `- id:` line).
    private func entry(id: String, literal: String = "FooTimeout", regex: String = "FooTimeout after (?<ms>\\d+)ms",
                       match: [String] = ["FooTimeout after 30ms"], nomatch: [String] = ["FooTimeout never"],
                       omit: Set<String> = []) -> String {
        var s = "  - id: \(id)\n"
        if !omit.contains("title") { s += "    title: Foo timed out\n" }
        if !omit.contains("severity") { s += "    severity: error\n" }
        s += "    category: pool-timeout\n    scope: line\n"
        if !omit.contains("literal") { s += "    literal: '\(literal)'\n" }
        if !omit.contains("regex") { s += "    regex: '\(regex)'\n" }
        if !omit.contains("explain") { s += "    explain: The Foo pool timed out.\n" }
        s += "    examples:\n      match:\n" + match.map { "        - '\($0)'\n" }.joined()
        s += "      nomatch:\n" + nomatch.map { "        - '\($0)'\n" }.joined()
        return s
    }

    private func problems(_ files: [String]) -> [CatalogProblem] {
        CatalogChecker.check(files: files).problems
    }

    func testWellFormedUserCatalogChecksClean() throws {
        let dir = try TempDir()
        let f = try catalogFile(dir, "ok.yaml", entry(id: "acme.foo-timeout"))
        XCTAssertEqual(problems([f]), [])
        let catalog = try PatternCatalog.load(files: [f])
        XCTAssertEqual(catalog.patterns.map(\.spec.id), ["acme.foo-timeout"])
        XCTAssertEqual(catalog.patterns[0].spec.line, 3, "`- id:` is on line 3 (after version and patterns)")
    }

    func testYAMLSyntaxErrorNamesFileAndLine() throws {
        let dir = try TempDir()
        // line 5 is indented deeper than its siblings: a mapping value where none is allowed
        let body = "  - id: acme.bad\n    title: Foo\n     severity: error\n"
        let f = try catalogFile(dir, "syntax.yaml", body)
        let ps = problems([f])
        XCTAssertEqual(ps.count, 1, "\(ps)")
        XCTAssertEqual(ps.first?.file, f)
        XCTAssertEqual(ps.first?.line, 5, "\(ps)")
        XCTAssertTrue(ps.first?.message.hasPrefix("YAML error") ?? false, "\(ps)")
        XCTAssertTrue(ps.first?.description.hasPrefix("\(f):5: YAML error") ?? false, ps.first?.description ?? "")
        // load refuses too, with the same problem
        XCTAssertThrowsError(try PatternCatalog.load(files: [f])) { error in
            XCTAssertEqual((error as? CatalogErrors)?.problems.first?.line, 5)
        }
    }

    /// Files no catalog looks like are refused with a short reason before Yams sees them: deep
    /// nesting (Yams' composer recurses per level and overflowed the stack at ~4,700), NUL bytes,
    /// a size far past any catalog; and a reader error names its line without echoing it.
    func testFilesNoCatalogLooksLikeAreRefusedBriefly() throws {
        let dir = try TempDir()
        let cases: [(String, [UInt8], Int?, String)] = [
            ("flow.yaml", Array(String(repeating: "[", count: 20_000).utf8), 1, "nested more than 64 levels deep"),
            ("mapping.yaml", Array(String(repeating: "{a: ", count: 20_000).utf8), 1, "nested more than 64 levels deep"),
            ("block.yaml", Array(("patterns:\n" + (0..<100).map { String(repeating: "  ", count: $0) + "- \n" }.joined()).utf8), 65, "nested more than 64 levels deep"),
            ("nul.yaml", Array("patterns:\n  - id: a.b".utf8) + [0] + Array("\n".utf8), 2, "not a text file (a NUL byte at byte offset 21)"),
            ("control.yaml", Array("version: 1\npatterns: []\n# ".utf8) + [UInt8](repeating: 0x61, count: 1_000_000) + [0x01, 0x0A], 3,
             "YAML error: control characters are not allowed (byte offset 1000026)"),
        ]
        for (name, bytes, line, message) in cases {
            let f = try dir.write(name, bytes)
            let ps = problems([f])
            XCTAssertEqual(ps.count, 1, "\(name): \(ps)")
            XCTAssertEqual(ps.first?.line, line, name)
            XCTAssertTrue(ps.first?.message.hasPrefix(message) ?? false, "\(name): \(ps.first?.message.prefix(300) ?? "")")
            XCTAssertLessThan(ps.first?.description.utf8.count ?? 0, 300, "\(name): the problem is one short line")
        }
        // past 16 MiB: refused by size, before it is read (a sparse file)
        let big = dir.url.appendingPathComponent("big.yaml")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let h = try FileHandle(forWritingTo: big)
        try h.truncate(atOffset: 17 << 20)
        try h.close()
        XCTAssertTrue(problems([big.path]).first?.message.contains("too large for a pattern catalog") ?? false, "\(problems([big.path]))")
    }

    func testMissingKeysAreNamedWithPatternAndLine() throws {
        let dir = try TempDir()
        let body = entry(id: "acme.ok") + entry(id: "acme.no-regex", omit: ["regex"]) + entry(id: "acme.no-title", omit: ["title", "explain"])
        let f = try catalogFile(dir, "missing.yaml", body)
        let ps = problems([f])
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        func lineOf(_ id: String) -> Int { 3 + lines.firstIndex { $0 == "  - id: \(id)" }! }
        XCTAssertTrue(ps.contains { $0.file == f && $0.patternID == "acme.no-regex" && $0.line == lineOf("acme.no-regex") && $0.message.contains("`regex`") }, "\(ps)")
        XCTAssertTrue(ps.contains { $0.patternID == "acme.no-title" && $0.line == lineOf("acme.no-title") && $0.message.contains("`title`") }, "\(ps)")
        XCTAssertTrue(ps.contains { $0.patternID == "acme.no-title" && $0.message.contains("`explain`") }, "\(ps)")
        XCTAssertFalse(ps.contains { $0.patternID == "acme.ok" }, "\(ps)")
        XCTAssertThrowsError(try PatternCatalog.load(files: [f]))

        // an entry without an id: still placed by line
        let g = try catalogFile(dir, "noid.yaml", "  - title: Foo\n    severity: error\n    regex: 'x'\n    explain: x\n")
        let gp = problems([g])
        XCTAssertTrue(gp.contains { $0.file == g && $0.line == 3 && $0.patternID == nil && $0.message.contains("`id`") }, "\(gp)")

        // an unknown key (a typo of a real one) is not silently ignored
        let h = try catalogFile(dir, "typo.yaml", entry(id: "acme.typo").replacingOccurrences(of: "    severity:", with: "    severty:"))
        let hp = problems([h])
        XCTAssertTrue(hp.contains { $0.patternID == "acme.typo" && $0.message.contains("unknown key `severty`") && $0.line == 5 }, "\(hp)")
    }

    func testDuplicateIDs() throws {
        let dir = try TempDir()
        // in one file: refused on load
        let body = entry(id: "acme.dup") + entry(id: "acme.dup", literal: "BarTimeout", regex: "BarTimeout", match: ["BarTimeout"])
        let f = try catalogFile(dir, "dup.yaml", body)
        let ps = problems([f])
        let second = 3 + body.split(separator: "\n", omittingEmptySubsequences: false).lastIndex { $0 == "  - id: acme.dup" }!
        XCTAssertTrue(ps.contains { $0.file == f && $0.patternID == "acme.dup" && $0.line == second && $0.message.contains("duplicate id") }, "\(ps)")
        XCTAssertThrowsError(try PatternCatalog.load(files: [f]))

        // across two files given to `patterns check`: reported, naming the other file
        let a = try catalogFile(dir, "a.yaml", entry(id: "acme.shared"))
        let b = try catalogFile(dir, "b.yaml", entry(id: "acme.shared"))
        let cross = problems([a, b])
        XCTAssertTrue(cross.contains { $0.file == b && $0.patternID == "acme.shared" && $0.line == 3 && $0.message.contains(a) }, "\(cross)")
    }

    func testRegexThatDoesNotCompileNamesFileIDAndOffset() throws {
        let dir = try TempDir()
        let regex = "FooTimeout after (?<ms>\\d+ms"   // missing `)`
        let f = try catalogFile(dir, "regex.yaml", entry(id: "acme.bad-regex", regex: regex))
        // the offset PCRE2 itself reports for this pattern
        var offset = -1
        do { _ = try Regex(regex) } catch { offset = error.offset }
        XCTAssertEqual(offset, regex.utf8.count, "PCRE2 reports a missing parenthesis at the end of the pattern")
        let ps = problems([f])
        let p = ps.first { $0.patternID == "acme.bad-regex" }
        XCTAssertNotNil(p, "\(ps)")
        XCTAssertEqual(p?.file, f)
        XCTAssertEqual(p?.line, 3)
        XCTAssertTrue(p?.message.contains("does not compile") ?? false, p?.message ?? "")
        XCTAssertTrue(p?.message.contains("at offset \(offset)") ?? false, p?.message ?? "")
        XCTAssertTrue(p?.message.lowercased().contains("parenthes") ?? false, "PCRE2's own message: \(p?.message ?? "")")
        let d = p?.description ?? ""
        XCTAssertTrue(d.contains(f) && d.contains("acme.bad-regex") && d.contains("offset \(offset)"), d)
        XCTAssertThrowsError(try PatternCatalog.load(files: [f])) { error in
            XCTAssertEqual((error as? CatalogErrors)?.problems.map(\.patternID), ["acme.bad-regex"])
        }
    }

    func testExamplesAreEnforced() throws {
        let dir = try TempDir()
        let body = entry(id: "acme.match-fails", match: ["FooTimeout after soon"])
            + entry(id: "acme.nomatch-matches", nomatch: ["FooTimeout after 12ms (expected to be excluded)"])
            + entry(id: "acme.literal-absent", literal: "FooTimeout", regex: "Foo\\s*Timeout", match: ["Foo Timeout"], nomatch: ["Bar"])
        let f = try catalogFile(dir, "examples.yaml", body)
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        func lineOf(_ id: String) -> Int { 3 + lines.firstIndex { $0 == "  - id: \(id)" }! }
        let ps = problems([f])
        XCTAssertEqual(ps.count, 3, "\(ps.map(\.description))")
        XCTAssertTrue(ps.contains { $0.file == f && $0.patternID == "acme.match-fails" && $0.line == lineOf("acme.match-fails")
            && $0.message.contains("examples.match does not match") && $0.message.contains("FooTimeout after soon") }, "\(ps)")
        XCTAssertTrue(ps.contains { $0.patternID == "acme.nomatch-matches" && $0.line == lineOf("acme.nomatch-matches")
            && $0.message.contains("examples.nomatch matches") }, "\(ps)")
        XCTAssertTrue(ps.contains { $0.patternID == "acme.literal-absent" && $0.line == lineOf("acme.literal-absent")
            && $0.message.contains("none of the literals") }, "\(ps)")
        // a pattern with neither a literal nor one derivable from its regex is flagged as well
        let g = try catalogFile(dir, "noliteral.yaml", entry(id: "acme.no-literal", regex: "(?:a|b)\\d+", match: ["a1"], nomatch: ["c"], omit: ["literal"]))
        XCTAssertTrue(problems([g]).contains { $0.patternID == "acme.no-literal" && $0.message.contains("no `literal:`") }, "\(problems([g]))")
    }

    /// A user's file that redefines a built-in id replaces it; the other built-ins stay.
    func testUserPatternOverridesBuiltin() throws {
        let dir = try TempDir()
        let builtin = try builtinCatalogFiles()
        let user = try catalogFile(dir, "user.yaml", """
              - id: hikari.connection-timeout
                title: Our Hikari timeout
                severity: critical
                category: pool-timeout
                scope: line
                literal: 'ACME-POOL timeout'
                regex: 'ACME-POOL timeout after (?<timeout>\\d+)ms'
                explain: Our own wording.
                examples:
                  match:
                    - 'ACME-POOL timeout after 5ms'
                  nomatch:
                    - 'ACME-POOL fine'

            """)
        let base = try PatternCatalog.load(files: builtin)
        let merged = try PatternCatalog.load(files: builtin + [user])
        XCTAssertEqual(merged.patterns.count, base.patterns.count, "an override replaces, it does not add")
        XCTAssertEqual(merged.patterns.map(\.spec.id), base.patterns.map(\.spec.id), "same ids, same order")
        let p = merged.patterns.first { $0.spec.id == "hikari.connection-timeout" }
        XCTAssertEqual(p?.spec.title, "Our Hikari timeout")
        XCTAssertEqual(p?.spec.severity, .critical)
        XCTAssertEqual(p?.spec.file, user)
        XCTAssertEqual(p?.spec.literals, ["ACME-POOL timeout"])
        // and the running analysis uses the user's version
        let r = try analyzeText("2023-10-10 16:30:38.123 WARN [main] c.a.Pool - ACME-POOL timeout after 5ms\n"
            + "2023-10-10 16:30:39.123 WARN [main] c.a.Pool - HikariPool-1 - Connection is not available, request timed out after 30000ms.\n",
            catalog: merged)
        XCTAssertEqual(r.state.patterns["hikari.connection-timeout"]?.count, 1)
        XCTAssertEqual(r.state.patterns["hikari.connection-timeout"]?.fields["timeout"]?.max, 5)
        // the standard loader takes user paths after the built-ins
        let std = try PatternCatalog.standard(userPaths: [dir.path])
        XCTAssertEqual(std.patterns.first { $0.spec.id == "hikari.connection-timeout" }?.spec.file, user)
    }

    // MARK: - pathological regex

    /// The profiler times the very runs a normal analysis makes: per pattern, its matches are the
    /// events the analysis counted, its runs at least those, and a pattern without a literal
    /// hit never ran.
    func testProfileCountsTheRunsOfAnAnalysis() throws {
        let dir = repoRoot.appendingPathComponent("samples/003-dbcp-unreturned-connections").path
        let catalog = try PatternCatalog.standard()
        var options = AnalysisOptions()
        options.timeZone = TimeZone(identifier: "UTC")!
        let (sources, _) = Discovery.expand([dir])
        let profile = PatternProfiler(catalog: catalog, options: options).run(sources)
        let state = Analysis(options: options, catalog: catalog).run(sources, discoveryErrors: []).state
        XCTAssertEqual(profile.costs.count, catalog.patterns.count)
        XCTAssertTrue(profile.errors.isEmpty)
        XCTAssertGreaterThan(profile.events, 0)
        XCTAssertGreaterThan(profile.eventsWithCandidates, 0)
        XCTAssertLessThanOrEqual(profile.eventsWithCandidates, profile.events)
        var matched = 0
        for c in profile.costs {
            XCTAssertEqual(c.matches, state.patterns[c.id]?.count ?? 0, c.id)
            XCTAssertGreaterThanOrEqual(c.runs, c.matches, c.id)
            if c.runs == 0 { XCTAssertEqual(c.nanoseconds, 0, c.id); XCTAssertEqual(c.subjectBytes, 0, c.id) }
            matched += c.matches
        }
        XCTAssertGreaterThan(matched, 0)
        // costliest first
        XCTAssertEqual(profile.costs.map(\.nanoseconds), profile.costs.map(\.nanoseconds).sorted(by: >))
        // the window is the shortest literal's length, and those literals are named
        let lengths = catalog.patterns.flatMap(\.spec.literals).map(\.utf8.count)
        XCTAssertEqual(profile.window, lengths.min())
        XCTAssertEqual(profile.maxStep, profile.window - 2)
        XCTAssertEqual(Set(profile.shortestLiterals), Set(catalog.patterns.flatMap(\.spec.literals).filter { $0.utf8.count == profile.window }))
        XCTAssertGreaterThan(profile.scanNanoseconds, 0)
    }

    /// With nothing to look for, the profile says so rather than naming a window.
    func testProfileWithoutLiterals() throws {
        let dir = repoRoot.appendingPathComponent("samples/003-dbcp-unreturned-connections").path
        let (sources, _) = Discovery.expand([dir])
        let profile = PatternProfiler(catalog: PatternCatalog(patterns: []), options: AnalysisOptions()).run(sources)
        XCTAssertEqual(profile.window, 0)
        XCTAssertEqual(profile.maxStep, 0)
        XCTAssertEqual(profile.shortestLiterals, [])
        XCTAssertGreaterThan(profile.events, 0)
    }

    func testCatastrophicBacktrackingHitsTheLimit() throws {
        let regex = try Regex("(a+)+$")
        let scratch = MatchScratch(maxCaptureCount: regex.captureCount)
        let subject = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000) + [UInt8(ascii: "b")]
        let outcome = subject.withUnsafeBufferPointer { scratch.match(regex, $0) }
        XCTAssertEqual(outcome, .limitHit)
        XCTAssertEqual(scratch.limitHits, 1)
        // the scratch stays usable afterwards
        let ok = Array("aaa".utf8).withUnsafeBufferPointer { scratch.match(regex, $0) }
        XCTAssertEqual(ok, .matched)
    }

    func testPathologicalUserPatternIsCountedNotFatal() throws {
        let dir = try TempDir()
        let user = try catalogFile(dir, "evil.yaml", """
              - id: acme.evil
                title: Evil
                severity: warning
                category: other
                scope: line
                literal: 'aaaa'
                regex: '(a+)+$'
                explain: Backtracks catastrophically on a long run of a followed by anything else.
                examples:
                  match:
                    - 'aaaa'
                  nomatch:
                    - 'b'

            """)
        let catalog = try PatternCatalog.load(files: try builtinCatalogFiles() + [user])
        let evilLine = String(repeating: "a", count: 100_000) + "b"
        let text = "2023-10-10 16:30:38.123 INFO [main] c.a.Job - start " + evilLine + "\n"
            + "2023-10-10 16:30:40.000 ERROR [main] c.a.Pool - java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n"
            + "2023-10-10 16:30:41.000 INFO [main] c.a.Job - done " + evilLine + "\n"
        let r = try analyzeText(text, catalog: catalog)
        XCTAssertTrue(r.complete)
        XCTAssertEqual(r.state.limitHits, 2, "both long lines abandon the evil pattern")
        XCTAssertNil(r.state.patterns["acme.evil"])
        XCTAssertEqual(r.state.patterns["hikari.connection-timeout"]?.count, 1, "the other patterns still run")

        // and straight through an EventAnalyzer
        let analyzer = EventAnalyzer(catalog: catalog, signer: Signer())
        let sink = Sink(options: utcOptions(), analyzer: analyzer, source: "mem", sourceIndex: 0)
        Array(text.utf8).withUnsafeBytes { sink.feed($0) }
        sink.finish()
        XCTAssertEqual(analyzer.state.limitHits, 2)
        XCTAssertEqual(analyzer.state.patterns["hikari.connection-timeout"]?.count, 1)
    }
}

// MARK: - helpers shared with RecognitionTests / ClusteringTests

func utcOptions(workers: Int = 1) -> AnalysisOptions {
    var o = AnalysisOptions()
    o.timeZone = TimeZone(identifier: "UTC")!
    o.stage = .full
    o.workers = workers
    return o
}

/// Writes `text` to a temporary file and runs the full pipeline over it.
func analyzeText(_ text: String, catalog: PatternCatalog = builtinCatalogForTests, name: String = "app.log",
                 options: AnalysisOptions = utcOptions()) throws -> AnalysisResult {
    let dir = try TempDir()
    let path = try dir.write(name, Array(text.utf8))
    return Analysis(options: options, catalog: catalog).run([InputSource(path: path)])
}
