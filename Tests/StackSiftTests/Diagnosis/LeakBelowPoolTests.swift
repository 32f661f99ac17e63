import XCTest
@testable import StackSift

final class LeakBelowPoolTests: XCTestCase {
    /// Seed 001 in small: Druid says 0 of 30 in use, PostgreSQL is full.
    func seed001(active: Int64 = 0, timeouts: Int = 6, refusals: Int = 10, druidJar: String? = "druid-1.2.8.jar") -> StateBuilder {
        var b = StateBuilder()
        b.pattern("druid.get-connection-timeout", timeouts, start: 10, every: 5, sources: ["host-a/app.log", "host-b/app.log"],
                  fields: ["active": active, "maxActive": 30, "creating": 0], ranges: ["createErrorCount": 300...13047])
        b.pattern("postgres.too-many-connections", refusals, start: 8, every: 3)
        b.pattern("druid.create-connection-error", 4, start: 8, every: 7)
        b.signature("v1:timeout", timeouts, start: 10, rootCause: "org.postgresql.util.PSQLException",
                    patterns: ["druid.get-connection-timeout", "postgres.too-many-connections"],
                    exemplar: druidJar.map { "x\n\tat com.alibaba.druid.pool.DruidDataSource.getConnection(DruidDataSource.java:1405) ~[\($0):1.2.8]" } ?? "x")
        return b
    }

    func testActiveZeroWhileTheDatabaseIsFull() throws {
        let f = try XCTUnwrap(LeakBelowPool.evaluate(seed001().input))
        XCTAssertEqual(f.id, "leak-below-pool")
        XCTAssertEqual(f.severity, .critical)
        XCTAssertEqual(f.confidence.level, .high)
        assertValue(f, "active", "0")
        assertValue(f, "maxActive", "30")
        assertValue(f, "createErrorCount", "300…13047")
        XCTAssertTrue(f.explanation.contains("0 of 30"), f.explanation)
        XCTAssertTrue(f.explanation.contains("Druid 1.2.8 (from the jar names in the traces) predates 1.2.20"), f.explanation)
        XCTAssertTrue(f.actions.first?.text.contains("Upgrade Druid to 1.2.20") == true)
    }

    func testUnknownDruidVersionIsASuspectNotAFact() throws {
        let f = try XCTUnwrap(LeakBelowPool.evaluate(seed001(druidJar: nil).input))
        XCTAssertTrue(f.explanation.contains("the logs do not show the version"), f.explanation)
        XCTAssertTrue(f.actions.contains { $0.text.contains("Check the Druid version") })
    }

    func testFixedDruidIsNotBlamed() throws {
        let f = try XCTUnwrap(LeakBelowPool.evaluate(seed001(druidJar: "druid-1.2.20.jar").input))
        XCTAssertFalse(f.explanation.contains("1.2.20"), f.explanation)
        XCTAssertFalse(f.actions.contains { $0.text.contains("Upgrade Druid") })
    }

    func testDruidBooksAreReadBack() throws {
        var b = seed001()
        b.pattern("druid.stat", 3, fields: ["createCount": 243, "activeCount": 0, "poolingCount": 2, "destroyCount": 107, "discardCount": 134])
        let f = try XCTUnwrap(LeakBelowPool.evaluate(b.input))
        XCTAssertTrue(f.explanation.contains("Druid's books balance (createCount 243"), f.explanation)
        assertValue(f, "discardCount", "134")
    }

    func testFewRefusalsLowerTheConfidence() throws {
        let f = try XCTUnwrap(LeakBelowPool.evaluate(seed001(refusals: 1).input))
        XCTAssertEqual(f.confidence.level, .medium)
    }

    func testAFullPoolIsNotALeakBelowIt() {
        XCTAssertNil(LeakBelowPool.evaluate(seed001(active: 30).input))
    }

    func testWithoutRefusalsTheDatabaseIsNotShownFull() {
        var b = StateBuilder()
        b.pattern("druid.get-connection-timeout", 6, fields: ["active": 0, "maxActive": 30])
        XCTAssertNil(LeakBelowPool.evaluate(b.input))
    }

    func testTwoTimeoutsAreNotAnIncident() {
        XCTAssertNil(LeakBelowPool.evaluate(seed001(timeouts: 2).input))
    }
}
