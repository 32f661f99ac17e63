import Foundation
import XCTest

/// The built `stacksift` binary end to end: flags, exit statuses, colour.
final class CLITests: XCTestCase {
    static let binary = repoRoot.appendingPathComponent(".build/debug/stacksift").path
    static let sample003 = repoRoot.appendingPathComponent("samples/003-dbcp-unreturned-connections").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw XCTSkip("build stacksift first (swift build)") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { _, b in b }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func testFailOn() throws {
        XCTAssertEqual(try run(["analyze", Self.sample003, "--timezone", "UTC", "--fail-on", "error"]).status, 1)
        XCTAssertEqual(try run(["analyze", Self.sample003, "--timezone", "UTC", "--fail-on", "critical"]).status, 0, "app-leak is an error, not critical")
        XCTAssertEqual(try run(["analyze", Self.sample003, "--timezone", "UTC"]).status, 0)
    }

    func testPatternsProfile() throws {
        let r = try run(["patterns", "profile", Self.sample003, "--timezone", "UTC"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("PATTERN") == true, r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("dbcp.") }, "sample 003 is a DBCP incident: \(r.stdout)")
        XCTAssertTrue(lines.dropLast().last?.contains("reached a regex") == true, r.stdout)
        // the shipped catalog's shortest literals are 8 bytes (`slow sql` and its variants)
        XCTAssertTrue(lines.last?.hasPrefix("Literal scan ") == true, r.stdout)
        XCTAssertTrue(lines.last?.contains("a window of 8 bytes") == true, r.stdout)
        XCTAssertTrue(lines.last?.contains("`Slow sql`") == true, r.stdout)
        let top1 = try run(["patterns", "profile", Self.sample003, "--top", "1"])
        XCTAssertEqual(top1.stdout.split(separator: "\n").count, 5, "header, one pattern, the '… more' line, two summary lines: \(top1.stdout)")
        let missing = try run(["patterns", "profile", Self.sample003 + "/no-such.log"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no-such.log"), missing.stderr)
    }

    func testUsageErrors() throws {
        let r = try run(["analyze", Self.sample003, "--bucket", "30s"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("whole number of minutes"), r.stderr)
        XCTAssertEqual(try run(["analyze", Self.sample003, "--since", "yesterday"]).status, 64)
        XCTAssertEqual(try run(["analyze", Self.sample003, "--since", "2023-10-10 15:00", "--until", "2023-10-10 14:00"]).status, 64)
        XCTAssertEqual(try run(["analyze", Self.sample003, "--fail-on", "fatal"]).status, 64)
    }

    /// `analyze --patterns` holds a user's catalog to what `patterns check` does, examples
    /// included, and says so before reading any log (a FIFO nobody writes would hang it).
    func testAnalyzeRefusesACatalogWhoseExamplesFail() throws {
        let dir = try TempDir()
        let yaml = """
        patterns:
          - id: acme.queue-full
            title: Queue full
            severity: error
            explain: A work queue is full.
            regex: 'queue (?<name>\\w+) is full'
            examples:
              match: ['queue orders is full']
              nomatch: ['queue orders is fully drained']

        """
        let file = try dir.write("acme.yaml", Array(yaml.utf8))
        let fifo = dir.url.appendingPathComponent("never-written").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let r = try run(["analyze", "--patterns", file, fifo])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("acme.yaml") && r.stderr.contains("acme.queue-full") && r.stderr.contains("examples.nomatch matches"), r.stderr)
        let fixed = try dir.write("fixed.yaml", Array(yaml.replacingOccurrences(of: "is full'", with: "is full\\b(?! drained)'").utf8))
        let ok = try run(["analyze", "--patterns", fixed, Self.sample003, "--timezone", "UTC"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testSinceUntilNarrowTheAnalysis() throws {
        let r = try run(["analyze", Self.sample003, "--timezone", "UTC", "--format", "json", "--bucket", "5m",
                         "--since", "2023-10-10 14:00", "--until", "2023-10-10T16:00:00Z"])
        XCTAssertEqual(r.status, 0)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let window = json["window"] as! [String: Any]
        XCTAssertGreaterThanOrEqual(window["start"] as! String, "2023-10-10T14:00:00.000Z")
        XCTAssertLessThan(window["end"] as! String, "2023-10-10T16:00:00.000Z")
        XCTAssertLessThan((json["inputs"] as! [String: Any])["events"] as! Int, 486 + 1, "every line is still read and counted")
        XCTAssertEqual((json["timeline"] as! [String: Any])["bucket"] as? String, "5m")
        XCTAssertEqual(json["schema"] as? String, "stacksift.report/1")
        XCTAssertEqual(((json["findings"] as! [[String: Any]]).first)?["id"] as? String, "app-leak")
    }

    /// `merge` with states that cannot be used: each is named with what is wrong (and where the
    /// JSON breaks), the good state is still reported, and the exit status says partial.
    func testMergeReportsBadStatesAndKeepsTheRest() throws {
        let dir = try TempDir()
        let good = dir.url.appendingPathComponent("good.state").path
        XCTAssertEqual(try run(["analyze", Self.sample003, "--timezone", "UTC", "--format", "json", "--save-state", good]).status, 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
            var json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            edit(&json)
            return try dir.write(name, Array(try JSONSerialization.data(withJSONObject: json)))
        }
        func signatures(_ json: [String: Any]) -> [String: Any] { (json["state"] as! [String: Any])["signatures"] as! [String: Any] }
        let v = "v\((try JSONSerialization.jsonObject(with: data) as! [String: Any])["signatureAlgorithm"] as! Int)"
        let cases: [(String, String, Int?)] = [
            (try dir.write("truncated.state", Array(data.prefix(3000))), "not valid JSON", 3000),
            (try dir.write("empty.state", []), "the file is empty", 0),
            (try edited("duplicate.state") { json in
                var state = json["state"] as! [String: Any]
                var sigs = signatures(json)
                sigs["\(v):000000000000"] = sigs.first!.value
                state["signatures"] = sigs
                json["state"] = state
            }, "damaged state file (signatures[\(v):000000000000] holds signature \(v):", nil),
            (try edited("negative.state") { json in
                var files = json["files"] as! [[String: Any]]
                files[0]["events"] = -5
                json["files"] = files
            }, "files[0].events is -5", nil),
            (try edited("type.state") { json in
                var files = json["files"] as! [[String: Any]]
                files[0]["lines"] = "many"
                json["files"] = files
            }, "expected Int at files[0].lines", nil),
            (dir.url.appendingPathComponent("missing.state").path, "no such file", nil),
        ]
        let whole = try run(["merge", good, "--format", "json"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        let expectedEvents = ((try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as! [String: Any])["inputs"] as! [String: Any])["events"] as! Int
        for (path, message, offset) in cases {
            let r = try run(["merge", good, path, "--format", "json"])
            let name = (path as NSString).lastPathComponent
            XCTAssertEqual(r.status, 2, name)
            XCTAssertTrue(r.stderr.contains("\(path): ") && r.stderr.contains(message), "\(name): \(r.stderr)")
            let inputs = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["inputs"] as! [String: Any]
            XCTAssertEqual(inputs["events"] as? Int, expectedEvents, "\(name): the good state is still reported")
            let errors = inputs["errors"] as! [[String: Any]]
            XCTAssertEqual(errors.count, 1, name)
            XCTAssertEqual(errors.first?["path"] as? String, path)
            XCTAssertEqual(errors.first?["offset"] as? Int, offset, name)
        }
    }

    /// No report written is not "report written, input partial": exit 73 with the system's reason.
    func testOutputThatCannotBeWrittenExits73() throws {
        let dir = try TempDir()
        let r = try run(["analyze", Self.sample003, "-o", dir.path])
        XCTAssertEqual(r.status, 73, r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot write \(dir.path): ") && r.stderr.contains("directory"), r.stderr)
        let s = try run(["analyze", Self.sample003, "--save-state", dir.path + "/missing/x.state"])
        XCTAssertEqual(s.status, 73, s.stderr)
        XCTAssertTrue(s.stderr.contains("No such file or directory"), s.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "no temporary file is left")
    }

    /// Not a terminal here, so never colour; NO_COLOR is respected too.
    func testTextHasNoColourOffATerminal() throws {
        let r = try run(["analyze", Self.sample003, "--timezone", "UTC", "--format", "text"], env: ["NO_COLOR": "1"])
        XCTAssertEqual(r.status, 0)
        XCTAssertFalse(r.stdout.contains("\u{1B}["))
        XCTAssertTrue(r.stdout.contains("app-leak"))
        XCTAssertTrue(r.stdout.contains("1. com.acme.report.ReportDao.loadMonthly (24), 2. com.acme.billing.InvoiceDao.findOpen (7)"), r.stdout)
    }
}
