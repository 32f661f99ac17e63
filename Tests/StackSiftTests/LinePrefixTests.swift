import Foundation
import XCTest
@testable import StackSift

/// Logs read back through a platform that dates every line (`kubectl logs --timestamps`, Cloud
/// Foundry, Heroku, syslog and journald): the prefix comes off, so a stack trace is one event
/// again, and a program that writes no header of its own is dated by the platform.
final class LinePrefixTests: XCTestCase {
    /// 2024-01-15 (UTC): the reference a syslog stamp's year is read against.
    let january2024: Int64 = 1_705_276_800

    struct Chain: Equatable {
        var lines: [String]
        var events: [Ev]
        var mode: ContainerUnwrapper.Mode
    }

    /// framer → unwrapper → assembler, as the pipeline wires them.
    func chain(_ chunks: ChunkingVerifier.Chunks, reference: Int64?) -> Chain {
        let framer = LineFramer()
        var unwrapper = ContainerUnwrapper(reference: reference)
        let assemblers = SourceAssemblers(EventAssembler(parser: TimestampParser(zone: ZoneResolver(TimeZone(identifier: "UTC")!))))
        var lines: [String] = []
        var events: [Ev] = []
        func take(_ l: UnsafeBufferPointer<UInt8>, _ cut: Bool, _ source: Int = 0) {
            lines.append(String(decoding: l, as: UTF8.self))
            assemblers(source).feed(l, cut: cut) { events.append(Ev($0)) }
        }
        for c in chunks {
            c.withUnsafeBytes { buf in
                framer.feed(buf) { line, cut in unwrapper.feed(line) { take($0, cut, $1) } }
            }
        }
        framer.finish { line, cut in unwrapper.feed(line) { take($0, cut, $1) } }
        unwrapper.finish { take($0, false) }
        assemblers.finish { e, _ in events.append(Ev(e)) }
        return Chain(lines: lines, events: events, mode: unwrapper.mode)
    }

    func verify(_ lines: [String], reference: Int64? = nil, file: StaticString = #filePath, line: UInt = #line) -> Chain {
        let text = lines.joined(separator: "\n") + "\n"
        return ChunkingVerifier.verify(Array(text.utf8), file: file, line: line) { chain($0, reference: reference) }
    }

    /// A Spring Boot error with its trace, then the next record.
    let program = springBootErrorThenOK

    func testEachPlatformsPrefixComesOffAndTheTraceIsOneEvent() {
        let prefixes = [
            "kubectl --timestamps": "2023-10-10T08:00:01.123456789Z ",
            "Cloud Foundry": "2023-10-10T16:00:01.12+0800 [APP/PROC/WEB/0] OUT ",
            "Cloud Foundry, stderr": "2023-10-10T16:00:01.12+0800 [APP/PROC/WEB/0] ERR ",
            "Heroku": "2023-10-10T08:00:01.123456+00:00 app[web.1]: ",
            "rsyslog RFC 3339": "2023-10-10T16:00:01.123456+08:00 web-1 java[1234]: ",
            "journalctl -o short-iso": "2023-10-10T16:00:01+0800 web-1 java[1234]: ",
            "syslog": "Oct 10 16:00:01 web-1 java[1234]: ",
            "syslog, day padded, fraction": "Oct  9 16:00:01.123456 web-1 java[1234]: ",
            "syslog, no pid": "Oct 10 16:00:01 web-1 app.jar: ",
        ]
        for (label, prefix) in prefixes {
            let r = verify(program.map { prefix + $0 }, reference: january2024)
            XCTAssertEqual(r.mode, .prefixed, label)
            XCTAssertEqual(r.lines, program, label)
            XCTAssertEqual(r.events.count, 2, label)
            XCTAssertEqual(r.events.first?.lineCount, 7, label)
            XCTAssertEqual(r.events.first?.time, 1_696_953_601_123, label)
        }
    }

    /// A program that logs bare messages: the platform's date opens each record, while frames
    /// and causes still continue theirs.
    func testBareMessagesAreDatedByThePlatform() {
        let r = verify([
            "2023-10-10T08:00:01.5Z HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "2023-10-10T08:00:02.5Z java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "2023-10-10T08:00:02.5Z \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
            "2023-10-10T08:00:02.5Z \tat com.acme.dao.OrderDao.find(OrderDao.java:42)",
            "2023-10-10T08:00:03.5Z ok",
            "2023-10-10T08:00:04.5Z ",
        ])
        XCTAssertEqual(r.mode, .prefixed)
        XCTAssertEqual(r.events.map(\.lineCount), [1, 3, 2])
        XCTAssertEqual(r.events.map(\.time), [1_696_924_801_500, 1_696_924_802_500, 1_696_924_803_500])
        XCTAssertEqual(r.events[1].lines[1], "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)")
        XCTAssertEqual(r.events[2].lines, ["2023-10-10T08:00:03.5Z ok", ""])
    }

    /// A syslog stamp has no year: it is the year the file was last written, or the one before
    /// for a later month (December lines in a file written in January).
    func testSyslogStampsTakeTheirYearFromTheFile() {
        let r = verify([
            "Dec 31 23:59:58 web-1 java[1234]: Connection is not available, request timed out after 30000ms.",
            "Jan  1 00:00:01 web-1 java[1234]: Connection is not available, request timed out after 30001ms.",
            "Jan  1 00:00:01 web-1 java[1234]:         at com.acme.dao.OrderDao.find(OrderDao.java:42)",
        ], reference: january2024)
        XCTAssertEqual(r.lines, [
            "2023-12-31 23:59:58 Connection is not available, request timed out after 30000ms.",
            "2024-01-01 00:00:01 Connection is not available, request timed out after 30001ms.",
            "        at com.acme.dao.OrderDao.find(OrderDao.java:42)",
        ])
        XCTAssertEqual(r.events.map(\.time), [1_704_067_198_000, 1_704_067_201_000])
    }

    /// A level-first header (a layout without a date) is dated by the platform; once the
    /// program has shown headers, its other lines continue them as it wrote them.
    func testAProgramsUndatedHeadersAreDatedByThePlatform() {
        let r = verify([
            "2023-10-10T08:00:01Z [APP/PROC/WEB/0] OUT ERROR [main] c.a.Job - failed",
            "2023-10-10T08:00:01Z [APP/PROC/WEB/0] OUT java.lang.IllegalStateException: boom",
            "2023-10-10T08:00:01Z [APP/PROC/WEB/0] OUT \tat com.acme.Job.run(Job.java:10)",
            "2023-10-10T08:00:02Z [APP/PROC/WEB/0] OUT INFO [main] c.a.Job - next",
        ])
        XCTAssertEqual(r.mode, .prefixed)
        XCTAssertEqual(r.events.map(\.lineCount), [3, 1])
        XCTAssertEqual(r.events.map(\.time), [1_696_924_801_000, 1_696_924_802_000])
        XCTAssertEqual(r.events[0].lines, ["2023-10-10T08:00:01Z ERROR [main] c.a.Job - failed",
                                           "java.lang.IllegalStateException: boom", "\tat com.acme.Job.run(Job.java:10)"])
    }

    /// Ordinary logs with their own ISO timestamps are not taken for prefixed ones: their text
    /// passes untouched (and such a file can still be cut into parallel jobs).
    func testOrdinaryISOLogsAreNotPrefixed() {
        let logs = [
            // Spring Boot 3's default layout: `%5p` pads INFO with two spaces
            [
                "2023-10-10T11:15:07.188+08:00  INFO 21873 --- [main] c.a.App : Started",
                "2023-10-10T11:15:07.190+08:00 ERROR 21873 --- [main] c.a.Job : 2023-10-09 batch failed",
                "java.lang.IllegalStateException: boom",
                "\tat com.acme.Job.run(Job.java:10)",
            ],
            // level then logger and a colon: not a host and a tag
            ["2023-10-10T11:15:07.188+08:00 ERROR c.a.Foo: failed", "2023-10-10T11:15:07.188+08:00 WARN main[1]x: odd"],
            // Log4j2 ISO8601 (a `T`, no zone)
            ["2023-10-10T11:15:07,188 ERROR [main] c.a.Foo - failed", "\tat com.acme.Job.run(Job.java:10)"],
        ]
        for lines in logs {
            let r = verify(lines)
            XCTAssertEqual(r.mode, ContainerUnwrapper.Mode.none, lines[0])
            XCTAssertEqual(r.lines, lines)
            let decided = lines.indices.compactMap { i in
                Array(lines[i].utf8).withUnsafeBufferPointer { ContainerUnwrapper.decide($0, ordinal: i) }
            }
            XCTAssertFalse(decided.contains(.prefixed), lines[0])
        }
    }

    /// A bare date proves nothing until a line shows a stack line or a second date behind it:
    /// the lines before pass as they are (each opens a dated record anyway).
    func testABareDateIsAPrefixOnlyOnEvidence() {
        let r = verify([
            "2023-10-10T08:00:01Z   .   ____          _            __ _ _",
            "2023-10-10T08:00:02Z Starting",
            "2023-10-10T08:00:03Z java.lang.IllegalStateException: boom",
            "2023-10-10T08:00:03Z \tat com.acme.Job.run(Job.java:10)",
            "2023-10-10T08:00:03Z Caused by: java.io.IOException: gone",
            "2023-10-10T08:00:03Z \t... 3 more",
            "no prefix on this one",
        ])
        XCTAssertEqual(r.mode, .prefixed)
        XCTAssertEqual(r.lines.suffix(4), ["\tat com.acme.Job.run(Job.java:10)", "Caused by: java.io.IOException: gone", "\t... 3 more", "no prefix on this one"])
        XCTAssertEqual(r.events.map(\.lineCount), [1, 1, 5])
    }

    func testStampsAndTails() {
        func split(_ shape: LinePrefix, _ s: String) -> Int? {
            Array(s.utf8).withUnsafeBufferPointer { shape.split($0.baseAddress!, $0.count)?.payload }
        }
        let bare = LinePrefix(stamp: .iso, tail: .bare)
        XCTAssertEqual(split(bare, "2023-10-10T08:00:01Z x"), 21)
        XCTAssertEqual(split(bare, "2023-10-10T08:00:01.1+08:00 x"), 28)
        XCTAssertEqual(split(bare, "2023-10-10T08:00:01.1+0800 x"), 27)
        XCTAssertNil(split(bare, "2023-10-10T08:00:01 x"), "no zone")
        XCTAssertNil(split(bare, "2023-10-10 08:00:01Z x"), "no T")
        XCTAssertNil(split(bare, "2023-10-10T08:00:01Zx"))
        let stream = LinePrefix(stamp: .iso, tail: .stream)
        XCTAssertEqual(split(stream, "2023-10-10T08:00:01Z [RTR/1] OUT x"), 33)
        XCTAssertNil(split(stream, "2023-10-10T08:00:01Z [RTR/1] INF x"))
        XCTAssertNil(split(stream, "2023-10-10T08:00:01Z [a b] OUT x"))
        let tag = LinePrefix(stamp: .iso, tail: .tag)
        XCTAssertEqual(split(tag, "2023-10-10T08:00:01Z heroku[router]: x"), 37)
        XCTAssertNil(split(tag, "2023-10-10T08:00:01Z app: x"), "an RFC 3339 tag needs its [id]")
        let syslog = LinePrefix(stamp: .syslog, tail: .hostTag)
        XCTAssertEqual(split(syslog, "Oct 10 16:00:01 h k: x"), 21)
        XCTAssertNil(split(syslog, "Oct 10 16:00:01 ERROR k: x"), "a level is not a host")
        XCTAssertNil(split(syslog, "Oct 10 16:00 h k: x"))
        XCTAssertNil(split(syslog, "Okt 10 16:00:01 h k: x"))
    }
}
