import XCTest
@testable import StackSift

final class AppLeakTests: XCTestCase {
    static let monthly = ["com.acme.report.ReportDao.loadMonthly", "com.acme.report.ReportService.monthly"]
    static let invoices = ["com.acme.billing.InvoiceDao.findOpen", "com.acme.billing.InvoiceService.listOpen"]

    /// Seed 003 in small: two leak sites and DBCP timeouts without occupancy numbers.
    func seed003(timeouts: Int = 14) -> StateBuilder {
        var b = StateBuilder()
        b.leakSite("v1:monthly", 24, frames: Self.monthly, start: 10)
        b.leakSite("v1:invoices", 7, frames: Self.invoices, start: 5)
        b.pattern("dbcp.abandoned-trace", 31, start: 5)
        if timeouts > 0 { b.pattern("dbcp.pool-exhausted", timeouts, start: 200) }
        return b
    }

    func testLeakSitesAreRankedByTraces() throws {
        let f = try XCTUnwrap(AppLeak.evaluate(seed003().input))
        XCTAssertEqual(f.id, "app-leak")
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.confidence.level, .high)
        let sites = f.evidence.filter { $0.label.hasPrefix("leak site ") }
        XCTAssertEqual(sites.map(\.label), ["leak site com.acme.report.ReportDao.loadMonthly", "leak site com.acme.billing.InvoiceDao.findOpen"])
        XCTAssertEqual(sites.map(\.count), [24, 7])
        XCTAssertEqual(sites.first?.values?["called from"], "com.acme.report.ReportService.monthly")
        XCTAssertTrue(f.explanation.contains("1. ReportDao.loadMonthly (24), 2. InvoiceDao.findOpen (7)"), f.explanation)
        XCTAssertTrue(f.toConfirm.contains { $0.contains("_numActive") }, "DBCP says nothing about active: ask for it")
    }

    func testOneSiteReachedFromTwoCallersIsOneSite() throws {
        var b = seed003()
        b.leakSite("v1:monthly-2", 5, frames: ["com.acme.report.ReportDao.loadMonthly", "com.acme.report.ExportService.export"])
        let f = try XCTUnwrap(AppLeak.evaluate(b.input))
        let top = try XCTUnwrap(f.evidence.first)
        XCTAssertEqual(top.label, "leak site com.acme.report.ReportDao.loadMonthly")
        XCTAssertEqual(top.count, 29)
    }

    func testTracesWithoutTimeoutsAreAWarning() throws {
        let f = try XCTUnwrap(AppLeak.evaluate(seed003(timeouts: 0).input))
        XCTAssertEqual(f.severity, .warning)
        XCTAssertEqual(f.confidence.level, .medium)
        XCTAssertTrue(f.confidence.why.contains("never ran dry"), f.confidence.why)
    }

    func testTimeoutsAtFullPoolPlusLeakLinesWithoutStacks() throws {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", 5, fields: ["active": 10, "total": 10, "idle": 0])
        b.pattern("c3p0.overdue-resource", 4)
        let f = try XCTUnwrap(AppLeak.evaluate(b.input))
        XCTAssertEqual(f.confidence.level, .medium)
        XCTAssertTrue(f.toConfirm.contains { $0.contains("logAbandoned") })
    }

    func testMostlyUnleakedMeansSlowNotLost() throws {
        var b = StateBuilder()
        b.leakSite("v1:slow", 10, frames: ["com.acme.ReportDao.big"], pattern: "hikari.leak-detection")
        b.pattern("hikari.leak-detection", 10)
        b.pattern("hikari.leak-unleaked", 9)
        let f = try XCTUnwrap(AppLeak.evaluate(b.input))
        XCTAssertEqual(f.confidence.level, .low)
        XCTAssertTrue(f.explanation.contains("unleaked"), f.explanation)
    }

    func testSitesBusyWithSQLAreNotLeaks() {
        var b = seed003(timeouts: 0)
        for (id, frames) in [("v1:t1", Self.monthly), ("v1:t2", Self.invoices)] {
            b.signature(id, 5, rootCause: "java.net.SocketTimeoutException", frames: frames, patterns: ["jdbc.socket-read-timeout"])
        }
        XCTAssertNil(AppLeak.evaluate(b.input), "abandoned-removal-active explains them")
    }

    func testTimeoutsAloneAreNotALeak() {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", 12, fields: ["active": 10, "total": 10])
        XCTAssertNil(AppLeak.evaluate(b.input))
    }
}
