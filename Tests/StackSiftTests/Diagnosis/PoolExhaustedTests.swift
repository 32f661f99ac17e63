import XCTest
@testable import StackSift

final class PoolExhaustedTests: XCTestCase {
    func hikariFull(_ n: Int) -> StateBuilder {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", n, fields: ["active": 20, "total": 20, "idle": 0], ranges: ["waiting": 1...40])
        b.signature("v1:wait", n, rootCause: "java.sql.SQLTransientConnectionException", frames: ["com.acme.CartDao.load"],
                    patterns: ["hikari.connection-timeout"])
        return b
    }

    func testFullPoolWithoutLeakEvidence() throws {
        let f = try XCTUnwrap(PoolExhausted.evaluate(hikariFull(9).input))
        XCTAssertEqual(f.id, "pool-exhausted")
        XCTAssertEqual(f.confidence.level, .medium, "no leak trace is not proof of no leak")
        assertValue(f, "active", "20")
        assertValue(f, "waiting", "1…40")
        XCTAssertTrue(f.evidence.contains { $0.signature == "v1:wait" && $0.values?["frames"] == "com.acme.CartDao.load" })
    }

    func testUnknownOccupancyIsLowConfidence() throws {
        var b = StateBuilder()
        b.pattern("dbcp.pool-exhausted", 5)
        XCTAssertEqual(PoolExhausted.evaluate(b.input)?.confidence.level, .low)
    }

    /// The threshold: one or two callers timing out is not an incident.
    func testASingleTimeoutIsNotAnIncident() {
        XCTAssertNil(PoolExhausted.evaluate(hikariFull(1).input))
        XCTAssertNil(PoolExhausted.evaluate(hikariFull(2).input))
        XCTAssertNotNil(PoolExhausted.evaluate(hikariFull(Threshold.incidentEvents).input))
    }

    func testLeakEvidenceHandsItToAppLeak() {
        var b = hikariFull(9)
        b.leakSite("v1:leak", 3, frames: ["com.acme.CartDao.load"], pattern: "hikari.leak-detection")
        b.pattern("hikari.leak-detection", 3)
        XCTAssertNil(PoolExhausted.evaluate(b.input))
    }

    func testAnEmptyPoolIsNotExhausted() {
        var b = StateBuilder()
        b.pattern("druid.get-connection-timeout", 9, fields: ["active": 0, "maxActive": 30])
        XCTAssertNil(PoolExhausted.evaluate(b.input))
    }

    func testPoolsPerRequestExplainTheTimeouts() {
        var b = hikariFull(9)
        b.pattern("hikari.pool-start", 100, every: 3, text: ["stage": ["Starting...": 50, "Start completed.": 50]])
        XCTAssertNil(PoolExhausted.evaluate(b.input))
    }
}
