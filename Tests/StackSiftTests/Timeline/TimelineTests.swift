import Foundation
import XCTest
@testable import StackSift

final class BucketWidthTests: XCTestCase {
    func testParse() throws {
        XCTAssertEqual(try BucketWidth.parse("1m").millis, 60_000)
        XCTAssertEqual(try BucketWidth.parse("5m").millis, 300_000)
        XCTAssertEqual(try BucketWidth.parse("120s").millis, 120_000)
        XCTAssertEqual(try BucketWidth.parse("1h").millis, 3_600_000)
        XCTAssertEqual(try BucketWidth.parse(" 1D ").millis, 86_400_000)
        XCTAssertThrowsError(try BucketWidth.parse("30s")) { XCTAssertEqual($0 as? BucketWidth.ParseError, .finerThanState("30s")) }
        for bad in ["", "m", "5", "5x", "-5m", "0m", "1.5h"] {
            XCTAssertThrowsError(try BucketWidth.parse(bad), bad)
        }
    }

    /// At most 60 buckets, and the smallest natural width that gives them.
    func testAutomaticWidth() {
        let m: Int64 = 60_000
        XCTAssertEqual(BucketWidth.automatic(span: 0), .minute, "one minute is the finest the state can fill")
        XCTAssertEqual(BucketWidth.automatic(span: 30 * m), .minute)
        XCTAssertEqual(BucketWidth.automatic(span: 60 * m), .minute)
        XCTAssertEqual(BucketWidth.automatic(span: 61 * m).description, "2 min")
        XCTAssertEqual(BucketWidth.automatic(span: 1000 * m).description, "30 min")   // 16.7 h, seed 001
        XCTAssertEqual(BucketWidth.automatic(span: 3 * 1440 * m).description, "2 h")
        XCTAssertEqual(BucketWidth.automatic(span: 365 * 1440 * m).description, "7 d")
        for span in stride(from: Int64(1), to: 60 * 1440 * m, by: Int(7_777 * m)) {
            let w = BucketWidth.automatic(span: span)
            XCTAssertLessThanOrEqual((span + w.millis - 1) / w.millis, BucketWidth.targetBuckets)
        }
    }

    func testFlagAndDescription() {
        XCTAssertEqual(BucketWidth(millis: 900_000).flag, "15m")
        XCTAssertEqual(BucketWidth.hour.flag, "1h")
        XCTAssertEqual(BucketWidth.day.description, "1 d")
    }
}

final class TimeArgumentTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    func testForms() {
        let base = StateBuilder.t0   // 2023-10-10 10:00:00 UTC
        XCTAssertEqual(parseTimeArgument("2023-10-10 10:00", zone: utc), base)
        XCTAssertEqual(parseTimeArgument("2023-10-10T10:00:00Z", zone: shanghai), base)
        XCTAssertEqual(parseTimeArgument("2023-10-10 18:00", zone: shanghai), base, "no zone: the --timezone")
        XCTAssertEqual(parseTimeArgument("2023-10-10T18:00:00+08:00", zone: utc), base)
        XCTAssertEqual(parseTimeArgument("2023-10-10T18:00:00+0800", zone: utc), base)
        XCTAssertEqual(parseTimeArgument("2023-10-10 10:00:01.250", zone: utc), base + 1250)
        XCTAssertEqual(parseTimeArgument("2023-10-10", zone: utc), base - 10 * 3_600_000)
        for bad in ["", "yesterday", "2023-10-10 25:00", "2023-13-01", "2023-10-10 10", "2023-10-10T10:00:00 garbage", "10/10/2023"] {
            XCTAssertNil(parseTimeArgument(bad, zone: utc), bad)
        }
    }
}

final class TimelineTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    let m = StateBuilder.minute
    let t0 = StateBuilder.t0

    /// Refusals from minute 30 to 39, timeouts from 35 to 59, pool stats all along, in a
    /// 2-hour span: buckets, peaks, the window and its quiet periods.
    func build(width: BucketWidth? = nil) -> Timeline {
        var b = StateBuilder()
        b.pattern("postgres.too-many-connections", 10, start: 30)
        b.pattern("druid.get-connection-timeout", 25, start: 35, fields: ["active": 0, "maxActive": 30], ranges: ["createErrorCount": 10...250])
        b.pattern("druid.stat", 8, every: 15, fields: ["activeCount": 1])
        b.signature("v1:refused", 10, start: 30, rootCause: "org.postgresql.util.PSQLException", patterns: ["postgres.too-many-connections"])
        b.signature("v1:timeout", 25, start: 35, rootCause: "com.alibaba.druid.pool.GetConnectionTimeoutException", patterns: ["druid.get-connection-timeout"])
        b.signature("v1:stat", 8, start: 0, patterns: ["druid.stat"])
        return Timeline.build(state: b.state, categories: StateBuilder.categories, span: (t0, t0 + 119 * m), width: width, timeZone: utc)
    }

    func testBuckets() throws {
        let t = build()
        XCTAssertEqual(t.width.description, "2 min")
        XCTAssertEqual(t.start, t0)
        XCTAssertEqual(t.bucketCount, 60)
        let refused = try XCTUnwrap(t.series("v1:refused"))
        XCTAssertEqual(refused.counts.reduce(0, +), 10)
        XCTAssertEqual(refused.counts[15], 2)
        XCTAssertEqual(refused.peakBucket, 15, "the earliest of equal peaks")
        XCTAssertEqual(refused.first, t0 + 30 * m)
        XCTAssertTrue(refused.incident)
        XCTAssertFalse(try XCTUnwrap(t.series("v1:stat")).trouble, "pool stats are bookkeeping")
        XCTAssertEqual(t.signatures.map(\.id), ["v1:timeout", "v1:refused", "v1:stat"], "most events first")
        XCTAssertEqual(t.firstAppearance, ["v1:refused", "v1:timeout"])
    }

    func testWindowAndQuietPeriods() throws {
        let w = try XCTUnwrap(build().window)
        XCTAssertEqual(w.start, t0 + 30 * m)
        XCTAssertEqual(w.end, t0 + 59 * m)
        XCTAssertEqual(w.events, 35)
        XCTAssertEqual(w.quietBefore, 30 * m)
        XCTAssertEqual(w.quietAfter, 60 * m)
        XCTAssertEqual(w.peakBucket, 18, "minutes 36-37: two refusals and two timeouts (the earlier of two such buckets)")
        XCTAssertEqual(w.peakCount, 4)
    }

    func testFieldSeries() throws {
        let t = build(width: try BucketWidth.parse("10m"))
        XCTAssertEqual(t.bucketCount, 12)
        let errors = try XCTUnwrap(t.fields.first { $0.field == "createErrorCount" })
        XCTAssertEqual(errors.pattern, "druid.get-connection-timeout")
        XCTAssertEqual(errors.points.map(\.bucket), [3, 4, 5])
        XCTAssertEqual(errors.points.first?.min, 10)
        XCTAssertEqual(errors.points.last?.max, 250)
        XCTAssertEqual(errors.points.last?.last, 250)
    }

    func testTooManyBucketsAreWidened() {
        var b = StateBuilder()
        b.signature("v1:a", 2, start: 0)
        b.signature("v1:b", 1, start: 40 * 1440)
        let t = Timeline.build(state: b.state, categories: [:], span: nil, width: .minute, timeZone: utc)
        XCTAssertEqual(t.requestedWidth, .minute)
        XCTAssertLessThanOrEqual(t.bucketCount, Timeline.maxBuckets)
        XCTAssertEqual(t.signatures.map { $0.counts.reduce(0, +) }.reduce(0, +), 3)
    }

    func testDayBucketsStartAtLocalMidnight() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        var b = StateBuilder()
        b.signature("v1:a", 1, start: 0)
        let t = Timeline.build(state: b.state, categories: [:], span: nil, width: .day, timeZone: shanghai)
        XCTAssertEqual(TimeFormat(shanghai).short(t.start), "2023-10-10 00:00:00")
    }

    func testNoTimesNoBuckets() {
        let t = Timeline.build(state: AnalysisState(), categories: [:], span: nil, timeZone: utc)
        XCTAssertEqual(t.bucketCount, 0)
        XCTAssertNil(t.window)
    }
}
