import Foundation
import XCTest
@testable import StackSift

/// Lines → events: every continuation form, header-less starters, level-only headers, limits,
/// and the whole LineFramer → ContainerUnwrapper → EventAssembler chain under any chunking.
final class EventAssemblerTests: XCTestCase {
    let h1 = "2023-10-10 16:30:38,123 ERROR [http-nio-8080-exec-1] c.e.OrderService - Failed to load order 42"
    let h2 = "2023-10-10 16:30:39,000 INFO  [main] c.e.App - next record"
    var t1: Int64 { epochMillis(2023, 10, 10, 16, 30, 38, 123) }
    var t2: Int64 { epochMillis(2023, 10, 10, 16, 30, 39, 0) }

    func events(_ lines: [String], zone: String = "UTC", limits: EventAssembler.Limits = .init(),
                file: StaticString = #filePath, line: UInt = #line) -> [Ev] {
        let input = Array((lines.joined(separator: "\n") + "\n").utf8)
        return ChunkingVerifier.verify(input, randomSplits: 20, file: file, line: line) {
            runChain($0, zone: zone, limits: limits)
        }.events
    }

    // MARK: continuation lines

    func testEveryContinuationFormJoinsTheCurrentEvent() {
        let forms = [
            "\tat com.example.OrderService.load(OrderService.java:42)",
            "    at com.example.OrderService.load(OrderService.java:42)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "\tSuppressed: java.lang.IllegalStateException: close failed",
            "\t... 12 more",
            "... 12 more",
            "\t... 5 common frames omitted",
            "... 5 common frames omitted",
            "### Error querying database.  Cause: java.sql.SQLException: Connection is closed",
            "### The error may exist in com/example/mapper/OrderMapper.xml",
            "### SQL: SELECT id, status FROM orders WHERE id = ?",
            "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection",
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
            "wrapped message text that continues the previous line",
            "  indented continuation of a message",
            "request timed out after 30000ms.",
            "",
            "ERRORS were found in the batch",  // a level word without a separator is not a level
            "\"quoted text\" is not a thread stanza",
            "Caused by: java.net.ConnectException: Connection refused: localhost/127.0.0.1:5432",
        ]
        for form in forms {
            let ev = events([h1, form, h2])
            XCTAssertEqual(ev.count, 2, "\(form.debugDescription) should continue the event, got \(ev)")
            guard ev.count == 2 else { continue }
            XCTAssertEqual(ev[0].lines, [h1, form])
            XCTAssertEqual(ev[0].lineCount, 2)
            XCTAssertEqual(ev[0].time, t1)
            XCTAssertEqual(ev[0].flags, [])
            XCTAssertEqual(ev[1].lines, [h2])
            XCTAssertEqual(ev[1].time, t2)
        }
    }

    func testTimestampedLineThenTheExceptionIsOneEvent() {
        let trace = [
            h1,
            "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is",
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:83)",
            "\tat com.example.OrderService.load(OrderService.java:42)",
            "",
            "\tat com.example.OrderController.get(OrderController.java:17)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
            "\t... 12 more",
            "\tSuppressed: java.lang.IllegalStateException: close failed",
            "\t\tat com.example.Pool.close(Pool.java:10)",
            "\t\t... 3 more",
            "Caused by: java.net.SocketTimeoutException: Read timed out",
            "    at java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)",
            "    ... 5 common frames omitted",
            "### Error querying database.  Cause: java.sql.SQLException: Connection is closed",
            "### The error may exist in com/example/mapper/OrderMapper.xml",
            "### Cause: java.sql.SQLException: Connection is closed",
        ]
        let ev = events(trace + [h2])
        XCTAssertEqual(ev.count, 2)
        XCTAssertEqual(ev.first?.lines, trace)
        XCTAssertEqual(ev.first?.lineCount, trace.count)
        XCTAssertEqual(ev.first?.time, t1)
        XCTAssertEqual(ev.first?.headerEnd, 23, "the header ends after the timestamp")
    }

    // MARK: header-less starters

    func testDBCPAbandonedTraceIsDatedByItsText() {
        let dbcp = [
            "DBCP object created 2023-10-10 16:01:02 by the following code was never closed:",
            "java.lang.Exception",
            "\tat org.apache.commons.dbcp2.AbandonedTrace.setLastUsed(AbandonedTrace.java:82)",
            "\tat com.example.Repo.find(Repo.java:20)",
        ]
        let ev = events([h1, "\tat a.B.c(B.java:1)"] + dbcp + [h2])
        XCTAssertEqual(ev.count, 3)
        guard ev.count == 3 else { return }
        XCTAssertEqual(ev[1].lines, dbcp)
        XCTAssertEqual(ev[1].time, epochMillis(2023, 10, 10, 16, 1, 2))
        XCTAssertFalse(ev[1].flags.contains(.untimed))

        // its time is read in the given zone like any zone-less time
        let shanghai = events(dbcp, zone: "Asia/Shanghai")
        XCTAssertEqual(shanghai.first?.time, epochMillis(2023, 10, 10, 16, 1, 2, zone: "Asia/Shanghai"))
    }

    func testExceptionInThreadStartsAnUntimedEvent() {
        let uncaught = [
            "Exception in thread \"main\" java.lang.IllegalStateException: boom",
            "\tat com.example.App.main(App.java:12)",
        ]
        let ev = events([h1, "\tat a.B.c(B.java:1)"] + uncaught + [h2])
        XCTAssertEqual(ev.count, 3)
        guard ev.count == 3 else { return }
        XCTAssertEqual(ev[1].lines, uncaught)
        XCTAssertTrue(ev[1].flags.contains(.untimed))
        XCTAssertEqual(ev[1].time, t1, "an untimed event takes the time of the previous timed one")
    }

    func testJstackStanzasAreEvents() {
        let dump = [
            "Full thread dump OpenJDK 64-Bit Server VM (17.0.8+7 mixed mode, sharing):",
            "",
            "\"HikariPool-1 housekeeper\" #23 daemon prio=5 os_prio=0 cpu=12.34ms elapsed=100.50s tid=0x00007f1c nid=0x1a waiting on condition  [0x00007f1b]",
            "   java.lang.Thread.State: TIMED_WAITING (parking)",
            "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.8/Native Method)",
            "\t- parking to wait for  <0x000000008a1b2c3d> (a java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject)",
            "",
            "\"http-nio-8080-exec-1\" daemon prio=5 tid=0x00007f1d nid=0x1b waiting for monitor entry",
            "   java.lang.Thread.State: BLOCKED (on object monitor)",
            "\"Reference Handler\" prio=10 tid=0x00007f1e nid=0x2 runnable",
        ]
        let ev = events([h1] + dump)
        XCTAssertEqual(ev.map(\.lineCount), [1, 2, 5, 2, 1], "\(ev)")
        guard ev.count == 5 else { return }
        XCTAssertEqual(ev[2].lines.first, dump[2])
        XCTAssertEqual(ev[3].lines, Array(dump[7...8]))
        for e in ev.dropFirst() {
            XCTAssertTrue(e.flags.contains(.untimed))
            XCTAssertEqual(e.time, t1)
        }
    }

    // MARK: level-only headers

    func testLevelOnlyHeaders() {
        let lines = [
            "ERROR something bad happened",
            "\tat com.example.A.b(A.java:1)",
            "[WARN] x",
            "INFO: started",
            "WARNING: deprecated option",
            "SEVERE: Servlet.service() threw exception",
            "DEBUG|worker|tick",
            "FATAL",
            "[ERROR]",
        ]
        let ev = events(lines)
        XCTAssertEqual(ev.map(\.lines), [[lines[0], lines[1]], [lines[2]], [lines[3]], [lines[4]], [lines[5]], [lines[6]], [lines[7]], [lines[8]]])
        for e in ev {
            XCTAssertTrue(e.flags.contains(.untimed))
            XCTAssertNil(e.time, "no timed event came before")
        }
    }

    /// Log4j 1's `%5p` pads INFO and WARN with a space; other lines that start with one continue.
    func testLog4jPaddedLevels() {
        let lines = [
            "ERROR [main] (Api.java:20) - fetch failed",
            "org.apache.commons.dbcp.SQLNestedException: Cannot get a connection, pool error Timeout waiting for idle object",
            "\tat org.apache.commons.dbcp.PoolingDataSource.getConnection(PoolingDataSource.java:114)",
            " WARN [main] (Db.java:12) - connect failed",
            "java.sql.SQLException: ORA-00020: maximum number of processes (300) exceeded",
            " INFO 2023-10-10 16:30:38,123 [main] - started",
            " INFORMATION for the operator, a wrapped line",
            " WARNING is not a %5p level",
        ]
        let ev = events(lines)
        XCTAssertEqual(ev.map(\.lines), [Array(lines[0...2]), Array(lines[3...4]), Array(lines[5...7])])
        XCTAssertEqual(ev[2].time, epochMillis(2023, 10, 10, 16, 30, 38, 123))
    }

    /// Layouts that print the time of day without a date (Logback's default console pattern,
    /// JBoss/Quarkus, Minecraft-style servers) open a record per line; when they print their prefix
    /// on every line of a trace too, the trace stays one event.
    func testTimeOfDayHeaders() {
        let records = [
            "14:00:30.182 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-1 - Starting...",
            "14:00:30.514 [main] INFO  com.zaxxer.hikari.HikariDataSource - HikariPool-1 - Start completed.",
            "14:30:58 WARNING [ReadinessHealthCheck] (vert.x-worker-thread-8) Readiness: DOWN",
            "13:28:51,198 DEBUG com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Timeout failure stats (total=10, active=10, idle=0, waiting=0)",
            "[18:48:48 INFO]: Done (12.3s)! For help, type \"help\"",
            "09:15:00.001 [pool-2-thread-1] ERROR c.a.Job - failed at com.acme.Job.run(Job.java:12)",
        ]
        let ev = events(records)
        XCTAssertEqual(ev.map(\.lines), records.map { [$0] })
        for e in ev {
            XCTAssertTrue(e.flags.contains(.untimed))
            XCTAssertNil(e.time, "no dated event came before")
        }
        XCTAssertEqual(ev.first?.headerEnd, 12, "the header ends after the time")

        // the same prefix on every line of a trace: one event per record, not per line
        let prefixed = [
            "[15:40:53] [Server thread/WARN]: java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  message from server: \"Too many connections\"",
            "[15:40:53] [Server thread/WARN]: \tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:110)",
            "[15:40:53] [Server thread/WARN]:     at com.mysql.cj.jdbc.ConnectionImpl.<init>(ConnectionImpl.java:453)",
            "[15:40:53] [Server thread/WARN]: Caused by: java.io.EOFException: Can not read response from server",
            "[15:40:53] [Server thread/WARN]: \t... 12 more",
        ]
        let next = "[15:40:54] [Server thread/INFO]: Disabling plugin"
        let ev2 = events(prefixed + [next])
        XCTAssertEqual(ev2.map(\.lines), [prefixed, [next]])

        // a continuation line that merely starts with a time stays a continuation
        let wrapped = "12:00:01 was the last time the job ran"
        XCTAssertEqual(events([h1, wrapped, h2]).map(\.lines), [[h1, wrapped], [h2]])
        // an untimed record inherits the previous record's time
        let inherit = events([h1, records[0]])
        XCTAssertEqual(inherit.map(\.time), [t1, t1])
    }

    /// docker-compose puts `service_1  | ` before every line: the prefix comes off (the input
    /// is taken for compose output), and a level after it opens a record.
    func testLevelAfterAComposePrefix() {
        let lines = [
            "prisma_1  |     at slick.jdbc.JdbcBackend.run(JdbcBackend.scala:1)",
            "prisma_1  | [WARNING] {} - Connection {} marked as broken",
            "prisma_1  | java.sql.SQLTransientConnectionException: database - Connection is not available, request timed out after 5002ms.",
            "prisma_1  |     at com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:548)",
            "web.2-a  | ERROR: boom",
            "not a | [WARNING] prefix",
        ]
        let stripped = lines.map { $0.contains("  | ") ? String($0[$0.range(of: "  | ")!.upperBound...]) : $0 }
        XCTAssertEqual(events(lines).map(\.lines), [[stripped[0]], [stripped[1], stripped[2], stripped[3]], [stripped[4], stripped[5]]])
        // in a log of another shape, the assembler still reads a level after the prefix
        let later = ["2023-10-10 16:30:38,000 INFO start", "2023-10-10 16:30:38,001 INFO next"] + lines
        XCTAssertEqual(Array(events(later).map(\.lines).dropFirst(2)), [[lines[1], lines[2], lines[3]], [lines[4], lines[5]]])
    }

    func testLinesBeforeTheFirstHeaderFormOneEvent() {
        let orphan = [
            "\tat com.example.A.b(A.java:1)",
            "\tat com.example.A.c(A.java:2)",
            "Caused by: java.io.IOException: Broken pipe",
            "\t... 7 more",
        ]
        let ev = events(orphan + [h1, h2])
        XCTAssertEqual(ev.count, 3)
        guard ev.count == 3 else { return }
        XCTAssertEqual(ev[0].lines, orphan)
        XCTAssertNil(ev[0].time)
        XCTAssertTrue(ev[0].flags.contains(.untimed))
        XCTAssertEqual(ev[1].lines, [h1])
    }

    // MARK: limits

    func testLineLimitPerEvent() {
        var limits = EventAssembler.Limits()
        limits.maxLinesPerEvent = 5
        let frames = (0..<9).map { "\tat com.example.Deep.call\($0)(Deep.java:\($0))" }
        let input = Array(([h1] + frames + [h2, "\tat x.Y.z(Y.java:1)"]).joined(separator: "\n").utf8)
        let r = ChunkingVerifier.verify(input, randomSplits: 20) { runChain($0, limits: limits) }
        XCTAssertEqual(r.events.count, 2)
        XCTAssertEqual(r.tooLongEvents, 1)
        guard r.events.count == 2 else { return }
        XCTAssertTrue(r.events[0].flags.contains(.tooLong))
        XCTAssertEqual(r.events[0].lineCount, 10, "lines past the limit are counted")
        XCTAssertEqual(r.events[0].lines, [h1] + frames.prefix(4), "only the first lines are kept")
        XCTAssertFalse(r.events[1].flags.contains(.tooLong), "the next event starts fresh")
        XCTAssertEqual(r.events[1].lineCount, 2)
    }

    func testByteLimitPerEvent() {
        var limits = EventAssembler.Limits()
        limits.maxEventBytes = 200
        let frames = (0..<20).map { "\tat com.example.Deep.call\($0)(Deep.java:\($0))" } + ["\t... 3 more"]
        let all = [h1] + frames
        let ev = events(all + [h2], limits: limits)
        XCTAssertEqual(ev.count, 2)
        guard ev.count == 2 else { return }
        XCTAssertTrue(ev[0].flags.contains(.tooLong))
        XCTAssertLessThanOrEqual(ev[0].text.utf8.count, 200)
        XCTAssertEqual(ev[0].lineCount, 22)
        // once the limit is hit, a later short line must not be kept after the dropped ones
        XCTAssertEqual(ev[0].lines, Array(all.prefix(ev[0].lines.count)), "the kept lines are the event's first lines")
    }

    func testCutLineFlagsItsEvent() {
        let long = "2023-10-10 16:30:38,123 ERROR " + String(repeating: "m", count: 200)
        let input = Array([long, "\tat a.B.c(B.java:1)", h2].joined(separator: "\n").utf8)
        let r = ChunkingVerifier.verify(input, randomSplits: 20) { runChain($0, maxLineLength: 64) }
        XCTAssertEqual(r.events.count, 2)
        XCTAssertEqual(r.events.first?.flags, [.cutLine])
        XCTAssertEqual(r.events.first?.lines.first?.utf8.count, 64)
        XCTAssertEqual(r.events.last?.flags, [])
        XCTAssertEqual(r.stats.truncatedLines, 1)
    }

    func testCountersAndTimes() {
        let assembler = EventAssembler(parser: TimestampParser(zone: ZoneResolver(TimeZone(identifier: "UTC")!)))
        var emitted = 0
        for line in [h2, "\tat a.B.c(B.java:1)", h1, "ERROR untimed", "2023-10-10 16:30:40,000 INFO later"] {
            Array(line.utf8).withUnsafeBufferPointer { assembler.feed($0, cut: false) { _ in emitted += 1 } }
        }
        assembler.finish { _ in emitted += 1 }
        XCTAssertEqual(emitted, 4)
        XCTAssertEqual(assembler.events, 4)
        XCTAssertEqual(assembler.firstTime, t1, "the earliest time, not the first seen")
        XCTAssertEqual(assembler.lastTime, epochMillis(2023, 10, 10, 16, 30, 40))
    }

    // MARK: the whole chain under any chunking

    /// A log using every form above.
    var mixedLog: [String] {
        [
            "\tat orphan.Frame.run(Frame.java:1)",
            h1,
            "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection",
            "\tat com.example.OrderService.load(OrderService.java:42)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
            "\t... 12 more",
            "",
            "INFO  2023-10-10 16:30:38,500 [main] c.e.App - prefixed level",
            "app-1 | 2023-10-10 16:30:38.600 WARN compose prefix",
            "[2023-10-10 16:30:38] bracketed",
            "10-Oct-2023 16:30:38.700 SEVERE [main] org.apache.catalina.core.StandardWrapperValve.invoke boom",
            "2023-10-10T16:30:38.800+08:00 ISO with offset",
            "### Error querying database.  Cause: java.sql.SQLException: closed",
            "### The error may exist in com/example/mapper/OrderMapper.xml",
            "DBCP object created 2023-10-10 16:01:02 by the following code was never closed:",
            "java.lang.Exception",
            "    at org.apache.commons.dbcp2.AbandonedTrace.setLastUsed(AbandonedTrace.java:82)",
            "Exception in thread \"main\" java.lang.IllegalStateException: boom",
            "\tSuppressed: java.lang.RuntimeException: x",
            "\t\t... 5 common frames omitted",
            "\"HikariPool-1 housekeeper\" #23 daemon prio=5 os_prio=0 tid=0x1 nid=0x2 waiting on condition",
            "   java.lang.Thread.State: TIMED_WAITING (parking)",
            "[WARN] level only",
            "wrapped café 数据 line",
            h2,
            "last line without newline",
        ]
    }

    func testMixedLogUnderAnyChunking() {
        let input = Array(mixedLog.joined(separator: "\n").utf8)
        let r = ChunkingVerifier.verify(input) { runChain($0) }
        XCTAssertEqual(r.events.map(\.lineCount), [1, 6, 1, 1, 1, 1, 3, 3, 3, 2, 2, 2], "\(r.events)")
        XCTAssertEqual(r.events.map(\.time), [
            nil, t1,
            epochMillis(2023, 10, 10, 16, 30, 38, 500), epochMillis(2023, 10, 10, 16, 30, 38, 600),
            epochMillis(2023, 10, 10, 16, 30, 38), epochMillis(2023, 10, 10, 16, 30, 38, 700),
            epochMillis(2023, 10, 10, 8, 30, 38, 800),
            epochMillis(2023, 10, 10, 16, 1, 2),
            epochMillis(2023, 10, 10, 16, 1, 2), epochMillis(2023, 10, 10, 16, 1, 2), epochMillis(2023, 10, 10, 16, 1, 2),
            t2,
        ])
        XCTAssertEqual(r.stats.lines, mixedLog.count)
        XCTAssertEqual(r.events.map(\.text).joined(separator: "\n"), mixedLog.joined(separator: "\n"), "no line lost or reordered")
    }

    /// The same log with CRLF endings, wrapped by Docker, and wrapped by CRI (with partial lines)
    /// gives the same events as the plain file.
    func testContainerAndCRLFVariantsGiveTheSameEvents() {
        let plain = ChunkingVerifier.verify(Array((mixedLog.joined(separator: "\n") + "\n").utf8), randomSplits: 10) { runChain($0) }

        let crlf = Array((mixedLog.joined(separator: "\r\n") + "\r\n").utf8)
        let c = ChunkingVerifier.verify(crlf) { runChain($0) }
        XCTAssertEqual(c.events, plain.events)

        func jsonEscape(_ s: String) -> String {
            var out = ""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\t": out += "\\t"
                case "\n": out += "\\n"
                case _ where u.value >= 0x80: out += String(format: "\\u%04x", u.value)  // BMP only in this log
                default: out.unicodeScalars.append(u)
                }
            }
            return out
        }
        var docker: [String] = []
        for (i, l) in mixedLog.enumerated() {
            if i % 5 == 1 && l.count > 10 {
                // split the line into two records, the first without "\n"
                let mid = l.index(l.startIndex, offsetBy: l.count / 2)
                docker.append(#"{"log":"\#(jsonEscape(String(l[..<mid])))","stream":"stdout","time":"2023-10-10T16:30:38.1Z"}"#)
                docker.append(#"{"log":"\#(jsonEscape(String(l[mid...])))\n","stream":"stdout","time":"2023-10-10T16:30:38.1Z"}"#)
            } else {
                docker.append(#"{"log":"\#(jsonEscape(l))\n","stream":"stderr","time":"2023-10-10T16:30:38.1Z"}"#)
            }
        }
        let d = ChunkingVerifier.verify(Array((docker.joined(separator: "\n") + "\n").utf8)) { runChain($0) }
        XCTAssertEqual(d.mode, .docker)
        XCTAssertEqual(d.events, plain.events)

        var cri: [String] = []
        for (i, l) in mixedLog.enumerated() {
            let ts = "2023-10-10T16:30:38.\(100_000_000 + i)Z"
            if i % 4 == 1 && l.count > 10 {
                let mid = l.index(l.startIndex, offsetBy: l.count / 2)
                cri.append("\(ts) stdout P \(l[..<mid])")
                cri.append("\(ts) stdout F \(l[mid...])")
            } else {
                cri.append("\(ts) stdout F \(l)")
            }
        }
        let k = ChunkingVerifier.verify(Array((cri.joined(separator: "\n") + "\n").utf8)) { runChain($0) }
        XCTAssertEqual(k.mode, .cri)
        XCTAssertEqual(k.events, plain.events)
    }

    func testGeneratedLogEventsMatchTheGenerator() {
        let text = LogText.make(approximateBytes: 80_000, seed: 21)
        let r = ChunkingVerifier.verify(text.bytes) { runChain($0) }
        XCTAssertEqual(r.events.count, text.events)
        XCTAssertEqual(r.stats.lines, text.lines)
        XCTAssertEqual(r.events.first?.time, text.firstTime)
        XCTAssertEqual(r.events.last?.time, text.lastTime)
        XCTAssertTrue(r.events.allSatisfy { $0.time != nil && !$0.flags.contains(.untimed) })
        XCTAssertEqual(r.events.map(\.time!), r.events.map(\.time!).sorted(), "the generator's times only grow")
    }
}
