import Foundation
import XCTest
@testable import StackSift

/// One input is cut into jobs at event starts so that both cores can frame and analyse it. The
/// cuts must never show: whatever the segment size and the number of workers, the counts and
/// the whole analysis equal those of one uncut pass.
final class SegmenterTests: XCTestCase {
    /// Runs the segmenter over `bytes` fed in `feed`-sized pieces; returns the segments' bytes and
    /// whether each starts a job.
    func segments(_ bytes: [UInt8], size: Int, minJob: Int? = nil, feed: Int = 1000, zone: String = "UTC") -> [(bytes: [UInt8], job: Int, starts: Bool)] {
        let pool = SlotPool(count: 2, size: size)
        var out: [(bytes: [UInt8], job: Int, starts: Bool)] = []
        let s = Segmenter(pool: pool, zone: TimeZone(identifier: zone)!, maxLineLength: LineFramer.defaultMaxLineLength, minJobBytes: minJob ?? size) { seg in
            out.append((Array(seg.bytes), seg.job, seg.startsJob))
            pool.give(seg.slot)
        }
        var i = 0
        bytes.withUnsafeBytes { b in
            while i < b.count {
                let n = min(feed, b.count - i)
                s.write(UnsafeRawBufferPointer(rebasing: b[i..<(i + n)]))
                i += n
            }
        }
        s.finish()
        return out
    }

    func testCutsFallOnTimestampedEventStartsAndLoseNothing() {
        let text = LogText.make(approximateBytes: 60_000, seed: 5)
        for size in [64, 300, 4096] {
            let segs = segments(text.bytes, size: size, feed: 777)
            XCTAssertEqual(segs.flatMap(\.bytes), text.bytes, "size \(size): the segments are the input")
            XCTAssertTrue(segs.first!.starts)
            XCTAssertEqual(segs.first!.job, 0)
            var job = 0
            for (k, s) in segs.enumerated() where k > 0 {
                if s.starts {
                    job += 1
                    let line = s.bytes.prefix { $0 != 0x0A }
                    let h = line.withUnsafeBufferPointer { EventAssembler(parser: TimestampParser(zone: ZoneResolver(TimeZone(identifier: "UTC")!))).header($0) }
                    XCTAssertNotNil(h?.time, "size \(size): a job starts at a timestamped header: \(String(decoding: line, as: UTF8.self))")
                    XCTAssertEqual(segs[k - 1].bytes.last, 0x0A, "the previous segment ends a line")
                }
                XCTAssertEqual(s.job, job)
            }
            if size >= 4096 { XCTAssertGreaterThan(job, 5, "size \(size): the input was cut") }
        }
        // jobs hold at least `minJob` bytes (but the last)
        let segs = segments(text.bytes, size: 1000, minJob: 5000)
        var perJob: [Int: Int] = [:]
        for s in segs { perJob[s.job, default: 0] += s.bytes.count }
        XCTAssertGreaterThan(perJob.count, 5)
        for (j, n) in perJob where j < perJob.count - 1 { XCTAssertGreaterThanOrEqual(n, 4000, "job \(j)") }
        XCTAssertEqual(segs.flatMap(\.bytes), text.bytes)
    }

    func testNoCutInsideAnEventLongerThanASegment() {
        var text = "2023-10-10 16:30:38.123 ERROR [main] c.a.Foo - boom\njava.lang.IllegalStateException: x\n"
        for i in 0..<200 { text += "\tat com.acme.Foo.bar\(i)(Foo.java:\(i))\n" }
        for i in 0..<40 { text += "2023-10-10 16:30:39.000 INFO [main] c.a.Foo - next \(i)\n" }
        let segs = segments(Array(text.utf8), size: 512)
        XCTAssertEqual(segs.flatMap(\.bytes), Array(text.utf8))
        // the trace's 200 frames (about 7 KB) cross many segments of one job
        let jobOf = { (needle: String) in segs.first { String(decoding: $0.bytes, as: UTF8.self).contains(needle) }!.job }
        XCTAssertEqual(jobOf("bar0("), 0)
        XCTAssertEqual(jobOf("bar199("), 0)
        XCTAssertGreaterThan(segs.filter { $0.job == 0 }.count, 10)
        XCTAssertGreaterThan(segs.last!.job, 0, "the records after the trace start new jobs")
    }

    /// Container records (CRI joins partial lines) and lines under a platform's prefix are
    /// unwrapped line after line, in one job.
    func testWrappedInputIsNeverCut() {
        let inputs: [(String, (Int) -> String)] = [
            ("CRI", { i in
                "2023-10-10T16:30:\(String(format: "%02d", i % 60)).123456789Z stdout P 2023-10-10 16:30:38.123 INFO part \(i) \n"
                    + "2023-10-10T16:30:\(String(format: "%02d", i % 60)).123456789Z stdout F of a line\n"
            }),
            ("syslog", { i in
                "Oct 10 16:30:\(String(format: "%02d", i % 60)) web-1 java[1234]: 2023-10-10 16:30:38.123 INFO line \(i)\n"
                    + "Oct 10 16:30:\(String(format: "%02d", i % 60)) web-1 java[1234]: \tat com.acme.Job.run(Job.java:10)\n"
            }),
        ]
        for (label, lines) in inputs {
            let text = (0..<300).map(lines).joined()
            let segs = segments(Array(text.utf8), size: 256)
            XCTAssertGreaterThan(segs.count, 10, label)
            XCTAssertEqual(segs.filter(\.starts).count, 1, label)
        }
    }

    // MARK: - whole pipeline: segment size and workers never change a result

    func analyse(_ paths: [String], segmentSize: Int, workers: Int, stage: Stage = .full) -> AnalysisResult {
        var o = utcOptions(workers: workers)
        o.stage = stage
        o.segmentSize = segmentSize
        return Analysis(options: o, catalog: builtinCatalogForTests).run(paths.map { InputSource(path: $0) })
    }

    /// An exemplar's order within its input counts job by job (job number, then place in the
    /// job), so its value depends on the segment size while the order it gives does not.
    func withoutOrdinals(_ s: AnalysisState) -> AnalysisState {
        var s = s
        for k in s.signatures.keys { s.signatures[k]!.exemplarOrder?.ordinal = 0 }
        return s
    }

    func assertSame(_ a: AnalysisResult, _ b: AnalysisResult, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.files, b.files, label, file: file, line: line)
        XCTAssertEqual(withoutOrdinals(a.state), withoutOrdinals(b.state), label, file: file, line: line)
        XCTAssertEqual(a.errors, b.errors, label, file: file, line: line)
    }

    func testFaultCorpusIsTheSameWhateverTheCuts() throws {
        let dir = try TempDir()
        let c = ClusteringTests.corpus
        var paths: [String] = []
        for f in c.files {
            let name = f.name.replacingOccurrences(of: "/", with: "_")
            try dir.write(name, Array(f.text.utf8))
            paths.append(dir.path + "/" + name)
        }
        // also all files back to back: one input with every layout, JDK and host
        try dir.write("all.log", Array(c.files.map(\.text).joined().utf8))
        paths.append(dir.path + "/all.log")
        for p in paths {
            let whole = analyse([p], segmentSize: 1 << 30, workers: 1)
            XCTAssertGreaterThan(whole.state.signatures.count, 0)
            // jobs keep exemplars as bytes until merged: the same text as an analyzer fed directly
            let analyzer = EventAnalyzer(catalog: builtinCatalogForTests, signer: Signer())
            let sink = Sink(options: utcOptions(), analyzer: analyzer, source: p, sourceIndex: 0)
            try Array(Data(contentsOf: URL(fileURLWithPath: p))).withUnsafeBytes { sink.feed($0) }
            sink.finish()
            XCTAssertEqual(withoutOrdinals(analyse([p], segmentSize: 1000, workers: 2).state), withoutOrdinals(analyzer.state), p)
            for size in [97, 1000, 16_384] {
                for workers in [1, 2] {
                    assertSame(whole, analyse([p], segmentSize: size, workers: workers), "\(p) size \(size) workers \(workers)")
                }
            }
        }
    }

    func testSamplesAreTheSameWhateverTheCuts() throws {
        let root = catalogTestsRepoRoot + "/samples"
        for scenario in try FileManager.default.contentsOfDirectory(atPath: root).filter({ !$0.hasPrefix(".") }).sorted() {
            let (sources, _) = Discovery.expand([root + "/" + scenario])
            for s in sources {
                let whole = analyse([s.path], segmentSize: 1 << 30, workers: 1)
                for (size, workers) in [(4096, 2), (65_536, 2), (65_536, 1)] {
                    assertSame(whole, analyse([s.path], segmentSize: size, workers: workers), "\(s.path) size \(size) workers \(workers)")
                }
            }
        }
    }

    /// Untimed events (level-only headers, header-less traces) take the time of the event before
    /// them, so a job never starts at one; long lines, CRLF, blank lines and invalid bytes cross
    /// the cuts unchanged.
    func testAwkwardInputIsTheSameWhateverTheCuts() throws {
        var text = "orphan line before any header\n\tat com.acme.Orphan.run(Orphan.java:1)\n"
        var rng = SplitMix64(seed: 77)
        for i in 0..<400 {
            let s = String(format: "%02d", i % 60)
            switch rng.next() % 7 {
            case 0: text += "ERROR no timestamp here \(i)\n"
            case 1: text += "DBCP object created by thread \(i)\n\tat org.apache.commons.dbcp.AbandonedTrace.init(AbandonedTrace.java:90)\n"
            case 2: text += "2023-10-10 16:31:\(s).000 INFO [main] c.a.Foo - " + String(repeating: "x", count: Int(rng.next() % 3000)) + "\r\n"
            case 3: text += "2023-10-10 16:32:\(s),000 WARN [main] c.a.Foo - caf\u{e9} \u{ff} \0 bytes\n\n\n"
            case 4: text += "2023-10-10T16:33:\(s).000+08:00 ERROR [main] c.a.Foo - failed\njava.sql.SQLException: Too many connections\n\tat com.mysql.jdbc.SQLError.createSQLException(SQLError.java:1078)\nCaused by: java.io.IOException: x\n\t... 5 more\n"
            case 5: text += "10-Oct-2023 16:34:\(s).123 SEVERE [main] org.apache.Foo.bar message \(i)\n"
            default: text += "Exception in thread \"main\" java.lang.IllegalStateException: \(i)\n\tat com.acme.Main.main(Main.java:3)\n"
            }
        }
        let dir = try TempDir()
        var bytes = Array(text.utf8)
        bytes[100] = 0xFF
        try dir.write("awkward.log", bytes)
        let p = dir.path + "/awkward.log"
        let whole = analyse([p], segmentSize: 1 << 30, workers: 1)
        XCTAssertGreaterThan(whole.files[0].events, 400)
        for size in [64, 500, 5000] {
            for workers in [1, 2] {
                assertSame(whole, analyse([p], segmentSize: size, workers: workers), "size \(size) workers \(workers)")
            }
        }
        // and through a decoder thread
        let lz4 = try Tool.lz4(bytes)
        try dir.write("awkward.lz4", lz4)
        let packed = analyse([dir.path + "/awkward.lz4"], segmentSize: 700, workers: 2)
        XCTAssertEqual(packed.files[0].events, whole.files[0].events)
        XCTAssertEqual(packed.files[0].lines, whole.files[0].lines)
        XCTAssertEqual(packed.state.signatures.mapValues(\.count), whole.state.signatures.mapValues(\.count))
    }

    /// Events lent from the chunk (lines kept in place) equal events copied line by line, for
    /// every chunking, with CRLF, cut lines, blank lines and the event limits in play.
    func testInPlaceEventsEqualCopiedEvents() {
        var text = Array(LogText.make(approximateBytes: 20_000, seed: 9).bytes)
        text += Array("2023-10-10 16:40:00.000 INFO [main] c.a.Foo - crlf\r\nnext line\r\n\r\n".utf8)
        text += Array("2023-10-10 16:40:01.000 INFO [main] c.a.Foo - ".utf8) + [UInt8](repeating: 0x61, count: 300) + [0x0A]
        var limits = EventAssembler.Limits()
        for (maxLines, maxBytes) in [(10_000, 8 << 20), (3, 1 << 20), (10_000, 150)] {
            limits.maxLinesPerEvent = maxLines
            limits.maxEventBytes = maxBytes
            for (label, chunks) in ChunkingVerifier.chunkings(of: text, randomSplits: 8, seed: 3) where label != "byte by byte" || maxLines == 3 {
                let copied = runChain(chunks, maxLineLength: 200, limits: limits)
                let lent = runChain(chunks, maxLineLength: 200, limits: limits, inPlace: true)
                XCTAssertEqual(lent, copied, "\(label) limits \(maxLines)/\(maxBytes)")
            }
        }
    }
}
