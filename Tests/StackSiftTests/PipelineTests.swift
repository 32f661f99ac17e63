import Foundation
import XCTest
@testable import StackSift

/// The batch pipeline at stage `.frame` over a directory of the same text in every encoding,
/// plus the awkward files: truncated, empty, misnamed, binary.
final class PipelineTests: XCTestCase {
    static let text = LogText.make(approximateBytes: 200_000, seed: 31)
    /// Large enough that many 64 KB blocks decode before the cut.
    static let big = LogText.make(approximateBytes: 1_200_000, seed: 32)

    struct Fixture {
        let dir: TempDir
        let truncatedDecodedPrefix: [UInt8]
        let truncatedCut: Int
        let misnamedText: LogText
    }

    func makeFixture() throws -> Fixture {
        let dir = try TempDir()
        let text = Self.text
        let (a, b) = text.halves()
        try dir.write("plain.log", text.bytes)
        try dir.write("service-b", try Tool.lz4(a) + Tool.lz4(b, ["-BX", "--content-size"]))  // no extension
        try dir.write("multi.log.gz", try Tool.gzip(a) + Tool.gzip(b))
        try dir.write("multi.log.zst", try Tool.zstd(a) + Tool.zstd(b))

        let full = try Tool.lz4(Self.big.bytes)
        let cut = full.count * 3 / 5
        let truncated = Array(full.prefix(cut))
        try dir.write("broken.lz4", truncated)
        let prefix = decodeWhole({ LZ4FrameDecoder() }, truncated)
        XCTAssertEqual(prefix.error?.kind, .truncated, "sanity: the fixture is truncated")

        try dir.write("empty.log", [])
        let small = LogText.make(approximateBytes: 5_000, seed: 33)
        try dir.write("misnamed.gz", small.bytes)
        var rng = SplitMix64(seed: 34)
        try dir.write("nested/blob.bin", (0..<8192).map { _ in UInt8(truncatingIfNeeded: rng.next() % 24) })
        try dir.write(".hidden.log", Array("2023-10-10 16:30:38 INFO hidden\n".utf8))
        return Fixture(dir: dir, truncatedDecodedPrefix: prefix.bytes, truncatedCut: cut, misnamedText: small)
    }

    func run(_ paths: [String], workers: Int) -> AnalysisResult {
        var options = AnalysisOptions()
        options.stage = .frame
        options.timeZone = TimeZone(identifier: "UTC")!
        options.workers = workers
        let (sources, errors) = Discovery.expand(paths)
        return Analysis(options: options, catalog: PatternCatalog(patterns: [])).run(sources, discoveryErrors: errors)
    }

    func report(_ r: AnalysisResult, _ suffix: String, file: StaticString = #filePath, line: UInt = #line) -> FileReport? {
        let found = r.files.filter { $0.path.hasSuffix("/" + suffix) }
        XCTAssertEqual(found.count, 1, "one report for \(suffix)", file: file, line: line)
        return found.first
    }

    /// What must not depend on the encoding.
    struct Counts: Equatable {
        var bytes: Int64, lines: Int, events: Int, truncatedLines: Int, invalidUTF8Lines: Int, nulLines: Int
        var tooLongEvents: Int, firstTime: Int64?, lastTime: Int64?, status: FileReport.Status
        init(_ r: FileReport) {
            bytes = r.bytes; lines = r.lines; events = r.events; truncatedLines = r.truncatedLines
            invalidUTF8Lines = r.invalidUTF8Lines; nulLines = r.nulLines; tooLongEvents = r.tooLongEvents
            firstTime = r.firstTime; lastTime = r.lastTime; status = r.status
        }
    }

    /// A trace escaped onto one line is found through the whole pipeline, where the framer's
    /// backslash flag decides whether the analyzer searches the line at all; the same text
    /// with no backslash is a one-line mention.
    func testEscapedOneLineTraceThroughThePipeline() throws {
        let escaped = #"2023-10-10 16:30:38.123 [main] ERROR com.acme.App - java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n\tat com.acme.order.OrderService.place(OrderService.java:33)"#
        let plain = "2023-10-10 16:30:39.000 [main] INFO com.acme.App - retryOn=[java.net.SocketTimeoutException] ok"
        let r = try analyzeText(plain + "\n" + escaped + "\n" + plain + "\n")
        let exceptions = r.state.signatures.values.filter { $0.key.kind == "exception" }
        XCTAssertEqual(exceptions.count, 1)
        XCTAssertEqual(exceptions.first?.key.exception, "java.sql.SQLTransientConnectionException")
        XCTAssertEqual(exceptions.first?.count, 1)
    }

    func testMixedDirectory() throws {
        let fx = try makeFixture()
        let result = run([fx.dir.path], workers: 2)
        let text = Self.text

        XCTAssertEqual(result.files.count, 8, "\(result.files.map(\.path))")
        XCTAssertFalse(result.files.contains { $0.path.hasSuffix(".hidden.log") })

        // the same text in four encodings
        let expected: [(String, String)] = [("plain.log", "plain"), ("service-b", "lz4"), ("multi.log.gz", "gzip"), ("multi.log.zst", "zstd")]
        var counts: [Counts] = []
        for (name, format) in expected {
            guard let r = report(result, name) else { continue }
            XCTAssertEqual(r.format, format, name)
            XCTAssertEqual(r.status, .ok, name)
            XCTAssertNil(r.error, name)
            XCTAssertEqual(r.bytes, Int64(text.bytes.count), name)
            XCTAssertEqual(r.lines, text.lines, name)
            XCTAssertEqual(r.events, text.events, name)
            XCTAssertEqual(r.firstTime, text.firstTime, name)
            XCTAssertEqual(r.lastTime, text.lastTime, name)
            XCTAssertEqual(r.invalidUTF8Lines, 0, name)
            XCTAssertNil(r.container, name)
            let onDisk = try FileManager.default.attributesOfItem(atPath: r.path)[.size] as? Int
            XCTAssertEqual(r.compressedBytes, Int64(onDisk ?? -1), "\(name): compressed bytes are the file size")
            counts.append(Counts(r))
        }
        XCTAssertEqual(counts.count, 4)
        XCTAssertEqual(Set(counts.map { "\($0)" }).count, 1, "identical per-file counts in every encoding: \(counts)")

        // truncated LZ4: partial, named in the errors with an offset, complete lines kept
        if let r = report(result, "broken.lz4") {
            XCTAssertEqual(r.status, .partial)
            XCTAssertEqual(r.format, "lz4")
            XCTAssertNotNil(r.error?.offset)
            XCTAssertEqual(r.error?.offset, Int64(fx.truncatedCut))
            XCTAssertTrue(result.errors.contains { $0.path == r.path && $0.offset != nil }, "the truncated file is named in errors")
            let prefix = fx.truncatedDecodedPrefix
            XCTAssertGreaterThanOrEqual(prefix.count, 5 * 65_536, "sanity: several blocks decode before the cut")
            XCTAssertEqual(r.bytes, Int64(prefix.count))
            let completeLines = prefix.filter { $0 == 0x0A }.count
            XCTAssertGreaterThanOrEqual(r.lines, completeLines)
            XCTAssertLessThanOrEqual(r.lines, Self.big.lines)
            XCTAssertLessThanOrEqual(r.lines, completeLines + 1, "at most the cut line on top of the complete ones")
            XCTAssertGreaterThan(r.events, 0)
            XCTAssertLessThanOrEqual(r.events, Self.big.events)
        }
        XCTAssertEqual(result.errors.count, 1, "only the truncated file is an error: \(result.errors)")
        XCTAssertFalse(result.complete)

        if let r = report(result, "empty.log") {
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.format, "plain")
            XCTAssertEqual([r.bytes, Int64(r.lines), Int64(r.events)], [0, 0, 0])
            XCTAssertNil(r.firstTime)
        }

        if let r = report(result, "misnamed.gz") {
            XCTAssertEqual(r.format, "plain", "the content decides, not the name")
            XCTAssertEqual(r.status, .ok)
            XCTAssertEqual(r.lines, fx.misnamedText.lines)
            XCTAssertEqual(r.events, fx.misnamedText.events)
        }

        if let r = report(result, "nested/blob.bin") {
            XCTAssertEqual(r.status, .skipped)
            XCTAssertEqual(r.format, "binary")
            XCTAssertNotNil(r.note)
            XCTAssertEqual(r.lines, 0)
            XCTAssertNil(r.error)
        }
        XCTAssertEqual(result.filesRead, 7)
    }

    /// The file list is processed the same whatever the number of workers (including more
    /// workers than files, where each compressed file gets its own decode thread).
    func testWorkerCountsGiveIdenticalResults() throws {
        let fx = try makeFixture()
        let one = run([fx.dir.path], workers: 1)
        let two = run([fx.dir.path], workers: 2)
        let many = run([fx.dir.path], workers: 16)
        XCTAssertEqual(one.files.count, 8)
        XCTAssertEqual(one.files, two.files)
        XCTAssertEqual(one.files, many.files)
        XCTAssertEqual(one.errors, two.errors)
        XCTAssertEqual(one.errors, many.errors)
        XCTAssertEqual(one.lines, many.lines)
        XCTAssertEqual(one.state, many.state)
    }

    /// Named on the command line (not found by a walk), a binary file is read as plain text and
    /// an unsupported format is an error rather than a skip.
    func testExplicitFilesAreNotSkipped() throws {
        let dir = try TempDir()
        var rng = SplitMix64(seed: 35)
        let blob = try dir.write("blob.bin", (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next() % 24) })
        let xz = try dir.write("old.log.xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] + [UInt8](repeating: 1, count: 100))
        try dir.write("walked/old.log.xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] + [UInt8](repeating: 1, count: 100))
        let r = run([blob, xz, dir.path + "/walked"], workers: 1)
        XCTAssertEqual(r.files.map(\.status), [.ok, .unreadable, .skipped])
        XCTAssertEqual(r.files[0].format, "plain")
        XCTAssertEqual(r.files[1].format, "xz")
        XCTAssertEqual(r.errors.map(\.path), [xz])
    }

    func testMissingPathIsAnErrorAndTheRestIsRead() throws {
        let dir = try TempDir()
        let ok = try dir.write("ok.log", Self.text.bytes)
        let r = run([dir.path + "/missing.log", ok], workers: 1)
        XCTAssertEqual(r.files.count, 1)
        XCTAssertEqual(r.files.first?.lines, Self.text.lines)
        XCTAssertEqual(r.errors.map(\.path), [dir.path + "/missing.log"])
    }
}
