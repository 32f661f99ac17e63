import Foundation
import XCTest
@testable import StackSift

/// `JSONReport.renderData` encodes a large report's signatures on both cores and splices them
/// in: it must give exactly the bytes of encoding the whole report at once.
final class JSONReportTests: XCTestCase {
    func report(signatures n: Int) throws -> JSONReport {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", 3, fields: ["active": 10])
        for i in 0..<n {
            // empty arrays (no frames, no patterns), a key that reads like the top level's,
            // multi-line text with quotes, slashes, tabs and non-ASCII
            let frames = i % 3 == 0 ? [] : ["com.acme.Svc\(i).run", "com.acme.Job.main"]
            let patterns: Set<String> = i % 4 == 0 ? [] : ["hikari.connection-timeout"]
            let exemplar = i % 5 == 0 ? "" : "2023-10-10 10:00:0\(i % 10) ERROR x - \"signatures\" : [\n\n  ]\n\tat a/b.C(D.java:1)\n连接池 é"
            b.signature(String(format: "v1:%012x", i), 1 + i % 7, start: Int64(i), rootCause: i % 2 == 0 ? "java.sql.SQLException" : nil,
                        frames: frames, patterns: patterns, message: "wait <n> / \"q\"", sources: ["a.log", "b/c.log"], exemplar: exemplar)
        }
        let result = AnalysisResult(files: [], errors: [], state: b.state, elapsedSeconds: 0, stage: .full)
        var options = ReportOptions()
        options.timeZone = utc
        return JSONReport(Report(result: result, catalog: try PatternCatalog.standard(), options: options))
    }

    func whole(_ r: JSONReport) throws -> Data {
        var d = try JSONReport.encoder().encode(r)
        d.append(UInt8(ascii: "\n"))
        return d
    }

    func testSplicedSignaturesEqualOneEncoding() throws {
        // below the threshold (encoded whole), just above it, and many (odd counts split unevenly)
        for n in [0, 1, 31, 32, 33, 257] {
            let r = try report(signatures: n)
            XCTAssertEqual(r.signatures.count, n)
            let spliced = r.renderData()
            let expected = try whole(r)
            XCTAssertEqual(spliced, expected, "\(n) signatures")
            if spliced != expected {
                let a = Array(spliced), e = Array(expected)
                let i = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
                XCTFail("first difference at byte \(i): \(String(decoding: a[max(0, i - 40)..<min(a.count, i + 40)], as: UTF8.self))")
            }
            XCTAssertEqual(r.render(), String(decoding: expected, as: UTF8.self))
        }
    }

    func testIndentSkipsBlankLines() {
        var out = Data()
        JSONReport.appendIndented(Data("{\n  \"a\" : [\n\n  ]\n}".utf8), by: "    ", to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "{\n      \"a\" : [\n\n      ]\n    }")
    }

    func testParallelChunksKeepOrder() {
        for n in [0, 1, 2, 3, 10, 101] {
            for ways in [1, 2, 3, 8] {
                let parts = parallelChunks(n, ways: ways) { Array($0) }
                XCTAssertEqual(parts.flatMap { $0 }, Array(0..<n), "n \(n), ways \(ways)")
                XCTAssertLessThanOrEqual(parts.count, max(1, ways))
            }
        }
    }
}
