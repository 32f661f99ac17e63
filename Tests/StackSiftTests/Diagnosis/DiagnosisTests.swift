import XCTest
@testable import StackSift

/// The rule set as a whole: ordering, and incidents that are not pool incidents.
final class DiagnosisTests: XCTestCase {
    func testRuleIdsAreUnique() {
        let all = Diagnosis.rules.map(\.id)
        XCTAssertEqual(Set(all).count, all.count)
        XCTAssertEqual(Set(all), ["db-connection-limit", "leak-below-pool", "app-leak", "pool-per-request",
                                  "abandoned-removal-active", "pool-exhausted", "stale-connections"])
    }

    func testADatabaseDeadlockIsNotAPoolIncident() {
        var b = StateBuilder()
        b.signature("v1:deadlock", 12, rootCause: "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException",
                    frames: ["com.acme.StockService.reserve"], message: "Deadlock found when trying to get lock; try restarting transaction")
        b.signature("v1:npe", 3, rootCause: "java.lang.NullPointerException", frames: ["com.acme.Profile.render"])
        XCTAssertEqual(ids(Diagnosis.run(b.input)), [])
    }

    func testASingleTimeoutIsNotAnIncident() {
        var b = StateBuilder()
        b.pattern("hikari.connection-timeout", 1, fields: ["active": 10, "total": 10])
        b.signature("v1:t", 1, rootCause: "java.sql.SQLTransientConnectionException", patterns: ["hikari.connection-timeout"])
        XCTAssertEqual(ids(Diagnosis.run(b.input)), [])
    }

    func testNothingIsNothing() {
        XCTAssertEqual(Diagnosis.run(StateBuilder().input), [])
    }

    func testCausesComeBeforeTheRefusalTheyExplain() {
        var b = StateBuilder()
        b.pattern("hikari.pool-start", 200, every: 2, text: ["stage": ["Starting...": 100, "Start completed.": 100]])
        b.pattern("mysql.too-many-connections", 8, start: 400)
        XCTAssertEqual(ids(Diagnosis.run(b.input)), ["pool-per-request", "db-connection-limit"])
    }

    func testMoreSevereFirst() {
        var b = StateBuilder()
        b.pattern("jdbc.connection-closed", 5)   // stale-connections: warning
        b.pattern("hikari.connection-timeout", 5, fields: ["active": 10, "total": 10])   // pool-exhausted: error
        XCTAssertEqual(ids(Diagnosis.run(b.input)), ["pool-exhausted", "stale-connections"])
    }
}
