import XCTest
@testable import StackSift

final class DBConnectionLimitTests: XCTestCase {
    func testRefusalsOnTwoHostsAreAFinding() throws {
        var b = StateBuilder()
        b.pattern("mysql.too-many-connections", 8, start: 30, sources: ["host-a/app.log", "host-b/app.log"])
        b.pattern("hikari.pool-init-failed", 8, start: 30, fields: ["poolNumber": 140])
        let f = try XCTUnwrap(DBConnectionLimit.evaluate(b.input))
        XCTAssertEqual(f.id, "db-connection-limit")
        XCTAssertEqual(f.severity, .critical)
        XCTAssertEqual(f.confidence.level, .high)
        let refused = try XCTUnwrap(f.evidence.first { $0.pattern == "mysql.too-many-connections" })
        XCTAssertEqual(refused.count, 8)
        XCTAssertEqual(refused.first, StateBuilder.t0 + 30 * StateBuilder.minute)
        XCTAssertEqual(refused.sources, ["host-a/app.log": 4, "host-b/app.log": 4])
        XCTAssertTrue(f.evidence.contains { $0.pattern == "hikari.pool-init-failed" }, "the pool's failed creations are evidence too")
        XCTAssertTrue(f.actions.contains { $0.text.contains("processlist") }, "MySQL: how to find the holder")
        XCTAssertFalse(f.actions.contains { $0.text.contains("pg_stat_activity") }, "no PostgreSQL advice for a MySQL refusal")
        XCTAssertFalse(f.toConfirm.isEmpty, "who held the sessions is not in the logs")
    }

    func testPostgresGetsPostgresAdvice() throws {
        var b = StateBuilder()
        b.pattern("postgres.too-many-connections", 5)
        let f = try XCTUnwrap(DBConnectionLimit.evaluate(b.input))
        XCTAssertTrue(f.actions.contains { $0.text.contains("pg_stat_activity") })
    }

    func testOneRefusalIsReportedWithLessCertainty() throws {
        var b = StateBuilder()
        b.pattern("oracle.too-many-connections", 1, text: ["oraCode": ["ORA-00020": 1]])
        let f = try XCTUnwrap(DBConnectionLimit.evaluate(b.input))
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.confidence.level, .medium)
        XCTAssertTrue(f.confidence.why.contains("momentary"), f.confidence.why)
    }

    func testNoRefusalNoFinding() {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", 20, fields: ["active": 10, "total": 10])
        b.signature("v1:deadlock", 3, rootCause: "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
                    message: "Deadlock found when trying to get lock; try")
        XCTAssertNil(DBConnectionLimit.evaluate(b.input))
    }
}
