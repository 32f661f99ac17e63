import XCTest
@testable import StackSift

/// LineFramer and ContainerUnwrapper, every case through the chunking verifier.
final class FramingTests: XCTestCase {
    struct Framed: Equatable {
        var lines: [[UInt8]] = []
        var cut: [Bool] = []
        var stats = LineStats()
        var text: [String] { lines.map { String(decoding: $0, as: UTF8.self) } }
    }

    func frame(_ chunks: ChunkingVerifier.Chunks, maxLineLength: Int = LineFramer.defaultMaxLineLength) -> Framed {
        let framer = LineFramer(maxLineLength: maxLineLength)
        var r = Framed()
        for c in chunks {
            c.withUnsafeBytes { buf in
                framer.feed(buf) { line, cut in
                    r.lines.append(Array(line))
                    r.cut.append(cut)
                }
            }
        }
        framer.finish { line, cut in
            r.lines.append(Array(line))
            r.cut.append(cut)
        }
        r.stats = framer.stats
        return r
    }

    func verifyFrame(_ input: [UInt8], maxLineLength: Int = LineFramer.defaultMaxLineLength,
                     file: StaticString = #filePath, line: UInt = #line) -> Framed {
        let r = ChunkingVerifier.verify(input, file: file, line: line) { frame($0, maxLineLength: maxLineLength) }
        XCTAssertEqual(r.stats.lines, r.lines.count, "every line handed out is counted", file: file, line: line)
        return r
    }

    func verifyFrame(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> Framed {
        verifyFrame(Array(s.utf8), file: file, line: line)
    }

    // MARK: LineFramer

    /// The framer says a line holds no backslash only when it holds none (the analyzer then
    /// skips its search for a trace escaped onto one line): a backslash at every offset of lines
    /// of 1–40 bytes, across the SIMD block edge, is seen; one after the LF is not the line's.
    func testBackslashFlagNeverMissesOne() {
        for n in 1...40 {
            for at in -1..<n {
                var line = [UInt8](repeating: UInt8(ascii: "a"), count: n)
                if at >= 0 { line[at] = UInt8(ascii: "\\") }
                let input = Array("x\n".utf8) + line + [0x0A] + Array("y\\z\n".utf8)
                let framer = LineFramer()
                var flags: [Bool] = []
                input.withUnsafeBytes { buf in
                    framer.load(buf)
                    while framer.next() != nil { flags.append(framer.lastMayHoldBackslash) }
                }
                XCTAssertEqual(flags, [false, at >= 0, true], "length \(n), backslash at \(at)")
            }
        }
    }

    func testLFLines() {
        let r = verifyFrame("first\nsecond line\n\nfourth\n")
        XCTAssertEqual(r.text, ["first", "second line", "", "fourth"])
        XCTAssertEqual(r.cut, [false, false, false, false])
        XCTAssertEqual(r.stats.lines, 4)
    }

    func testCRLFLines() {
        let r = verifyFrame("first\r\nsecond line\r\n\r\nfourth\r\n")
        XCTAssertEqual(r.text, ["first", "second line", "", "fourth"])
    }

    func testMixedEndingsAndLoneCR() {
        // a CR not followed by LF belongs to the line
        let r = verifyFrame("a\r\nb\nc\rd\n\r\n\re\n")
        XCTAssertEqual(r.text, ["a", "b", "c\rd", "", "\re"])
    }

    func testCRLFSplitAcrossChunks() {
        let input = Array("one\r\ntwo\r\n".utf8)
        // the CR ends one chunk, the LF starts the next
        let explicit = frame([input[0..<4], input[4..<9], input[9...]])
        XCTAssertEqual(explicit.text, ["one", "two"])
        XCTAssertEqual(verifyFrame(input).text, ["one", "two"])
    }

    func testFinalLineWithoutNewline() {
        let r = verifyFrame("a\nlast line")
        XCTAssertEqual(r.text, ["a", "last line"])
        XCTAssertEqual(verifyFrame("only").text, ["only"])
    }

    func testEmptyInputAndEmptyLines() {
        XCTAssertEqual(verifyFrame("").lines.count, 0)
        XCTAssertEqual(verifyFrame("\n").text, [""])
        XCTAssertEqual(verifyFrame("\n\n\n").text, ["", "", ""])
        XCTAssertEqual(verifyFrame("\r\n\r\n").text, ["", ""])
    }

    func testMaxLineLengthCutsFlagsCountsAndResumes() {
        let limit = 32
        let long = String(repeating: "x", count: 100)
        let exact = String(repeating: "e", count: limit)
        let onePast = String(repeating: "p", count: limit + 1)
        let input = "short\n\(long)\nnext line intact\n\(exact)\r\n\(onePast)\n\(long)\r\nafter\n\(long)"
        let r = verifyFrame(Array(input.utf8), maxLineLength: limit)
        XCTAssertEqual(r.text, [
            "short", String(repeating: "x", count: limit), "next line intact", exact,
            String(repeating: "p", count: limit), String(repeating: "x", count: limit), "after", String(repeating: "x", count: limit),
        ])
        XCTAssertEqual(r.cut, [false, true, false, false, true, true, false, true])
        XCTAssertEqual(r.stats.truncatedLines, 4)
        XCTAssertEqual(r.stats.lines, 8)
    }

    func testCutInsideAMultiByteCharacterIsNotInvalidUTF8() {
        // 15 ASCII bytes then "€" (3 bytes): a 16-byte limit cuts the euro sign in two
        let input = Array((String(repeating: "a", count: 15) + "€€€\nok\n").utf8)
        let r = verifyFrame(input, maxLineLength: 16)
        XCTAssertEqual(r.lines[0].count, 16)
        XCTAssertEqual(r.cut, [true, false])
        XCTAssertEqual(r.stats.truncatedLines, 1)
        XCTAssertEqual(r.stats.invalidUTF8Lines, 0, "a sequence cut by the limit is not the file's fault")
    }

    func testInvalidUTF8AndNULAreCountedNotFatal() {
        var input: [UInt8] = []
        let lines: [[UInt8]] = [
            Array("valid café € 😀 数据".utf8),  // valid multi-byte
            Array("bad ".utf8) + [0xFF, 0x20, 0x41],  // 0xFF never appears in UTF-8
            [0x61, 0xC0, 0x80, 0x62],  // overlong NUL
            Array("ends mid-sequence ".utf8) + [0xE2, 0x82],  // truncated sequence
            Array("surrogate ".utf8) + [0xED, 0xA0, 0x80],  // UTF-16 surrogate
            Array("long enough line to use the word loop ".utf8) + [0xF5, 0x80, 0x80, 0x80],  // beyond U+10FFFF
            [0x61, 0x00, 0x62],  // NUL early
            Array("0123456789abcdef".utf8) + [0x00] + Array("tail".utf8),  // NUL past the first words
            [0x00],
            Array("plain ascii".utf8),
        ]
        for l in lines { input += l + [0x0A] }
        let r = verifyFrame(input)
        XCTAssertEqual(r.lines, lines, "bytes are passed through unchanged")
        XCTAssertEqual(r.stats.invalidUTF8Lines, 5)
        XCTAssertEqual(r.stats.nulLines, 3)
        XCTAssertEqual(r.stats.truncatedLines, 0)
    }

    /// The line scan reads sixteen bytes a step: an odd byte (invalid UTF-8, NUL) must count
    /// for its own line only, wherever it falls relative to the LF and to the step: in the
    /// same step as the LF on either side, at a step's first or last byte, in the tail.
    func testOddBytesCountForTheirOwnLineWhereverTheyFall() {
        var rng = SplitMix64(seed: 31)
        var input: [UInt8] = []
        var expectInvalid = 0, expectNul = 0
        var lines: [[UInt8]] = []
        for length in 0..<40 {
            for position in 0..<max(1, length) {
                for odd: UInt8 in [0xFF, 0x00] {
                    var l = (0..<length).map { _ in UInt8(0x61 + rng.next() % 26) }
                    if length > 0 {
                        l[position] = odd
                        if odd == 0xFF { expectInvalid += 1 } else { expectNul += 1 }
                    }
                    lines.append(l)
                    input += l + [0x0A]
                }
            }
        }
        // the lines above are clean apart from their one odd byte: no other line may count
        for _ in 0..<50 {
            let l = (0..<Int(rng.next() % 70)).map { _ in UInt8(0x20 + rng.next() % 90) }
            lines.append(l)
            input += l + [0x0A]
        }
        let r = verifyFrame(input)
        XCTAssertEqual(r.lines, lines)
        XCTAssertEqual(r.stats.invalidUTF8Lines, expectInvalid)
        XCTAssertEqual(r.stats.nulLines, expectNul)
    }

    func testLargeGeneratedLog() {
        let text = LogText.make(approximateBytes: 60_000, seed: 5)
        let r = verifyFrame(text.bytes)
        XCTAssertEqual(r.lines.count, text.lines)
        XCTAssertEqual(r.stats.invalidUTF8Lines, 0)
        XCTAssertEqual(Array(r.lines.joined(separator: [0x0A])) + [0x0A], text.bytes)
    }

    // MARK: ContainerUnwrapper

    struct Unwrapped: Equatable {
        var lines: [String]
        var mode: ContainerUnwrapper.Mode
    }

    func unwrap(_ chunks: ChunkingVerifier.Chunks) -> Unwrapped {
        let framer = LineFramer()
        var unwrapper = ContainerUnwrapper()
        var out: [String] = []
        for c in chunks {
            c.withUnsafeBytes { buf in
                framer.feed(buf) { line, _ in unwrapper.feed(line) { out.append(String(decoding: $0, as: UTF8.self)) } }
            }
        }
        framer.finish { line, _ in unwrapper.feed(line) { out.append(String(decoding: $0, as: UTF8.self)) } }
        unwrapper.finish { out.append(String(decoding: $0, as: UTF8.self)) }
        return Unwrapped(lines: out, mode: unwrapper.mode)
    }

    func verifyUnwrap(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> Unwrapped {
        ChunkingVerifier.verify(Array(s.utf8), file: file, line: line) { unwrap($0) }
    }

    func docker(_ escapedLog: String, stream: String = "stdout") -> String {
        #"{"log":"\#(escapedLog)","stream":"\#(stream)","time":"2023-10-10T16:30:38.123456789Z"}"#
    }

    func testDockerJSONLines() {
        let input = [
            docker(#"2023-10-10 16:30:38,123 ERROR [main] c.e.App - boom\n"#),
            docker(#"\tat com.example.App.main(App.java:12)\n"#, stream: "stderr"),
            docker(#"quote \"x\" back\\slash sl\/ash caf\u00e9 \u20ac smile \ud83d\ude00\n"#),
            docker(#"two\nlines\n"#),
            docker(#"crlf ending\r\n"#),
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, .docker)
        XCTAssertEqual(r.lines, [
            "2023-10-10 16:30:38,123 ERROR [main] c.e.App - boom",
            "\tat com.example.App.main(App.java:12)",
            "quote \"x\" back\\slash sl/ash café € smile 😀",
            "two", "lines",
            "crlf ending",
        ])
    }

    func testDockerLongLineSplitIntoRecordsIsJoined() {
        // Docker splits lines over 16 KB into records whose log value has no trailing \n.
        let part1 = String(repeating: "a", count: 40), part2 = String(repeating: "b", count: 40)
        let input = [
            docker("before\\n"),
            docker("2023-10-10 16:30:38,123 WARN long: " + part1),
            docker(part2),
            docker("end\\n"),
            docker("after\\n"),
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.lines, ["before", "2023-10-10 16:30:38,123 WARN long: " + part1 + part2 + "end", "after"])
    }

    func testDockerBlankLogLineIsKept() {
        // a blank line printed by the application is a record whose log is just "\n"
        let input = [docker("first\\n"), docker("\\n"), docker("third\\n")].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.lines, ["first", "", "third"])
    }

    func testDockerUnfinishedRecordIsFlushedAtEnd() {
        let input = [docker("complete\\n"), docker("no newline at the end")].joined(separator: "\n")
        XCTAssertEqual(verifyUnwrap(input).lines, ["complete", "no newline at the end"])
    }

    func testCRIPartialsJoined() {
        // payloads keep their spaces: "a long " + "message in " + "three parts"
        let input = [
            "2023-10-10T16:30:38.123456789Z stdout F 2023-10-10 16:30:38,123 INFO first",
            "2023-10-10T16:30:38.223456789Z stdout P 2023-10-10 16:30:38,223 ERROR a long ",
            "2023-10-10T16:30:38.223456790Z stdout P message in ",
            "2023-10-10T16:30:38.223456791Z stdout F three parts",
            "2023-10-10T16:30:38.323456789Z stderr F \tat com.example.App.main(App.java:12)",
            "2023-10-10T16:30:38.423456789+08:00 stdout F with offset",
            "2023-10-10T16:30:38.523456789Z stdout F",
            "2023-10-10T16:30:38.623456789Z stdout F last",
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, .cri)
        XCTAssertEqual(r.lines, [
            "2023-10-10 16:30:38,123 INFO first",
            "2023-10-10 16:30:38,223 ERROR a long message in three parts",
            "\tat com.example.App.main(App.java:12)",
            "with offset",
            "",
            "last",
        ])
    }

    // MARK: structured (JSON) application logs

    func testJSONLogRecordsBecomeTextEvents() {
        let input = [
            // Logstash's Logback encoder
            #"{"@timestamp":"2024-03-05T10:15:30.123+08:00","@version":"1","message":"Failed to load order","logger_name":"com.acme.shop.OrderService","thread_name":"http-nio-8080-exec-3","level":"ERROR","level_value":40000,"stack_trace":"org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\n\tat com.acme.shop.OrderService.load(OrderService.java:42)\nCaused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\n\t... 1 common frames omitted\n"}"#,
            // ECS (Spring Boot structured logging, Log4j2 EcsLayout), nested objects and arrays
            #"{"@timestamp":"2024-03-05T02:15:31.000Z","log.level":"WARN","process":{"pid":1,"thread":{"name":"main"}},"log.logger":"com.zaxxer.hikari.pool.HikariPool","message":"HikariPool-1 - Thread starvation or clock leap detected","tags":["a",{"b":[1,2]}],"ecs.version":"8.11"}"#,
            // Log4j2 JsonLayout (compact): epoch milliseconds, the throwable as an object
            #"{"timeMillis":1709604932000,"thread":"main","level":"ERROR","loggerName":"com.acme.Job","message":"boom \u00e9\ud83d\ude00","thrown":{"name":"java.lang.IllegalStateException","message":"closed"},"endOfBatch":false}"#,
            // GELF: epoch seconds with a fraction, no logger
            #"{"version":"1.1","host":"web-1","short_message":"pool exhausted","timestamp":1709604933.5,"level":3}"#,
            "plain line between records",
            #"{"not":"a log record"}"#,
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, .json)
        XCTAssertEqual(r.lines, [
            "2024-03-05T10:15:30.123+08:00 ERROR [http-nio-8080-exec-3] com.acme.shop.OrderService - Failed to load order",
            "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection",
            "\tat com.acme.shop.OrderService.load(OrderService.java:42)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "\t... 1 common frames omitted",
            "2024-03-05T02:15:31.000Z WARN [main] com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Thread starvation or clock leap detected",
            "2024-03-05T02:15:32.000Z ERROR [main] com.acme.Job - boom é😀",
            "java.lang.IllegalStateException: closed",
            "2024-03-05T02:15:33.500Z ERROR - pool exhausted",
            "plain line between records",
            #"{"not":"a log record"}"#,
        ])
    }

    func testJSONRecordsFrameAsEvents() {
        let input = [
            #"{"@timestamp":"2024-03-05T02:15:30.123Z","level":"ERROR","message":"first","stack_trace":"java.lang.IllegalStateException: x\n\tat com.acme.A.b(A.java:1)\n"}"#,
            #"{"@timestamp":"2024-03-05T02:15:31.000Z","level":"INFO","message":"second\nwith a second line"}"#,
        ].joined(separator: "\n") + "\n"
        let ev = ChunkingVerifier.verify(Array(input.utf8), randomSplits: 20) { runChain($0) }.events
        XCTAssertEqual(ev.map(\.lines), [
            ["2024-03-05T02:15:30.123Z ERROR - first", "java.lang.IllegalStateException: x", "\tat com.acme.A.b(A.java:1)"],
            ["2024-03-05T02:15:31.000Z INFO - second", "with a second line"],
        ])
        XCTAssertEqual(ev.map(\.time), [epochMillis(2024, 3, 5, 2, 15, 30, 123), epochMillis(2024, 3, 5, 2, 15, 31, 0)])
    }

    /// A Kubernetes node's files: CRI (or Docker) records whose payloads are JSON log lines.
    func testJSONLogsInsideContainerRecords() {
        let record = #"{"@timestamp":"2024-03-05T02:15:30.123Z","level":"ERROR","thread_name":"main","logger_name":"c.a.Job","message":"boom","stack_trace":"java.lang.IllegalStateException: x\n\tat com.acme.Job.run(Job.java:9)\n"}"#
        let expected = [
            "2024-03-05T02:15:30.123Z ERROR [main] c.a.Job - boom",
            "java.lang.IllegalStateException: x",
            "\tat com.acme.Job.run(Job.java:9)",
            "plain text payload",
        ]
        let half = record.index(record.startIndex, offsetBy: 60)
        let cri = [
            "2024-03-05T02:15:30.123456789Z stdout P " + record[..<half],
            "2024-03-05T02:15:30.123456790Z stdout F " + record[half...],
            "2024-03-05T02:15:30.223456789Z stdout F plain text payload",
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(cri)
        XCTAssertEqual(r.mode, .cri)
        XCTAssertEqual(r.lines, expected)
        // the usual case: every record in one F line
        let whole = verifyUnwrap("2024-03-05T02:15:30.123456789Z stdout F " + record + "\n" + "2024-03-05T02:15:30.223456789Z stdout F plain text payload\n")
        XCTAssertEqual(whole.lines, expected)

        let escaped = record.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let dockerInput = [docker(escaped + "\\n"), docker("plain text payload\\n")].joined(separator: "\n") + "\n"
        let d = verifyUnwrap(dockerInput)
        XCTAssertEqual(d.mode, .docker)
        XCTAssertEqual(d.lines, expected)

        // text payloads stay text
        XCTAssertEqual(verifyUnwrap(docker("2023-10-10 16:30:38,123 INFO x\\n") + "\n").lines, ["2023-10-10 16:30:38,123 INFO x"])
    }

    /// Traces that layouts write as arrays or objects, GELF's full message, numeric times,
    /// nulls, a byte order mark, deep nesting.
    func testJSONRecordShapes() {
        let input = [
            "\u{FEFF}" + #"{"@timestamp":"2024-03-05T02:15:30.000Z","level":"ERROR","message":"as array","error.stack_trace":["java.lang.IllegalStateException: x","\tat com.acme.A.b(A.java:1)"],"tags":[1,2]}"#,
            // Log4j2 JsonLayout: instant, thrown with frames and a cause
            #"{"instant":{"epochSecond":1709604931,"nanoOfSecond":250000000},"thread":"main","level":"ERROR","loggerName":"com.acme.Job","message":"log4j2","thrown":{"name":"org.springframework.jdbc.CannotGetJdbcConnectionException","message":"Failed to obtain JDBC Connection","extendedStackTrace":[{"class":"com.acme.Job","method":"run","file":"Job.java","line":9,"exact":true}],"cause":{"name":"java.sql.SQLTransientConnectionException","message":"HikariPool-1 - Connection is not available, request timed out after 30000ms.","extendedStackTrace":[{"class":"com.zaxxer.hikari.pool.HikariPool","method":"createTimeoutException","file":"HikariPool.java","line":696}]}}}"#,
            // Quarkus: exception object with frames without files, causedBy
            #"{"timestamp":"2024-03-05T02:15:32.000Z","level":"ERROR","loggerName":"com.acme.R","message":"quarkus","exception":{"refId":1,"exceptionType":"java.lang.RuntimeException","message":"wrapped","frames":[{"class":"com.acme.R","method":"get","line":12}],"causedBy":{"exception":{"refId":2,"exceptionType":"java.io.IOException","message":"closed","frames":[]}}}}"#,
            // GELF: the trace in full_message, an exponent time
            #"{"version":"1.1","short_message":"gelf","full_message":"gelf\njava.lang.IllegalStateException: y\n\tat com.acme.G.h(G.java:3)","timestamp":1.709604933E9,"level":3}"#,
            // epoch nanoseconds, nulls, nesting deeper than any layout writes
            #"{"ts":1709604934000000000,"level":null,"thread":null,"message":"deep","stack_trace":null,"mdc":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":1}}}}}}}}}}}"#,
        ].joined(separator: "\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, .json)
        XCTAssertEqual(r.lines, [
            "2024-03-05T02:15:30.000Z ERROR - as array",
            "java.lang.IllegalStateException: x",
            "\tat com.acme.A.b(A.java:1)",
            "2024-03-05T02:15:31.250Z ERROR [main] com.acme.Job - log4j2",
            "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection",
            "\tat com.acme.Job.run(Job.java:9)",
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
            "2024-03-05T02:15:32.000Z ERROR com.acme.R - quarkus",
            "java.lang.RuntimeException: wrapped",
            "\tat com.acme.R.get(R.java:12)",
            "Caused by: java.io.IOException: closed",
            "2024-03-05T02:15:33.000Z ERROR - gelf",
            "java.lang.IllegalStateException: y",
            "\tat com.acme.G.h(G.java:3)",
            "2024-03-05T02:15:34.000Z - deep",
        ])
    }

    /// Spring Boot prints its banner as text before the first JSON record.
    func testTextBannerBeforeTheFirstJSONRecord() {
        let banner = ["", "  .   ____          _", " :: Spring Boot ::                (v3.4.1)", ""]
        let record = #"{"@timestamp":"2024-03-05T02:15:30.123Z","level":"INFO","message":"Started"}"#
        let r = verifyUnwrap((banner + [record]).joined(separator: "\n") + "\n")
        XCTAssertEqual(r.mode, .json)
        XCTAssertEqual(r.lines, banner + ["2024-03-05T02:15:30.123Z INFO - Started"])
        // a text log stays text, past the look-ahead
        let text = (0..<(ContainerUnwrapper.jsonLookahead + 5)).map { "2023-10-10 16:30:38,123 INFO line \($0)" }
        let t = verifyUnwrap((text + [record]).joined(separator: "\n") + "\n")
        XCTAssertEqual(t.mode, ContainerUnwrapper.Mode.none)
        XCTAssertEqual(t.lines, text + [record])
    }

    func testJSONIsDetectedOnlyForLogRecords() {
        func mode(_ s: String) -> ContainerUnwrapper.Mode {
            Array(s.utf8).withUnsafeBufferPointer { ContainerUnwrapper.detect($0) }
        }
        XCTAssertEqual(mode(#"{"@timestamp":"2024-03-05T02:15:30Z","message":"x"}"#), .json)
        XCTAssertEqual(mode(#"{"level":"INFO","msg":"x"}"#), .json)
        XCTAssertEqual(mode(#"{"id":1,"message":"no time, no level"}"#), .none)
        XCTAssertEqual(mode(#"{"@timestamp":"2024-03-05T02:15:30Z","message":"x""#), .none, "not a whole object")
        XCTAssertEqual(mode(#"{"log":"2023-10-10 x\n","stream":"stdout","time":"2023-10-10T16:30:38Z"}"#), .docker)
    }

    func testCivilFromDaysInvertsDaysFromCivil() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = JSONLogRecord.civilFromDays(days)
            XCTAssertEqual(daysFromCivil(y, m, d), days)
        }
        XCTAssertEqual(JSONLogRecord.iso(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(JSONLogRecord.iso(-1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(JSONLogRecord.iso(951_782_400_007), "2000-02-29T00:00:00.007Z")
    }

    func testPlainLogPassesThrough() {
        let input = """
        2023-10-10 16:30:38,123 INFO [main] c.e.App - {"log":"not a container"}
        {"log":"a JSON line later does not switch modes\\n"}
        2023-10-10T16:30:38.123456789Z stdout F neither does a CRI-looking line
        \tat com.example.App.main(App.java:12)

        """
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, ContainerUnwrapper.Mode.none)
        XCTAssertEqual(r.lines, input.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init))

        // a JSON object that is not a log record
        let json = #"{"id":17,"name":"structured but not a log record"}"# + "\n"
        let j = verifyUnwrap(json)
        XCTAssertEqual(j.mode, ContainerUnwrapper.Mode.none)
        XCTAssertEqual(j.lines, [#"{"id":17,"name":"structured but not a log record"}"#])
    }

    func testModeIsDecidedByTheFirstNonEmptyLine() {
        let input = "\n\n" + docker("x\\n") + "\n"
        let r = verifyUnwrap(input)
        XCTAssertEqual(r.mode, .docker)
        XCTAssertEqual(r.lines, ["", "", "x"])
    }
}
