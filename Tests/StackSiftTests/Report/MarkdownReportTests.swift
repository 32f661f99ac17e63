import Foundation
import XCTest
@testable import StackSift

/// Log text inside the Markdown: whatever it holds, the document keeps its structure.
final class MarkdownTextTests: XCTestCase {
    func testProseKeepsCodeSpansAndEscapesTheRest() {
        XCTAssertEqual(MarkdownText.prose("run `SHOW PROCESSLIST` now"), "run `SHOW PROCESSLIST` now")
        XCTAssertEqual(MarkdownText.prose("<script>x</script> *a* [b](c) |"), "&lt;script&gt;x&lt;/script&gt; \\*a\\* \\[b\\](c) \\|")
        XCTAssertEqual(MarkdownText.prose("a ` b"), "a \\` b", "a run that closes nothing is escaped")
        XCTAssertEqual(MarkdownText.prose("``a`b`` c"), "``a`b`` c", "a longer fence holds shorter runs")
        XCTAssertEqual(MarkdownText.prose("`<init>`"), "`<init>`", "code is not HTML-escaped")
        XCTAssertEqual(MarkdownText.prose("line1\nline2"), "line1 line2")
    }

    func testCellCodeEscapesPipes() {
        XCTAssertEqual(MarkdownText.cellCode("a|b"), "`a\\|b`")
        XCTAssertEqual(MarkdownText.cellCode("a`b"), "``a`b``")
    }

    func testFenceOutgrowsBackticks() {
        let f = MarkdownText.fenced("x\n````\ny")
        XCTAssertTrue(f.hasPrefix("`````text\n"))
        XCTAssertTrue(f.hasSuffix("\n`````\n"))
    }

    func testSparklines() {
        XCTAssertEqual(sparkline([0, 1, 2, 7, 0]), "▁▂▃█▁")
        XCTAssertEqual(sparkline([0, 0]), "▁▁")
        XCTAssertEqual(sparkline([1, 1000]), "▂█", "one event still shows against a large peak")
        XCTAssertEqual(sparkline(Array(repeating: 1, count: 120), width: 60).count, 60)
    }
}

final class MarkdownReportTests: XCTestCase {
    /// A state whose log text tries everything: fences, HTML, pipes, backticks, headings.
    func hostileReport() throws -> Report {
        var b = StateBuilder()
        let evil = "```\n</details><script>alert(1)</script>\n# not a heading | a | b |\n`tick` ``` ````"
        b.pattern("hikari.connection-timeout", 5, sources: ["logs/a|b`c.log"], fields: ["active": 10, "total": 10])
        b.signature("v1:evil", 5, rootCause: "java.sql.SQLTransientConnectionException", frames: ["com.acme.Foo.<init>"],
                    patterns: ["hikari.connection-timeout"], message: "pool | <b>x</b> `y`", sources: ["logs/a|b`c.log"],
                    exemplar: "2023-10-10 10:00:00 ERROR x - " + evil + "\n\tat com.acme.Foo.<init>(Foo.java:1)")
        var result = AnalysisResult(files: [], errors: [], state: b.state, elapsedSeconds: 1.5, stage: .full)
        var file = FileReport(path: "logs/a|b`c.log", format: "plain")
        file.lines = 10; file.events = 5; file.firstTime = StateBuilder.t0; file.lastTime = StateBuilder.t0 + 5 * StateBuilder.minute
        result.files = [file]
        var options = ReportOptions()
        options.timeZone = utc
        return Report(result: result, catalog: try PatternCatalog.standard(), options: options)
    }

    /// Splits Markdown into what is inside fenced blocks and what is not, following the
    /// CommonMark rule (a fence closes with at least as many backticks as opened it).
    func outsideFences(_ md: String) -> (outside: [Substring], fencesBalanced: Bool) {
        var outside: [Substring] = []
        var open = 0
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            let run = line.prefix { $0 == "`" }.count
            if open == 0 {
                if run >= 3 { open = run } else { outside.append(line) }
            } else if run >= open && line.dropFirst(run).allSatisfy({ $0 == " " }) {
                open = 0
            }
        }
        return (outside, open == 0)
    }

    func testHostileLogTextCannotBreakTheDocument() throws {
        let md = MarkdownReport(try hostileReport()).render()
        let (outside, balanced) = outsideFences(md)
        XCTAssertTrue(balanced, "every fence closes")
        for line in outside {
            XCTAssertFalse(line.contains("<script>") || line.contains("</details>") || line.contains("<b>"), "raw HTML outside a fence: \(line)")
            XCTAssertFalse(line.hasPrefix("# not"), "log text became a heading")
        }
        XCTAssertTrue(md.contains("</details><script>alert(1)</script>"), "inside the fence the exemplar is verbatim")
        // Every table row has as many cells as its header.
        var columns: Int?
        for line in outside {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let cells = cellCount(line)
            if let columns { XCTAssertEqual(cells, columns, String(line)) } else { columns = cells }
        }
    }

    /// Cells of a GFM table row: pipes not escaped with a backslash (inside code spans too, as
    /// GitHub and GitLab read them).
    func cellCount(_ row: Substring) -> Int {
        var n = 0
        var escaped = false
        for c in row {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "|" { n += 1 }
        }
        return n - 1
    }

    func testSectionsInOrder() throws {
        let md = MarkdownReport(try hostileReport()).render()
        let headings = md.split(separator: "\n").filter { $0.hasPrefix("## ") }.map(String.init)
        XCTAssertEqual(headings, ["## Findings", "## Timeline", "## Signatures", "## Signature details", "## Inputs"])
        XCTAssertTrue(md.hasPrefix("# Connection-pool incident: The pool ran out of connections\n"))
        XCTAssertTrue(md.contains("```mermaid\nxychart-beta\n"))
    }

    func testNoIncident() throws {
        let r = Report(result: AnalysisResult(files: [], errors: [], state: AnalysisState(), elapsedSeconds: 0, stage: .full),
                       catalog: try PatternCatalog.standard(), options: ReportOptions())
        let md = MarkdownReport(r).render()
        XCTAssertTrue(md.hasPrefix("# stacksift report: no connection-pool incident found"))
        XCTAssertTrue(md.contains("None: no rule found enough evidence."))
    }
}
