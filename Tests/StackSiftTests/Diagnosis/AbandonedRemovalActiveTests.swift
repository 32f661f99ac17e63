import XCTest
@testable import StackSift

final class AbandonedRemovalActiveTests: XCTestCase {
    static let daily = ["com.acme.settle.SettlementDao.sumDaily", "com.acme.settle.SettlementService.settle"]
    static let history = ["com.acme.order.OrderDao.queryHistory", "com.acme.order.OrderService.history"]

    /// Seed 004 in small: the reclaimed connections' own code hits read timeouts.
    func seed004(refusals: Int = 0) -> StateBuilder {
        var b = StateBuilder()
        b.leakSite("v1:daily", 28, frames: Self.daily)
        b.leakSite("v1:history", 9, frames: Self.history)
        b.pattern("dbcp.abandoned-trace", 37)
        b.signature("v1:timeout-daily", 28, rootCause: "java.net.SocketTimeoutException", frames: Self.daily,
                    patterns: ["jdbc.socket-read-timeout", "mysql.communications-link-failure"])
        b.signature("v1:timeout-history", 9, rootCause: "java.net.SocketTimeoutException", frames: Self.history,
                    patterns: ["jdbc.socket-read-timeout", "mysql.communications-link-failure"])
        b.pattern("jdbc.socket-read-timeout", 37)
        b.pattern("mysql.communications-link-failure", 37, fields: ["lastPacketMs": 1001])
        b.pattern("jdbc.connection-closed", 29)
        if refusals > 0 { b.pattern("mysql.too-many-connections", refusals, start: 600) }
        return b
    }

    func testReclaimedWhileRunningSQL() throws {
        let f = try XCTUnwrap(AbandonedRemovalActive.evaluate(seed004().input))
        XCTAssertEqual(f.id, "abandoned-removal-active")
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.confidence.level, .high)
        let sites = f.evidence.filter { $0.label.hasPrefix("reclaimed while running SQL: ") }
        XCTAssertEqual(sites.map(\.count), [28, 9])
        XCTAssertEqual(sites.first?.values?["broken or slow at the same site"], "28")
        XCTAssertTrue(f.explanation.contains("SettlementDao.sumDaily (28) and OrderDao.queryHistory (9)"), f.explanation)
        XCTAssertTrue(f.explanation.contains("1001 ms"), f.explanation)
        XCTAssertTrue(f.explanation.contains("No operations allowed after connection closed"), f.explanation)
    }

    func testRefusalsMakeItCritical() throws {
        let f = try XCTUnwrap(AbandonedRemovalActive.evaluate(seed004(refusals: 7).input))
        XCTAssertEqual(f.severity, .critical)
        XCTAssertTrue(f.explanation.contains("until it refused new connections (7 refusals)"), f.explanation)
    }

    func testTimeoutsElsewhereDoNotIndictTheLeakSites() {
        var b = StateBuilder()
        b.leakSite("v1:daily", 10, frames: Self.daily)
        b.signature("v1:timeout", 10, rootCause: "java.net.SocketTimeoutException", frames: ["com.acme.other.Remote.call"],
                    patterns: ["jdbc.socket-read-timeout"])
        XCTAssertNil(AbandonedRemovalActive.evaluate(b.input))
        XCTAssertNotNil(AppLeak.evaluate(b.input), "then it is a leak")
    }

    func testLeakDetectionDoesNotReclaim() {
        var b = StateBuilder()
        b.leakSite("v1:daily", 10, frames: Self.daily, pattern: "hikari.leak-detection")
        b.signature("v1:timeout", 10, rootCause: "java.net.SocketTimeoutException", frames: Self.daily, patterns: ["jdbc.socket-read-timeout"])
        XCTAssertNil(AbandonedRemovalActive.evaluate(b.input), "HikariCP only reports; it never closes the connection")
    }

    func testNoAbandonedTracesNoFinding() {
        var b = StateBuilder()
        b.pattern("jdbc.socket-read-timeout", 40)
        XCTAssertNil(AbandonedRemovalActive.evaluate(b.input))
    }
}
