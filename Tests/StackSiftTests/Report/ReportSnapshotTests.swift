import Foundation
import XCTest
@testable import StackSift

/// Golden reports of the bundled samples: `Snapshots/<scenario>.md` and `.json`, rendered
/// with `--timezone UTC` and paths relative to samples/. Re-record with
/// `STACKSIFT_RECORD=1 swift test --filter ReportSnapshotTests`, then read the diff.
final class ReportSnapshotTests: XCTestCase {
    static let samples = repoRoot.appendingPathComponent("samples")
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Snapshots")
    static let recording = ProcessInfo.processInfo.environment["STACKSIFT_RECORD"] == "1"

    func check(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.snapshots.appendingPathComponent(name)
        if Self.recording {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            return XCTFail("no snapshot \(name): record with STACKSIFT_RECORD=1", file: file, line: line)
        }
        if Data(text.utf8) != expected {
            let got = text.split(separator: "\n", omittingEmptySubsequences: false)
            let want = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let at = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
            XCTFail("\(name) differs from its snapshot at line \(at + 1):\n- \(at < want.count ? want[at] : "(end)")\n+ \(at < got.count ? got[at] : "(end)")\nre-record with STACKSIFT_RECORD=1 if the change is intended",
                    file: file, line: line)
        }
    }

    func testSamples() throws {
        let dirs = scenarios(in: Self.samples)
        XCTAssertEqual(dirs.count, 5)
        for dir in dirs {
            let report = try scenarioReport(dir, base: Self.samples)
            try check(MarkdownReport(report).render(), dir.lastPathComponent + ".md")
            try check(JSONReport(report).render(), dir.lastPathComponent + ".json")
        }
    }

    /// Same input, same bytes: twice in a row, and with one worker or two.
    func testDeterministic() throws {
        for dir in scenarios(in: Self.samples) {
            let a = try scenarioReport(dir, base: Self.samples, workers: 1)
            let b = try scenarioReport(dir, base: Self.samples, workers: 2)
            let c = try scenarioReport(dir, base: Self.samples, workers: 2)
            for render in [{ MarkdownReport($0).render() }, { JSONReport($0).render() }, { TextReport($0).render() }] as [(Report) -> String] {
                XCTAssertEqual(render(a), render(b), "\(dir.lastPathComponent): 1 worker vs 2")
                XCTAssertEqual(render(b), render(c), "\(dir.lastPathComponent): run twice")
            }
        }
    }

    /// Timing appears only when asked for.
    func testNoClockInReportsUnlessAsked() throws {
        let dir = scenarios(in: Self.samples)[0]
        var report = try scenarioReport(dir, base: Self.samples)
        XCTAssertFalse(MarkdownReport(report).render().contains("Analysis took"))
        XCTAssertFalse(JSONReport(report).render().contains("analysisSeconds"))
        var o = report.options
        o.includeTiming = true
        report = Report(result: report.result, catalog: report.catalog, options: o, findings: report.findings, timeline: report.timeline)
        XCTAssertTrue(MarkdownReport(report).render().contains("Analysis took"))
        XCTAssertTrue(JSONReport(report).render().contains("\"analysisSeconds\""))
    }
}
