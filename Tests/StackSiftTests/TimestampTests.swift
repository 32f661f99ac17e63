import XCTest
@testable import StackSift

/// TimestampParser.find on every layout; expected instants computed with Foundation's Calendar.
final class TimestampTests: XCTestCase {
    func parser(_ zone: String = "UTC") -> TimestampParser {
        TimestampParser(zone: ZoneResolver(TimeZone(identifier: zone)!))
    }

    func find(_ line: String, zone: String = "UTC") -> (time: Int64, end: Int)? {
        find(line, with: parser(zone))
    }

    func find(_ line: String, with p: TimestampParser) -> (time: Int64, end: Int)? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return nil }
            return p.find(base, b.count).map { (time: $0.0, end: $0.1) }
        }
    }

    func assertTime(_ line: String, _ expected: Int64, end: Int? = nil, zone: String = "UTC",
                    file: StaticString = #filePath, line lineNo: UInt = #line) {
        guard let r = find(line, zone: zone) else {
            XCTFail("no timestamp found in \(line.debugDescription)", file: file, line: lineNo)
            return
        }
        XCTAssertEqual(r.time, expected, "\(line.debugDescription): off by \(r.time - expected) ms", file: file, line: lineNo)
        if let end {
            XCTAssertEqual(r.end, end, "end of the timestamp in \(line.debugDescription)", file: file, line: lineNo)
        }
    }

    // MARK: layouts

    func testLogbackDotAndComma() {
        let t = epochMillis(2023, 10, 10, 16, 30, 38, 123)
        assertTime("2023-10-10 16:30:38.123 INFO  [main] c.e.App - started", t, end: 23)
        assertTime("2023-10-10 16:30:38,123 ERROR [main] c.e.App - failed", t, end: 23)
        assertTime("2023-10-10 16:30:38 INFO no fraction", epochMillis(2023, 10, 10, 16, 30, 38), end: 19)
        assertTime("2023-10-10 16:30:38.1 one digit", epochMillis(2023, 10, 10, 16, 30, 38, 100))
        assertTime("2023-10-10 16:30:38.12 two digits", epochMillis(2023, 10, 10, 16, 30, 38, 120))
    }

    func testISO8601WithZones() {
        let t = epochMillis(2023, 10, 10, 8, 30, 38, 123)
        assertTime("2023-10-10T16:30:38.123+08:00 [main] INFO x", t, end: 29)
        assertTime("2023-10-10T16:30:38.123+0800 [main] INFO x", t, end: 28)
        assertTime("2023-10-10T08:30:38.123Z [main] INFO x", t, end: 24)
        assertTime("2023-10-10T03:30:38.123-05:00 x", t)
        assertTime("2023-10-10 16:30:38,123 +0800 INFO x", t)
        // an explicit zone wins over the zone given for zone-less times
        assertTime("2023-10-10T16:30:38.123+08:00 x", t, zone: "Europe/Berlin")
        assertTime("2023-10-10T08:30:38.123Z x", t, zone: "America/New_York")
    }

    /// One parser reused line after line (as the assembler does): a timestamp sharing its date and
    /// time to the second with the previous one takes a shortcut that must give the same answer,
    /// whatever fraction, zone or layout follows, and a changed byte must miss the shortcut.
    func testSameSecondShortcutGivesTheSameAnswers() {
        let lines = [
            "2023-10-10 16:30:38.123 INFO a", "2023-10-10 16:30:38,999 INFO b", "2023-10-10 16:30:38 INFO c",
            "2023-10-10 16:30:38.5+08:00 d", "2023-10-10 16:30:38Z e", "2023-10-10T16:30:38.123 f",
            "2023-10-10 16:30:39.000 g", "2023-10-11 16:30:38.000 h", "2023/10/10 16:30:38.000 i",
            "10-Oct-2023 16:30:38.123 SEVERE j", "10-Oct-2023 16:30:38,7 k", "11-Oct-2023 16:30:38.123 l",
            "10-Oct-2023 16:30:38.123 +0200 m", "2023-10-10 16:30:38.123 INFO again",
            "2023-10-10 16:30:3x.123 not a time", "2023-10-10 16:30:38.123 after the miss",
        ]
        for zone in ["UTC", "Asia/Shanghai"] {
            let shared = parser(zone)
            for l in lines {
                let fresh = find(l, zone: zone)
                let reused = find(l, with: shared)
                XCTAssertEqual(reused?.time, fresh?.time, "\(zone): \(l)")
                XCTAssertEqual(reused?.end, fresh?.end, "\(zone): \(l)")
            }
        }
    }

    func testNanosecondsAreCutToMilliseconds() {
        assertTime("2023-10-10T16:30:38.123456789Z stdout F x", epochMillis(2023, 10, 10, 16, 30, 38, 123), end: 30)
        assertTime("2023-10-10 16:30:38.999999 x", epochMillis(2023, 10, 10, 16, 30, 38, 999))
    }

    func testBracketedSlashAndTomcat() {
        assertTime("[2023-10-10 16:30:38] [main] ERROR x", epochMillis(2023, 10, 10, 16, 30, 38), end: 20)
        assertTime("[2023-10-10 16:30:38,500] ERROR x", epochMillis(2023, 10, 10, 16, 30, 38, 500))
        assertTime("2023/10/10 16:30:38 WARN x", epochMillis(2023, 10, 10, 16, 30, 38), end: 19)
        assertTime("10-Oct-2023 16:30:38.123 SEVERE [main] org.apache.catalina.startup.Catalina.start x",
                   epochMillis(2023, 10, 10, 16, 30, 38, 123), end: 24)
        assertTime("01-Feb-2024 00:00:01.000 INFO x", epochMillis(2024, 2, 1, 0, 0, 1, 0))
        assertTime("29-Feb-2024 23:59:59.999 INFO leap day", epochMillis(2024, 2, 29, 23, 59, 59, 999))
        // Tomcat in a Chinese or Japanese locale: JDK 8 numerals, JDK 9+ digits
        assertTime("10-十月-2023 16:30:38.123 严重 [http-nio-8080-exec-42] x", epochMillis(2023, 10, 10, 16, 30, 38, 123), end: 27)
        assertTime("10-10月-2023 16:30:38.123 警告 [main] x", epochMillis(2023, 10, 10, 16, 30, 38, 123), end: 26)
        assertTime("01-十二月-2023 00:00:01.000 信息 x", epochMillis(2023, 12, 1, 0, 0, 1))
        assertTime("05-一月-2024 09:00:00.000 信息 x", epochMillis(2024, 1, 5, 9, 0, 0))
        assertTime("05-1月-2024 09:00:00.000 情報 x", epochMillis(2024, 1, 5, 9, 0, 0))
        for bad in ["10-十三月-2023 16:30:38.123 x", "10-13月-2023 16:30:38.123 x", "10-十月2023 16:30:38.123 x", "10-月-2023 16:30:38.123 x"] {
            let u = Array(bad.utf8)
            XCTAssertNil(u.withUnsafeBufferPointer { TimestampParser(zone: ZoneResolver(TimeZone(identifier: "UTC")!)).find($0.baseAddress!, $0.count) }, bad)
        }
    }

    func testAfterAPrefix() {
        let t = epochMillis(2023, 10, 10, 16, 30, 38, 123)
        assertTime("INFO  2023-10-10 16:30:38,123 [main] c.e.App - x", t, end: 29)
        assertTime("app-1 | 2023-10-10 16:30:38.123 ERROR x", t)
        assertTime("web.1 2023-10-10T16:30:38.123Z x", epochMillis(2023, 10, 10, 16, 30, 38, 123))
        assertTime("Oct 10 host app[123]: 2023-10-10 16:30:38,123 ERROR x", t)
        assertTime("level=error ts=2023-10-10T16:30:38.123Z msg=x", t)
        assertTime("DBCP object created 2023-10-10 16:01:02 by the following code was never closed:",
                   epochMillis(2023, 10, 10, 16, 1, 2))
    }

    func testNotFound() {
        for line in [
            "\tat com.foo(Bar.java:12)",
            "\tat com.example.Repo.find(Repo.java:2023)",
            "    at com.foo.Bar.baz(Bar.java:42)",
            "Caused by: java.lang.IllegalStateException: boom",
            "Caused by: java.net.ConnectException: Connection refused: localhost/127.0.0.1:5432",
            "\t... 12 more",
            "... 5 common frames omitted",
            "### Error querying database.  Cause: java.sql.SQLException: closed",
            "This message is long enough that the date only shows up far inside it: 2023-10-10 16:30:38,123",
            "id=20231010163038123 is a number, not a time",
            "2023-10-10 no time follows",
            "2023-13-10 16:30:38 month 13",
            "2023-10-10 25:30:38 hour 25",
            "2023-10-10X16:30:38 bad separator",
            "10-Foo-2023 16:30:38.123 not a month",
            "",
            "short",
        ] {
            XCTAssertNil(find(line), "no timestamp in \(line.debugDescription)")
        }
    }

    func testExactMillisecondsAcrossYears() {
        // leap years, century rules, the epoch and before it
        let cases: [(String, Int64)] = [
            ("1970-01-01 00:00:00.000 x", 0),
            ("1969-12-31 23:59:59.999 x", -1),
            ("2000-02-29 12:00:00.000 x", epochMillis(2000, 2, 29, 12, 0, 0)),
            ("2100-03-01 00:00:00.000 x", epochMillis(2100, 3, 1, 0, 0, 0)),
            ("2024-12-31 23:59:59.999 x", epochMillis(2024, 12, 31, 23, 59, 59, 999)),
            ("1999-12-31 23:59:59,001 x", epochMillis(1999, 12, 31, 23, 59, 59, 1)),
        ]
        for (line, expected) in cases { assertTime(line, expected) }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<500 {
            let ms = Int64(rng.next() % 4_102_444_800_000)  // 1970 … 2100
            let line = LogText.format(ms) + " INFO random"
            assertTime(line, ms)
        }
    }

    // MARK: zones

    func testZoneLessTimesInAGivenZone() {
        let shanghai = epochMillis(2023, 10, 10, 16, 30, 38, 123, zone: "Asia/Shanghai")
        XCTAssertEqual(shanghai, epochMillis(2023, 10, 10, 8, 30, 38, 123), "sanity: Shanghai is UTC+8")
        assertTime("2023-10-10 16:30:38,123 INFO x", shanghai, zone: "Asia/Shanghai")
        assertTime("10-Oct-2023 16:30:38.123 INFO x", shanghai, zone: "Asia/Shanghai")
        assertTime("2023-10-10 16:30:38,123 INFO x", epochMillis(2023, 10, 10, 16, 30, 38, 123, zone: "Asia/Kolkata"), zone: "Asia/Kolkata")
        assertTime("2023-10-10 16:30:38,123 INFO x", epochMillis(2023, 10, 10, 16, 30, 38, 123, zone: "America/St_Johns"), zone: "America/St_Johns")
    }

    func testDSTBerlinAndNewYork() {
        let cases: [(String, Int, Int, Int, Int)] = [
            ("Europe/Berlin", 3, 26, 1, 30),  // CET, just before the spring gap
            ("Europe/Berlin", 3, 26, 3, 30),  // CEST, just after it
            ("Europe/Berlin", 10, 29, 1, 30),  // CEST, before the autumn overlap
            ("Europe/Berlin", 10, 29, 3, 30),  // CET, after it
            ("Europe/Berlin", 7, 1, 12, 0),
            ("Europe/Berlin", 1, 15, 12, 0),
            ("America/New_York", 3, 12, 1, 30),
            ("America/New_York", 3, 12, 3, 30),
            ("America/New_York", 11, 5, 0, 30),
            ("America/New_York", 11, 5, 2, 30),
            ("America/New_York", 7, 4, 9, 15),
        ]
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        for (zone, mo, d, h, mi) in cases {
            let line = "2023-\(p2(mo))-\(p2(d)) \(p2(h)):\(p2(mi)):00.250 INFO x"
            assertTime(line, epochMillis(2023, mo, d, h, mi, 0, 250, zone: zone), zone: zone)
        }
        // the same instants written out in UTC, as a check on the Calendar-derived values
        XCTAssertEqual(find("2023-03-26 01:30:00 x", zone: "Europe/Berlin")?.time, epochMillis(2023, 3, 26, 0, 30, 0))
        XCTAssertEqual(find("2023-03-26 03:30:00 x", zone: "Europe/Berlin")?.time, epochMillis(2023, 3, 26, 1, 30, 0))
        XCTAssertEqual(find("2023-10-29 01:30:00 x", zone: "Europe/Berlin")?.time, epochMillis(2023, 10, 28, 23, 30, 0))
    }

    /// One parser reading a log that runs through both changes of a year, line by line (the
    /// resolver caches offsets per hour, so the order of lines matters).
    func testDSTSequenceWithOneParser() {
        for zone in ["Europe/Berlin", "America/New_York", "Australia/Sydney"] {
            let p = parser(zone)
            let tz = TimeZone(identifier: zone)!
            var zcal = Calendar(identifier: .gregorian)
            zcal.timeZone = tz
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            func offset(_ s: Int) -> Int { tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(s))) }
            // every 20 minutes of wall clock from March 1 to November 30, 2023
            var local = Int(epochMillis(2023, 3, 1, 0, 0, 0) / 1000)
            let stop = Int(epochMillis(2023, 11, 30, 0, 0, 0) / 1000)
            var checked = 0
            while local < stop {
                defer { local += 1200 }
                // wall times that do not exist or exist twice are the subject of another test
                let candidates = Set([offset(local - 86_400), offset(local), offset(local + 86_400)])
                let valid = candidates.filter { offset(local - $0) == $0 }
                guard valid.count == 1 else { continue }
                let expected = Int64(local - valid.first!) * 1000
                let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(local)))
                XCTAssertEqual(Int64(zcal.date(from: c)!.timeIntervalSince1970) * 1000, expected, "sanity: Calendar agrees")
                let line = LogText.format(Int64(local) * 1000) + " INFO x"
                let got = find(line, with: p)?.time
                if got != expected {
                    XCTFail("\(zone) \(line): got \(got.map(String.init) ?? "nil"), expected \(expected)")
                    break
                }
                checked += 1
            }
            XCTAssertGreaterThan(checked, 18_000)
        }
    }

    /// Wall-clock times inside the spring gap or the autumn overlap: the resolver's contract is
    /// "the earlier offset wins", i.e. the offset in force before the change — which is also what
    /// Foundation's Calendar does.
    func testDSTGapAndOverlapUseTheEarlierOffset() {
        // Berlin spring gap 02:00–03:00 doesn't exist; earlier offset +01:00 → 01:30 UTC.
        XCTAssertEqual(find("2023-03-26 02:30:00 x", zone: "Europe/Berlin")?.time, epochMillis(2023, 3, 26, 1, 30, 0))
        XCTAssertEqual(find("2023-03-26 02:30:00 x", zone: "Europe/Berlin")?.time,
                       epochMillis(2023, 3, 26, 2, 30, 0, zone: "Europe/Berlin"), "same as Foundation")
        // Berlin autumn 02:30 happens twice; earlier offset +02:00 → 00:30 UTC.
        XCTAssertEqual(find("2023-10-29 02:30:00 x", zone: "Europe/Berlin")?.time, epochMillis(2023, 10, 29, 0, 30, 0))
        XCTAssertEqual(find("2023-10-29 02:30:00 x", zone: "Europe/Berlin")?.time,
                       epochMillis(2023, 10, 29, 2, 30, 0, zone: "Europe/Berlin"), "same as Foundation")
        // New York: gap 02:00–03:00 on March 12 (EST −5 before), overlap 01:00–02:00 on Nov 5 (EDT −4 before)
        XCTAssertEqual(find("2023-03-12 02:30:00 x", zone: "America/New_York")?.time, epochMillis(2023, 3, 12, 7, 30, 0))
        XCTAssertEqual(find("2023-11-05 01:30:00 x", zone: "America/New_York")?.time, epochMillis(2023, 11, 5, 5, 30, 0))
    }

    func testResolverOffsets() {
        let berlin = ZoneResolver(TimeZone(identifier: "Europe/Berlin")!)
        let winter = Int(epochMillis(2023, 1, 15, 12, 0, 0) / 1000)  // as a wall clock read as UTC
        let summer = Int(epochMillis(2023, 7, 15, 12, 0, 0) / 1000)
        XCTAssertEqual(berlin.offset(forLocal: winter), 3600)
        XCTAssertEqual(berlin.offset(forLocal: summer), 7200)
        XCTAssertEqual(berlin.offset(forLocal: winter), 3600, "the per-hour cache does not leak between hours")
        let utc = ZoneResolver(TimeZone(identifier: "UTC")!)
        XCTAssertEqual(utc.offset(forLocal: summer), 0)
        let fixed = ZoneResolver(TimeZone(secondsFromGMT: 8 * 3600)!)
        XCTAssertEqual(fixed.offset(forLocal: winter), 8 * 3600)
    }
}
